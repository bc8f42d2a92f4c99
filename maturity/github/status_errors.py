"""What a GitHub answer that cannot be used means, as the error a gate (or a follow-up) shows:
one message naming the request and the status, and the fix."""

from __future__ import annotations

from collections.abc import Mapping

from maturity import strict_json
from maturity.errors import EvidenceError
from maturity.github.access import PERMISSIONS_HINT
from maturity.text import clean_text


def status_error(status: int, where: str, message: str, via_link: bool) -> EvidenceError:
    """A GET GitHub refused, as the error a gate reports."""
    said = f" ({message})" if message else ""
    if status == 404 and via_link:
        return EvidenceError(
            "LINKED_PAGE_NOT_FOUND",
            f"the page {where}, which the server itself linked to as the next page, was not "
            f"found (HTTP 404{said}): the listing probably changed while it was being read, "
            "or the server's Link header is wrong",
            "re-run the evaluation, which reads the listing afresh; if it keeps happening, "
            "check that no proxy between the runner and GitHub rewrites Link headers",
        )
    if status == 401:
        return EvidenceError(
            "GITHUB_AUTH_FAILED",
            f"GitHub refused the token for {where}: HTTP 401{said}",
            f"set GITHUB_TOKEN to a valid, unexpired token; {PERMISSIONS_HINT}",
        )
    if status == 403:
        return EvidenceError(
            "GITHUB_FORBIDDEN",
            f"the token may not read {where}: HTTP 403{said}",
            PERMISSIONS_HINT,
        )
    if status == 404:
        return EvidenceError(
            "GITHUB_NOT_FOUND",
            f"{where} was not found (HTTP 404{said}): the repository, commit or ref does not "
            "exist, or the token cannot see it",
            f"check GITHUB_REPOSITORY and the commit or tag; {PERMISSIONS_HINT}",
        )
    if status == 422:
        return EvidenceError(
            "GITHUB_UNPROCESSABLE",
            f"GitHub could not answer {where}: HTTP 422{said}",
            "check the commit (--sha or GITHUB_SHA) exists in GITHUB_REPOSITORY: push it "
            "before evaluating",
        )
    return EvidenceError(
        "GITHUB_UNEXPECTED_STATUS",
        f"GitHub answered {where} with HTTP {status}{said}",
        "check GITHUB_API_URL and the token's access, then re-run the evaluation",
    )


def write_error(
    status: int, where: str, message: str, headers: Mapping[str, str], body: bytes, *, max_body: int
) -> EvidenceError:
    """A refused POST: GitHub did not carry it out."""
    said = f" ({message})" if message else ""
    if status == 422:
        said = f" ({'; '.join(filter(None, [message, validation_errors(body, max_body)]))})"
    accepted = clean_text(headers.get("x-accepted-github-permissions", ""), 200)
    needs = f"; GitHub says it needs: {accepted}" if accepted else ""
    if status == 401:
        return EvidenceError(
            "GITHUB_AUTH_FAILED",
            f"GitHub refused the token for {where}: HTTP 401{said}",
            "set GITHUB_TOKEN to a valid, unexpired token with write access for this request",
        )
    if status == 403:
        return EvidenceError(
            "GITHUB_FORBIDDEN",
            f"the token may not make {where}: HTTP 403{said}{needs}",
            "give the token write access for this request (the workflow's `permissions:`, "
            "or an app or personal token that has it)",
        )
    if status == 404:
        return EvidenceError(
            "GITHUB_NOT_FOUND",
            f"{where} was not found (HTTP 404{said}): the repository or the item does not "
            "exist, or the token cannot see it or may not write to it",
            "check GITHUB_REPOSITORY and the token's write access",
        )
    if status == 410:
        return EvidenceError(
            "GITHUB_GONE",
            f"GitHub refused {where}: HTTP 410{said}: the feature is turned off for the "
            "repository (issues disabled, say)",
            "turn the feature on in the repository's settings",
        )
    if status == 422:
        return EvidenceError(
            "GITHUB_UNPROCESSABLE",
            f"GitHub refused {where}: HTTP 422{said}",
            "fix what GitHub names (a label or assignee it does not accept, say)",
        )
    return EvidenceError(
        "GITHUB_UNEXPECTED_STATUS",
        f"GitHub refused {where} with HTTP {status}{said}",
        "check GITHUB_API_URL and the token's access, then re-run the evaluation",
    )


def validation_errors(body: bytes, max_body: int, limit: int = 5) -> str:
    """GitHub's 422 ``errors`` list, shortened: ``assignees invalid 'nobody'``."""
    try:
        data = strict_json.loads(body, max_bytes=max_body)
    except strict_json.StrictJsonError:
        return ""
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return ""
    shown: list[str] = []
    for error in errors[:limit]:
        if isinstance(error, str):
            shown.append(clean_text(error, 200))
        elif isinstance(error, dict):
            parts = [error.get(k) for k in ("field", "code", "message")]
            text = " ".join(str(p) for p in parts if isinstance(p, str) and p)
            value = error.get("value")
            if isinstance(value, str | int):
                text += f" '{value}'"
            shown.append(clean_text(text, 200))
    more = f" and {len(errors) - limit} more" if len(errors) > limit else ""
    return ", ".join(filter(None, shown)) + more


def outcome_unknown(where: str, reason: str) -> EvidenceError:
    return EvidenceError(
        "API_OUTCOME_UNKNOWN",
        f"{where} failed: {reason}. GitHub may have carried it out all the same, so it is not "
        "repeated",
        "look in the repository for what the request would have made before re-running; if "
        "GitHub is having trouble, see https://www.githubstatus.com",
    )
