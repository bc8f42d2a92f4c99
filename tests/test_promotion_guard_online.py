"""promotion_guard decides right against the GitHub stand-in (real HTTP on 127.0.0.1), in-process.

Each test serves a commit's check runs and statuses, runs the gate (or the engine) on them and
checks the status, code, findings and the ``details`` the report records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from github_bodies import ACTIONS_RUN_ID
from github_standin import SHA, GitHubStandIn, check_run, commit_status
from guard_helpers import FAST, checks_settings, guard, run_env
from helpers import GATE_NAMES
from pytest_httpserver import HTTPServer

from maturity.config.load import load_builtin
from maturity.config.types import Stage
from maturity.core import GateResult, GateStatus, Level, Verdict
from maturity.engine import evaluate_stage
from maturity.kinds import CATALOG
from maturity.kinds.github_checks.settings import CheckPattern, GitHubChecksSettings
from maturity.refs import Ref, RefType, parse_ref

#: the evaluator as a GitHub Actions job "gate" in workflow run ACTIONS_RUN_ID
IN_ACTIONS = {"GITHUB_JOB": "gate", "GITHUB_RUN_ID": str(ACTIONS_RUN_ID)}


def evaluate(
    standin: GitHubStandIn,
    settings: GitHubChecksSettings = FAST,
    extra: Mapping[str, str] | None = None,
    *,
    sha: str | None = SHA,
    ref: Ref | None = None,
) -> GateResult:
    return guard(standin, sha=sha, ref=ref, settings=settings, extra=extra)


def required(*names: str | tuple[str, str], **kwargs: Any) -> GitHubChecksSettings:
    """Settings requiring *names* (a glob, or (glob, app slug))."""
    patterns = tuple(CheckPattern(*n) if isinstance(n, tuple) else CheckPattern(n) for n in names)
    return checks_settings(patterns, time_budget=10.0, **kwargs)


def outcomes(result: GateResult) -> dict[tuple[str, str | None, int], str]:
    """(name, app, id) -> outcome of every check the report lists."""
    return {(c["name"], c["app"], c["id"]): c["outcome"] for c in result.details["checks"]}


# --- the basic verdicts -----------------------------------------------------------------------


def test_all_checks_passed_is_go_through_the_engine(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "lint", conclusion="neutral")])
    standin.set_statuses([commit_status(1, "ci/jenkins")])
    levels = dict.fromkeys(GATE_NAMES, Level.OFF) | {"promotion_guard": Level.REQUIRED}
    neutral_passes = GitHubChecksSettings(pass_conclusions=("success", "neutral"), time_budget=10.0)
    gates = dict(load_builtin(CATALOG).gates)
    gates["promotion_guard"] = replace(gates["promotion_guard"], settings=neutral_passes)
    decision = evaluate_stage(Stage("GA", "", 0, levels), gates, {}, run_env(standin))
    assert decision.verdict is Verdict.GO
    assert [o.result.gate for o in decision.outcomes] == list(GATE_NAMES)
    assert (decision.outcomes[0].kind, decision.outcomes[0].title) == (
        "github_checks",
        "Required checks passed",
    )
    result = decision.outcomes[0].result
    assert (result.status, result.code) == (GateStatus.PASS, "CHECKS_PASSED")
    assert result.details["source"] == "github-api"
    assert result.details["sha"] == SHA
    assert result.details["outcomes"] == {"pass": 3}
    assert {(c["kind"], c["name"]) for c in result.details["checks"]} == {
        ("check_run", "build"),
        ("check_run", "lint"),
        ("status", "ci/jenkins"),
    }
    api = result.details["api"]
    assert (api["requests"], api["retries"], api["polls"]) == (2, 0, 1)
    assert api["rate_limit_remaining"] == standin.rate_remaining


def test_one_failure_is_listed_with_conclusion_and_details_url(standin: GitHubStandIn) -> None:
    url = "https://ci.example.com/lint/42"
    standin.set_check_runs(
        [check_run(1, "build"), check_run(2, "lint", conclusion="failure", details_url=url)]
    )
    result = evaluate(standin)
    assert (result.status, result.code) == (GateStatus.FAIL, "CHECKS_FAILED")
    assert "lint" in result.message
    [finding] = result.findings
    assert finding.code == "CHECK_FAILED"
    assert finding.id == "check:lint@github-actions"
    assert "lint" in finding.message
    assert "failure" in finding.message
    assert finding.location == url
    assert outcomes(result) == {
        ("build", "github-actions", 1): "pass",
        ("lint", "github-actions", 2): "fail",
    }


@pytest.mark.parametrize("newest_first", [True, False])
@pytest.mark.parametrize(
    ("older", "newer", "status"),
    [("failure", "success", GateStatus.PASS), ("success", "failure", GateStatus.FAIL)],
)
def test_a_rerun_replaces_the_earlier_run_of_the_same_check(
    standin: GitHubStandIn, older: str, newer: str, status: GateStatus, newest_first: bool
) -> None:
    runs = [check_run(10, "tests", conclusion=older), check_run(11, "tests", conclusion=newer)]
    standin.set_check_runs(runs[::-1] if newest_first else runs)
    result = evaluate(standin)
    assert result.status is status
    assert outcomes(result) == {
        ("tests", "github-actions", 10): "superseded",
        ("tests", "github-actions", 11): status.value,
    }


def test_250_checks_are_read_from_all_3_pages(standin: GitHubStandIn) -> None:
    runs = [check_run(i, f"job {i}") for i in range(1, 251)]
    runs[-1] = check_run(250, "job 250", conclusion="failure")  # on the last page
    standin.set_check_runs(runs)
    result = evaluate(standin)
    pages = standin.requests_to(r"/check-runs$")
    assert len(pages) == 3
    assert pages[0].query["per_page"] == "100"
    assert [p.query.get("page") for p in pages] == [None, "2", "3"]
    assert sorted(c["id"] for c in result.details["checks"]) == list(range(1, 251))
    assert (result.status, result.code) == (GateStatus.FAIL, "CHECKS_FAILED")
    assert [f.message for f in result.findings] == ["job 250 (app github-actions): failure"]
    assert result.details["api"]["requests"] == 4  # 3 check-run pages + 1 status page


# --- which checks count -----------------------------------------------------------------------

MATRIX = ("tests (*)", "github-actions")


@pytest.mark.parametrize(
    ("legs", "status", "matched"),
    [
        ([("tests (3.11)", "success"), ("tests (3.12)", "success")], GateStatus.PASS, 2),
        ([("tests (3.11)", "success"), ("tests (3.12)", "failure")], GateStatus.FAIL, 2),
    ],
)
def test_matrix_legs_are_required_by_one_glob(
    standin: GitHubStandIn, legs: list[tuple[str, str]], status: GateStatus, matched: int
) -> None:
    runs = [check_run(i, name, conclusion=c) for i, (name, c) in enumerate(legs, start=1)]
    standin.set_check_runs([*runs, check_run(9, "docs")])
    result = evaluate(standin, required(MATRIX))
    assert result.status is status
    assert result.details["required_checks"] == [
        {"name": "tests (*)", "app": "github-actions", "matched": matched}
    ]
    assert outcomes(result)[("docs", "github-actions", 9)] == "not_required"


def test_a_leg_from_another_app_does_not_satisfy_a_pinned_app(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "tests (3.12)", app="circleci-checks")])
    result = evaluate(standin, required(MATRIX))
    assert (result.status, result.code) == (GateStatus.MISSING, "CHECKS_MISSING")
    assert outcomes(result) == {("tests (3.12)", "circleci-checks", 1): "not_required"}
    assert [(f.code, f.id) for f in result.findings] == [
        ("CHECK_MISSING", "check:tests (*)@github-actions")
    ]


def test_the_same_name_from_two_apps_both_count(standin: GitHubStandIn) -> None:
    standin.set_check_runs(
        [check_run(1, "build"), check_run(2, "build", app="circleci-checks", conclusion="failure")]
    )
    result = evaluate(standin, required("build"))
    assert result.status is GateStatus.FAIL
    assert outcomes(result) == {
        ("build", "github-actions", 1): "pass",
        ("build", "circleci-checks", 2): "fail",
    }
    assert [f.message for f in result.findings] == ["build (app circleci-checks): failure"]
    assert [f.id for f in result.findings] == ["check:build@circleci-checks"]


@pytest.mark.parametrize("min_checks", [1, 3])
def test_too_few_checks_is_never_a_pass(standin: GitHubStandIn, min_checks: int) -> None:
    if min_checks > 1:
        standin.set_check_runs([check_run(1, "build"), check_run(2, "lint")])
    result = evaluate(standin, GitHubChecksSettings(min_checks=min_checks, time_budget=10))
    assert (result.status, result.code) == (GateStatus.MISSING, "TOO_FEW_CHECKS")
    assert [f.code for f in result.findings] == ["TOO_FEW_CHECKS"]


@pytest.mark.parametrize(
    ("allow_missing", "status", "code"),
    [(False, GateStatus.MISSING, "CHECKS_MISSING"), (True, GateStatus.PASS, "CHECKS_PASSED")],
)
def test_a_required_check_that_never_appeared(
    standin: GitHubStandIn, allow_missing: bool, status: GateStatus, code: str
) -> None:
    standin.set_check_runs([check_run(1, "build")])
    result = evaluate(standin, required("build", "security-scan", allow_missing=allow_missing))
    assert (result.status, result.code) == (status, code)
    assert {r["name"]: r["matched"] for r in result.details["required_checks"]} == {
        "build": 1,
        "security-scan": 0,
    }
    if not allow_missing:
        assert "security-scan" in result.message
        assert [f.id for f in result.findings] == ["check:security-scan@*"]
    else:
        assert result.findings == ()


def test_a_failing_check_that_is_not_required_does_not_block(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "docs", conclusion="failure")])
    standin.set_statuses([commit_status(3, "coverage", "failure")])
    result = evaluate(standin, required("build"))
    assert (result.status, result.code) == (GateStatus.PASS, "CHECKS_PASSED")
    assert result.details["outcomes"] == {"pass": 1, "not_required": 2}


def test_ignored_checks_are_not_considered(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "flaky e2e", conclusion="failure")])
    settings = checks_settings(ignore=("flaky *",), time_budget=10)
    result = evaluate(standin, settings)
    assert result.status is GateStatus.PASS
    assert outcomes(result)[("flaky e2e", "github-actions", 2)] == "ignored"


# --- conclusions and statuses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "conclusion",
    ["failure", "cancelled", "timed_out", "action_required", "stale", "startup_failure"],
)
def test_every_non_pass_conclusion_fails(standin: GitHubStandIn, conclusion: str) -> None:
    url = f"https://ci.example.com/{conclusion}"
    standin.set_check_runs(
        [check_run(1, "build"), check_run(2, "scan", conclusion=conclusion, details_url=url)]
    )
    result = evaluate(standin)
    assert (result.status, result.code) == (GateStatus.FAIL, "CHECKS_FAILED")
    [finding] = result.findings
    assert (finding.message, finding.location) == (f"scan (app github-actions): {conclusion}", url)
    assert finding.id == "check:scan@github-actions"


@pytest.mark.parametrize("status", ["queued", "in_progress", "waiting", "requested", "pending"])
def test_every_unfinished_status_is_pending(standin: GitHubStandIn, status: str) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "e2e", status=status)])
    result = evaluate(standin)
    assert (result.status, result.code) == (GateStatus.PENDING, "CHECKS_PENDING")
    assert [(f.code, f.message, f.id) for f in result.findings] == [
        ("CHECK_PENDING", f"e2e (app github-actions): {status}", "check:e2e@github-actions")
    ]
    assert result.details["api"]["polls"] == 1  # without --wait: one read, no waiting


@pytest.mark.parametrize(
    ("conclusions", "status"),
    [
        (("success", "neutral", "skipped"), GateStatus.PASS),
        (("success", "neutral"), GateStatus.FAIL),
    ],
)
def test_skipped_passes_only_when_configured(
    standin: GitHubStandIn, conclusions: tuple[str, ...], status: GateStatus
) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "deploy", conclusion="skipped")])
    result = evaluate(standin, GitHubChecksSettings(pass_conclusions=conclusions))
    assert result.status is status


@pytest.mark.parametrize(
    ("states", "status"),
    [
        (["success"], GateStatus.PASS),
        (["failure"], GateStatus.FAIL),
        (["error"], GateStatus.FAIL),
        (["pending"], GateStatus.PENDING),
        (["failure", "success"], GateStatus.PASS),  # newest per context counts
        (["success", "failure"], GateStatus.FAIL),
    ],
)
def test_commit_statuses(standin: GitHubStandIn, states: list[str], status: GateStatus) -> None:
    standin.set_check_runs([check_run(1, "build")])
    statuses = [commit_status(i, "ci/jenkins", s) for i, s in enumerate(states, start=1)]
    standin.set_statuses([*statuses, commit_status(9, "ci/other")])
    result = evaluate(standin)
    assert result.status is status
    if status is GateStatus.FAIL:  # a status has no app: its id says so
        assert [f.id for f in result.findings] == ["check:ci/jenkins@status"]
    jenkins = [c for c in result.details["checks"] if c["name"] == "ci/jenkins"]
    assert [c["id"] for c in jenkins if c["outcome"] != "superseded"] == [len(states)]


# --- never waiting on itself ------------------------------------------------------------------


def test_own_run_is_excluded_by_check_run_id(standin: GitHubStandIn) -> None:
    standin.set_check_runs(
        [
            check_run(1, "build"),
            check_run(7, "Release gate", status="in_progress"),
            check_run(8, "gate", status="in_progress"),  # named like the job, but not us
        ]
    )
    result = evaluate(standin, extra={**IN_ACTIONS, "MATURITY_CHECK_RUN_ID": "7"})
    assert outcomes(result)[("Release gate", "github-actions", 7)] == "self"
    assert outcomes(result)[("gate", "github-actions", 8)] == "pending"
    assert result.status is GateStatus.PENDING


@pytest.mark.parametrize("name", ["gate", "gate (ubuntu-latest, 3.12)", "release / gate"])
def test_own_run_is_excluded_by_job_name(standin: GitHubStandIn, name: str) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, name, status="in_progress")])
    result = evaluate(standin, extra=IN_ACTIONS)
    assert result.status is GateStatus.PASS
    assert outcomes(result)[(name, "github-actions", 2)] == "self"


@pytest.mark.parametrize(
    ("run", "outcome"),
    [
        (check_run(2, "gate", conclusion="failure"), "fail"),  # finished: an earlier attempt
        (check_run(2, "gate", status="in_progress", app="circleci-checks"), "pending"),
        (check_run(2, "gatekeeper", status="in_progress"), "pending"),
    ],
)
def test_only_an_unfinished_actions_run_of_the_job_is_taken_for_itself(
    standin: GitHubStandIn, run: dict[str, Any], outcome: str
) -> None:
    standin.set_check_runs([check_run(1, "build"), run])
    result = evaluate(standin, extra=IN_ACTIONS)
    assert outcomes(result)[(run["name"], run["app"]["slug"], 2)] == outcome
    assert result.status.value == outcome


# --- where the commit and the API are ---------------------------------------------------------


@pytest.mark.parametrize("annotated", [False, True])
def test_the_commit_is_resolved_from_the_tag(standin: GitHubStandIn, annotated: bool) -> None:
    standin.set_ref("tags/v1.2.3", annotated=annotated)
    standin.set_check_runs([check_run(1, "build")])
    result = evaluate(standin, sha=None, ref=parse_ref("v1.2.3", hint=RefType.TAG))
    assert result.status is GateStatus.PASS
    assert result.details["sha"] == SHA
    assert result.details["sha_resolved_from"] == "refs/tags/v1.2.3"
    assert len(standin.requests_to(r"/git/ref/tags/v1\.2\.3$")) == 1
    assert len(standin.requests_to(r"/git/tags/[0-9a-f]{40}$")) == (1 if annotated else 0)
    assert len(standin.requests_to(rf"/commits/{SHA}/check-runs$")) == 1


def test_an_unknown_tag_is_an_error(standin: GitHubStandIn) -> None:
    result = evaluate(standin, sha=None, ref=parse_ref("v9.9.9", hint=RefType.TAG))
    assert (result.status, result.code) == (GateStatus.ERROR, "GITHUB_NOT_FOUND")


def test_github_enterprise_server_prefix(httpserver: HTTPServer) -> None:
    ghes = GitHubStandIn(httpserver, prefix="/api/v3")
    ghes.set_check_runs([check_run(i, f"job {i}") for i in range(1, 151)])
    ghes.set_statuses([commit_status(1, "ci/jenkins", "failure")])
    result = evaluate(ghes)
    assert (result.status, result.code) == (GateStatus.FAIL, "CHECKS_FAILED")
    assert result.details["api_url"] == ghes.base_url
    assert len(result.details["checks"]) == 151
    assert len(ghes.log) == 3
    assert all(r.path.startswith("/api/v3/") and r.status == 200 for r in ghes.log)
