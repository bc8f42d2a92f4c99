"""Where the GitHub API is, which repository, and the token: read from the environment once.

The token is wrapped in :class:`Secret` so that no ``repr``, f-string or log line can show it;
only the transport asks for the real value, and only for the configured API host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from maturity.errors import UsageError
from maturity.subject import NUMBER_RE, REPOSITORY_RE, checked_env
from maturity.text import clean_text, register_secret

DEFAULT_API_URL = "https://api.github.com"
_PERMISSIONS = "checks: read, statuses: read, contents: read"

#: What every remediation about access says: the permissions the token needs.
PERMISSIONS_HINT = (
    f"give the workflow `permissions: {{{_PERMISSIONS}}}` and pass the token to the step "
    "(env: GITHUB_TOKEN: ${{ github.token }}); a personal or app token needs the same read access"
)


class Secret:
    """A string that never shows itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class ApiEndpoint:
    """The configured API root, split: every URL the client follows must share it."""

    url: str  # without a trailing slash, e.g. https://api.github.com or https://ghe.example/api/v3
    origin: str  # scheme://host[:port], e.g. https://ghe.example
    scheme: str
    host: str  # lower-case
    port: int
    path_prefix: str  # "" or "/api/v3"

    def owns(self, url: str) -> bool:
        """True when *url* is on this API: same scheme, host and port, under the path prefix."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return False
        return (
            parts.scheme == self.scheme
            and (parts.hostname or "") == self.host
            and port == self.port
            and parts.username is None
            and parts.password is None
            and (parts.path == self.path_prefix or parts.path.startswith(self.path_prefix + "/"))
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_api_url(raw: str, source: str = "GITHUB_API_URL") -> ApiEndpoint:
    """Check ``GITHUB_API_URL``: an https URL (http only on loopback), no credentials or query."""
    shown = clean_text(raw, 200)
    fix = f"set {source} to the API root, e.g. https://api.github.com or https://HOST/api/v3"
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        raise UsageError(f"{source} is not a URL: '{shown}'", fix) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UsageError(f"{source} is not an http(s) URL: '{shown}'", fix)
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(
            f"{source} must not carry credentials, a query or a fragment: '{shown}'",
            f"{fix}; the token goes in GITHUB_TOKEN",
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise UsageError(
            f"{source} uses plain http to {host}: the token would cross the network unencrypted",
            "use the https URL of the API",
        )
    prefix = parts.path.rstrip("/")
    return ApiEndpoint(
        url=f"{parts.scheme}://{parts.netloc}{prefix}",
        origin=f"{parts.scheme}://{parts.netloc}",
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path_prefix=prefix,
    )


@dataclass(frozen=True)
class SelfIdentity:
    """How to recognise the evaluator's own check run, so it never waits on itself."""

    check_run_id: int | None = None  # from MATURITY_CHECK_RUN_ID (${{ job.check_run_id }})
    job: str | None = None  # GITHUB_JOB: the job id, also the check run name when no `name:` is set
    run_id: str | None = None  # GITHUB_RUN_ID: without it nothing is excluded (not in Actions)


@dataclass(frozen=True)
class GitHubAccess:
    endpoint: ApiEndpoint
    token: Secret | None
    repository: str | None
    me: SelfIdentity = SelfIdentity()


def access_from_env(env: Mapping[str, str]) -> GitHubAccess:
    """Read the API settings. Malformed values are usage errors (exit 2); absent ones are not:
    the gate that needs them reports what is missing."""
    endpoint = parse_api_url(env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL)
    token_text = env.get("GITHUB_TOKEN", "").strip()
    if any(ch.isspace() or ord(ch) < 0x21 or ord(ch) > 0x7E for ch in token_text):
        # a header value must be printable ASCII; do not echo any of it
        raise UsageError(
            "GITHUB_TOKEN holds characters no token has (spaces, control or non-ASCII characters)",
            "set GITHUB_TOKEN to the token alone",
        )
    register_secret(token_text)  # masked in every message and report from here on
    repository = checked_env(env, "GITHUB_REPOSITORY", REPOSITORY_RE, "owner/name")
    run_id = None
    for name in ("MATURITY_CHECK_RUN_ID", "GITHUB_JOB_CHECK_RUN_ID"):
        value = env.get(name, "").strip()
        if value:
            if not NUMBER_RE.fullmatch(value):
                raise UsageError(
                    f"{name} is not a number: '{clean_text(value, 40)}'",
                    f"set {name}: ${{{{ job.check_run_id }}}} in the step's env, or unset it",
                )
            run_id = int(value)
            break
    job = env.get("GITHUB_JOB", "").strip() or None
    workflow_run = checked_env(env, "GITHUB_RUN_ID", NUMBER_RE, "a number")
    return GitHubAccess(
        endpoint=endpoint,
        token=Secret(token_text) if token_text else None,
        repository=repository,
        me=SelfIdentity(check_run_id=run_id, job=job, run_id=workflow_run),
    )
