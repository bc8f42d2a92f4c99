"""promotion_guard's pure parts: the judge, settings from the stages file, saved answers, Markdown.

The online behaviour (real HTTP) is in test_promotion_guard_online.py and _faults.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from github_standin import SHA, check_run, commit_status, fixture
from guard_helpers import checks_settings

from maturity.config.load import load_config_file
from maturity.core import GateStatus
from maturity.errors import EvidenceError
from maturity.kinds import CATALOG
from maturity.kinds.github_checks.answers import CheckRunAnswer, StatusAnswer
from maturity.kinds.github_checks.judge import judge
from maturity.kinds.github_checks.model import (
    CheckItem,
    CheckKind,
    CommitChecks,
    check_run_item,
    status_item,
)
from maturity.kinds.github_checks.saved_answer import read_checks_file
from maturity.kinds.github_checks.settings import (
    CheckPattern,
    CheckPatternSpec,
    GitHubChecksSettings,
    WaitSpec,
)
from maturity.markdown_text import md_link

EXAMPLES = Path(__file__).parent / "examples" / "configs"


def run(id: int, name: str, **kw: Any) -> CheckItem:
    return check_run_item(CheckRunAnswer.model_validate(check_run(id, name, **kw)))


def status(id: int, context: str, state: str = "success") -> CheckItem:
    return status_item(StatusAnswer.model_validate(commit_status(id, context, state)))


def commit(*items: CheckItem) -> CommitChecks:
    runs = tuple(i for i in items if i.kind is CheckKind.CHECK_RUN)
    return CommitChecks(SHA, runs, tuple(i for i in items if i.kind is CheckKind.STATUS))


def settings(*required: str | CheckPattern, **kw: Any) -> GitHubChecksSettings:
    return checks_settings(required, **kw)


def outcomes(checks: CommitChecks, s: GitHubChecksSettings, **kw: Any) -> dict[str, str]:
    return {f"{v.item.name}#{v.item.id}": v.outcome.value for v in judge(checks, s, **kw).verdicts}


# -- newest run wins -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("failure", "success", GateStatus.PASS),  # a re-run's success replaces the failure
        ("success", "failure", GateStatus.FAIL),  # an old success never hides a newer failure
    ],
)
def test_the_newest_run_per_name_and_app_decides(
    first: str, second: str, status: GateStatus
) -> None:
    # ids decide, not list order or started_at (an app may set started_at to anything)
    checks = commit(
        run(20, "tests", conclusion=second, started_at="2001-01-01T00:00:00Z"),
        run(10, "tests", conclusion=first, started_at="2030-01-01T00:00:00Z"),
    )
    result = judge(checks, settings())
    assert result.status is status
    assert outcomes(checks, settings())["tests#10"] == "superseded"


def test_a_pending_rerun_makes_the_check_pending_again() -> None:
    checks = commit(run(1, "tests"), run(2, "tests", status="in_progress", conclusion=None))
    assert judge(checks, settings()).code == "CHECKS_PENDING"


def test_same_name_from_two_apps_are_two_checks() -> None:
    checks = commit(run(1, "build"), run(2, "build", app="circleci", conclusion="failure"))
    result = judge(checks, settings())
    assert result.status is GateStatus.FAIL
    assert [f.message for f in result.findings] == ["build (app circleci): failure"]
    assert [f.id for f in result.findings] == ["check:build@circleci"]


def test_newest_status_per_context_decides() -> None:
    checks = commit(run(1, "t"), status(5, "ci/jenkins", "failure"), status(9, "ci/jenkins"))
    assert judge(checks, settings()).status is GateStatus.PASS
    checks = commit(run(1, "t"), status(9, "ci/jenkins", "error"), status(5, "ci/jenkins"))
    assert judge(checks, settings()).status is GateStatus.FAIL


# -- what is required ------------------------------------------------------------------------


def test_empty_required_checks_means_every_check() -> None:
    checks = commit(run(1, "lint"), run(2, "docs", conclusion="failure"))
    assert judge(checks, settings()).status is GateStatus.FAIL
    assert judge(checks, settings("lint")).status is GateStatus.PASS
    assert outcomes(checks, settings("lint"))["docs#2"] == "not_required"


def test_a_pinned_app_never_matches_another_app_or_a_status() -> None:
    pinned = CheckPattern("tests (*)", "github-actions")
    checks = commit(run(1, "tests (3.12)", app="circleci"), status(2, "tests (ci)"))
    result = judge(checks, settings(pinned))
    assert result.code == "CHECKS_MISSING"
    assert result.patterns == ((pinned, 0),)
    assert "'tests (*)' (app github-actions)" in result.message


def test_every_matrix_leg_must_pass() -> None:
    legs = [run(i, f"tests ({v})") for i, v in enumerate(["3.11", "3.12", "3.13"], 1)]
    s = settings(CheckPattern("tests (*)", "github-actions"))
    assert judge(commit(*legs), s).status is GateStatus.PASS
    legs.append(run(9, "tests (3.14)", conclusion="timed_out"))
    result = judge(commit(*legs), s)
    assert result.status is GateStatus.FAIL
    assert result.patterns[0][1] == 4


@pytest.mark.parametrize("min_checks", [1, 3])
def test_too_few_checks_is_never_a_pass(min_checks: int) -> None:
    result = judge(
        commit(*[run(i, f"c{i}") for i in range(min_checks - 1)]), settings(min_checks=min_checks)
    )
    assert result.status is GateStatus.MISSING
    assert result.code == "TOO_FEW_CHECKS"
    assert result.waitable  # checks may still appear: --wait keeps polling


def test_allow_missing_accepts_an_absent_required_check_but_not_zero_checks() -> None:
    s = settings("lint", "e2e", allow_missing=True)
    assert judge(commit(run(1, "lint")), s).status is GateStatus.PASS
    assert judge(commit(), s).code == "TOO_FEW_CHECKS"


def test_ignore_drops_checks_before_matching() -> None:
    checks = commit(run(1, "lint"), run(2, "codecov/patch", app="codecov", conclusion="failure"))
    s = settings(ignore=(CheckPattern("codecov/*", "codecov"),))
    assert judge(checks, s).status is GateStatus.PASS
    assert outcomes(checks, s)["codecov/patch#2"] == "ignored"


def test_skipped_passes_only_while_configured() -> None:
    checks = commit(run(1, "lint"), run(2, "deploy", conclusion="skipped"))
    assert judge(checks, settings()).status is GateStatus.FAIL  # default: success only
    opted_in = settings(pass_conclusions=("success", "skipped"))
    assert judge(checks, opted_in).status is GateStatus.PASS


def test_an_unknown_status_or_conclusion_never_passes() -> None:
    # GitHub may add values; anything not known to pass is not a pass
    assert (
        judge(commit(run(1, "t", status="sleeping", conclusion=None)), settings()).status
        is GateStatus.PENDING
    )
    assert (
        judge(commit(run(1, "t", conclusion="mostly_fine")), settings()).status is GateStatus.FAIL
    )
    assert (
        judge(commit(run(1, "t"), status(2, "s", "unknown")), settings()).status is GateStatus.FAIL
    )


def test_fail_outranks_pending_outranks_missing() -> None:
    checks = commit(
        run(1, "a", conclusion="failure"), run(2, "b", status="queued", conclusion=None)
    )
    result = judge(checks, settings("a", "b", "c"))
    assert result.code == "CHECKS_FAILED"
    assert [f.code for f in result.findings] == ["CHECK_FAILED", "CHECK_PENDING", "CHECK_MISSING"]
    # stable ids a waiver can name; a missing pattern is named by its glob and any app
    assert [f.id for f in result.findings] == [
        "check:a@github-actions",
        "check:b@github-actions",
        "check:c@*",
    ]
    assert not result.waitable  # a failure is final: no point waiting


def test_findings_are_capped_but_counted() -> None:
    checks = commit(*[run(i, f"c{i}", conclusion="failure") for i in range(1, 121)])
    result = judge(checks, settings())
    assert len(result.findings) == 50
    assert result.findings[-1].message == "and 71 more (all are in the JSON report)"
    assert result.message.startswith("120 of 120 required checks failed: c1")


# -- settings from the stages file -----------------------------------------------------------


def test_settings_come_from_the_stages_file() -> None:
    config = load_config_file(EXAMPLES / "valid" / "promotion-guard-settings.yml", CATALOG, "x.yml")
    spec = config.gates["promotion_guard"]
    assert spec.kind == "github_checks"
    got = spec.settings
    assert isinstance(got, GitHubChecksSettings)
    assert got.required_checks == (
        "lint",
        CheckPatternSpec(name="tests (*)", app="github-actions"),
        "security/snyk*",
    )
    assert got.required == (
        CheckPattern("lint"),
        CheckPattern("tests (*)", "github-actions"),
        CheckPattern("security/snyk*"),
    )
    assert got.ignored == (
        CheckPattern("maturity / evaluate"),
        CheckPattern("codecov/*", "codecov"),
    )
    assert got.pass_conclusions == ("success", "neutral")
    assert not got.allow_missing
    assert got.wait == WaitSpec(timeout=900.0, interval=7.5)
    assert (got.min_checks, got.wait.timeout, got.wait.interval, got.time_budget) == (
        3,
        900.0,
        7.5,
        60.0,
    )


def test_a_gate_without_settings_gets_the_kinds_defaults() -> None:
    config = load_config_file(EXAMPLES / "valid" / "minimal.yml", CATALOG, "x.yml")
    spec = config.gates["promotion_guard"]
    assert spec.settings is None  # no block in the file: the kind makes its defaults when run
    defaults = GitHubChecksSettings()
    assert (defaults.required, defaults.ignored, defaults.pass_conclusions) == (
        (),
        (),
        ("success",),
    )
    assert (defaults.allow_missing, defaults.min_checks, defaults.time_budget) == (False, 1, 120)
    assert defaults.wait == WaitSpec(timeout=600, interval=15)


# -- saved answers ---------------------------------------------------------------------------


def _save(tmp_path: Path, *docs: Any, sep: str = "\n") -> Path:
    path = tmp_path / "checks.json"
    path.write_text(sep.join(json.dumps(d) for d in docs), encoding="utf-8")
    return path


def _pages() -> tuple[dict[str, Any], dict[str, Any]]:
    runs = {"total_count": 2, "check_runs": [check_run(1, "a"), check_run(2, "b")]}
    combined = fixture("combined-status.example.json")
    combined.update(sha=SHA, total_count=1, statuses=[commit_status(3, "ci")])
    return runs, combined


@pytest.mark.parametrize("sep", ["", "\n", "\r\n\t "])
def test_saved_pages_back_to_back_or_slurped(tmp_path: Path, sep: str) -> None:
    runs, combined = _pages()
    for path in (_save(tmp_path, runs, combined, sep=sep), _save(tmp_path, [runs], [combined])):
        checks, record = read_checks_file(path, "checks.json", SHA)
        assert [c.name for c in checks.check_runs] == ["a", "b"]
        assert [c.name for c in checks.statuses] == ["ci"]
        assert record.kind == "checks-file"


@pytest.mark.parametrize(
    ("mutate", "code", "words"),
    [
        (lambda r, c: [r], "INVALID_EVIDENCE", "holds no statuses"),
        (lambda r, c: [c], "INVALID_EVIDENCE", "holds no check runs"),
        (lambda r, c: [r, c, {"x": 1}], "INVALID_EVIDENCE", "page 3 is neither"),
        (lambda r, c: [{**r, "total_count": 3}, c], "INCOMPLETE_LISTING", "counts 3 check runs"),
        (lambda r, c: [{**r, "check_runs": "no"}, c], "MALFORMED_ANSWER", "check_runs"),
        (lambda r, c: [r, {**c, "sha": "f" * 40}], "WRONG_COMMIT", "not of the commit"),
    ],
)
def test_saved_answers_that_cannot_decide(
    tmp_path: Path, mutate: Any, code: str, words: str
) -> None:
    runs, combined = _pages()
    path = _save(tmp_path, *mutate(runs, combined))
    with pytest.raises(EvidenceError) as caught:
        read_checks_file(path, "checks.json", SHA)
    assert caught.value.code == code
    assert words in caught.value.message
    assert "gh api --paginate" in caught.value.remediation or code != "INVALID_EVIDENCE"


@pytest.mark.parametrize(
    "body", [b'{"total_count": 1, "check_runs": [', b"NaN", b"\xff\xfe", b'{"a": 1} garbage']
)
def test_saved_answers_that_are_not_json(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "checks.json"
    path.write_bytes(body)
    with pytest.raises(EvidenceError) as caught:
        read_checks_file(path, "checks.json", None)
    assert caught.value.code == "INVALID_EVIDENCE"


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(EvidenceError, match="not a regular file"):
        read_checks_file(fifo, "fifo", None)


# -- Markdown links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ci.example/1", "[a](https://ci.example/1)"),
        ("https://x/a b)|<c>", "[a](https://x/a%20b%29%7C%3Cc%3E)"),
        ("https://x/ü", "[a](https://x/%C3%BC)"),
        ("javascript:alert(1)", "a"),
        (None, "a"),
    ],
)
def test_md_link_keeps_urls_inside_the_link(url: str | None, expected: str) -> None:
    assert md_link("a", url) == expected
