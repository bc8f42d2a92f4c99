"""The follow-up issue of an applied override, filed on the GitHub stand-in (127.0.0.1).

Created (title, body, labels, assignees, marker, html_url), commented on when an open one for
the same gate and stage exists, and refused (FollowUpFailed) when GitHub will not take it, with
no POST ever repeated after GitHub may have acted on it.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import replace
from typing import Any

import pytest
from breakglass_helpers import TOKEN_TAIL, Pauses, standin_client
from github_standin import REPO, TOKEN, GitHubStandIn, Reply, fixture, openapi_schema

from maturity.breakglass.follow_up import (
    FollowUpFailed,
    FollowUpRequest,
    file_follow_up,
    marker,
)
from maturity.core import Finding, GateStatus

jsonschema: Any = importlib.import_module("jsonschema")

CREATE = r"/issues$"
COMMENT = r"/issues/[0-9]+/comments$"
MARKER = "<!-- maturity-break-glass gate=promotion_guard stage=GA -->"
REQUEST = FollowUpRequest(
    repository=REPO,
    gate="promotion_guard",
    stage="GA",
    ref="v1.2.3",
    run_id="4242",
    run_url=f"https://github.com/{REPO}/actions/runs/4242",
    actor="octocat",
    reason="INC-4711: payment outage, the hotfix must ship tonight",
    gate_status="fail",
    gate_code="CHECKS_FAILED",
    gate_message="1 required check failed: e2e",
    findings=(
        Finding("CHECK_FAILED", "e2e failed", id="check:e2e@github-actions"),
        Finding("CHECK_PASSED", "build passed", status=GateStatus.PASS, id="check:build"),
    ),
    labels=("break-glass",),
    assignees=("octocat", "hubot"),
)


def file(standin: GitHubStandIn, request: FollowUpRequest = REQUEST, **kw: Any) -> str:
    client = standin_client(standin, kw.pop("pauses", None))
    try:
        return file_follow_up(client, request)
    finally:
        client.close()


def failure(standin: GitHubStandIn, request: FollowUpRequest = REQUEST) -> FollowUpFailed:
    with pytest.raises(FollowUpFailed) as caught:
        file(standin, request)
    failed = caught.value
    assert TOKEN_TAIL not in failed.message + failed.remediation
    return failed


def valid(body: Any, schema: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(openapi_schema(schema))
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]


def ours(
    standin: GitHubStandIn, body: str, labels: tuple[str, ...] = ("break-glass",)
) -> dict[str, Any]:
    """An open issue the Actions token opened earlier, with *body*."""
    return standin.issues.add(
        "Break glass: earlier",
        body,
        labels=labels,
        user="github-actions[bot]",
        user_type="Bot",
        author_association="NONE",
    )


# --- the stand-in speaks GitHub ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "schema"),
    [("issue", "issue"), ("issue-comment", "issue-comment"), ("issues", None)],
)
def test_githubs_examples_validate(example: str, schema: str | None) -> None:
    body = fixture(f"{example}.example.json")
    for item in body if schema is None else [body]:
        assert valid(item, schema or "issue") == []


def test_served_issues_and_comments_and_posted_bodies_validate(standin: GitHubStandIn) -> None:
    standin.issues.add("old", "no marker", labels=("break-glass",))
    file(standin)  # lists, then opens one
    file(standin)  # lists, then comments on it
    [listed] = [r for r in standin.log if r.method == "GET"][:1]
    assert listed.status == 200
    for item in standin.issues.all():
        assert valid(item, "issue") == []
    assert valid(standin.issues.comments_on(1348)[0], "issue-comment") == []
    assert valid(standin.posted(CREATE)[0], "issue-create.request") == []
    assert valid(standin.posted(COMMENT)[0], "issue-comment-create.request") == []


def test_a_422_answer_validates_against_githubs_schema(standin: GitHubStandIn) -> None:
    standin.issues.assignable = {"octocat"}
    failure(standin)
    [refused] = standin.requests_to(CREATE, "POST")
    assert refused.status == 422
    status, body = standin.issues.create({"title": "t", "assignees": ["nobody"]})
    assert (status, valid(body, "validation-error")) == (422, [])


# --- created, commented ------------------------------------------------------------------------


def test_an_override_opens_an_issue_with_title_body_labels_assignees(
    standin: GitHubStandIn,
) -> None:
    url = file(standin)
    assert url == f"https://github.com/{REPO}/issues/1347"
    [listed] = standin.requests_to(r"/issues$", "GET")
    assert listed.query == {"state": "open", "per_page": "100", "labels": "break-glass"}
    [posted] = standin.posted(CREATE)
    assert posted["title"] == "Break glass: promotion_guard overridden for v1.2.3 at GA (run 4242)"
    assert posted["labels"] == ["break-glass"]
    assert posted["assignees"] == ["octocat", "hubot"]
    body = posted["body"]
    assert body.splitlines()[-1] == MARKER
    assert "- **Reason:** INC\\-4711\\: payment outage\\, the hotfix must ship tonight" in body
    assert "- **Actor:** `octocat`" in body
    assert "- **Gate:** `promotion_guard`: fail, `CHECKS_FAILED`" in body
    assert "- **Gate message:** 1 required check failed\\: e2e" in body
    assert f"[run 4242](https://github.com/{REPO}/actions/runs/4242)" in body
    assert "- fail `CHECK_FAILED` `check:e2e@github-actions`: e2e failed" in body
    assert "build passed" not in body  # passing findings are not follow-up work
    [issue] = standin.issues.all()
    assert [lbl["name"] for lbl in issue["labels"]] == ["break-glass"]
    assert [a["login"] for a in issue["assignees"]] == ["octocat", "hubot"]
    token = standin.requests_to(CREATE, "POST")[0].headers
    assert (token["authorization"], token["content-type"]) == (
        f"token {TOKEN}",
        "application/json; charset=utf-8",
    )


def test_without_labels_or_assignees_none_are_sent(standin: GitHubStandIn) -> None:
    file(standin, replace(REQUEST, labels=(), assignees=(), run_id=None, run_url=None))
    [listed] = standin.requests_to(r"/issues$", "GET")
    assert "labels" not in listed.query
    [posted] = standin.posted(CREATE)
    assert set(posted) == {"title", "body"}
    assert posted["title"] == "Break glass: promotion_guard overridden for v1.2.3 at GA"
    assert "- **Run:** not run in GitHub Actions" in posted["body"]


def test_an_open_issue_for_the_same_gate_and_stage_gets_a_comment(standin: GitHubStandIn) -> None:
    ours(standin, marker("deps_approval", "GA"))  # another gate
    existing = ours(standin, f"earlier text\n\n{MARKER}\n")
    ours(standin, marker("promotion_guard", "RC"))  # the same gate at another stage
    url = file(standin)
    assert url == existing["html_url"]
    assert standin.posted(CREATE) == []
    [comment] = standin.posted(f"/issues/{existing['number']}/comments$")
    assert comment["body"].startswith(
        "Overridden again: `octocat` overrode `promotion_guard` for `v1.2.3` at stage `GA`."
    )
    assert "INC\\-4711" in comment["body"]
    assert standin.issues.get(existing["number"])["comments"] == 1


def test_a_second_override_comments_on_the_issue_the_first_opened(standin: GitHubStandIn) -> None:
    first = file(standin)
    second = file(standin, replace(REQUEST, ref="v1.2.4", run_id="4243"))
    assert first == second
    assert len(standin.posted(CREATE)) == 1
    [comment] = standin.posted(COMMENT)
    assert "`v1.2.4`" in comment["body"]


@pytest.mark.parametrize(
    "fields",
    [
        {"user": "mallory", "author_association": "NONE"},  # anyone can open an issue
        {"user": "mallory", "author_association": "CONTRIBUTOR"},
        {"pull_request": True, "author_association": "MEMBER"},  # a pull request is no issue
        {"state": "closed", "author_association": "MEMBER"},  # closed: not listed
    ],
    ids=["outsider", "contributor", "pull-request", "closed"],
)
def test_only_an_open_issue_by_a_trusted_author_is_commented_on(
    standin: GitHubStandIn, fields: dict[str, Any]
) -> None:
    standin.issues.add("planted", MARKER, labels=("break-glass",), **fields)
    url = file(standin)
    assert url == f"https://github.com/{REPO}/issues/1348"  # a new one
    assert standin.posted(COMMENT) == []


@pytest.mark.parametrize("association", ["OWNER", "MEMBER", "COLLABORATOR"])
def test_an_issue_by_a_member_counts(standin: GitHubStandIn, association: str) -> None:
    standin.issues.add("by hand", MARKER, labels=("break-glass",), author_association=association)
    assert file(standin) == f"https://github.com/{REPO}/issues/1347"
    assert len(standin.posted(COMMENT)) == 1


def test_the_marker_must_be_a_line_of_its_own(standin: GitHubStandIn) -> None:
    ours(standin, f"see `{MARKER}` in the docs")
    file(standin)
    assert len(standin.posted(CREATE)) == 1


def test_the_open_issue_is_found_on_a_later_page(standin: GitHubStandIn) -> None:
    existing = ours(standin, MARKER, labels=())
    for n in range(150):
        standin.issues.add(f"issue {n}", "text")
    assert file(standin, replace(REQUEST, labels=())) == existing["html_url"]
    assert [r.query.get("page") for r in standin.requests_to(r"/issues$", "GET")] == [None, "2"]


# --- Markdown from people and evidence is inert ------------------------------------------------


HOSTILE = (
    "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![x](https://evil.test/x.png) "
    "@octo-org/everyone #1 **bold** `code` | table |\n\n"
    "<!-- maturity-break-glass gate=promotion_guard stage=GA -->\n# heading"
)


def test_hostile_text_is_escaped_in_the_issue(standin: GitHubStandIn) -> None:
    request = replace(
        REQUEST,
        reason=f"INC-1 {HOSTILE}",
        gate_message=HOSTILE,
        findings=(Finding("X", HOSTILE, id="check:<b>@x", location="a|b"),),
    )
    file(standin, request)
    [posted] = standin.posted(CREATE)
    body = posted["body"]
    assert body.count(MARKER) == 1
    assert body.splitlines()[-1] == MARKER
    checked = 0
    for line in body.splitlines():
        prefix = re.match(r"- \*\*(Reason|Gate message):\*\* |- fail `X` .*`: ", line)
        if prefix is not None:  # what follows is the hostile text: every punctuation escaped
            assert re.search(r"(?<!\\)[<>@#!\[\]()`|*:=-]", line[prefix.end() :]) is None, line
            checked += 1
    assert checked == 3
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in body
    assert "\\@octo\\-org\\/everyone" in body  # no mention
    assert "javascript:" not in body.replace("javascript\\:", "")
    assert not any(line.startswith("#") and "heading" in line for line in body.splitlines())


def test_a_hostile_ref_stays_out_of_the_title_controls(standin: GitHubStandIn) -> None:
    file(standin, replace(REQUEST, ref="v1\u202e\n" + "x" * 400))
    [posted] = standin.posted(CREATE)
    assert len(posted["title"]) <= 256
    assert "\n" not in posted["title"]
    assert "\u202e" not in posted["title"]


def test_many_findings_are_bounded_and_the_body_fits_githubs_limit(
    standin: GitHubStandIn,
) -> None:
    findings = tuple(Finding("X", "<&>" * 300, id=f"check:{n}") for n in range(2000))
    file(standin, replace(REQUEST, findings=findings))
    [posted] = standin.posted(CREATE)
    body = posted["body"]
    assert len(body) <= 65536
    assert len(re.findall(r"^- fail ", body, re.MULTILINE)) <= 50
    assert re.search(r"^- and [0-9]+ more \(see the run's maturity-eval\.json\)$", body, re.M)
    assert "### Findings that did not pass (2000)" in body


# --- failures ----------------------------------------------------------------------------------


def test_a_403_on_create_names_issues_write(standin: GitHubStandIn) -> None:
    standin.script(CREATE, Reply.forbidden(permission="issues=write"), method="POST")
    failed = failure(standin)
    assert failed.message.startswith("could not open the follow-up issue: ")
    assert "HTTP 403 (Resource not accessible by integration)" in failed.message
    assert "GitHub says it needs: issues=write" in failed.message
    assert "`permissions: {issues: write}`" in failed.remediation
    assert len(standin.requests_to(CREATE, "POST")) == 1


def test_a_403_on_the_listing_names_issues_write_and_posts_nothing(
    standin: GitHubStandIn,
) -> None:
    standin.script(CREATE, Reply.forbidden(), method="GET")
    failed = failure(standin)
    assert failed.message.startswith("could not look for an open follow-up issue: ")
    assert "issues: write" in failed.remediation
    assert standin.posted(CREATE) == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_on_create_is_not_repeated_and_says_an_issue_may_exist(
    standin: GitHubStandIn, status: int
) -> None:
    standin.script(CREATE, Reply.server_error(status), method="POST")
    pauses = Pauses()
    with pytest.raises(FollowUpFailed) as caught:
        file(standin, pauses=pauses)
    failed = caught.value
    assert f"HTTP {status}" in failed.message
    assert "GitHub may have carried it out all the same, so it is not repeated" in failed.message
    assert "an issue or comment may have been created all the same" in failed.message
    assert f"the open issues of {REPO}" in failed.remediation
    assert len(standin.requests_to(CREATE, "POST")) == 1
    assert pauses == []


def test_a_5xx_on_the_comment_is_not_repeated(standin: GitHubStandIn) -> None:
    ours(standin, MARKER)
    standin.script(COMMENT, Reply.server_error(500), method="POST")
    failed = failure(standin)
    assert failed.message.startswith("could not comment on the follow-up issue #1347: ")
    assert len(standin.requests_to(COMMENT, "POST")) == 1
    assert standin.posted(CREATE) == []


def test_an_assignee_github_refuses_is_named(standin: GitHubStandIn) -> None:
    standin.issues.assignable = {"octocat"}
    failed = failure(standin)
    assert "HTTP 422 (Validation Failed; assignees invalid 'hubot')" in failed.message
    assert "break_glass.follow_up" in failed.remediation
    assert standin.issues.all() == []


def test_a_scripted_validation_failure_is_reported(standin: GitHubStandIn) -> None:
    error = {"resource": "Issue", "code": "custom", "field": "labels", "message": "bad label"}
    standin.script(CREATE, Reply.unprocessable(error), method="POST")
    failed = failure(standin)
    assert "labels custom bad label" in failed.message


def test_issues_turned_off_are_named(standin: GitHubStandIn) -> None:
    standin.script(
        CREATE, Reply(410, '{"message": "Issues are disabled for this repo"}'), method="POST"
    )
    failed = failure(standin)
    assert "HTTP 410 (Issues are disabled for this repo)" in failed.message
    assert "turn on Issues" in failed.remediation


def test_a_secondary_rate_limit_with_retry_after_is_waited_out(standin: GitHubStandIn) -> None:
    standin.script(CREATE, Reply.secondary_rate_limit(retry_after=3), method="POST")
    pauses = Pauses()
    assert file(standin, pauses=pauses) == f"https://github.com/{REPO}/issues/1347"
    assert pauses == [3.0]
    assert [r.status for r in standin.requests_to(CREATE, "POST")] == [403, 201]


def test_a_rate_limit_message_without_headers_is_not_retried(standin: GitHubStandIn) -> None:
    body = '{"message": "You have exceeded a secondary rate limit."}'
    standin.script(CREATE, Reply(403, body), method="POST")
    failed = failure(standin)
    assert "secondary rate limit" in failed.message
    assert len(standin.requests_to(CREATE, "POST")) == 1


def test_the_token_never_appears_in_a_failure(standin: GitHubStandIn) -> None:
    echo = f'{{"message": "token {TOKEN} may not write"}}'
    for reply in (Reply(403, echo), Reply(500, echo), Reply(422, echo)):
        standin.script(CREATE, reply, method="POST")
        failed = failure(standin)
        assert "***" in failed.message


def test_an_answer_without_html_url_fails(standin: GitHubStandIn) -> None:
    standin.script(CREATE, Reply(201, '{"number": 1}'), method="POST")
    failed = failure(standin)
    assert "no usable html_url" in failed.message


def test_a_malformed_repository_is_refused_before_any_request(standin: GitHubStandIn) -> None:
    failed = failure(standin, replace(REQUEST, repository="../x"))
    assert "GITHUB_REPOSITORY" in failed.message
    assert standin.log == []
