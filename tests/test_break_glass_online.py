"""Break glass against the GitHub stand-in (real HTTP on 127.0.0.1), through ``evaluate``:
a team entry authorised through the membership API, the follow-up issue opened (its URL in
both reports and the audit log), and the failures that must not let a release through: a
membership the token cannot read (exit 2) and a follow-up that cannot be filed (NO-GO)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from github_standin import REPO, TOKEN, GitHubStandIn, Reply
from helpers import GATE_NAMES, REPO_ROOT, CliResult, assert_valid_report, clean_env, gate, run_cli

EXAMPLE = REPO_ROOT / "examples" / "stages" / "break-glass.yml"
REASON = "INC-4711: hotfix for the login outage"
OPEN = "2026-12-02T12:00:00Z"
FOLLOW_UP = "  follow_up:\n    labels: [break-glass]\n    assignees: [octocat]\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "ci").mkdir()
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '    PRE_GA: "*"\n', '    PRE_GA: "*"\n' + FOLLOW_UP
    )
    (tmp_path / "ci" / "maturity-stages.yml").write_text(text, encoding="utf-8")
    for name in GATE_NAMES:
        body = {"ok": name != "promotion_guard", "code": "CHECKS_FAILED", "message": "e2e failed"}
        (tmp_path / "ev").mkdir(exist_ok=True)
        (tmp_path / "ev" / f"{name}.json").write_text(json.dumps(body), encoding="utf-8")
    return tmp_path


def override(
    ws: Path, standin: GitHubStandIn, actor: str, *extra: str
) -> tuple[CliResult, dict[str, Any] | None]:
    env = clean_env(
        GITHUB_API_URL=standin.base_url,
        GITHUB_TOKEN=TOKEN,
        GITHUB_REPOSITORY=REPO,
        GITHUB_ACTOR=actor,
        GITHUB_RUN_ID="4242",
        GITHUB_SERVER_URL="https://github.com",
    )
    args = ["evaluate", "--tag", "v1.2.3", "--evidence-dir", "ev", "--now", OPEN]
    args += ["--override", "promotion_guard", "--reason", REASON, *extra]
    result = run_cli(args, ws, env)
    path = ws / "dist" / "maturity" / "maturity-eval.json"
    if not path.exists():
        return result, None
    data = json.loads(path.read_text(encoding="utf-8"))
    assert_valid_report(data)
    assert TOKEN not in result.stdout + result.stderr + path.read_text(encoding="utf-8")
    return result, data


def test_a_team_member_overrides_and_the_follow_up_issue_is_opened(
    ws: Path, standin: GitHubStandIn, tmp_path: Path
) -> None:
    standin.teams.set_member("octo-org", "release-managers", "hubot", "active")
    log = tmp_path / "audit.jsonl"
    result, data = override(ws, standin, "hubot", "--audit-log", str(log))
    assert result.code == 0, result.stdout + result.stderr
    assert data is not None
    [applied] = data["overrides"]
    assert applied["allowed_by"] == "team octo-org/release-managers"
    url = applied["follow_up_url"]
    assert url
    assert url.startswith("https://github.com/")
    [issue] = standin.posted(r"/issues$")
    assert "promotion_guard" in issue["title"]
    assert "v1.2.3" in issue["title"]
    assert "4242" in issue["title"]
    assert "INC\\-4711" in issue["body"] or "INC-4711" in issue["body"]
    assert "https://github.com/octo-org/octo-repo/actions/runs/4242" in issue["body"]
    assert issue["labels"] == ["break-glass"]
    assert issue["assignees"] == ["octocat"]
    markdown = (ws / "dist" / "maturity" / "maturity-eval.md").read_text(encoding="utf-8")
    assert "](" + url + ")" in markdown
    [line] = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert line["overrides"][0]["follow_up_url"] == url


def test_a_second_override_comments_on_the_open_issue(ws: Path, standin: GitHubStandIn) -> None:
    first, data = override(ws, standin, "octocat")
    assert first.code == 0, first.stderr
    assert data is not None
    url = data["overrides"][0]["follow_up_url"]
    second, again = override(ws, standin, "octocat")
    assert second.code == 0, second.stderr
    assert again is not None
    assert again["overrides"][0]["follow_up_url"] == url
    assert len(standin.posted(r"/issues$")) == 1
    assert len(standin.posted(r"/issues/[0-9]+/comments$")) == 1


@pytest.mark.parametrize("state", ["pending", None])
def test_a_team_entry_that_does_not_hold_is_refused(
    ws: Path, standin: GitHubStandIn, state: str | None
) -> None:
    if state is not None:
        standin.teams.set_member("octo-org", "release-managers", "hubot", state)
    result, data = override(ws, standin, "hubot")
    assert result.code == 2
    assert data is None
    assert "allowed_actors" in result.stderr
    assert not standin.posted(r"/issues$")


def test_a_token_that_cannot_read_teams_is_refused_naming_the_permission(
    ws: Path, standin: GitHubStandIn
) -> None:
    standin.script(
        r"/orgs/octo-org/teams/release-managers/memberships/hubot$",
        Reply.forbidden("Resource not accessible by integration", "members=read"),
    )
    result, _ = override(ws, standin, "hubot")
    assert result.code == 2
    assert "Members" in result.stderr or "read:org" in result.stderr
    assert "GITHUB_TOKEN" in result.stderr


def test_a_follow_up_that_cannot_be_filed_keeps_the_gate_blocking(
    ws: Path, standin: GitHubStandIn
) -> None:
    standin.script(
        r"/issues$",
        Reply.forbidden("Resource not accessible by integration", "issues=write"),
        method="POST",
    )
    result, data = override(ws, standin, "octocat")
    assert result.code == 1, result.stdout + result.stderr
    assert data is not None
    assert data["verdict"] == "NO-GO"
    assert data["overrides"] == []
    [failure] = data["override_failures"]
    assert failure["gate"] == "promotion_guard"
    assert "issues: write" in failure["why"]
    guard = gate(data, "promotion_guard")
    assert guard["blocking"] is True
    assert "override not applied" in guard["message"]


def test_follow_up_without_a_token_does_not_apply(ws: Path) -> None:
    env = clean_env(GITHUB_ACTOR="octocat", GITHUB_REPOSITORY=REPO)
    args = ["evaluate", "--tag", "v1.2.3", "--evidence-dir", "ev", "--now", OPEN]
    result = run_cli([*args, "--override", "promotion_guard", "--reason", REASON], ws, env)
    assert result.code == 1
    data = json.loads((ws / "dist" / "maturity" / "maturity-eval.json").read_text("utf-8"))
    assert "GITHUB_TOKEN" in data["override_failures"][0]["why"]
    assert data["verdict"] == "NO-GO"


def test_a_reason_quoting_the_token_never_reaches_a_log_or_report(
    ws: Path, standin: GitHubStandIn, tmp_path: Path
) -> None:
    """A refused and an applied override whose reason holds the token: masked everywhere."""
    log = tmp_path / "audit.jsonl"
    env = clean_env(
        GITHUB_API_URL=standin.base_url,
        GITHUB_TOKEN=TOKEN,
        GITHUB_REPOSITORY=REPO,
        GITHUB_RUN_ID="4242",
    )
    base = ["evaluate", "--tag", "v1.2.3", "--evidence-dir", "ev", "--now", OPEN]
    reason = f"INC-1 pasted by mistake: {TOKEN}"
    flags = ["--override", "promotion_guard", "--reason", reason, "--audit-log", str(log)]
    refused = run_cli([*base, *flags], ws, {**env, "GITHUB_ACTOR": "mallory"})
    assert refused.code == 2
    applied = run_cli([*base, *flags], ws, {**env, "GITHUB_ACTOR": "octocat"})
    assert applied.code == 0, applied.stderr
    written = log.read_text(encoding="utf-8")
    assert len(written.splitlines()) == 2
    assert TOKEN not in written
    assert "***" in written
    for output in (refused, applied):
        assert TOKEN not in output.stdout + output.stderr
    for name in ("maturity-eval.json", "maturity-eval.md"):
        assert TOKEN not in (ws / "dist" / "maturity" / name).read_text(encoding="utf-8")
    for issue in standin.posted(r"/issues$"):
        assert TOKEN not in json.dumps(issue)
