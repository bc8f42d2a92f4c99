"""The one place that talks HTTP to GitHub: PyGithub's requester over a bounded transport.

PyGithub supplies authentication, the API root (GitHub Enterprise Server's ``/api/v3`` prefix
included) and the user agent. Its high-level objects are not used: ``PaginatedList`` cannot make
conditional requests per page, count requests, refuse a pagination link to another host, or stop
at a deadline, and its default retry sleeps as long as a rate limit says. So every request goes
through ``Requester.requestJson`` with a connection object of ours, which enforces the deadline
on each request, caps the body size, never follows redirects and never sleeps on a 202.

Retries: 5xx and connection failures get capped exponential backoff with jitter; 403/429 rate
limits wait for ``Retry-After`` or ``x-ratelimit-reset``. No pause ever runs past the deadline: when
the wait would, the request fails at once with a message saying when to try again.

``post`` writes (a follow-up issue, a comment). A POST is not idempotent, so it is repeated only
when it certainly never reached GitHub (the connection was not even made) or GitHub said, with
rate-limit headers, that it did not process it. After a 5xx, a timeout or a connection lost
mid-request it fails at once, saying that GitHub may have carried it out.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions

from maturity import __version__, strict_json
from maturity.errors import EvidenceError
from maturity.github.access import GitHubAccess
from maturity.github.deadline import Deadline
from maturity.github.links import parse_links
from maturity.github.status_errors import outcome_unknown, status_error, write_error
from maturity.text import clean_text, mask_secrets

MAX_BODY_BYTES = 32 * 1024 * 1024
REQUEST_TIMEOUT_S = 15.0
MAX_ATTEMPTS = 6  # per request, for 5xx and connection failures
MAX_ATTEMPTS_UNRESOLVED = 2  # a host name that does not resolve rarely starts to: fail fast
_UNRESOLVED = "the host name does not resolve"
MAX_RATE_LIMIT_WAITS = 5  # per request
SECONDARY_LIMIT_DEFAULT_WAIT_S = 60.0  # GitHub: "wait at least one minute" when no header says
API_VERSION = "2022-11-28"


@dataclass
class ApiStats:
    """What the evaluation cost, for the report."""

    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_limit_remaining: int | None = None
    rate_limit_reset: int | None = None
    slept_s: float = 0.0  # backoff and rate-limit pauses (not poll intervals)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "not_modified": self.not_modified,
            "retries": self.retries,
            "rate_limit_remaining": self.rate_limit_remaining,
            "rate_limit_reset": self.rate_limit_reset,
            "retry_wait_s": round(self.slept_s, 3),
        }


@dataclass(frozen=True)
class Answer:
    url: str
    data: Any
    links: Mapping[str, str]
    not_modified: bool = False


@dataclass(frozen=True)
class _Cached:
    etag: str
    data: Any
    links: Mapping[str, str]


class _TransportFailure(Exception):
    """The request did not produce a usable HTTP answer (retryable for GET).

    *unsent*: the request certainly never reached the server (no connection was made), so even
    a POST may be repeated.
    """

    def __init__(self, reason: str, *, unsent: bool = False) -> None:
        super().__init__(reason)
        self.unsent = unsent


class _Refused(Exception):
    """An answer we will not hand to PyGithub (redirect, 202, oversized body)."""


class _Response:
    """What PyGithub's requester reads from a connection: status and headers.

    The body is not handed to PyGithub (``read`` gives ``""``): it stays bytes in
    :attr:`_BoundedConnection.body`, for the strict JSON reader to decode.
    """

    def __init__(self, status: int, headers: Mapping[str, str]) -> None:
        self.status = status
        self._headers = dict(headers)

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self._headers.items())

    def read(self) -> str:
        return ""


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


class _BoundedConnection:
    """PyGithub's connection interface (``request``/``getresponse``/``close``) with our limits."""

    def __init__(self, origin: str, deadline: Deadline, max_body: int) -> None:
        self.origin = origin
        self.deadline = deadline
        self.max_body = max_body
        self.session = requests.Session()
        self.session.trust_env = True  # proxies from the environment, as every HTTP tool
        self.session.auth = _no_auth  # never add ~/.netrc credentials: only the token is sent
        self._args: tuple[str, str, dict[str, str], bytes | None] = ("GET", "/", {}, None)
        self._payload: bytes | None = None
        self.body = b""  # the body of the last answer

    def send_next(self, payload: bytes) -> None:
        """Send *payload* as the body of the next request (our own JSON encoding, not PyGithub's)."""
        self._payload = payload

    def request(
        self, verb: str, url: str, input: Any, headers: dict[str, str], stream: bool = False
    ) -> None:
        self._args = (verb, url, dict(headers), self._payload)
        self._payload = None

    def getresponse(self) -> _Response:
        verb, path, headers, payload = self._args
        budget = min(REQUEST_TIMEOUT_S, self.deadline.remaining())
        if budget <= 0.01:
            raise _TransportFailure("the time budget ran out", unsent=True)
        try:
            response = self.session.request(
                verb,
                self.origin + path,
                headers=headers,
                data=payload,
                timeout=(min(budget, 10.0), budget),
                allow_redirects=False,
                stream=True,
            )
            with response:
                body = self._read(response, time.monotonic() + budget)
        except requests.ConnectTimeout:
            raise _TransportFailure(
                f"no connection within {min(budget, 10.0):.1f}s", unsent=True
            ) from None
        except requests.Timeout:
            raise _TransportFailure(f"no answer within {budget:.1f}s") from None
        except requests.RequestException as exc:
            raise _TransportFailure(_short_reason(exc), unsent=_never_connected(exc)) from None
        status = response.status_code
        if status == 202 or (300 <= status < 400 and status != 304):
            raise _Refused(
                f"HTTP {status}, which this endpoint does not answer (no redirect is followed)"
            )
        self.body = body
        return _Response(status, response.headers)

    def _read(self, response: requests.Response, read_by: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > self.max_body:
                raise _Refused(f"the body is larger than {self.max_body} bytes")
            if time.monotonic() > read_by:
                raise _TransportFailure("the body did not arrive in time")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.session.close()


def _never_connected(exc: requests.RequestException) -> bool:
    """True when no connection was made (refused, or the name did not resolve): nothing was sent.

    requests wraps urllib3's ``MaxRetryError`` whose ``reason`` says what happened; a connection
    dropped after the request went out is a ``ProtocolError`` instead, and counts as sent.
    """
    if not isinstance(exc, requests.ConnectionError) or isinstance(
        exc, requests.exceptions.ProxyError | requests.exceptions.SSLError
    ):
        return False
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "Failed to resolve" in text:
        return _UNRESOLVED
    return clean_text(f"{type(exc).__name__}: {text}", 200)


def _parse_retry_after(value: str | None, now: float) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


_LATEST_TIMESTAMP = 253402300799.0  # 9999-12-31T23:59:59Z, the last time datetime can show


def _utc_after(seconds: float) -> str:
    """The moment *seconds* from now, as ISO 8601 UTC with its date (``2026-12-02T14:03:00Z``)."""
    when = min(time.time() + seconds, _LATEST_TIMESTAMP)
    return dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds:.0f}s"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.0f} days"


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 20 else None


class GitHubClient:
    """GET JSON from the API with conditional requests, retries and a shared deadline; POST
    JSON without repeating anything GitHub may have acted on."""

    def __init__(
        self,
        access: GitHubAccess,
        deadline: Deadline,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 8.0,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        from github import Auth, Github  # imported here: only online runs pay for PyGithub

        self.endpoint = access.endpoint
        self.deadline = deadline
        self.stats = ApiStats()
        self._sleep_fn = sleep
        self._jitter = jitter
        self._backoff_base = backoff_base_s
        self._backoff_cap = backoff_cap_s
        self._token = access.token.reveal() if access.token else ""
        self._cache: dict[str, _Cached] = {}
        self._connection = _BoundedConnection(self.endpoint.origin, deadline, max_body)
        github = Github(
            base_url=self.endpoint.url,
            auth=Auth.Token(self._token) if self._token else None,
            user_agent=f"maturity/{__version__}",
            per_page=100,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._requester = github.requester

    def close(self) -> None:
        self._connection.close()

    def url(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.endpoint.url}{path}{query}"

    def scrub(self, text: str) -> str:
        """Server text with the token removed, should a server ever echo it. ``get`` applies it
        to every error it raises, so the helpers that build messages need not."""
        return mask_secrets(text, (self._token,))

    def _show(self, url: str) -> str:
        parts = urlsplit(url)
        shown = parts.path[len(self.endpoint.path_prefix) :] or "/"
        return clean_text(shown + (f"?{parts.query}" if parts.query else ""), 200)

    def get(self, url: str, *, via_link: bool = False) -> Answer:
        """GET *url* (absolute, on the API). Raises :class:`EvidenceError` on any failure.

        *via_link*: the URL is one the server gave in a ``Link`` header (page 2 on), so a 404
        means the listing moved, not that the repository is out of reach. Every message is
        scrubbed of the token: URLs and bodies in it come from the server.
        """
        try:
            return self._get(url, via_link)
        except EvidenceError as exc:
            raise EvidenceError(
                exc.code, self.scrub(exc.message), self.scrub(exc.remediation), missing=exc.missing
            ) from None

    def _get(self, url: str, via_link: bool) -> Answer:
        where = self._show(url)
        if not self.endpoint.owns(url):
            raise EvidenceError(
                "FOREIGN_LINK", f"refused to request {where}: it is not on {self.endpoint.url}"
            )
        failures = 0
        rate_waits = 0
        while True:
            headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
            cached = self._cache.get(url)
            if cached is not None:
                headers["If-None-Match"] = cached.etag
            if self.deadline.expired():
                raise self._out_of_time(where, "before the request could be made")
            self.stats.requests += 1
            try:
                status, answer_headers, _ = self._requester.requestJson(
                    "GET",
                    url,
                    headers=headers,
                    cnx=self._connection,  # type: ignore[arg-type]
                )
            except _TransportFailure as exc:
                failures += 1
                self._backoff(failures, where, str(exc), None)
                continue
            except (_Refused, ValueError) as exc:  # ValueError: PyGithub reading a bad header
                raise EvidenceError(
                    "MALFORMED_ANSWER",
                    f"the answer to {where} cannot be used: {clean_text(str(exc), 200)}",
                    "check GITHUB_API_URL points at the GitHub REST API (…/api/v3 on GitHub "
                    "Enterprise Server) and that no proxy rewrites answers",
                ) from None
            body = self._connection.body
            lower = {k.lower(): v for k, v in answer_headers.items()}
            self._note_rate_limit(lower)
            if status == 304 and cached is not None:
                self.stats.not_modified += 1
                return Answer(url, cached.data, cached.links, not_modified=True)
            if status == 200:
                return self._accept(url, where, lower, body)
            message = self._server_message(body)
            wait = self._rate_limit_wait(status, lower, message)
            if wait is not None:
                rate_waits += 1
                self._rate_limit_pause(wait, rate_waits, where, status, message)
                continue
            if status >= 500 or status == 408:
                failures += 1
                retry_after = _parse_retry_after(lower.get("retry-after"), time.time())
                self._backoff(failures, where, f"HTTP {status} {message}".strip(), retry_after)
                continue
            raise status_error(status, where, message, via_link)

    def post(self, url: str, body: Mapping[str, Any]) -> Answer:
        """POST *body* as JSON to *url* (absolute, on the API); 200 and 201 are accepted.

        Raises :class:`EvidenceError` on any failure, scrubbed of the token. Code
        ``API_OUTCOME_UNKNOWN`` means the request may have reached GitHub and been carried out
        (a 5xx, a timeout, a connection lost mid-request): it is never repeated.
        """
        try:
            return self._post(url, body)
        except EvidenceError as exc:
            raise EvidenceError(
                exc.code, self.scrub(exc.message), self.scrub(exc.remediation), missing=exc.missing
            ) from None

    def _post(self, url: str, body: Mapping[str, Any]) -> Answer:
        where = f"POST {self._show(url)}"
        if not self.endpoint.owns(url):
            raise EvidenceError(
                "FOREIGN_LINK", f"refused to send {where}: it is not on {self.endpoint.url}"
            )
        try:  # ASCII only: a lone surrogate (from undecodable argv bytes) cannot break encoding
            payload = json.dumps(body, ensure_ascii=True, allow_nan=False).encode("ascii")
        except (TypeError, ValueError) as exc:
            raise EvidenceError(
                "MALFORMED_REQUEST",
                f"{where} was not sent: its body cannot be JSON ({clean_text(str(exc), 200)})",
            ) from None
        failures = 0
        rate_waits = 0
        while True:
            headers = {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "Content-Type": "application/json; charset=utf-8",
            }
            if self.deadline.expired():
                raise self._out_of_time(where, "before the request could be made")
            self.stats.requests += 1
            self._connection.send_next(payload)
            try:
                status, answer_headers, _ = self._requester.requestJson(
                    "POST",
                    url,
                    headers=headers,
                    cnx=self._connection,  # type: ignore[arg-type]
                )
            except _TransportFailure as exc:
                if not exc.unsent:
                    raise outcome_unknown(where, str(exc)) from None
                failures += 1
                self._backoff(failures, where, str(exc), None)
                continue
            except (_Refused, ValueError) as exc:  # the request went out: GitHub may have acted
                raise outcome_unknown(
                    where, f"its answer cannot be used: {clean_text(str(exc), 200)}"
                ) from None
            answer = self._connection.body
            lower = {k.lower(): v for k, v in answer_headers.items()}
            self._note_rate_limit(lower)
            if status in (200, 201):
                return self._accept_written(url, where, status, answer)
            message = self._server_message(answer)
            wait = self._rate_limit_wait(status, lower, message, headers_only=True)
            if wait is not None:  # GitHub said, with its headers, that it did not process it
                rate_waits += 1
                self._rate_limit_pause(wait, rate_waits, where, status, message)
                continue
            if status >= 500 or status == 408:
                raise outcome_unknown(where, f"HTTP {status} {message}".strip())
            raise write_error(
                status, where, message, lower, answer, max_body=self._connection.max_body
            )

    # -- answers -------------------------------------------------------------------------------

    def _accept(self, url: str, where: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            data = strict_json.loads(body, max_bytes=self._connection.max_body)
        except strict_json.StrictJsonError as exc:
            raise EvidenceError(
                "MALFORMED_ANSWER",
                f"{clean_text(exc.about(f'the answer to {where}'), 400)} ({len(body)} bytes)",
                "re-run the evaluation (an answer cut off in transit reads as invalid JSON); if "
                "it persists, check for a proxy between the runner and GitHub that alters answers",
            ) from None
        links = parse_links(headers.get("link"), self.endpoint, where)
        etag = headers.get("etag", "").strip()
        if etag and len(etag) <= 200 and etag.isascii() and etag.isprintable():
            self._cache[url] = _Cached(etag, data, links)
        return Answer(url, data, links)

    def _accept_written(self, url: str, where: str, status: int, body: bytes) -> Answer:
        try:
            data = strict_json.loads(body, max_bytes=self._connection.max_body)
        except strict_json.StrictJsonError as exc:
            raise EvidenceError(
                "MALFORMED_ANSWER",
                f"GitHub carried out {where} (HTTP {status}), but its answer cannot be read: "
                f"{clean_text(exc.about('the answer'), 300)}",
                "look in the repository for what the request made before re-running; check for "
                "a proxy between the runner and GitHub that alters answers",
            ) from None
        return Answer(url, data, {})

    def _server_message(self, body: bytes) -> str:
        """The ``message`` of an error answer, or ``""`` when the body is not strict JSON."""
        try:
            data = strict_json.loads(body, max_bytes=self._connection.max_body)
        except strict_json.StrictJsonError:
            return ""
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return clean_text(data["message"], 200)
        return ""

    def _note_rate_limit(self, headers: Mapping[str, str]) -> None:
        remaining = _int_header(headers, "x-ratelimit-remaining")
        if remaining is not None:
            self.stats.rate_limit_remaining = remaining
        reset = _int_header(headers, "x-ratelimit-reset")
        if reset is not None:
            self.stats.rate_limit_reset = reset

    # -- waiting -------------------------------------------------------------------------------

    @staticmethod
    def _rate_limit_wait(
        status: int, headers: Mapping[str, str], message: str, *, headers_only: bool = False
    ) -> float | None:
        """Seconds to wait when *status* is a rate limit, else ``None``.

        *headers_only*: only a ``Retry-After`` or an exhausted ``x-ratelimit-remaining`` counts
        (for a POST: then GitHub certainly did not process it); a message alone does not.
        """
        if status not in (403, 429):
            return None
        now = time.time()
        retry_after = _parse_retry_after(headers.get("retry-after"), now)
        if retry_after is not None:
            return retry_after
        if headers.get("x-ratelimit-remaining", "").strip() == "0":
            reset = _int_header(headers, "x-ratelimit-reset")
            if reset is not None:
                return max(1.0, reset - now + 1.0)
        if headers_only:
            return None
        if status == 429 or "rate limit" in message.lower():
            return SECONDARY_LIMIT_DEFAULT_WAIT_S
        return None

    def _pause(self, seconds: float) -> None:
        seconds = min(seconds, self.deadline.remaining())
        if seconds > 0:
            self._sleep_fn(seconds)
            self.stats.slept_s += seconds

    def _rate_limit_pause(
        self, wait: float, count: int, where: str, status: int, message: str
    ) -> None:
        left = self.deadline.remaining()
        if count > MAX_RATE_LIMIT_WAITS or wait > left:
            why = (
                f"past what is left of this evaluation's time budget ({left:.0f}s)"
                if wait > left
                else f"after {count - 1} waits for this request already"
            )
            raise EvidenceError(
                "RATE_LIMITED",
                f"GitHub rate-limited {where} (HTTP {status}{': ' + message if message else ''}); "
                f"the next request is allowed at {_utc_after(wait)}, in {_duration(wait)}, {why}",
                "re-run the evaluation after that time; if it keeps happening, give the job a "
                "token with its own rate limit (a GitHub App installation token) or raise "
                "gates.promotion_guard.time_budget",
            )
        self.stats.retries += 1
        self._pause(wait)

    def _backoff(self, failures: int, where: str, reason: str, retry_after: float | None) -> None:
        if reason == _UNRESOLVED and failures >= MAX_ATTEMPTS_UNRESOLVED:
            raise EvidenceError(
                "API_UNAVAILABLE",
                f"cannot reach {self.endpoint.host} for {where}: {reason} ({failures} attempts)",
                f"check GITHUB_API_URL ({self.endpoint.url}) and the runner's DNS and network; "
                "offline, judge a saved answer with --checks-file",
            )
        if failures >= MAX_ATTEMPTS:
            raise EvidenceError(
                "API_UNAVAILABLE",
                f"GitHub did not answer {where} after {failures} attempts: {reason}",
                "check https://www.githubstatus.com (or your GitHub Enterprise Server) and the "
                "runner's network, then re-run the evaluation",
            )
        delay = min(self._backoff_cap, self._backoff_base * 2 ** (failures - 1))
        delay = delay / 2 + self._jitter() * delay / 2  # "equal jitter": spread, never zero
        if retry_after is not None:
            delay = max(delay, retry_after)
        if delay >= self.deadline.remaining():
            raise self._out_of_time(where, f"after {failures} failed attempts ({reason})")
        self.stats.retries += 1
        self._pause(delay)

    def _out_of_time(self, where: str, when: str) -> EvidenceError:
        return EvidenceError(
            "API_TIMEOUT",
            f"the time budget of {self.deadline.seconds:.0f}s for reading GitHub ran out "
            f"{when}, at {where}",
            "re-run the evaluation; if GitHub is slow, raise gates.promotion_guard.time_budget",
        )
