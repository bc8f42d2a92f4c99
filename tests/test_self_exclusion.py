"""No environment variable and no default can switch a check off.

* Self-exclusion (the evaluator's own, unfinished run) removes at most one run, only an unfinished
  ``github-actions`` run of this workflow run that is not named in ``required_checks``; the report
  says which and why, and lists the look-alikes it kept.
* ``pass_conclusions`` is ``[success]`` unless neutral/skipped are opted in, and whatever it says,
  a gate where no required check succeeded is not a pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from github_bodies import ACTIONS_RUN_ID
from github_standin import REPO, SHA, TOKEN, GitHubStandIn, check_run, commit_status
from guard_helpers import checks_settings
from helpers import clean_env, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.core import GateStatus
from maturity.github.access import SelfIdentity
from maturity.kinds.github_checks.answers import CheckRunAnswer, StatusAnswer
from maturity.kinds.github_checks.judge import Outcome, judge
from maturity.kinds.github_checks.model import (
    CheckItem,
    CheckKind,
    CommitChecks,
    check_run_item,
    status_item,
)
from maturity.kinds.github_checks.settings import GitHubChecksSettings

RUN = str(ACTIONS_RUN_ID)
ME = SelfIdentity(job="gate", run_id=RUN)


def run(id: int, name: str, **kw: Any) -> CheckItem:
    return check_run_item(CheckRunAnswer.model_validate(check_run(id, name, **kw)))


def unfinished(id: int, name: str, **kw: Any) -> CheckItem:
    return run(id, name, status="in_progress", conclusion=None, **kw)


def status(id: int, context: str, state: str = "success") -> CheckItem:
    return status_item(StatusAnswer.model_validate(commit_status(id, context, state)))


def commit(*items: CheckItem) -> CommitChecks:
    runs = tuple(i for i in items if i.kind is CheckKind.CHECK_RUN)
    return CommitChecks(SHA, runs, tuple(i for i in items if i.kind is CheckKind.STATUS))


def guard(*required: str, **kw: Any) -> GitHubChecksSettings:
    return checks_settings(required, **kw)


def selves(checks: CommitChecks, s: GitHubChecksSettings, me: SelfIdentity) -> list[int]:
    return [v.item.id for v in judge(checks, s, me).verdicts if v.outcome is Outcome.SELF]


# --- what may be the evaluator's own run --------------------------------------------------------


@pytest.mark.parametrize("name", ["gate", "gate (ubuntu, 3.12)", "release / gate", "a / b / gate"])
def test_the_one_unfinished_actions_run_of_this_workflow_run_named_like_the_job(name: str) -> None:
    checks = commit(run(1, "lint"), unfinished(5, name))
    result = judge(checks, guard(), ME)
    assert result.status is GateStatus.PASS
    assert selves(checks, guard(), ME) == [5]
    assert "GITHUB_JOB" in result.self_exclusion.reason


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (run(5, "gate", conclusion="failure"), "completed"),  # an earlier attempt, failed
        (run(5, "gate"), "completed"),  # finished successfully: judged like any check
        (unfinished(5, "gate", app="circleci"), "not github-actions"),
        (unfinished(5, "gate", workflow_run=999), "workflow run 999"),  # another run's job
        (unfinished(5, "gate", details_url="https://ci.example/5"), "does not show"),
    ],
)
def test_the_name_fallback_keeps_every_other_run(other: CheckItem, why: str) -> None:
    checks = commit(run(1, "lint"), other)
    result = judge(checks, guard(), ME)
    judged = {v.item.id: v.outcome for v in result.verdicts}
    assert judged[5] in (Outcome.PASS, Outcome.FAIL, Outcome.PENDING)  # judged like any check
    assert (result.status is GateStatus.PASS) is (other.conclusion == "success")
    kept = result.self_exclusion.kept
    assert [item.id for item, _ in kept] == [5]
    assert why.rsplit(maxsplit=1)[-1] in kept[0][1]


def test_a_check_named_in_required_checks_is_never_taken_for_the_evaluator() -> None:
    # the case: GITHUB_JOB=tests named the in-progress `tests` check, and it was dropped
    checks = commit(run(1, "lint"), unfinished(5, "tests"))
    me = SelfIdentity(job="tests", run_id=RUN)
    result = judge(checks, guard("tests", "lint"), me)
    assert result.status is GateStatus.PENDING
    assert result.self_exclusion.excluded is None
    assert "required_checks" in result.self_exclusion.kept[0][1]
    # by id too: naming a required check's run as our own does not make it go away
    by_id = judge(checks, guard("tests", "lint"), SelfIdentity(check_run_id=5, run_id=RUN))
    assert by_id.status is GateStatus.PENDING


def test_a_glob_in_required_checks_is_not_naming_the_check() -> None:
    checks = commit(run(1, "lint"), unfinished(5, "gate"))
    assert judge(checks, guard("*"), ME).status is GateStatus.PASS


def test_two_runs_named_like_the_job_are_both_kept() -> None:
    checks = commit(run(1, "lint"), unfinished(5, "a / gate"), unfinished(6, "b / gate"))
    result = judge(checks, guard(), ME)
    assert result.status is GateStatus.PENDING
    assert result.self_exclusion.excluded is None
    assert "MATURITY_CHECK_RUN_ID" in result.self_exclusion.reason
    assert {item.id for item, _ in result.self_exclusion.kept} == {5, 6}


@pytest.mark.parametrize(
    ("target", "excluded"),
    [
        (unfinished(7, "Release gate"), True),  # the evaluator's own run, whatever its name
        (run(7, "tests", conclusion="failure"), False),  # the case: a failed run
        (run(7, "tests"), False),
        (unfinished(7, "tests", app="circleci"), False),
        (unfinished(7, "tests", workflow_run=999), False),
    ],
)
def test_the_check_run_id_removes_only_the_evaluators_own_run(
    target: CheckItem, excluded: bool
) -> None:
    me = SelfIdentity(check_run_id=7, job="gate", run_id=RUN)
    checks = commit(run(1, "lint"), target)
    assert selves(checks, guard(), me) == ([7] if excluded else [])
    result = judge(checks, guard(), me)
    passes = excluded or target.conclusion == "success"
    assert (result.status is GateStatus.PASS) is passes


def test_no_workflow_run_no_exclusion() -> None:
    # outside Actions there is no own run: MATURITY_CHECK_RUN_ID and GITHUB_JOB change nothing
    checks = commit(run(1, "lint"), unfinished(7, "gate"))
    for me in (SelfIdentity(check_run_id=7), SelfIdentity(job="gate"), None):
        result = judge(checks, guard(), me)
        assert result.status is GateStatus.PENDING
        assert result.self_exclusion.excluded is None


_names = st.sampled_from(["gate", "tests", "lint", "a / gate", "gate (x)", "deploy"])
_run = st.builds(
    lambda i, name, finished, app, wf: (
        run(i, name, app=app, workflow_run=wf)
        if finished
        else unfinished(i, name, app=app, workflow_run=wf)
    ),
    st.integers(1, 40),
    _names,
    st.booleans(),
    st.sampled_from(["github-actions", "circleci"]),
    st.sampled_from([ACTIONS_RUN_ID, 999]),
)


@settings(max_examples=300, deadline=None)
@given(
    runs=st.lists(_run, max_size=8, unique_by=lambda r: r.id),
    check_run_id=st.none() | st.integers(1, 40),
    job=st.none() | _names,
    required=st.lists(_names, max_size=3),
)
def test_self_exclusion_never_removes_more_than_its_rule_allows(
    runs: list[CheckItem], check_run_id: int | None, job: str | None, required: list[str]
) -> None:
    me = SelfIdentity(check_run_id=check_run_id, job=job, run_id=RUN)
    result = judge(commit(*runs), guard(*required), me)
    dropped = [v.item for v in result.verdicts if v.outcome is Outcome.SELF]
    assert len(dropped) <= 1
    for item in dropped:
        assert item.status != "completed"
        assert item.app == "github-actions"
        assert item.name not in required
        assert f"/actions/runs/{RUN}/" in (item.url or "")
        assert check_run_id is None or item.id == check_run_id
        assert result.self_exclusion.excluded is item


# --- pass conclusions ---------------------------------------------------------------------------


@pytest.mark.parametrize("conclusion", ["neutral", "skipped"])
def test_neutral_and_skipped_are_opt_in(conclusion: str) -> None:
    checks = commit(run(1, "build"), run(2, "deploy", conclusion=conclusion))
    assert judge(checks, guard()).code == "CHECKS_FAILED"
    opted = guard(pass_conclusions=("success", conclusion))
    assert judge(checks, opted).status is GateStatus.PASS


@pytest.mark.parametrize(
    "conclusions", [["skipped"], ["neutral"], ["skipped", "neutral"], ["skipped"] * 30]
)
def test_nothing_succeeded_is_never_a_pass(conclusions: list[str]) -> None:
    checks = commit(*[run(i, f"c{i}", conclusion=c) for i, c in enumerate(conclusions, 1)])
    opted = guard(pass_conclusions=("success", "neutral", "skipped"))
    result = judge(checks, opted)
    assert result.status is GateStatus.FAIL
    assert result.code == "NO_CHECK_SUCCEEDED"
    assert result.remediation
    # a success among them, or a successful commit status, is what makes it a pass
    assert judge(commit(*checks.check_runs, run(99, "build")), opted).status is GateStatus.PASS
    with_status = commit(*checks.check_runs, status(1, "ci/jenkins"))
    assert judge(with_status, opted).status is GateStatus.PASS


@settings(max_examples=300, deadline=None)
@given(
    conclusions=st.lists(
        st.sampled_from(["success", "neutral", "skipped", "failure", "cancelled"]), max_size=6
    ),
    accepted=st.sets(st.sampled_from(["neutral", "skipped"])),
)
def test_a_pass_always_has_a_required_success(conclusions: list[str], accepted: set[str]) -> None:
    checks = commit(*[run(i, f"c{i}", conclusion=c) for i, c in enumerate(conclusions, 1)])
    result = judge(checks, guard(pass_conclusions=("success", *sorted(accepted))))
    if result.status is GateStatus.PASS:
        assert "success" in conclusions
        assert all(c == "success" or c in accepted for c in conclusions)


# --- end to end: the attacks of the issue, through the CLI ------------------------------------


def _evaluate(standin: GitHubStandIn, tmp_path: Path, **extra: str) -> tuple[int, dict[str, Any]]:
    env = clean_env(
        GITHUB_API_URL=standin.base_url,
        GITHUB_TOKEN=TOKEN,
        GITHUB_REPOSITORY=REPO,
        GITHUB_SHA=SHA,
        GITHUB_RUN_ID=RUN,
        **extra,
    )
    args = ["evaluate", "--builtin-config", "--tag", "v1.2.3", "--output-dir", str(tmp_path)]
    for gate in ("observability_verify", "deps_approval", "policy_drift", "field_budgets"):
        (tmp_path / f"{gate}.json").write_text('{"ok": true}', encoding="utf-8")
        args += ["--evidence", f"{gate}={tmp_path / gate}.json"]
    result = run_cli(args, tmp_path, env=env)
    assert result.code in (0, 1), result.stderr
    report = json.loads((tmp_path / "maturity-eval.json").read_text(encoding="utf-8"))
    return result.code, report


def _guard(report: dict[str, Any]) -> dict[str, Any]:
    gate: dict[str, Any] = report["gates"][0]
    assert gate["gate"] == "promotion_guard"
    return gate


def test_check_run_id_of_a_failed_run_does_not_make_ga_go(
    standin: GitHubStandIn, tmp_path: Path
) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "tests", conclusion="failure")])
    code, report = _evaluate(standin, tmp_path, MATURITY_CHECK_RUN_ID="2")
    assert code == 1
    gate = _guard(report)
    assert gate["code"] == "CHECKS_FAILED"
    assert gate["kind"] == "github_checks"
    assert [(f["id"], f["code"]) for f in gate["findings"]] == [
        ("check:tests@github-actions", "CHECK_FAILED")
    ]
    exclusion = gate["details"]["self_exclusion"]
    assert exclusion["excluded"] is None
    assert exclusion["kept"][0]["id"] == 2
    assert "completed" in exclusion["kept"][0]["why"]


def test_github_job_naming_a_check_of_another_run_does_not_make_ga_go(
    standin: GitHubStandIn, tmp_path: Path
) -> None:
    standin.set_check_runs(
        [check_run(1, "build"), check_run(2, "tests", status="in_progress", workflow_run=31337)]
    )
    code, report = _evaluate(standin, tmp_path, GITHUB_JOB="tests")
    assert code == 1
    assert _guard(report)["code"] == "CHECKS_PENDING"


def test_the_report_names_the_run_it_left_out(standin: GitHubStandIn, tmp_path: Path) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "gate", status="in_progress")])
    code, report = _evaluate(standin, tmp_path, GITHUB_JOB="gate")
    assert code == 0
    exclusion = _guard(report)["details"]["self_exclusion"]
    assert exclusion["excluded"] == {"id": 2, "name": "gate", "app": "github-actions"}
    assert "GITHUB_JOB" in exclusion["reason"]


def test_a_ga_commit_whose_checks_were_all_skipped_is_no_go(
    standin: GitHubStandIn, tmp_path: Path
) -> None:
    standin.set_check_runs(
        [check_run(1, "build", conclusion="skipped"), check_run(2, "lint", conclusion="neutral")]
    )
    code, report = _evaluate(standin, tmp_path)
    assert code == 1
    assert _guard(report)["code"] == "CHECKS_FAILED"  # neither counts as passed by default
