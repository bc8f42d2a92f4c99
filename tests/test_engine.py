"""The engine: levels applied to gate results, the verdict, and isolation of broken gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.config.types import Stage
from maturity.engine import Decision, EvidencePlan, GateOutcome, Verdict, decide
from maturity.gates import GATES, Gate
from maturity.gates.interface import GateContext, GateName, GateResult, GateStatus, Level

Calls = list[GateContext]


def fake_gate(status: GateStatus, calls: Calls, crash: str | None = None) -> type[Gate]:
    """A test double of a gate: records each call and returns *status* (or raises)."""

    class FakeGate(Gate):
        name = GateName.PROMOTION_GUARD
        title = "fake"
        remediation = "fix the fake"

        def __init__(self) -> None:
            if crash == "init":
                raise RuntimeError("constructor exploded")

        def evaluate(self, context: GateContext) -> GateResult:
            calls.append(context)
            if crash == "evaluate":
                raise ValueError("evaluate exploded\n::error::injected")
            return GateResult(
                gate=context.gate,
                status=status,
                code=f"FAKE_{status.name}",
                message=f"fake says {status.value}",
                remediation="fix the fake",
            )

    return FakeGate


def stage_with(levels: dict[GateName, Level], default: Level = Level.OFF) -> Stage:
    return Stage(
        name="TEST",
        description="a test stage",
        order=0,
        levels={g: levels.get(g, default) for g in GateName},
    )


def outcome(decision: Decision, name: GateName) -> GateOutcome:
    [found] = [o for o in decision.outcomes if o.result.gate == name.value]
    return found


def all_fakes(status: GateStatus, calls: dict[GateName, Calls]) -> dict[str, type[Gate]]:
    for g in GateName:
        calls.setdefault(g, [])
    return {g.value: fake_gate(status, calls[g]) for g in GateName}


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("status", list(GateStatus))
def test_every_status_and_level(status: GateStatus, level: Level, tmp_path: Path) -> None:
    calls: dict[GateName, Calls] = {}
    gates = all_fakes(GateStatus.FAIL, calls)  # the other gates would fail if they were run
    calls[GateName.DEPS_APPROVAL] = []
    gates["deps_approval"] = fake_gate(status, calls[GateName.DEPS_APPROVAL])
    stage = stage_with({GateName.DEPS_APPROVAL: level})

    decision = decide(stage, {}, tmp_path, gates=gates)

    got = outcome(decision, GateName.DEPS_APPROVAL)
    assert got.level is level
    if level is Level.OFF:
        assert calls[GateName.DEPS_APPROVAL] == []  # off gates are not run at all
        assert got.result.status is GateStatus.SKIPPED
        assert got.result.code == "GATE_OFF"
        assert "TEST" in got.result.message
        expected_blocking = False
    else:
        assert len(calls[GateName.DEPS_APPROVAL]) == 1
        assert got.result.status is status
        assert got.result.code == f"FAKE_{status.name}"
        expected_blocking = level is Level.REQUIRED and status is not GateStatus.PASS
    assert got.blocking is expected_blocking
    assert got.warns is (level is Level.REPORT_ONLY and status is not GateStatus.PASS)
    assert decision.verdict is (Verdict.NO_GO if expected_blocking else Verdict.GO)
    assert decision.blocking == ((got,) if expected_blocking else ())
    # every other gate is off: skipped, never called, never blocking
    for g in GateName:
        if g is not GateName.DEPS_APPROVAL:
            assert calls[g] == []
            assert outcome(decision, g).result.status is GateStatus.SKIPPED
            assert not outcome(decision, g).blocking


def test_outcomes_follow_gate_order_and_all_gates_are_listed(tmp_path: Path) -> None:
    calls: dict[GateName, Calls] = {}
    decision = decide(
        stage_with({}, default=Level.REQUIRED),
        {},
        tmp_path,
        gates=all_fakes(GateStatus.PASS, calls),
    )
    assert [o.result.gate for o in decision.outcomes] == [g.value for g in GateName]
    assert decision.verdict is Verdict.GO
    assert decision.blocking == ()
    assert all(len(c) == 1 for c in calls.values())


def test_one_required_failure_among_passes_blocks_only_itself(tmp_path: Path) -> None:
    calls: dict[GateName, Calls] = {}
    gates = all_fakes(GateStatus.PASS, calls)
    gates["policy_drift"] = fake_gate(GateStatus.PENDING, calls[GateName.POLICY_DRIFT])
    decision = decide(stage_with({}, default=Level.REQUIRED), {}, tmp_path, gates=gates)
    assert decision.verdict is Verdict.NO_GO
    assert [o.result.gate for o in decision.blocking] == ["policy_drift"]
    assert decision.blocking[0].result.status is GateStatus.PENDING


def test_report_only_failures_never_block(tmp_path: Path) -> None:
    calls: dict[GateName, Calls] = {}
    gates = all_fakes(GateStatus.ERROR, calls)
    decision = decide(stage_with({}, default=Level.REPORT_ONLY), {}, tmp_path, gates=gates)
    assert decision.verdict is Verdict.GO
    assert decision.blocking == ()
    assert all(o.warns for o in decision.outcomes)


def test_evidence_plans_reach_the_gate(tmp_path: Path) -> None:
    calls: dict[GateName, Calls] = {}
    gates = all_fakes(GateStatus.PASS, calls)
    plans = {GateName.FIELD_BUDGETS: EvidencePlan(("a.json", "b.json"), "--evidence")}
    decide(stage_with({}, default=Level.REQUIRED), plans, tmp_path, gates=gates)
    [seen] = calls[GateName.FIELD_BUDGETS]
    assert seen.gate == "field_budgets"
    assert seen.workspace == tmp_path
    assert seen.evidence_paths == ("a.json", "b.json")
    assert seen.evidence_origin == "--evidence"
    [other] = calls[GateName.PROMOTION_GUARD]  # no plan: no paths, origin "none"
    assert other.evidence_paths == ()
    assert other.evidence_origin == "none"


@pytest.mark.parametrize("crash", ["evaluate", "init"])
@pytest.mark.parametrize("level", [Level.REQUIRED, Level.REPORT_ONLY])
def test_a_crashing_gate_is_an_error_for_that_gate_only(
    crash: str, level: Level, tmp_path: Path
) -> None:
    calls: dict[GateName, Calls] = {}
    gates = all_fakes(GateStatus.PASS, calls)
    gates["observability_verify"] = fake_gate(
        GateStatus.PASS, calls[GateName.OBSERVABILITY_VERIFY], crash=crash
    )
    stage = stage_with({GateName.OBSERVABILITY_VERIFY: level}, default=Level.REQUIRED)

    decision = decide(stage, {}, tmp_path, gates=gates)

    crashed = outcome(decision, GateName.OBSERVABILITY_VERIFY)
    assert crashed.result.status is GateStatus.ERROR
    assert crashed.result.code == "GATE_CRASHED"
    assert crashed.result.gate == "observability_verify"
    expected = "RuntimeError: constructor exploded" if crash == "init" else "ValueError"
    assert expected in crashed.result.message
    assert "\n" not in crashed.result.message  # the exception text is cleaned to one line
    assert crashed.result.remediation
    # every other gate was still run and passed
    for g in GateName:
        if g is not GateName.OBSERVABILITY_VERIFY:
            assert len(calls[g]) == 1
            assert outcome(decision, g).result.status is GateStatus.PASS
    if level is Level.REQUIRED:
        assert crashed.blocking
        assert decision.verdict is Verdict.NO_GO
        assert decision.blocking == (crashed,)
    else:
        assert not crashed.blocking
        assert crashed.warns
        assert decision.verdict is Verdict.GO


def test_two_crashing_gates_do_not_stop_the_rest(tmp_path: Path) -> None:
    calls: dict[GateName, Calls] = {}
    gates = all_fakes(GateStatus.PASS, calls)
    gates["promotion_guard"] = fake_gate(GateStatus.PASS, [], crash="init")
    gates["field_budgets"] = fake_gate(GateStatus.PASS, [], crash="evaluate")
    decision = decide(stage_with({}, default=Level.REQUIRED), {}, tmp_path, gates=gates)
    assert [o.result.gate for o in decision.blocking] == ["promotion_guard", "field_budgets"]
    assert {o.result.code for o in decision.blocking} == {"GATE_CRASHED"}
    for g in (GateName.OBSERVABILITY_VERIFY, GateName.DEPS_APPROVAL, GateName.POLICY_DRIFT):
        assert len(calls[g]) == 1
        assert outcome(decision, g).result.status is GateStatus.PASS


def test_a_crash_message_is_bounded(tmp_path: Path) -> None:
    class Loud(Gate):
        name = GateName.PROMOTION_GUARD
        title = "loud"
        remediation = ""

        def evaluate(self, context: GateContext) -> GateResult:
            raise RuntimeError("x" * 10_000)

    decision = decide(
        stage_with({GateName.PROMOTION_GUARD: Level.REQUIRED}),
        {},
        tmp_path,
        gates={**GATES, "promotion_guard": Loud},
    )
    message = outcome(decision, GateName.PROMOTION_GUARD).result.message
    assert len(message) <= 500
    assert message.startswith("gate promotion_guard failed unexpectedly: RuntimeError")


@pytest.mark.parametrize(
    ("level", "verdict"), [(Level.REQUIRED, Verdict.NO_GO), (Level.REPORT_ONLY, Verdict.GO)]
)
def test_real_gates_without_evidence_are_missing(
    level: Level, verdict: Verdict, tmp_path: Path
) -> None:
    decision = decide(stage_with({}, default=level), {}, tmp_path)
    assert decision.verdict is verdict
    for o in decision.outcomes:
        if o.result.gate == "promotion_guard":
            # no evidence file: it reads GitHub, and without a token that is an error
            assert o.result.status is GateStatus.ERROR
            assert o.result.code == "GITHUB_TOKEN_MISSING"
        else:
            assert o.result.status is GateStatus.MISSING
            assert o.result.code == "MISSING_EVIDENCE"
        assert o.blocking is (level is Level.REQUIRED)


def test_off_real_gates_are_skipped_even_with_broken_evidence(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    plans = {g: EvidencePlan(("broken.json",), "--evidence") for g in GateName}
    decision = decide(stage_with({}, default=Level.OFF), plans, tmp_path)
    assert decision.verdict is Verdict.GO
    assert {o.result.status for o in decision.outcomes} == {GateStatus.SKIPPED}
    assert all(o.result.evidence == () for o in decision.outcomes)
