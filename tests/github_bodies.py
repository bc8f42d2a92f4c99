"""Bodies GitHub's REST API answers with, built from its published OpenAPI examples.

Every body is a deep copy of an example from GitHub's OpenAPI description (tests/fixtures/github,
see SOURCE.md) with fields replaced; :class:`Reply` holds the scripted faults (rate limits, server
errors, cut-off bodies) the stand-in in ``github_standin.py`` serves.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

TOKEN = "ghs_standinTOKEN0123456789abcdefABCDEF"  # noqa: S105 - the stand-in's test token
SHA = "ce587453ced02b1526dfb4cb910479d431683101"
REPO = "octo-org/octo-repo"
REPO_ID = 1296269
ACTIONS_RUN_ID = 4242  # the workflow run the evaluator runs in (GITHUB_RUN_ID in the tests)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "github"
JSON_TYPE = "application/json; charset=utf-8"
DOCS = "https://docs.github.com/rest"
GITHUB_ACTIONS_APP_ID = 15368
API = "https://api.github.com"  # the builders' URLs; the stand-in's own URLs use base_url
_EXAMPLE_TIME = "2018-05-04T01:14:52Z"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_UNICORN = """<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-type" content="text/html; charset=utf-8">
    <title>Unicorn! &middot; GitHub</title>
  </head>
  <body>
    <div class="container">
      <p><strong>We had issues producing the response to your request.</strong></p>
      <p>Sorry about that. Please try refreshing and contact us if the problem persists.</p>
    </div>
  </body>
</html>
"""  # GitHub's 502 "unicorn" page, abridged (styles and the inline image left out)


@functools.cache
def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture(name: str) -> Any:
    """A fresh deep copy of tests/fixtures/github/*name*."""
    return copy.deepcopy(load_fixture(name))


def openapi_schema(name: str) -> dict[str, Any]:
    """The response schema *name* (e.g. ``"check-runs"``) as plain JSON Schema.

    The schemas are OpenAPI 3.0, where ``nullable: true`` allows null; jsonschema ignores that
    keyword, so it becomes a null alternative (``type: [T, "null"]``, ``None`` in an enum).
    """
    result: dict[str, Any] = _nullable_to_null(fixture(f"{name}.schema.json"))
    return result


def _nullable_to_null(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_null(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def node_id(kind: str, ident: object) -> str:
    """GitHub's legacy global node id, e.g. ``MDg6Q2hlY2tSdW40`` for ``08:CheckRun4``."""
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def error_body(status: int, message: str, documentation_url: str = DOCS) -> dict[str, str]:
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


@dataclass
class Reply:
    """A scripted answer, used once, before normal handling (even before the token check).

    ``body`` is sent as given: bytes for answers that are not UTF-8 (a BOM, UTF-16, bad bytes).
    """

    status: int
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def secondary_rate_limit(cls, retry_after: int = 1, status: int = 403) -> Reply:
        """GitHub's secondary-limit answer: its message and ``Retry-After`` (seconds)."""
        message = (
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try"
            " again. If you reach out to GitHub Support for help, please include the request ID"
            " 5EA1:3D44BC:2EBE600:2FB5B47:674D2937."
        )
        body = error_body(status, message, f"{RATE_DOCS}#about-secondary-rate-limits")
        return cls(status, json.dumps(body), {"retry-after": str(retry_after)})

    @classmethod
    def primary_rate_limit(cls, reset_in: int = 1) -> Reply:
        """403 with ``x-ratelimit-remaining: 0``, the reset *reset_in* seconds from now."""
        body = error_body(403, "API rate limit exceeded for installation ID 4242.", RATE_DOCS)
        reset = str(int(time.time()) + reset_in)
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
        return cls(403, json.dumps(body), headers)

    @classmethod
    def server_error(cls, status: int = 502) -> Reply:
        """GitHub's 502 is its HTML unicorn page; other 5xx answer ``{"message": "Server Error"}``."""
        if status == 502:
            return cls(status, _UNICORN, {"content-type": "text/html; charset=utf-8"})
        return cls(status, json.dumps({"message": "Server Error"}))

    @classmethod
    def forbidden(
        cls,
        message: str = "Resource not accessible by integration",
        permission: str | None = None,
        documentation_url: str = DOCS,
    ) -> Reply:
        """403 as GitHub answers a token that lacks a permission; with *permission* (e.g.
        ``issues=write``) GitHub's ``x-accepted-github-permissions`` header names it."""
        headers = {"x-accepted-github-permissions": permission} if permission else {}
        return cls(403, json.dumps(error_body(403, message, documentation_url)), headers)

    @classmethod
    def not_found(cls, documentation_url: str = DOCS) -> Reply:
        return cls(404, json.dumps(error_body(404, "Not Found", documentation_url)))

    @classmethod
    def unprocessable(cls, *errors: dict[str, Any]) -> Reply:
        """422 ``Validation Failed`` with GitHub's ``errors`` list."""
        return cls(422, json.dumps(validation_failed(*errors)))

    @classmethod
    def truncated(cls) -> Reply:
        """200 ``application/json`` whose body is a valid check-runs page cut off half way."""
        page = {"total_count": 3, "check_runs": [check_run(i, f"job {i}") for i in (1, 2, 3)]}
        text = json.dumps(page)
        return cls(200, text[: len(text) // 2])


def check_run(
    id: int,  # named as GitHub names the field
    name: str,
    *,
    status: str = "completed",
    conclusion: str | None = "success",
    app: str = "github-actions",
    app_id: int | None = None,
    sha: str = SHA,
    started_at: str | None = None,
    completed_at: str | None = None,
    details_url: str | None = None,
    workflow_run: int = ACTIONS_RUN_ID,
) -> dict[str, Any]:
    """The octokit example check run with these fields; ``conclusion`` is None unless completed.

    A ``github-actions`` run links to its job in its workflow run, as GitHub's do
    (``…/actions/runs/{workflow_run}/job/{id}``); other apps keep the example's own link.
    """
    run: dict[str, Any] = fixture("check-runs.example.json")["check_runs"][0]
    completed = status == "completed"
    url = f"{API}/repos/{REPO}/check-runs/{id}"
    html_url = f"https://github.com/{REPO}/runs/{id}"
    if details_url is None:
        details_url = (
            f"https://github.com/{REPO}/actions/runs/{workflow_run}/job/{id}"
            if app == "github-actions"
            else run["details_url"]
        )
    run.update(
        id=id,
        node_id=node_id("CheckRun", id),
        name=name,
        head_sha=sha,
        url=url,
        html_url=html_url,
        details_url=details_url,
        status=status,
        conclusion=conclusion if completed else None,
        started_at=started_at or _EXAMPLE_TIME,
        completed_at=completed_at or (_EXAMPLE_TIME if completed else None),
        app=_app(run["app"], app, app_id),
        pull_requests=[],
    )
    run["output"]["annotations_url"] = f"{url}/annotations"
    return run


def _app(app: dict[str, Any], slug: str, app_id: int | None) -> dict[str, Any]:
    """The example app renamed to *slug*; github-actions is GitHub's own app 15368."""
    actions = slug == "github-actions"
    if app_id is None:  # a stable id per slug, away from real small ids
        app_id = GITHUB_ACTIONS_APP_ID if actions else 100_000 + zlib.crc32(slug.encode()) % 900_000
    app.update(
        id=app_id,
        slug=slug,
        node_id=node_id("Integration", app_id),
        name="GitHub Actions" if actions else slug.replace("-", " ").title(),
        html_url=f"https://github.com/apps/{slug}",
    )
    if actions:
        app["owner"].update(id=9919, node_id=node_id("Organization", 9919), type="Organization")
    return app


_STATUS_TEXT = {
    "success": "Build has completed successfully",
    "failure": "Build has failed",
    "error": "Build could not run",
    "pending": "Build is in progress",
}


def commit_status(
    id: int,  # named as GitHub names the field
    context: str,
    state: str = "success",
    *,
    updated_at: str | None = None,
    target_url: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The octokit combined-status example's status item with these fields."""
    item: dict[str, Any] = fixture("combined-status.example.json")["statuses"][0]
    when = updated_at or item["updated_at"]
    item.update(
        id=id,
        node_id=node_id("Status", id),
        url=f"{API}/repos/{REPO}/statuses/{SHA}",
        context=context,
        state=state,
        created_at=when,
        updated_at=when,
        target_url=target_url or f"https://ci.example.com/{id}/output",
        description=description if description is not None else _STATUS_TEXT.get(state, ""),
    )
    return item


# --- issues, comments, team membership (break-glass follow-ups) --------------------------------

ACTIONS_BOT = "github-actions[bot]"  # who the Actions token writes as
_ISSUE_TIME = "2011-04-22T13:33:48Z"


def github_user(login: str, *, type: str = "User") -> dict[str, Any]:  # GitHub's field name
    """The octokit example's ``user`` (octocat) as *login*; ``type`` ``Bot`` for an app."""
    text = json.dumps(load_fixture("issue.example.json")["user"])
    user: dict[str, Any] = json.loads(text.replace("/octocat", f"/{quote(login, safe='')}"))
    ident = 41898282 if login == ACTIONS_BOT else 1_000 + zlib.crc32(login.encode()) % 900_000
    user.update(login=login, id=ident, node_id=node_id(type, ident), type=type)
    return user


def label(name: str) -> dict[str, Any]:
    """A label object as the example issue's, named *name* (GitHub's default color for new ones)."""
    item: dict[str, Any] = fixture("issue.example.json")["labels"][0]
    ident = 200_000_000 + zlib.crc32(name.encode()) % 100_000_000
    item.update(
        id=ident,
        node_id=node_id("Label", ident),
        url=f"{API}/repos/{REPO}/labels/{quote(name, safe='')}",
        name=name,
        description=None,
        color="ededed",
        default=False,
    )
    return item


def issue(
    number: int,
    title: str,
    body: str | None,
    *,
    labels: tuple[str, ...] = (),
    assignees: tuple[str, ...] = (),
    state: str = "open",
    user: str = "octocat",
    user_type: str = "User",
    author_association: str = "COLLABORATOR",
    pull_request: bool = False,
    repo: str = REPO,
) -> dict[str, Any]:
    """The octokit example issue (which is a pull request: ``pull_request`` is kept only if
    asked) as issue *number* of *repo*, with these fields."""
    text = json.dumps(load_fixture("issue.example.json"))
    item: dict[str, Any] = json.loads(text.replace("octocat/Hello-World", repo))
    base = f"{API}/repos/{repo}/issues/{number}"
    people = [github_user(login) for login in assignees]
    item.update(
        id=number * 1000 + 1,
        node_id=node_id("Issue", number * 1000 + 1),
        url=base,
        labels_url=f"{base}/labels{{/name}}",
        comments_url=f"{base}/comments",
        events_url=f"{base}/events",
        html_url=f"https://github.com/{repo}/issues/{number}",
        number=number,
        state=state,
        state_reason=None if state == "open" else "completed",
        title=title,
        body=body,
        user=github_user(user, type=user_type),
        labels=[label(name) for name in labels],
        assignee=people[0] if people else None,
        assignees=people,
        milestone=None,
        locked=False,
        active_lock_reason=None,
        comments=0,
        closed_at=None if state == "open" else _ISSUE_TIME,
        closed_by=None,
        author_association=author_association,
    )
    if pull_request:
        item["pull_request"] = {
            "url": f"{API}/repos/{repo}/pulls/{number}",
            "html_url": f"https://github.com/{repo}/pull/{number}",
            "diff_url": f"https://github.com/{repo}/pull/{number}.diff",
            "patch_url": f"https://github.com/{repo}/pull/{number}.patch",
        }
    else:
        del item["pull_request"]
    return item


def issue_comment(
    id: int,  # named as GitHub names the field
    number: int,
    body: str,
    *,
    user: str = ACTIONS_BOT,
    user_type: str = "Bot",
    author_association: str = "NONE",
    repo: str = REPO,
) -> dict[str, Any]:
    """The octokit example comment, as comment *id* on issue *number*."""
    item: dict[str, Any] = fixture("issue-comment.example.json")
    item.update(
        id=id,
        node_id=node_id("IssueComment", id),
        url=f"{API}/repos/{repo}/issues/comments/{id}",
        html_url=f"https://github.com/{repo}/issues/{number}#issuecomment-{id}",
        body=body,
        issue_url=f"{API}/repos/{repo}/issues/{number}",
        user=github_user(user, type=user_type),
        author_association=author_association,
    )
    return item


def team_membership(
    team_id: int, login: str, state: str = "active", role: str = "member"
) -> dict[str, Any]:
    """The octokit team-membership example (an active maintainer) with these fields."""
    item: dict[str, Any] = fixture("team-membership.example.json")
    item.update(
        url=f"{API}/teams/{team_id}/memberships/{quote(login, safe='')}", state=state, role=role
    )
    return item


def validation_failed(
    *errors: dict[str, Any], documentation_url: str = f"{DOCS}/issues/issues#create-an-issue"
) -> dict[str, Any]:
    """GitHub's 422 body: ``Validation Failed`` and its ``errors``."""
    return {
        "message": "Validation Failed",
        "errors": list(errors),
        "documentation_url": documentation_url,
        "status": "422",
    }
