"""Break glass end to end through ``maturity evaluate``: freeze windows, overrides, waivers and
the audit log, offline (user entries; team membership and follow-up issues are in the
stand-in tests).

The stages file is ``examples/stages/break-glass.yml``: a year-end window and a weekly
weekend window (Europe/Berlin) freeze GA; octocat (or octo-org/release-managers) may override
promotion_guard, observability_verify and the freeze at GA, anything at PRE_GA, with a reason
of 20+ characters naming an INC- or CHG- id; waivers run at most 14 days at GA, 30 at PRE_GA.
Every report written is validated against the committed report schema.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    GATE_NAMES,
    REPO_ROOT,
    CliResult,
    assert_valid_report,
    clean_env,
    gate,
    parse_github_output,
    run_cli,
)

EXAMPLE = REPO_ROOT / "examples" / "stages" / "break-glass.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"
REASON = "INC-4711: hotfix for the login outage"
#: inside the year-end window (2026-12-20T00:00+01:00 to 2027-01-04T08:00+01:00), a Thursday
FROZEN = "2026-12-24T10:00:00Z"
#: a Wednesday afternoon, in no window
OPEN = "2026-12-02T12:00:00Z"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "ci").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "ci" / "maturity-stages.yml")
    for name in GATE_NAMES:
        write(tmp_path / "ev" / f"{name}.json", {"ok": True})
    return tmp_path


def write(path: Path, body: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body) if not isinstance(body, str) else body, encoding="utf-8")
    return path


def fail_checks(ws: Path) -> None:
    write(
        ws / "ev" / "promotion_guard.json",
        {"ok": False, "code": "CHECKS_FAILED", "message": "e2e failed on the release commit"},
    )


def evaluate(
    ws: Path, tag: str, *extra: str, actor: str | None = "octocat", **env: str
) -> tuple[CliResult, dict[str, Any] | None]:
    environment = clean_env(**env)
    if actor is not None:
        environment["GITHUB_ACTOR"] = actor
    result = run_cli(
        ["evaluate", "--tag", tag, "--sha", SHA, "--evidence-dir", "ev", *extra], ws, environment
    )
    path = ws / "dist" / "maturity" / "maturity-eval.json"
    if result.code == 2:
        assert not path.exists(), "exit 2 must leave no report"
        return result, None
    data = json.loads(path.read_text(encoding="utf-8"))
    assert_valid_report(data)
    return result, data


# -- freeze windows --------------------------------------------------------------------------


def test_a_ga_tag_in_the_year_end_window_is_frozen(ws: Path) -> None:
    result, data = evaluate(ws, "v1.2.3", "--now", FROZEN)
    assert result.code == 1, result.stdout + result.stderr
    assert data is not None
    assert data["verdict"] == "NO-GO"
    freeze = gate(data, "freeze")
    assert (freeze["status"], freeze["code"], freeze["blocking"]) == ("fail", "FREEZE_WINDOW", True)
    assert "year-end" in freeze["message"]
    assert "Only incident fixes ship" in freeze["message"]
    assert "2027-01-04T07:00:00Z" in freeze["message"]  # the end in UTC
    assert "08:00 +01:00" in freeze["message"]  # and as written
    assert data["freeze"]["window"] == "year-end"
    assert data["freeze"]["ends_utc"] == "2027-01-04T07:00:00Z"
    assert data["clock"] == {"now": FROZEN, "source": "--now"}
    # the other gates still ran: the report says what else would block
    assert gate(data, "promotion_guard")["status"] == "pass"
    markdown = (ws / "dist" / "maturity" / "maturity-eval.md").read_text(encoding="utf-8")
    assert "## Freeze window" in markdown
    assert "FREEZE_WINDOW" in result.stdout


def test_the_freeze_only_holds_the_stages_it_lists(ws: Path) -> None:
    result, data = evaluate(ws, "v1.2.3-rc.1", "--now", FROZEN)
    assert result.code == 0, result.stdout
    assert data is not None
    assert data["freeze"] is None
    assert all(g["gate"] != "freeze" for g in data["gates"])


@pytest.mark.parametrize(
    ("now", "frozen"),
    [
        ("2026-12-04T14:59:59Z", False),  # Fri 15:59:59 CET
        ("2026-12-04T15:00:00Z", True),  # Fri 16:00 CET: the window opens (inclusive)
        ("2026-12-07T06:59:59Z", True),  # Mon 07:59:59 CET
        ("2026-12-07T07:00:00Z", False),  # Mon 08:00 CET: it has closed (exclusive)
        ("2026-12-05T12:00:00+09:00", True),  # any offset reads as the same instant
    ],
)
def test_the_weekly_window_at_its_edges(ws: Path, now: str, frozen: bool) -> None:
    result, data = evaluate(ws, "v1.2.3", "--now", now)
    assert data is not None
    assert (result.code == 1) is frozen
    assert (data["freeze"] is not None) is frozen
    if frozen:
        assert data["freeze"]["window"] == "weekend"
        assert data["freeze"]["ends_local"].endswith("+01:00")


@pytest.mark.parametrize("now", ["2026-12-24T10:00:00", "yesterday", "2026-13-01T00:00:00Z"])
def test_a_bad_now_is_a_usage_error(ws: Path, now: str) -> None:
    result, _ = evaluate(ws, "v1.2.3", "--now", now)
    assert result.code == 2
    assert "--now" in result.stderr


def test_without_now_the_report_says_the_system_clock(ws: Path) -> None:
    _, data = evaluate(ws, "v1.2.3-rc.1")
    assert data is not None
    assert data["clock"]["source"] == "system clock"


# -- overrides -------------------------------------------------------------------------------


def test_override_freeze_lets_a_frozen_run_through_and_says_so(ws: Path, tmp_path: Path) -> None:
    output = tmp_path / "gh-output"
    result, data = evaluate(
        ws,
        "v1.2.3",
        "--now",
        FROZEN,
        "--override-freeze",
        "--reason",
        REASON,
        GITHUB_ACTIONS="true",
        GITHUB_OUTPUT=str(output),
    )
    assert result.code == 0, result.stdout + result.stderr
    assert data is not None
    assert data["verdict"] == "GO"
    assert data["verdict_line"] == "GO (break glass: 1 override(s))"
    freeze = gate(data, "freeze")
    assert (freeze["status"], freeze["overridden"], freeze["blocking"]) == ("fail", True, False)
    assert data["freeze"]["overridden"] is True
    [override] = data["overrides"]
    assert override["gate"] == "freeze"
    assert override["actor"] == "octocat"
    assert override["allowed_by"] == "user octocat"
    assert override["reason"] == REASON
    assert override["status_before"] == "fail"
    assert override["code_before"] == "FREEZE_WINDOW"
    assert override["follow_up_url"] is None
    assert data["summary"]["overridden"] == 1
    outputs = parse_github_output(output.read_text(encoding="utf-8"))
    assert outputs["verdict"] == "GO"
    assert outputs["overrides"] == "1"
    assert "::warning title=maturity%3A break glass on freeze at GA::" in result.stdout
    assert "GO (break glass: 1 override(s))" in result.stdout
    markdown = (ws / "dist" / "maturity" / "maturity-eval.md").read_text(encoding="utf-8")
    assert "# ✅ GO \\(break glass\\: 1 override\\(s\\)\\)" in markdown
    assert "## Break glass" in markdown
    assert "INC\\-4711" in markdown


def test_an_overridden_gate_keeps_what_it_said(ws: Path) -> None:
    fail_checks(ws)
    result, data = evaluate(
        ws, "v1.2.3", "--now", OPEN, "--override", "promotion_guard", "--reason", REASON
    )
    assert result.code == 0, result.stderr
    assert data is not None
    guard = gate(data, "promotion_guard")
    assert guard["status"] == "fail"
    assert guard["code"] == "CHECKS_FAILED"
    assert guard["message"] == "e2e failed on the release commit"
    assert guard["findings"][0]["status"] == "fail"
    assert guard["overridden"] is True
    assert data["blocking"] == []


def test_the_user_entry_matches_case_insensitively(ws: Path) -> None:
    fail_checks(ws)
    result, data = evaluate(
        ws,
        "v1.2.3",
        "--now",
        OPEN,
        "--override",
        "promotion_guard",
        "--reason",
        REASON,
        actor="OctoCat",
    )
    assert result.code == 0, result.stderr
    assert data is not None
    assert data["overrides"][0]["actor"] == "OctoCat"


REFUSALS = [
    # (actor, tag, flags, rule named in the message)
    ("mallory", "v1.2.3", ["--override", "promotion_guard", "--reason", REASON], "allowed_actors"),
    (
        "octocat",
        "v1.2.3",
        ["--override", "promotion_guard", "--reason", "INC-1 too short"],
        "min_reason_length",
    ),
    (
        "octocat",
        "v1.2.3",
        ["--override", "promotion_guard", "--reason", "a long reason with no incident id"],
        "reason_pattern",
    ),
    ("octocat", "v1.2.3", ["--override", "deps_approval", "--reason", REASON], "stages"),
    ("octocat", "main", ["--override", "promotion_guard", "--reason", REASON], "stages"),
    (None, "v1.2.3", ["--override", "promotion_guard", "--reason", REASON], "GITHUB_ACTOR"),
]


@pytest.mark.parametrize(("actor", "tag", "flags", "rule"), REFUSALS)
def test_an_override_that_is_not_allowed_is_refused(
    ws: Path, actor: str | None, tag: str, flags: list[str], rule: str
) -> None:
    fail_checks(ws)
    result, _ = evaluate(ws, tag, "--now", OPEN, *flags, actor=actor)
    assert result.code == 2, result.stdout + result.stderr
    assert rule in result.stderr
    assert "fix:" in result.stderr
    assert "GO" not in result.stdout


def test_overriding_a_gate_that_does_not_block_is_refused(ws: Path) -> None:
    result, _ = evaluate(
        ws, "v1.2.3", "--now", OPEN, "--override", "promotion_guard", "--reason", REASON
    )
    assert result.code == 2
    assert "nothing to override" in result.stderr
    assert "promotion_guard" in result.stderr


def test_override_freeze_when_no_window_is_in_force_is_refused(ws: Path) -> None:
    result, _ = evaluate(ws, "v1.2.3", "--now", OPEN, "--override-freeze", "--reason", REASON)
    assert result.code == 2
    assert "no freeze window is in force" in result.stderr


def test_without_a_break_glass_section_no_override_is_allowed(ws: Path) -> None:
    fail_checks(ws)
    result = run_cli(
        [
            "evaluate",
            "--builtin-config",
            "--tag",
            "v1.2.3",
            "--evidence-dir",
            "ev",
            "--override",
            "promotion_guard",
            "--reason",
            REASON,
        ],
        ws,
        clean_env(GITHUB_ACTOR="octocat"),
    )
    assert result.code == 2
    assert "break_glass" in result.stderr


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--reason", REASON], "nothing is overridden"),
        (["--override", "promotion_guard"], "--reason"),
        (["--override", "promotion_guard", "--reason", "   "], "--reason"),
        (["--override", "no_such_gate", "--reason", REASON], "unknown gate"),
    ],
)
def test_override_flags_that_make_no_sense_are_usage_errors(
    ws: Path, flags: list[str], said: str
) -> None:
    fail_checks(ws)
    result, _ = evaluate(ws, "v1.2.3", "--now", OPEN, *flags)
    assert result.code == 2
    assert said in result.stderr


# -- audit log -------------------------------------------------------------------------------


#: an override of promotion_guard on a day with no freeze window
OVERRIDE_GUARD = ("--now", OPEN, "--override", "promotion_guard", "--reason", REASON)


def audit_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_run_appends_a_chained_line_with_the_reports_digests(ws: Path, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    fail_checks(ws)
    first, _ = evaluate(ws, "v1.2.3", "--now", OPEN, "--audit-log", str(log))
    assert first.code == 1
    second, data = evaluate(
        ws,
        "v1.2.3",
        "--now",
        FROZEN,
        "--override",
        "promotion_guard",
        "--override-freeze",
        "--reason",
        REASON,
        "--audit-log",
        str(log),
    )
    assert second.code == 0, second.stderr
    assert data is not None
    lines = audit_lines(log)
    assert [line["verdict"] for line in lines] == ["NO-GO", "GO"]
    assert lines[0]["prev"] == "0" * 64
    raw = log.read_bytes().split(b"\n")
    assert lines[1]["prev"] == hashlib.sha256(raw[0]).hexdigest()
    last = lines[1]
    assert [o["gate"] for o in last["overrides"]] == ["promotion_guard", "freeze"]
    assert last["freeze"] == {"window": "year-end", "active": True, "overridden": True}
    assert last["clock"] == {"now": FROZEN, "set": True}
    assert last["subject"]["ref"] == "refs/tags/v1.2.3"
    assert last["subject"]["actor"] == "octocat"
    folder = ws / "dist" / "maturity"
    for name in ("maturity-eval.json", "maturity-eval.md"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert last["sha256"]["reports"][name] == digest
    assert last["sha256"]["config"] == data["config"]["sha256"]
    assert (
        last["sha256"]["evidence"]["promotion_guard:ev/promotion_guard.json"]
        == (gate(data, "promotion_guard")["evidence"][0]["sha256"])
    )
    assert data["audit_log"] == str(log)
    head = hashlib.sha256(raw[1]).hexdigest()
    assert head in second.stderr  # printed, to keep as an anchor
    verify = run_cli(["audit", "verify", str(log), "--anchor", head], ws)
    assert verify.code == 0, verify.stdout + verify.stderr


def test_a_refused_override_is_recorded(ws: Path, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    fail_checks(ws)
    result, _ = evaluate(ws, "v1.2.3", *OVERRIDE_GUARD, "--audit-log", str(log), actor="mallory")
    assert result.code == 2
    [line] = audit_lines(log)
    assert line["event"] == "refusal"
    assert line["verdict"] is None
    assert line["refusal"]["rule"] == "allowed_actors"
    assert line["subject"]["actor"] == "mallory"
    assert line["overrides"][0]["gate"] == "promotion_guard"
    assert run_cli(["audit", "verify", str(log)], ws).code == 0


def test_a_run_that_cannot_record_its_line_gives_no_verdict(ws: Path, tmp_path: Path) -> None:
    log = tmp_path / "a-folder"
    log.mkdir()
    fail_checks(ws)
    result, _ = evaluate(ws, "v1.2.3", *OVERRIDE_GUARD, "--audit-log", str(log))
    assert result.code == 2
    assert "GO" not in result.stdout
    assert not (ws / "dist").exists()


# -- waivers ---------------------------------------------------------------------------------


def waive(ws: Path, *entries: dict[str, Any]) -> None:
    lines = ["version: 1", "waivers:"]
    for entry in entries:
        lines.append(f"  - gate: {entry['gate']}")
        for key in ("finding", "owner", "reason", "expires", "evidence_sha256"):
            if key in entry:
                lines.append(f"    {key}: {json.dumps(entry[key])}")
    write(ws / "ci" / "maturity-waivers.yml", "\n".join(lines) + "\n")


WAIVER = {
    "gate": "promotion_guard",
    "finding": "evidence:ev/promotion_guard.json",
    "owner": "alice",
    "reason": "INC-12: the e2e suite is broken on the new runners",
    "expires": "2026-12-10",
}


def test_a_waived_gate_does_not_block_and_is_not_a_pass(ws: Path) -> None:
    fail_checks(ws)
    waive(ws, WAIVER)
    result, data = evaluate(ws, "v1.2.3", "--now", OPEN)
    assert result.code == 0, result.stdout + result.stderr
    assert data is not None
    guard = gate(data, "promotion_guard")
    assert guard["status"] == "waived"
    assert guard["blocking"] is False
    assert guard["findings"][0]["waiver"] == "ci/maturity-waivers.yml:3"
    [used] = data["waivers"]["used"]
    assert (used["state"], used["owner"], used["finding"]) == (
        "applied",
        "alice",
        "evidence:ev/promotion_guard.json",
    )
    assert data["summary"]["waived"] == 1
    assert data["summary"]["passed"] == 4
    markdown = (ws / "dist" / "maturity" / "maturity-eval.md").read_text(encoding="utf-8")
    assert "## Waivers" in markdown
    assert "no required gate blocks (1 waived: see below)." in markdown


@pytest.mark.parametrize(
    ("now", "code", "state"),
    [
        ("2026-12-10T23:59:59Z", 0, "applied"),  # the last day counts
        ("2026-12-11T00:00:00Z", 1, "expired"),  # the day after does not
    ],
)
def test_a_waiver_expires_the_day_after_its_date(ws: Path, now: str, code: int, state: str) -> None:
    fail_checks(ws)
    waive(ws, WAIVER)
    result, data = evaluate(ws, "v1.2.3-rc.1", "--now", now)
    assert result.code == code, result.stdout
    assert data is not None
    assert data["waivers"]["used"][0]["state"] == state
    if state == "expired":
        codes = [f["code"] for f in gate(data, "promotion_guard")["findings"]]
        assert "WAIVER_EXPIRED" in codes


def test_a_waiver_bound_to_evidence_lapses_when_it_changes(ws: Path) -> None:
    fail_checks(ws)
    digest = hashlib.sha256((ws / "ev" / "promotion_guard.json").read_bytes()).hexdigest()
    waive(ws, {**WAIVER, "evidence_sha256": digest})
    result, data = evaluate(ws, "v1.2.3", "--now", OPEN)
    assert result.code == 0, result.stdout
    assert data is not None
    assert gate(data, "promotion_guard")["evidence_sha256"] == digest
    write(
        ws / "ev" / "promotion_guard.json",
        {"ok": False, "code": "CHECKS_FAILED", "message": "now lint fails as well"},
    )
    result, data = evaluate(ws, "v1.2.3", "--now", OPEN)
    assert result.code == 1
    assert data is not None
    assert data["waivers"]["used"][0]["state"] == "lapsed"
    assert "WAIVER_LAPSED" in [f["code"] for f in gate(data, "promotion_guard")["findings"]]


def test_the_stage_cap_refuses_a_long_waiver_at_ga_only(ws: Path) -> None:
    fail_checks(ws)
    waive(ws, {**WAIVER, "expires": "2026-12-22"})  # 20 days after OPEN: GA caps at 14
    result, data = evaluate(ws, "v1.2.3", "--now", OPEN)
    assert result.code == 1
    assert data is not None
    assert data["waivers"]["used"][0]["state"] == "too_long"
    result, data = evaluate(ws, "v1.2.3-rc.1", "--now", OPEN)  # PRE_GA allows 30
    assert result.code == 0
    assert data is not None
    assert gate(data, "promotion_guard")["status"] == "waived"


def test_a_waivers_file_naming_an_unknown_gate_stops_the_run(ws: Path) -> None:
    waive(ws, {**WAIVER, "gate": "no_such_gate"})
    result, _ = evaluate(ws, "v1.2.3", "--now", OPEN)
    assert result.code == 2
    assert "no_such_gate" in result.stderr


def test_waivers_flag_names_a_file_that_must_exist(ws: Path) -> None:
    result, _ = evaluate(ws, "v1.2.3", "--now", OPEN, "--waivers", "nope.yml")
    assert result.code == 2
    assert "--waivers" in result.stderr
