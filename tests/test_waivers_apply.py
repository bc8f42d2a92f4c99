"""apply_waivers: which failing findings a waiver covers, when it stops counting, what a gate
whose every failing finding is waived becomes, and what is never waived."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from maturity.core import EvidenceRecord, Finding, GateResult, GateStatus
from maturity.waivers.apply import WaiverState, WaiverUse, apply_waivers
from maturity.waivers.load import Waiver, WaiverSet, load_waivers_file

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EXPIRES = dt.date(2026, 12, 15)
DIGEST_A = hashlib.sha256(b"a").hexdigest()
DIGEST_B = hashlib.sha256(b"b").hexdigest()


def waiver(
    finding: str = "check:e2e@*",
    *,
    gate: str = "promotion_guard",
    expires: dt.date = EXPIRES,
    digest: str | None = None,
    line: int = 3,
) -> Waiver:
    return Waiver(
        index=line - 3,
        where=f"ci/maturity-waivers.yml:{line}",
        gate=gate,
        finding=finding,
        owner="alice",
        reason="INC-123: flaky on the new runners",
        expires=expires,
        evidence_sha256=digest,
    )


def waivers(*entries: Waiver) -> WaiverSet:
    return WaiverSet("ci/maturity-waivers.yml", "0" * 64, entries)


def failing(fid: str, status: GateStatus = GateStatus.FAIL) -> Finding:
    return Finding("CHECK_FAILED", f"{fid} failed", status=status, id=fid, remediation="fix it")


def gate(
    *findings: Finding,
    name: str = "promotion_guard",
    status: GateStatus = GateStatus.FAIL,
    evidence: tuple[EvidenceRecord, ...] = (),
) -> GateResult:
    return GateResult(
        gate=name,
        status=status,
        code="CHECKS_FAILED",
        message=f"{len(findings)} check(s) failed",
        remediation="fix the checks",
        findings=findings,
        evidence=evidence,
    )


def apply(
    results: GateResult | Mapping[str, GateResult],
    ws: WaiverSet,
    *,
    now: dt.datetime = NOW,
    max_days: int | None = None,
) -> tuple[dict[str, GateResult], tuple[WaiverUse, ...]]:
    if isinstance(results, GateResult):
        results = {results.gate: results}
    return apply_waivers(results, ws, now=now, max_days=max_days)


def one(
    result: GateResult, ws: WaiverSet, **kw: object
) -> tuple[GateResult, tuple[WaiverUse, ...]]:
    out, uses = apply(result, ws, **kw)  # type: ignore[arg-type]
    return out[result.gate], uses


E2E = "check:e2e@github-actions"


# --- expiry --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "counts"),
    [
        (dt.datetime(2026, 12, 15, 0, 0, tzinfo=UTC), True),
        (dt.datetime(2026, 12, 15, 23, 59, 59, tzinfo=UTC), True),
        (dt.datetime(2026, 12, 16, 0, 0, 0, tzinfo=UTC), False),
        # the UTC day decides, not the local one: 01:30 at +02:00 is still the 15th in UTC
        (dt.datetime(2026, 12, 16, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), True),
        # and 20:00 at -05:00 on the 15th is already the 16th in UTC
        (dt.datetime(2026, 12, 15, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), False),
    ],
)
def test_a_waiver_counts_through_its_expiry_day_in_utc(now: dt.datetime, counts: bool) -> None:
    result, uses = one(gate(failing(E2E)), waivers(waiver()), now=now)
    if counts:
        assert result.status is GateStatus.WAIVED
        assert result.findings[0].waiver == "ci/maturity-waivers.yml:3"
        assert [u.state for u in uses] == [WaiverState.APPLIED]
        return
    assert result.status is GateStatus.FAIL
    original, expired = result.findings
    assert original == failing(E2E)
    assert expired.code == "WAIVER_EXPIRED"
    assert expired.status is GateStatus.FAIL
    assert expired.id == E2E
    assert expired.location == "ci/maturity-waivers.yml:3"
    assert "owner alice" in expired.message
    assert "expired on 2026-12-15 (today is 2026-12-16, UTC)" in expired.message
    assert "renew" in expired.remediation
    assert uses == (
        WaiverUse(
            gate="promotion_guard",
            finding=E2E,
            waiver="ci/maturity-waivers.yml:3",
            owner="alice",
            reason="INC-123: flaky on the new runners",
            expires="2026-12-15",
            state=WaiverState.EXPIRED,
        ),
    )


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        one(gate(failing(E2E)), waivers(waiver()), now=dt.datetime(2026, 12, 1))


# --- evidence digest -----------------------------------------------------------------------------


def record(source: str, content: bytes) -> EvidenceRecord:
    return EvidenceRecord(source, hashlib.sha256(content).hexdigest(), len(content))


def test_a_digest_waiver_holds_for_that_evidence_only() -> None:
    ws = waivers(waiver(digest=DIGEST_A))
    same, uses = one(gate(failing(E2E), evidence=(record("checks.json", b"a"),)), ws)
    assert same.status is GateStatus.WAIVED
    assert [u.state for u in uses] == [WaiverState.APPLIED]

    other, uses = one(gate(failing(E2E), evidence=(record("checks.json", b"b"),)), ws)
    assert other.status is GateStatus.FAIL
    lapsed = other.findings[1]
    assert lapsed.code == "WAIVER_LAPSED"
    assert f"granted for evidence {DIGEST_A}" in lapsed.message
    assert f"is now {DIGEST_B}" in lapsed.message
    assert f"set evidence_sha256 to {DIGEST_B}" in lapsed.remediation
    assert [u.state for u in uses] == [WaiverState.LAPSED]


def test_a_digest_waiver_lapses_when_the_gate_read_nothing() -> None:
    result, uses = one(gate(failing(E2E)), waivers(waiver(digest=DIGEST_A)))
    assert result.status is GateStatus.FAIL
    assert "is absent (the gate read nothing)" in result.findings[1].message
    assert [u.state for u in uses] == [WaiverState.LAPSED]


def test_a_digest_over_several_records_is_that_of_their_sorted_sha256sum_lines() -> None:
    records = (record("b.json", b"2"), record("a.json", b"1"))
    lines = sorted(f"{r.sha256}  {r.source}\n" for r in records)
    digest = hashlib.sha256("".join(lines).encode()).hexdigest()
    ws = waivers(waiver(digest=digest))

    for evidence in (records, records[::-1]):  # the order the gate read them in does not matter
        result, _ = one(gate(failing(E2E), evidence=evidence), ws)
        assert result.status is GateStatus.WAIVED

    changed = (record("b.json", b"2"), record("a.json", b"1 changed"))
    result, uses = one(gate(failing(E2E), evidence=changed), ws)
    assert result.status is GateStatus.FAIL
    assert result.findings[1].code == "WAIVER_LAPSED"
    assert [u.state for u in uses] == [WaiverState.LAPSED]
    # a record's digest alone is not the set's
    result, _ = one(gate(failing(E2E), evidence=records), waivers(waiver(digest=records[0].sha256)))
    assert result.status is GateStatus.FAIL


# --- stage cap -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_days", "state"),
    [
        (None, WaiverState.APPLIED),  # no cap at this stage
        (15, WaiverState.APPLIED),
        (14, WaiverState.APPLIED),  # expires exactly max_days after today: counts
        (13, WaiverState.TOO_LONG),
        (0, WaiverState.TOO_LONG),
    ],
)
def test_stage_cap(max_days: int | None, state: WaiverState) -> None:
    assert (EXPIRES - NOW.date()).days == 14
    result, uses = one(gate(failing(E2E)), waivers(waiver()), max_days=max_days)
    assert [u.state for u in uses] == [state]
    if state is WaiverState.APPLIED:
        assert result.status is GateStatus.WAIVED
        return
    assert result.status is GateStatus.FAIL
    too_long = result.findings[1]
    assert too_long.code == "WAIVER_TOO_LONG"
    assert f"14 day(s) from today (UTC): longer than the {max_days}" in too_long.message
    latest = NOW.date() + dt.timedelta(days=max_days or 0)
    assert f"set expires to {latest} or earlier" in too_long.remediation


def test_an_expired_waiver_reads_as_expired_whatever_the_cap() -> None:
    late = dt.datetime(2026, 12, 20, tzinfo=UTC)
    result, uses = one(gate(failing(E2E)), waivers(waiver(digest=DIGEST_A)), now=late, max_days=1)
    assert [u.state for u in uses] == [WaiverState.EXPIRED]
    assert [f.code for f in result.findings] == ["CHECK_FAILED", "WAIVER_EXPIRED"]


# --- what a waiver matches -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("glob", "finding_id", "matches"),
    [
        ("check:e2e@*", "check:e2e@github-actions", True),
        ("check:e2e@*", "check:e2e@", True),
        ("check:e2e@*", "check:e2e-slow@github-actions", False),
        ("check:e2e@*", "check:lint@github-actions", False),
        ("check:e2e@*", "xcheck:e2e@github-actions", False),  # the whole id, not a part
        ("evidence:dist/*.json", "evidence:dist/a.json", True),
        ("evidence:dist/*.json", "evidence:dist/sub/dir/a.json", True),  # * crosses /
        ("evidence:dist/*.json", "evidence:dist/a.json.txt", False),
        ("evidence:dist/*.json", "evidence:build/a.json", False),
        ("check:e2e-[0-9]@?", "check:e2e-3@x", True),
        ("check:e2e-[0-9]@?", "check:e2e-a@x", False),
    ],
)
def test_glob_matching(glob: str, finding_id: str, matches: bool) -> None:
    result, _ = one(gate(failing(finding_id)), waivers(waiver(glob)))
    assert (result.status is GateStatus.WAIVED) is matches
    assert waiver(glob).matches(finding_id) is matches


def test_a_waiver_applies_to_its_own_gate_only() -> None:
    results = {
        "promotion_guard": gate(failing(E2E)),
        "deps_approval": gate(failing(E2E), name="deps_approval"),
    }
    out, uses = apply(results, waivers(waiver()))
    assert list(out) == ["promotion_guard", "deps_approval"]
    assert out["promotion_guard"].status is GateStatus.WAIVED
    assert out["deps_approval"] is results["deps_approval"]
    assert [u.gate for u in uses] == ["promotion_guard"]


# --- the gate's status ---------------------------------------------------------------------------


def test_a_gate_whose_every_failing_finding_is_waived_is_waived() -> None:
    passing = Finding("CHECK_PASSED", "lint passed", status=GateStatus.PASS, id="check:lint@x")
    original = gate(failing(E2E), passing, failing("check:e2e@circleci", GateStatus.MISSING))
    result, uses = one(original, waivers(waiver()))
    assert result.status is GateStatus.WAIVED
    assert result.code == "WAIVED"
    assert (
        result.message == "all 2 failing finding(s) waived (was CHECKS_FAILED: 3 check(s) failed)"
    )
    assert result.remediation == original.remediation
    # the findings keep their status and order; the waived ones say which waiver covers them
    assert [(f.status, f.waiver) for f in result.findings] == [
        (GateStatus.FAIL, "ci/maturity-waivers.yml:3"),
        (GateStatus.PASS, ""),
        (GateStatus.MISSING, "ci/maturity-waivers.yml:3"),
    ]
    assert [u.finding for u in uses] == [E2E, "check:e2e@circleci"]


def test_the_waived_message_is_clean_and_bounded() -> None:
    original = gate(failing(E2E))
    noisy = GateResult(
        original.gate,
        original.status,
        "X",
        "line\nbreak\x1b[31m" + "y" * 5000,
        findings=original.findings,
    )
    result, _ = one(noisy, waivers(waiver()))
    assert "\n" not in result.message
    assert "\x1b" not in result.message
    assert len(result.message) < 400


def test_a_partly_waived_gate_still_fails() -> None:
    original = gate(failing(E2E), failing("check:lint@github-actions"))
    result, uses = one(original, waivers(waiver()))
    assert result.status is GateStatus.FAIL
    assert result.code == "CHECKS_FAILED"
    assert result.message == "2 check(s) failed (1 of 2 failing findings waived)"
    assert [f.waiver for f in result.findings] == ["ci/maturity-waivers.yml:3", ""]
    assert len(uses) == 1


@pytest.mark.parametrize("status", [GateStatus.MISSING, GateStatus.PENDING])
def test_missing_and_pending_gates_can_be_waived(status: GateStatus) -> None:
    result, _ = one(gate(failing(E2E, status), status=status), waivers(waiver()))
    assert result.status is GateStatus.WAIVED
    assert "was CHECKS_FAILED" in result.message


@pytest.mark.parametrize("status", [GateStatus.ERROR, GateStatus.PASS, GateStatus.SKIPPED])
def test_gates_that_errored_passed_or_were_skipped_are_left_alone(status: GateStatus) -> None:
    original = gate(failing(E2E), status=status)
    out, uses = apply(original, waivers(waiver(), waiver("*")))
    assert out["promotion_guard"] is original
    assert uses == ()


def test_an_errored_finding_is_never_waived_and_keeps_the_gate_failing() -> None:
    original = gate(failing(E2E), failing("check:e2e@circleci", GateStatus.ERROR))
    result, uses = one(original, waivers(waiver()))
    assert result.status is GateStatus.FAIL
    assert [f.waiver for f in result.findings] == ["ci/maturity-waivers.yml:3", ""]
    assert result.message.endswith("(1 of 2 failing findings waived)")
    assert [u.finding for u in uses] == [E2E]


def test_a_finding_without_an_id_is_never_waived() -> None:
    anonymous = Finding("NO_CHECKS", "no check ran", status=GateStatus.FAIL)
    original = gate(anonymous)
    out, uses = apply(original, waivers(waiver("*")))
    assert out["promotion_guard"] is original
    assert uses == ()


def test_a_gate_that_fails_without_findings_is_not_waived() -> None:
    original = gate()
    out, uses = apply(original, waivers(waiver("*")))
    assert out["promotion_guard"].status is GateStatus.FAIL
    assert uses == ()


# --- several waivers -----------------------------------------------------------------------------


def test_the_first_valid_waiver_applies() -> None:
    expired = waiver(expires=dt.date(2026, 11, 30), line=3)
    valid = waiver(line=9)
    result, uses = one(gate(failing(E2E)), waivers(expired, valid))
    assert result.status is GateStatus.WAIVED
    assert result.findings[0].waiver == "ci/maturity-waivers.yml:9"
    assert [(u.waiver, u.state) for u in uses] == [
        ("ci/maturity-waivers.yml:9", WaiverState.APPLIED)
    ]
    assert [f.code for f in result.findings] == ["CHECK_FAILED"]  # the stale one says nothing


def test_two_valid_waivers_the_first_in_the_file_applies() -> None:
    result, _ = one(gate(failing(E2E)), waivers(waiver(line=3), waiver("check:*", line=9)))
    assert result.findings[0].waiver == "ci/maturity-waivers.yml:3"


def test_every_matching_waiver_that_does_not_count_is_reported() -> None:
    expired = waiver(expires=dt.date(2026, 11, 30), line=3)
    lapsed = waiver(digest=DIGEST_A, line=9)
    unrelated = waiver("check:lint@*", expires=dt.date(2026, 11, 30), line=15)
    result, uses = one(gate(failing(E2E)), waivers(expired, lapsed, unrelated))
    assert result.status is GateStatus.FAIL
    assert [(f.code, f.location) for f in result.findings] == [
        ("CHECK_FAILED", ""),
        ("WAIVER_EXPIRED", "ci/maturity-waivers.yml:3"),
        ("WAIVER_LAPSED", "ci/maturity-waivers.yml:9"),
    ]
    assert [u.state for u in uses] == [WaiverState.EXPIRED, WaiverState.LAPSED]


# --- end to end: a real file ---------------------------------------------------------------------


def test_waivers_loaded_from_a_file_apply(tmp_path: Path) -> None:
    path = tmp_path / "maturity-waivers.yml"
    path.write_text(
        "version: 1\n"
        "waivers:\n"
        "  - gate: policy_drift\n"
        "    finding: 'evidence:dist/*.json'\n"
        "    owner: octo-org/platform-team\n"
        "    reason: 'CHG-2041: approved change rolling out'\n"
        "    expires: '2026-12-15'\n"
        f"    evidence_sha256: {DIGEST_A}\n",
        encoding="utf-8",
    )
    ws = load_waivers_file(path, "ci/maturity-waivers.yml")
    drift = gate(
        failing("evidence:dist/policy.json"),
        name="policy_drift",
        evidence=(record("dist/policy.json", b"a"),),
    )
    out, uses = apply({"policy_drift": drift}, ws, max_days=14)
    assert out["policy_drift"].status is GateStatus.WAIVED
    assert out["policy_drift"].findings[0].waiver == "ci/maturity-waivers.yml:3"
    assert uses[0].owner == "octo-org/platform-team"


# --- cost ----------------------------------------------------------------------------------------


def test_applying_100_waivers_to_5_gates_is_cheap() -> None:
    names = [
        "promotion_guard",
        "observability_verify",
        "deps_approval",
        "policy_drift",
        "field_budgets",
    ]
    results = {
        name: gate(*(failing(f"check:c{i}@app") for i in range(5)), name=name) for name in names
    }
    ws = waivers(
        *(
            waiver(f"check:c{i % 7}@*", gate=names[i % 5], expires=dt.date(2026, 12, 1 + i % 20))
            for i in range(100)
        )
    )
    apply_waivers(results, ws, now=NOW, max_days=30)  # warm the glob cache
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        apply_waivers(results, ws, now=NOW, max_days=30)
    per_run = (time.perf_counter() - started) / runs
    # well under 1 ms on a developer machine; the bound leaves room for a busy CI runner
    assert per_run < 0.005, f"{per_run * 1000:.2f} ms per run"
