"""`maturity validate` checks the waivers file too: --waivers FILE, or ci/maturity-waivers.yml
when it exists; its problems are listed (text, GitHub, JSON) and count toward the exit code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from helpers import CliResult, run_cli

from maturity.waivers import DEFAULT_WAIVERS_PATH

ROOT = Path(__file__).resolve().parent.parent
STAGES = (ROOT / "ci" / "maturity-stages.yml").read_text(encoding="utf-8")  # the defaults
TODAY = dt.datetime.now(dt.UTC).date()
SOON = (TODAY + dt.timedelta(days=10)).isoformat()  # margins of days: the run may cross midnight
PAST = (TODAY - dt.timedelta(days=3)).isoformat()
LATER = (TODAY + dt.timedelta(days=60)).isoformat()


def waivers_text(gate: str = "promotion_guard", expires: str = SOON) -> str:
    return (
        "version: 1\n"
        "waivers:\n"
        f"  - gate: {gate}\n"
        "    finding: 'check:e2e@*'\n"
        "    owner: alice\n"
        "    reason: 'INC-123: e2e flaky on the new runners'\n"
        f"    expires: '{expires}'\n"
    )


def setup(tmp_path: Path, waivers: str | None, stages: str = STAGES) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(stages, encoding="utf-8")
    if waivers is not None:
        (tmp_path / DEFAULT_WAIVERS_PATH).write_text(waivers, encoding="utf-8")


def run(tmp_path: Path, *args: str) -> CliResult:
    return run_cli(["validate", *args], tmp_path, timeout=120)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_clean_waivers_file_exits_0(tmp_path: Path) -> None:
    setup(tmp_path, waivers_text())
    for extra in ([], ["--strict"], ["--waivers", DEFAULT_WAIVERS_PATH]):
        result = run(tmp_path, *extra)
        assert result.code == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        assert lines[-2] == "ci/maturity-stages.yml: 0 error(s), 0 warning(s): valid"
        assert lines[-1] == "ci/maturity-waivers.yml: 1 waiver(s), 0 error(s), 0 warning(s): valid"
    out = json.loads(run(tmp_path, "--format", "json").stdout)
    assert out == {
        "file": "ci/maturity-stages.yml",
        "valid": True,
        "problems": [],
        "waivers": {"file": "ci/maturity-waivers.yml", "valid": True, "count": 1, "problems": []},
    }


def test_without_a_waivers_file_nothing_changes(tmp_path: Path) -> None:
    setup(tmp_path, None)
    result = run(tmp_path)
    assert result.code == 0
    assert (
        result.stdout.splitlines()[-1] == "ci/maturity-stages.yml: 0 error(s), 0 warning(s): valid"
    )
    assert "waiver" not in result.stdout
    out = json.loads(run(tmp_path, "--format", "json").stdout)
    assert out == {"file": "ci/maturity-stages.yml", "valid": True, "problems": []}


def test_an_unknown_gate_exits_1_with_its_line(tmp_path: Path) -> None:
    text = waivers_text(gate="promotion_gaurd")
    setup(tmp_path, text)
    line = line_of(text, "promotion_gaurd")
    result = run(tmp_path)
    assert result.code == 1
    assert (
        f"ci/maturity-waivers.yml:{line}:11: error: waivers[0]: unknown gate 'promotion_gaurd'"
        in result.stdout
    )
    lines = result.stdout.splitlines()
    # the stages file's section, then the waivers file's: its problems and its summary
    assert lines[-3] == "ci/maturity-stages.yml: 0 error(s), 0 warning(s): valid"
    assert lines[-2].startswith(f"ci/maturity-waivers.yml:{line}:11: error: ")
    assert lines[-1] == "ci/maturity-waivers.yml: 1 waiver(s), 1 error(s), 0 warning(s)"

    github = run(tmp_path, "--format", "github")
    assert github.code == 1
    assert (
        f"::error file=ci/maturity-waivers.yml,line={line},title=maturity validate::"
        "waivers[0]: unknown gate 'promotion_gaurd'" in github.stdout
    )

    as_json = run(tmp_path, "--format", "json")
    assert as_json.code == 1
    out = json.loads(as_json.stdout)
    assert out["valid"] is False
    assert out["problems"] == []  # the stages file's own
    (problem,) = out["waivers"]["problems"]
    assert problem["severity"] == "error"
    assert problem["line"] == line
    assert problem["where"] == f"ci/maturity-waivers.yml:{line}:11"
    assert "promotion_guard" in problem["remediation"]
    assert out["waivers"]["valid"] is False


def test_an_expired_waiver_is_a_warning_and_fails_with_strict(tmp_path: Path) -> None:
    text = waivers_text(expires=PAST)
    setup(tmp_path, text)
    result = run(tmp_path)
    assert result.code == 0
    line = line_of(text, PAST)
    assert (
        f"ci/maturity-waivers.yml:{line}:14: warning: waivers[0]: expired on {PAST}"
        in result.stdout
    )
    assert result.stdout.splitlines()[-1] == (
        "ci/maturity-waivers.yml: 1 waiver(s), 0 error(s), 1 warning(s): valid"
    )
    strict = run(tmp_path, "--strict")
    assert strict.code == 1
    assert strict.stdout.splitlines()[-1] == (
        "ci/maturity-waivers.yml: 1 waiver(s), 0 error(s), 1 warning(s)"
    )
    assert json.loads(run(tmp_path, "--strict", "--format", "json").stdout)["valid"] is False


def test_stage_caps_come_from_the_stages_file(tmp_path: Path) -> None:
    stages = STAGES + "waivers:\n  max_days:\n    GA: 14\n    PRE_GA: 90\n"
    setup(tmp_path, waivers_text(expires=LATER), stages)
    result = run(tmp_path)
    assert result.code == 0, result.stdout
    (warning,) = [ln for ln in result.stdout.splitlines() if ": warning: " in ln]
    assert warning.startswith("ci/maturity-waivers.yml:7:14: warning: waivers[0]: expires ")
    assert "longer than GA (max_days 14) allows, so it does not count there" in warning
    assert "PRE_GA" not in warning
    assert run(tmp_path, "--strict").code == 1


def test_schema_errors_in_the_waivers_file_exit_1_located(tmp_path: Path) -> None:
    text = waivers_text(gate="freeze").replace(SOON, "next week")
    setup(tmp_path, text)
    result = run(tmp_path)
    assert result.code == 1
    assert (
        f"ci/maturity-waivers.yml:{line_of(text, 'freeze')}:11: error: waivers[0].gate: "
        "a freeze window is not waived" in result.stdout
    )
    assert f"ci/maturity-waivers.yml:{line_of(text, 'next week')}:14: error: " in result.stdout
    assert result.stdout.splitlines()[-1] == "ci/maturity-waivers.yml: 2 error(s), 0 warning(s)"


def test_gates_are_not_checked_against_an_invalid_stages_file(tmp_path: Path) -> None:
    setup(tmp_path, waivers_text(gate="my_gate"), stages=STAGES.replace("version: 1", "version: 9"))
    result = run(tmp_path)
    assert result.code == 1  # the stages file's error
    assert "unknown gate" not in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "ci/maturity-waivers.yml: 1 waiver(s), 0 error(s), 0 warning(s): valid"
    )


def test_waivers_names_another_file(tmp_path: Path) -> None:
    setup(tmp_path, waivers_text(gate="nope"))  # the default one is not read
    (tmp_path / "other.yml").write_text(waivers_text(), encoding="utf-8")
    result = run(tmp_path, "--waivers", "other.yml")
    assert result.code == 0, result.stdout
    assert (
        result.stdout.splitlines()[-1] == "other.yml: 1 waiver(s), 0 error(s), 0 warning(s): valid"
    )


def test_a_missing_waivers_file_given_exits_2(tmp_path: Path) -> None:
    setup(tmp_path, None)
    result = run(tmp_path, "--waivers", "nope.yml")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("maturity: error: nope.yml: no such file\n  fix: ")
    assert "--waivers" in result.stderr


def test_an_unreadable_waivers_file_exits_2_located(tmp_path: Path) -> None:
    text = waivers_text().replace("owner: alice", "owner: alice: bob")
    setup(tmp_path, text)
    result = run(tmp_path)
    assert result.code == 2
    assert result.stderr.startswith(
        f"maturity: error: ci/maturity-waivers.yml:{line_of(text, 'alice: bob')}:"
    )


def test_the_example_file_is_valid(tmp_path: Path) -> None:
    setup(tmp_path, None)
    example = ROOT / "examples" / "waivers" / "maturity-waivers.yml"
    result = run(tmp_path, "--waivers", str(example), "--format", "json")
    out = json.loads(result.stdout)
    # its dates are fixed, so some may have expired by the time this runs: never an error
    assert [p for p in out["waivers"]["problems"] if p["severity"] == "error"] == []
    assert out["waivers"]["count"] == 3


def test_help_names_the_default_waivers_file(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.code == 0
    assert "--waivers WAIVERS_FILE" in result.stdout
    assert DEFAULT_WAIVERS_PATH in " ".join(result.stdout.split())
