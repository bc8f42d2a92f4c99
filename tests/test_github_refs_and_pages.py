"""Answers about the wrong ref, linked pages that vanish, and rate limits far ahead.

All through the GitHub stand-in on 127.0.0.1 (real HTTP), the gate in process, and the CLI for
the verdicts:

- the git refs API must answer about the ref asked for (``refs/tags/v1.2.3`` for
  ``git/ref/tags/v1.2.3``), and a tag object's answer must carry the sha asked for; otherwise
  ``WRONG_REF`` and the commit is never judged (it once went GO on ``refs/heads/featureA``);
- a 404 on a page the server itself linked to says the listing changed (not that the repository
  or the token is at fault), and is read afresh once;
- a rate limit whose end is far ahead gives the date with the time, in UTC.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from github_bodies import fixture
from github_standin import REPO, SHA, GitHubStandIn, Reply, check_run, commit_status
from guard_helpers import evaluate_cli, guard, make_workspace, online_env

from maturity.core import GateStatus
from maturity.refs import RefType, parse_ref

OTHER_SHA = "0123456789abcdef0123456789abcdef01234567"
TAG_OBJECT = "f" * 40
GIT_REF = r"/git/ref/"
PAGE_TWO = r"^/repositories/\d+/commits/.*/check-runs$"  # GitHub's Link URLs use this form


def ref_answer(ref: str, kind: str = "commit", sha: str = OTHER_SHA) -> str:
    """A git/ref answer (GitHub's example) naming *ref*, pointing at a *kind* object *sha*."""
    body: dict[str, Any] = fixture("git-ref.example.json")
    body.update(ref=ref, object={"type": kind, "sha": sha, "url": f"https://x.test/{sha}"})
    return json.dumps(body)


def tag_answer(sha: str, points_at: str = OTHER_SHA) -> str:
    body: dict[str, Any] = fixture("git-tag.example.json")
    body.update(sha=sha, object={"type": "commit", "sha": points_at, "url": "https://x.test/c"})
    return json.dumps(body)


def on_tag(standin: GitHubStandIn, name: str = "v1.2.3", hint: RefType = RefType.TAG) -> Any:
    return guard(standin, sha=None, ref=parse_ref(name, hint=hint))


# --- the refs API must answer about the ref asked for -------------------------------------------


@pytest.fixture
def passing_commits(standin: GitHubStandIn) -> GitHubStandIn:
    """Both commits have only passing checks: a wrong ref would go GO if it were followed."""
    for sha in (SHA, OTHER_SHA):
        standin.set_check_runs([check_run(1, "build", sha=sha)], sha=sha)
    return standin


@pytest.mark.parametrize(
    ("name", "hint", "answered"),
    [
        ("v1.2.3", RefType.TAG, "refs/heads/featureA"),  # the reported case
        ("v1.2.3", RefType.TAG, "refs/heads/v1.2.3"),  # the same name, another kind
        ("v1.2.3", RefType.TAG, "refs/tags/v1.2.30"),  # a longer name with the same start
        ("v1.2.3", RefType.TAG, "refs/tags/v1.2"),  # a shorter one
        ("v1.2.3", RefType.TAG, "refs/tags/V1.2.3"),  # refs are case-sensitive
        ("v1.2.3", RefType.TAG, "tags/v1.2.3"),  # not the full ref name
        ("v1.2.3", RefType.TAG, "refs/tags/v1.2.3 "),
        ("main", RefType.BRANCH, "refs/tags/main"),
        ("main", RefType.BRANCH, "refs/heads/main-old"),
        ("release/1.x", RefType.BRANCH, "refs/heads/release"),
    ],
)
def test_an_answer_about_another_ref_is_refused(
    passing_commits: GitHubStandIn, name: str, hint: RefType, answered: str
) -> None:
    passing_commits.script(GIT_REF, Reply(200, ref_answer(answered)))
    result = on_tag(passing_commits, name, hint)
    assert (result.status, result.code) == (GateStatus.ERROR, "WRONG_REF")
    kind = "tags" if hint is RefType.TAG else "heads"
    assert f"'{answered}', not 'refs/{kind}/{name}' that was asked for" in result.message
    assert f"git/ref/{kind}/{name}" in result.message
    assert passing_commits.requests_to(r"/check-runs$") == []  # its commit was never read


def test_an_unknown_kind_of_name_checks_the_ref_of_each_try(passing_commits: GitHubStandIn) -> None:
    """A name that may be a tag or a branch: tags/NAME is not found, heads/NAME answers wrong."""
    passing_commits.script(
        GIT_REF,
        Reply(404, json.dumps({"message": "Not Found"})),
        Reply(200, ref_answer("refs/heads/other")),
    )
    result = on_tag(passing_commits, "v1.2.3", RefType.UNKNOWN)
    assert (result.status, result.code) == (GateStatus.ERROR, "WRONG_REF")
    assert "'refs/heads/other', not 'refs/heads/v1.2.3'" in result.message
    paths = [r.path for r in passing_commits.requests_to(GIT_REF)]
    assert [p.rsplit("/git/ref/", 1)[1] for p in paths] == ["tags/v1.2.3", "heads/v1.2.3"]


def test_a_tag_object_answer_for_another_tag_is_refused(passing_commits: GitHubStandIn) -> None:
    passing_commits.set_ref("tags/v1.2.3", annotated=True)
    passing_commits.script(r"/git/tags/", Reply(200, tag_answer("e" * 40)))
    result = on_tag(passing_commits)
    assert (result.status, result.code) == (GateStatus.ERROR, "WRONG_REF")
    [request] = passing_commits.requests_to(r"/git/tags/")  # the stand-in's own tag object
    tag_sha = request.path.rsplit("/", 1)[1]
    assert (
        f"the answer to git/tags/{tag_sha} is about the tag object '{'e' * 40}'" in result.message
    )
    assert passing_commits.requests_to(r"/check-runs$") == []


def test_right_answers_still_resolve(passing_commits: GitHubStandIn) -> None:
    passing_commits.set_ref("tags/v1.2.3", annotated=True)
    passing_commits.set_ref("heads/release/1.x", OTHER_SHA)
    tag = on_tag(passing_commits)
    assert (tag.status, tag.details["sha"]) == (GateStatus.PASS, SHA)
    branch = on_tag(passing_commits, "release/1.x", RefType.BRANCH)
    assert (branch.status, branch.details["sha"]) == (GateStatus.PASS, OTHER_SHA)


def test_a_repeated_ref_key_is_refused_not_resolved(passing_commits: GitHubStandIn) -> None:
    """{"ref": "refs/heads/featureA", "ref": "refs/tags/v1.2.3"}: no key wins."""
    body = ref_answer("refs/heads/featureA").replace(
        '"ref": "refs/heads/featureA"', '"ref": "refs/heads/featureA", "ref": "refs/tags/v1.2.3"'
    )
    passing_commits.script(GIT_REF, Reply(200, body))
    result = on_tag(passing_commits)
    assert (result.status, result.code) == (GateStatus.ERROR, "MALFORMED_ANSWER")
    assert 'duplicate key "ref"' in result.message


def test_a_wrong_ref_is_no_go_through_the_cli(
    passing_commits: GitHubStandIn, tmp_path: Path
) -> None:
    ws = make_workspace(tmp_path)
    passing_commits.script(GIT_REF, Reply(200, ref_answer("refs/heads/featureA")))
    result, data, pg = evaluate_cli(ws, online_env(passing_commits))  # no --sha: resolved
    assert (result.code, data["verdict"]) == (1, "NO-GO")
    assert (pg["status"], pg["code"]) == ("error", "WRONG_REF")
    assert "refs/heads/featureA" in pg["message"]


# --- a linked page that is gone -----------------------------------------------------------------


@pytest.fixture
def two_pages(standin: GitHubStandIn) -> GitHubStandIn:
    standin.set_check_runs([check_run(i, f"job {i}") for i in range(1, 151)])
    return standin


NOT_FOUND = Reply(404, json.dumps({"message": "Not Found", "documentation_url": "https://x"}))


def test_a_gone_linked_page_is_read_afresh_once(two_pages: GitHubStandIn) -> None:
    two_pages.script(PAGE_TWO, NOT_FOUND)
    result = guard(two_pages)
    assert result.status is GateStatus.PASS
    assert [r.status for r in two_pages.requests_to(r"/check-runs$")] == [200, 404, 304, 200]


def test_a_linked_page_gone_twice_blames_the_listing_not_the_repository(
    two_pages: GitHubStandIn,
) -> None:
    two_pages.script(PAGE_TWO, NOT_FOUND, NOT_FOUND)
    result = guard(two_pages)
    assert (result.status, result.code) == (GateStatus.ERROR, "LINKED_PAGE_NOT_FOUND")
    assert "which the server itself linked to as the next page, was not found" in result.message
    assert "the listing probably changed while it was being read" in result.message
    assert "Link header is wrong" in result.message
    assert "page=2" in result.message
    said = (result.message + " " + result.remediation).lower()
    for blame in ("repository", "permission", "token", "github_repository", "does not exist"):
        assert blame not in said
    assert result.remediation.startswith("re-run the evaluation")


def test_a_first_page_404_still_names_the_repository(standin: GitHubStandIn) -> None:
    standin.script(r"/check-runs$", NOT_FOUND)
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "GITHUB_NOT_FOUND")
    assert "the repository, commit or ref does not exist" in result.message


def test_a_gone_status_page_is_the_same(standin: GitHubStandIn) -> None:
    standin.set_statuses([commit_status(i, f"ci/{i}") for i in range(1, 151)])
    standin.script(r"^/repositories/\d+/commits/.*/status$", NOT_FOUND, NOT_FOUND)
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "LINKED_PAGE_NOT_FOUND")


# --- rate limits far ahead give the date ----------------------------------------------------------

ISO_UTC = re.compile(r"\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\b")


def limited(retry_at: dt.datetime | None = None, reset: int | None = None) -> Reply:
    body = json.dumps({"message": "API rate limit exceeded for installation ID 4242."})
    if retry_at is not None:
        return Reply(429, body, {"retry-after": email.utils.format_datetime(retry_at, usegmt=True)})
    return Reply(403, body, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})


@pytest.mark.parametrize(
    ("ahead", "how", "duration"),
    [
        (dt.timedelta(days=3, hours=2), "retry-after-date", "3 days"),
        (dt.timedelta(hours=20), "retry-after-date", "20.0 hours"),
        (dt.timedelta(days=400), "reset", "400 days"),
        (dt.timedelta(minutes=50), "reset", "(2999|3000|3001)s"),  # a second may pass
    ],
)
def test_a_far_rate_limit_gives_the_date(
    standin: GitHubStandIn, ahead: dt.timedelta, how: str, duration: str
) -> None:
    when = (dt.datetime.now(dt.UTC) + ahead).replace(microsecond=0)
    # x-ratelimit-reset: the client waits until one second past it
    reply = limited(reset=int(when.timestamp()) - 1) if how == "reset" else limited(retry_at=when)
    standin.script(r"/check-runs$", reply)
    started = time.monotonic()
    result = guard(standin)
    assert time.monotonic() - started < 5  # no waiting: it is past the budget at once
    assert (result.status, result.code) == (GateStatus.ERROR, "RATE_LIMITED")
    [shown] = ISO_UTC.findall(result.message)
    said = dt.datetime.strptime(shown, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((said - when).total_seconds()) <= 3
    assert re.search(f"the next request is allowed at {shown}, in {duration}, ", result.message)


def test_an_absurd_reset_is_an_error_not_a_crash(standin: GitHubStandIn) -> None:
    standin.script(r"/check-runs$", limited(reset=10**19 - 1))
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "RATE_LIMITED")
    assert "9999-12-31T23:59:59Z" in result.message


def test_the_report_carries_the_date(standin: GitHubStandIn, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    standin.script(r"/check-runs$", limited(retry_at=when))
    result, data, pg = evaluate_cli(ws, online_env(standin), "--sha", SHA)
    assert (result.code, data["verdict"], pg["code"]) == (1, "NO-GO", "RATE_LIMITED")
    assert when.strftime("%Y-%m-%dT") in pg["message"]
    assert when.strftime("%Y-%m-%dT") in result.stdout
    assert REPO not in pg["remediation"]


def test_too_many_rate_limits_in_a_row_say_so_with_the_date(standin: GitHubStandIn) -> None:
    standin.script(r"/check-runs$", *[Reply.secondary_rate_limit(retry_after=0)] * 6)
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "RATE_LIMITED")
    assert ISO_UTC.search(result.message)
    assert result.message.endswith("in 0s, after 5 waits for this request already")
    assert len(standin.requests_to(r"/check-runs$")) == 6
