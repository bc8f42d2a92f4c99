"""What is being judged: the ref, the commit and the run, from flags and the GitHub environment.

Environment values end up in reports, Markdown and workflow commands, so each is checked against
the shape GitHub gives it; a malformed one stops the run (exit 2) rather than being passed on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from maturity.errors import UsageError
from maturity.refs import Ref, RefType, parse_ref, validate_sha
from maturity.text import clean_text

# owner/name; a name is not "." or ".." (those would walk out of the repository in URLs)
REPOSITORY_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/(?!\.\.?$)[A-Za-z0-9._-]{1,100}")
NUMBER_RE = re.compile(r"[0-9]{1,20}")
_URL_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?")
_EVENT_RE = re.compile(r"[a-z_]{1,64}")


@dataclass(frozen=True)
class RunInfo:
    id: str | None = None
    attempt: str | None = None
    url: str | None = None


class CommitSource(StrEnum):
    """Where the judged commit came from; only the first two bind it to the released ref."""

    FLAG = "--sha"
    ENV = "GITHUB_SHA"
    API = "github-api"  # the ref resolved through GitHub's git refs API
    CHECKS_FILE = "checks-file"  # named by the saved answer itself: bound to nothing


@dataclass(frozen=True)
class Subject:
    ref: Ref
    repository: str | None = None
    sha: str | None = None
    sha_source: CommitSource | None = None
    run: RunInfo = RunInfo()
    actor: str | None = None
    event: str | None = None
    workflow: str | None = None
    job: str | None = None


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def checked_env(
    env: Mapping[str, str], name: str, pattern: re.Pattern[str], what: str
) -> str | None:
    """``env[name]`` stripped, ``None`` when unset or empty; a usage error when it is not *what*."""
    value = _get(env, name)
    if value is not None and not pattern.fullmatch(value):
        raise UsageError(
            f"{name} is not {what}: '{clean_text(value, 80)}'",
            f"unset {name} or give it the form GitHub uses ({what})",
        )
    return value


def resolve_ref_input(
    env: Mapping[str, str], ref: str | None = None, tag: str | None = None
) -> Ref:
    """``--ref``/``--tag``, else ``GITHUB_REF``, else ``GITHUB_REF_NAME`` (typed by ``GITHUB_REF_TYPE``)."""
    if ref is not None and tag is not None:
        raise UsageError(
            "give --ref or --tag, not both", "use --tag v1.2.3 or --ref refs/tags/v1.2.3"
        )
    if tag is not None:
        if tag.startswith("refs/") and not tag.startswith("refs/tags/"):
            raise UsageError(
                f"--tag '{clean_text(tag, 80)}' is not a tag ref", "use --ref for branches"
            )
        return parse_ref(tag, hint=RefType.TAG, source="--tag")
    if ref is not None:
        return parse_ref(ref, source="--ref")
    if (value := _get(env, "GITHUB_REF")) is not None:
        return parse_ref(value, source="GITHUB_REF")
    if (value := _get(env, "GITHUB_REF_NAME")) is not None:
        hint = {"tag": RefType.TAG, "branch": RefType.BRANCH}.get(
            _get(env, "GITHUB_REF_TYPE") or "", RefType.UNKNOWN
        )
        return parse_ref(value, hint=hint, source="GITHUB_REF_NAME")
    raise UsageError(
        "no ref to judge: none of --ref, --tag, GITHUB_REF or GITHUB_REF_NAME is set",
        "pass the tag, e.g. --tag v1.2.3",
    )


def subject_from(env: Mapping[str, str], ref: Ref, sha: str | None = None) -> Subject:
    repository = checked_env(env, "GITHUB_REPOSITORY", REPOSITORY_RE, "owner/name")
    source: CommitSource | None = None
    if sha is not None:
        commit: str | None = validate_sha(sha)
        source = CommitSource.FLAG
    elif (env_sha := _get(env, "GITHUB_SHA")) is not None:
        commit = validate_sha(env_sha, source="GITHUB_SHA")
        source = CommitSource.ENV
    else:
        commit = None
    run_id = checked_env(env, "GITHUB_RUN_ID", NUMBER_RE, "a number")
    attempt = checked_env(env, "GITHUB_RUN_ATTEMPT", NUMBER_RE, "a number")
    server = (
        checked_env(env, "GITHUB_SERVER_URL", _URL_RE, "an http(s) URL") or "https://github.com"
    )
    url = None
    if repository and run_id:
        url = f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
        if attempt and attempt != "1":
            url += f"/attempts/{attempt}"
    actor = _get(env, "GITHUB_ACTOR")
    workflow = _get(env, "GITHUB_WORKFLOW")
    job = _get(env, "GITHUB_JOB")
    return Subject(
        ref=ref,
        repository=repository,
        sha=commit,
        sha_source=source,
        run=RunInfo(id=run_id, attempt=attempt, url=url),
        actor=clean_text(actor, 100) if actor else None,
        event=checked_env(env, "GITHUB_EVENT_NAME", _EVENT_RE, "an event name"),
        workflow=clean_text(workflow, 200) if workflow else None,
        job=clean_text(job, 200) if job else None,
    )


def commit_note(subject: Subject) -> str:
    """One sentence for people: which commit the decision is about, and what binds it."""
    ref = subject.ref.full
    if subject.sha is None or subject.sha_source is None:
        return (
            "none: this decision is bound to no commit; pass --sha (GITHUB_SHA in Actions) to "
            "bind it to the commit being released"
        )
    if subject.sha_source is CommitSource.FLAG:
        return "given with --sha"
    if subject.sha_source is CommitSource.ENV:
        return "from GITHUB_SHA"
    if subject.sha_source is CommitSource.API:
        return f"{ref} resolved through the GitHub API"
    return (
        f"named by the saved checks file itself, nothing binds it to {ref}: pass --sha "
        "(GITHUB_SHA in Actions) to bind the decision to the commit being released"
    )
