"""The follow-up issue of an applied override: opened, or commented on, through the GitHub client.

One issue per gate and stage stays open until someone closes it: it carries a hidden marker line
(``<!-- maturity-break-glass gate=… stage=… -->``), and a later override of the same gate at the
same stage comments on it instead of opening another. Only issues opened by an app (the Actions
token's ``github-actions[bot]``) or by an owner, member or collaborator count, so that someone
outside the project cannot plant the marker and collect the follow-ups.

Every text in the issue comes from people (the reason) or evidence (the gate's message and
findings), so all of it is escaped with :mod:`maturity.markdown_text`: no mention, link, image
or HTML can start in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from maturity.core import Finding
from maturity.errors import EvidenceError
from maturity.github.client import GitHubClient
from maturity.markdown_text import md_code, md_link, md_text
from maturity.subject import REPOSITORY_RE
from maturity.text import clean_text

#: findings listed in the issue at most; the rest are counted
MAX_FINDINGS = 50
#: GitHub refuses a body over 65536 characters; the findings stop well before
MAX_BODY_CHARS = 60_000
#: GitHub refuses a title over 256 characters
MAX_TITLE_CHARS = 256
#: pages of 100 open issues searched for the marker; past them, a new issue is opened
MAX_ISSUE_PAGES = 5
_LOOK = "look for an open follow-up issue"
_TRUSTED_AUTHORS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_WRITE_ISSUES = (
    "give the workflow `permissions: {issues: write}` (next to the read permissions it has), "
    "or pass a token that may write issues in the repository as GITHUB_TOKEN"
)


@dataclass(frozen=True)
class FollowUpRequest:
    """What the follow-up issue says: which override, by whom, why, and what the gate found."""

    repository: str
    gate: str
    stage: str
    ref: str
    run_id: str | None
    run_url: str | None
    actor: str
    reason: str
    gate_status: str
    gate_code: str
    gate_message: str
    findings: tuple[Finding, ...]
    labels: tuple[str, ...]
    assignees: tuple[str, ...]


class FollowUpFailed(Exception):
    """No follow-up issue or comment could be filed: the override must not apply."""

    def __init__(self, message: str, remediation: str) -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation


def marker(gate: str, stage: str) -> str:
    """The hidden line that ties an issue to one gate at one stage."""
    return (
        f"<!-- maturity-break-glass gate={quote(gate, safe='')} stage={quote(stage, safe='')} -->"
    )


def file_follow_up(client: GitHubClient, request: FollowUpRequest) -> str:
    """Comment on the open follow-up issue for this gate and stage, or open one; its URL.

    Raises :class:`FollowUpFailed` when neither can be done.
    """
    if not REPOSITORY_RE.fullmatch(request.repository):
        raise FollowUpFailed(
            f"GITHUB_REPOSITORY is not owner/name: '{clean_text(request.repository, 140)}'",
            "run in GitHub Actions, or set GITHUB_REPOSITORY to owner/name",
        )
    issues = f"/repos/{request.repository}/issues"
    step = _LOOK
    try:
        found = _open_issue(client, request, issues)
        if found is not None:
            number, issue_url = found
            step = f"comment on the follow-up issue #{number}"
            client.post(client.url(f"{issues}/{number}/comments"), {"body": comment_body(request)})
            return issue_url
        step = "open the follow-up issue"
        body: dict[str, Any] = {"title": title(request), "body": issue_body(request)}
        if request.labels:
            body["labels"] = list(request.labels)
        if request.assignees:
            body["assignees"] = list(request.assignees)
        answer = client.post(client.url(issues), body)
    except EvidenceError as exc:
        raise _failed(step, exc, request.repository) from None
    created = _html_url(answer.data)
    if created is None:
        raise FollowUpFailed(
            "GitHub opened the follow-up issue but its answer has no usable html_url, so it "
            "cannot be linked from the report",
            f"find the issue among the open issues of {request.repository} and check that "
            "GITHUB_API_URL points at the GitHub REST API",
        )
    return created


def _open_issue(
    client: GitHubClient, request: FollowUpRequest, issues: str
) -> tuple[int, str] | None:
    """The newest open issue with the marker, opened by a trusted author, or None."""
    params: dict[str, str | int] = {"state": "open", "per_page": 100}
    if request.labels:
        params["labels"] = ",".join(request.labels)
    line = marker(request.gate, request.stage)
    url: str | None = client.url(issues, params)
    for page in range(MAX_ISSUE_PAGES):
        if url is None:
            break
        answer = client.get(url, via_link=page > 0)
        if not isinstance(answer.data, list):
            raise EvidenceError(
                "MALFORMED_ANSWER",
                "GitHub's list of open issues is not a list",
                "check GITHUB_API_URL points at the GitHub REST API",
            )
        for item in answer.data:
            found = _ours(item, line)
            if found is not None:
                return found
        url = answer.links.get("next")
    return None


def _ours(item: Any, line: str) -> tuple[int, str] | None:
    if not isinstance(item, dict) or "pull_request" in item or item.get("state") != "open":
        return None
    body, number, user = item.get("body"), item.get("number"), item.get("user")
    if not isinstance(body, str) or not isinstance(number, int) or isinstance(number, bool):
        return None
    bot = isinstance(user, dict) and user.get("type") == "Bot"
    if not bot and item.get("author_association") not in _TRUSTED_AUTHORS:
        return None
    if line not in (text.strip() for text in body.splitlines()):
        return None
    html_url = _html_url(item)
    return (number, html_url) if html_url is not None else None


def _html_url(data: Any) -> str | None:
    url = data.get("html_url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    if len(url) > 2000 or clean_text(url, 2000) != url or any(c.isspace() for c in url):
        return None
    return url


def _failed(step: str, exc: EvidenceError, repository: str) -> FollowUpFailed:
    said = f"could not {step}: {exc.message}"
    where = f"the open issues of {repository}"
    if exc.code in ("GITHUB_FORBIDDEN", "GITHUB_AUTH_FAILED", "GITHUB_NOT_FOUND"):
        return FollowUpFailed(said, f"{_WRITE_ISSUES}; check GITHUB_REPOSITORY ({repository})")
    if exc.code == "GITHUB_GONE":
        return FollowUpFailed(
            said, "turn on Issues in the repository's settings, or remove break_glass.follow_up"
        )
    if exc.code == "GITHUB_UNPROCESSABLE":
        return FollowUpFailed(
            said,
            "check break_glass.follow_up in the stages file: every assignee must be able to "
            "be assigned issues in the repository, and labels must be valid label names",
        )
    if exc.code in ("API_OUTCOME_UNKNOWN", "MALFORMED_ANSWER") and step != _LOOK:
        return FollowUpFailed(
            f"{said}; an issue or comment may have been created all the same",
            f"look for it in {where} before re-running (a re-run comments on an open follow-up "
            "issue rather than opening another)",
        )
    return FollowUpFailed(said, exc.remediation or "re-run the evaluation")


# -- the text ----------------------------------------------------------------------------------


def title(request: FollowUpRequest) -> str:
    """``Break glass: promotion_guard overridden for v1.2.3 at GA (run 4242)``."""
    run = f" (run {clean_text(request.run_id, 30)})" if request.run_id else ""
    text = (
        f"Break glass: {clean_text(request.gate, 64)} overridden for "
        f"{clean_text(request.ref, 120)} at {clean_text(request.stage, 64)}{run}"
    )
    return clean_text(text, MAX_TITLE_CHARS)


def issue_body(request: FollowUpRequest) -> str:
    intro = (
        f"The gate {md_code(request.gate)} blocked {md_code(request.ref, limit=200)} at stage "
        f"{md_code(request.stage)}, and {md_code(request.actor)} overrode it (break glass). "
        "Do the follow-up work, then close this issue; a later override of this gate at this "
        "stage comments here while it is open."
    )
    lines = [f"## Break glass: {md_code(request.gate)} overridden", "", intro, ""]
    lines += _details(request, budget=MAX_BODY_CHARS - 2000)
    lines += ["", marker(request.gate, request.stage)]
    return "\n".join(lines)


def comment_body(request: FollowUpRequest) -> str:
    intro = (
        f"Overridden again: {md_code(request.actor)} overrode {md_code(request.gate)} for "
        f"{md_code(request.ref, limit=200)} at stage {md_code(request.stage)}."
    )
    return "\n".join([intro, "", *_details(request, budget=MAX_BODY_CHARS - 2000)])


def _details(request: FollowUpRequest, budget: int) -> list[str]:
    run = (
        md_link(f"run {request.run_id}" if request.run_id else "the workflow run", request.run_url)
        if request.run_url
        else "not run in GitHub Actions"
    )
    lines = [
        f"- **Reason:** {md_text(request.reason, 2000)}",
        f"- **Actor:** {md_code(request.actor)}",
        f"- **Ref:** {md_code(request.ref, limit=200)} at stage {md_code(request.stage)}",
        f"- **Gate:** {md_code(request.gate)}: {md_text(request.gate_status)}, "
        f"{md_code(request.gate_code)}",
        f"- **Gate message:** {md_text(request.gate_message, 2000)}",
        f"- **Run:** {run}",
    ]
    findings = [f for f in request.findings if str(f.status) != "pass"]
    if not findings:
        return lines
    lines += ["", f"### Findings that did not pass ({len(findings)})", ""]
    used = sum(len(line) + 1 for line in lines)
    shown = 0
    for finding in findings[:MAX_FINDINGS]:
        line = _finding_line(finding)
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    if shown < len(findings):
        lines.append(f"- and {len(findings) - shown} more (see the run's maturity-eval.json)")
    return lines


def _finding_line(finding: Finding) -> str:
    ident = f" {md_code(finding.id, limit=200)}" if finding.id else ""
    where = f" in {md_code(finding.location, limit=200)}" if finding.location else ""
    status = md_text(str(finding.status), 20)
    return f"- {status} {md_code(finding.code, limit=80)}{ident}{where}: {md_text(finding.message, 500)}"
