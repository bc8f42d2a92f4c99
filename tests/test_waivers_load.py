"""Loading the waivers file: located errors (file:line:col), dates, and validate's checks."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from maturity.config.types import Problem, Severity
from maturity.errors import ConfigError
from maturity.waivers.load import check_waivers_file, load_waivers_file
from maturity.waivers.models import WaiversFile

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
DIGEST = hashlib.sha256(b"evidence").hexdigest()

ENTRY = """\
  - gate: promotion_guard
    finding: 'check:e2e@*'
    owner: alice
    reason: 'INC-123: e2e flaky on the new runners'
    expires: '2026-12-15'
"""
GOOD = f"""\
# yaml-language-server: $schema=../schemas/maturity-waivers.schema.json
version: 1
waivers:
{ENTRY}
  - gate: policy_drift          # bound to the evidence it was granted for
    finding: 'evidence:dist/*.json'
    owner: octo-org/platform-team
    reason: "CHG-2041: approved, rolls out Monday"
    expires: '2026-12-31'
    evidence_sha256: {DIGEST}
"""


def write(tmp_path: Path, text: str, name: str = "waivers.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def position(text: str, needle: str) -> str:
    """``line:col`` of the first *needle* in *text* (1-based)."""
    at = text.index(needle)
    return f"{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_waivers_file(write(tmp_path, text), "ci/maturity-waivers.yml")
    assert "maturity validate --waivers ci/maturity-waivers.yml" in caught.value.remediation
    return caught.value.message


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    ws = load_waivers_file(path, "ci/maturity-waivers.yml")
    assert ws.source == "ci/maturity-waivers.yml"
    assert ws.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    first, second = ws.waivers
    assert (first.index, first.where, first.gate, first.finding, first.owner) == (
        0,
        "ci/maturity-waivers.yml:4",
        "promotion_guard",
        "check:e2e@*",
        "alice",
    )
    assert first.reason == "INC-123: e2e flaky on the new runners"
    assert first.expires == dt.date(2026, 12, 15)
    assert first.evidence_sha256 is None
    assert second.where == f"ci/maturity-waivers.yml:{position(GOOD, '- gate: policy_drift')[:2]}"
    assert second.evidence_sha256 == DIGEST
    assert second.matches("evidence:dist/a/b.json")
    assert not second.matches("evidence:build/a.json")


def test_the_display_name_defaults_to_the_path(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert load_waivers_file(path).waivers[0].where == f"{path}:4"


BAD = [
    # (id, replaced, replacement, needle at the reported place, message fragment)
    ("bad date", "'2026-12-15'", "'2026-13-01'", "'2026-13-01'", "2026-13-01 is not a day"),
    ("date with a time", "'2026-12-15'", "'2026-12-15T10:00:00Z'", "'2026-12-15T", "YYYY-MM-DD"),
    ("date in another form", "'2026-12-15'", "'15.12.2026'", "'15.12.2026'", "YYYY-MM-DD"),
    ("date as a number", "'2026-12-15'", "20261215", "20261215", "YYYY-MM-DD"),
    ("bad glob", "'check:e2e@*'", "'check:[e2e@*'", "'check:[e2e", "invalid glob: unclosed '['"),
    ("empty glob", "'check:e2e@*'", "''", "''", "invalid glob: the pattern is empty"),
    ("upper-case digest", DIGEST, DIGEST.upper(), DIGEST.upper(), "64 lower-case hex digits"),
    ("short digest", DIGEST, DIGEST[:40], DIGEST[:40], "64 lower-case hex digits"),
    ("freeze", "gate: promotion_guard", "gate: freeze", "freeze", "a freeze window is not waived"),
    ("gate name", "gate: promotion_guard", "gate: Promotion", "Promotion", "not a gate name"),
    ("owner", "owner: alice", "owner: 'al ice'", "'al ice'", "give a GitHub user"),
    (
        "short reason",
        "'INC-123: e2e flaky on the new runners'",
        "'flaky'",
        "'flaky'",
        "at least 10",
    ),
    (
        "blank reason",
        "'INC-123: e2e flaky on the new runners'",
        "'          x'",
        "'   ",
        "at least 10",
    ),
    (
        "unknown key",
        "    owner: alice\n",
        "    owner: alice\n    ownr: bob\n",
        "ownr",
        "unknown field 'ownr'",
    ),
    ("null digest", f"evidence_sha256: {DIGEST}", "evidence_sha256: null", "null", "empty"),
    ("version", "version: 1", "version: 2", "2\nwaivers", "version: Input should be 1"),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_located_errors(tmp_path: Path, old: str, new: str, needle: str, fragment: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    message = load_error(tmp_path, text)
    assert message.startswith("ci/maturity-waivers.yml: 1 error(s) in the waivers file:\n")
    (line,) = message.splitlines()[1:]
    # an unknown key is reported at the key, a bad value at the value
    assert line.startswith(f"ci/maturity-waivers.yml:{position(text, needle)}: error: "), line
    assert fragment in line


def test_a_missing_field_is_reported_at_its_entry(tmp_path: Path) -> None:
    text = GOOD.replace("    owner: alice\n", "", 1)
    message = load_error(tmp_path, text)
    assert f"ci/maturity-waivers.yml:{position(text, 'gate: promotion_guard')}: error: " in message
    assert "waivers[0]: missing required field 'owner'" in message


def test_every_error_is_listed(tmp_path: Path) -> None:
    text = GOOD.replace("gate: promotion_guard", "gate: freeze").replace(DIGEST, "nope")
    message = load_error(tmp_path, text)
    assert message.splitlines()[0] == "ci/maturity-waivers.yml: 2 error(s) in the waivers file:"
    assert "waivers[0].gate" in message
    assert "waivers[1].evidence_sha256" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- a\n- b\n", "the document must be a mapping with version, waivers"),
        ("version: 1\n", "missing required field 'waivers'"),
        ("version: 1\nwaivers: {}\n", "waivers: Input should be a valid list"),
    ],
)
def test_wrong_shapes(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in load_error(tmp_path, text)


def test_at_most_1000_waivers(tmp_path: Path) -> None:
    head = "version: 1\nwaivers:\n"
    assert load_waivers_file(write(tmp_path, head + ENTRY * 1000)).waivers[-1].index == 999
    assert "at most 1000 items" in load_error(tmp_path, head + ENTRY * 1001)


def test_an_empty_list_is_no_waivers(tmp_path: Path) -> None:
    assert load_waivers_file(write(tmp_path, "version: 1\nwaivers: []\n")).waivers == ()


# --- dates: text or a YAML date ------------------------------------------------------------------


def test_a_quoted_date_is_a_date(tmp_path: Path) -> None:
    for quoted in ("'2026-12-15'", '"2026-12-15"'):
        text = GOOD.replace("'2026-12-15'", quoted)
        ws = load_waivers_file(write(tmp_path, text))
        assert ws.waivers[0].expires == dt.date(2026, 12, 15)


def entry(**changes: object) -> dict[str, object]:
    return {
        "gate": "promotion_guard",
        "finding": "check:e2e@*",
        "owner": "alice",
        "reason": "INC-123: flaky on new runners",
        "expires": "2026-12-15",
        **changes,
    }


def test_a_date_value_is_taken_as_it_is() -> None:
    """A YAML 1.1 loader gives ``expires: 2026-12-15`` as a date: the model takes that too."""
    as_date = WaiversFile.model_validate(
        {"version": 1, "waivers": [entry(expires=dt.date(2026, 12, 15))]}
    )
    as_text = WaiversFile.model_validate({"version": 1, "waivers": [entry()]})
    assert as_date == as_text
    assert as_date.waivers[0].expires == dt.date(2026, 12, 15)


def test_a_datetime_value_is_refused() -> None:
    with pytest.raises(ValueError, match="without a time"):
        WaiversFile.model_validate(
            {"version": 1, "waivers": [entry(expires=dt.datetime(2026, 12, 15, tzinfo=dt.UTC))]}
        )


def test_a_bare_date_is_a_date(tmp_path: Path) -> None:
    """The loader keeps an unquoted ``2026-12-15`` as its text; the field makes it a date."""
    text = GOOD.replace("'2026-12-15'", "2026-12-15")
    ws = load_waivers_file(write(tmp_path, text))
    assert ws.waivers[0].expires == dt.date(2026, 12, 15)


# --- unreadable files ----------------------------------------------------------------------------


def test_a_missing_file_says_to_pass_the_right_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_waivers_file(tmp_path / "nope.yml", "nope.yml")
    assert caught.value.message == "nope.yml: no such file"
    assert "--waivers" in caught.value.remediation


def test_an_empty_file_says_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_waivers_file(write(tmp_path, "# all waivers gone\n"), "w.yml")
    assert caught.value.message == "w.yml: the file is empty"
    assert "waivers: []" in caught.value.remediation


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    text = GOOD.replace("owner: alice", "owner: alice: bob")
    with pytest.raises(ConfigError) as caught:
        load_waivers_file(write(tmp_path, text), "w.yml")
    assert caught.value.message.startswith(f"w.yml:{position(text, 'alice: bob')[:2]}")


# --- validate's checks ---------------------------------------------------------------------------

GATES = ("promotion_guard", "observability_verify", "deps_approval", "policy_drift")


def check(
    tmp_path: Path,
    text: str,
    *,
    gates: tuple[str, ...] | None = GATES,
    caps: dict[str, int] | None = None,
    now: dt.datetime = NOW,
) -> list[Problem]:
    path = write(tmp_path, text)
    waivers, problems = check_waivers_file(path, "w.yml", gates, caps or {}, now)
    if waivers is None:  # only the schema refusing the file leaves no waivers
        assert any(p.severity is Severity.ERROR for p in problems)
    return problems


def test_a_good_file_has_no_problems(tmp_path: Path) -> None:
    assert check(tmp_path, GOOD, caps={"GA": 30, "PRE_GA": 60}) == []


def test_schema_errors_come_back_without_waivers(tmp_path: Path) -> None:
    waivers, problems = check_waivers_file(
        write(tmp_path, GOOD.replace("gate: promotion_guard", "gate: freeze")),
        "w.yml",
        GATES,
        {},
        NOW,
    )
    assert waivers is None
    assert [p.severity for p in problems] == [Severity.ERROR]


def test_an_unknown_gate_is_an_error_when_the_gates_are_known(tmp_path: Path) -> None:
    text = GOOD.replace("gate: promotion_guard", "gate: promotion_gaurd")
    (problem,) = check(tmp_path, text)
    assert problem.severity is Severity.ERROR
    assert problem.where == f"w.yml:{position(text, 'promotion_gaurd')}"
    assert problem.line == int(position(text, "promotion_gaurd").split(":")[0])
    assert problem.message == "waivers[0]: unknown gate 'promotion_gaurd'"
    assert "promotion_guard, observability_verify" in problem.remediation
    assert check(tmp_path, text, gates=None) == []  # the stages file is not valid: not checked


def test_an_expired_waiver_is_a_warning(tmp_path: Path) -> None:
    (problem,) = check(tmp_path, GOOD, now=dt.datetime(2026, 12, 16, tzinfo=dt.UTC))
    assert problem.severity is Severity.WARNING
    assert problem.where == f"w.yml:{position(GOOD, chr(39) + '2026-12-15')}"
    assert "expired on 2026-12-15" in problem.message
    # the last day is not expired yet, in UTC
    assert check(tmp_path, GOOD, now=dt.datetime(2026, 12, 15, 23, 59, tzinfo=dt.UTC)) == []


def test_a_waiver_longer_than_a_stage_cap_is_a_warning_naming_the_stages(tmp_path: Path) -> None:
    # 14 and 30 days after NOW
    problems = check(tmp_path, GOOD, caps={"DEV": 100, "PRE_GA": 20, "GA": 14})
    assert [p.severity for p in problems] == [Severity.WARNING]
    (problem,) = problems
    assert problem.where == f"w.yml:{position(GOOD, chr(39) + '2026-12-31')}"
    assert "expires 2026-12-31, 30 day(s) from today" in problem.message
    assert "longer than PRE_GA (max_days 20), GA (max_days 14) allows" in problem.message
    assert "DEV" not in problem.message


def test_a_duplicate_entry_is_a_warning_at_the_second(tmp_path: Path) -> None:
    text = GOOD + ENTRY
    (problem,) = check(tmp_path, text)
    assert problem.severity is Severity.WARNING
    assert problem.line == text.count("\n") - ENTRY.count("\n") + 1
    assert problem.message == "waivers[2]: the same as waivers[0] (w.yml:4)"
    # a different expiry is not a duplicate
    assert check(tmp_path, GOOD + ENTRY.replace("2026-12-15", "2026-12-14")) == []
