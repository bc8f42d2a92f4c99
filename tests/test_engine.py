"""The engine: kinds run on collected inputs, levels applied to their results, the verdict, and
isolation of broken, crashing or slow gates."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers import GATE_NAMES

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.load import load_builtin
from maturity.config.types import GateSpec, Stage
from maturity.core import GateInputs, GateResult, GateStatus, Level, Verdict
from maturity.engine import Decision, EvidencePlan, GateOutcome, evaluate_stage
from maturity.kinds import CATALOG
from maturity.kinds.interface import GateKind, KindSettings, RunContext


class FakeSettings(KindSettings):
    note: str = "default"


@dataclass(frozen=True)
class Call:
    settings: FakeSettings
    inputs: GateInputs
    run: RunContext


def fake_kind(
    name: str,
    status: GateStatus,
    calls: list[Call],
    *,
    crash: bool = False,
    pause: threading.Event | None = None,
    budget_s: float = 60.0,
) -> GateKind[FakeSettings]:
    """A test double of a kind: records each call and returns *status* (or raises, or waits
    for *pause* to be set)."""

    def evaluate(settings: FakeSettings, inputs: GateInputs, run: RunContext) -> GateResult:
        calls.append(Call(settings, inputs, run))
        if crash:
            raise ValueError("evaluate exploded\n::error::injected")
        if pause is not None:
            pause.wait(timeout=30)
        return GateResult(
            gate=inputs.gate,
            status=status,
            code=f"FAKE_{status.name}",
            message=f"fake says {status.value}",
            remediation="fix the fake",
        )

    return GateKind(
        name=name,
        title="fake",
        remediation="fix the fake",
        settings=FakeSettings,
        evaluate=evaluate,
        time_budget=lambda settings, run: budget_s,
    )


@dataclass
class Fakes:
    """The five built-in gates, each bound to its own fake kind (``fake_<gate>``)."""

    status: GateStatus
    kinds: dict[str, GateKind[Any]] = field(default_factory=dict)
    calls: dict[str, list[Call]] = field(default_factory=dict)
    unloadable: set[str] = field(default_factory=set)
    specs: dict[str, GateSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for gate in GATE_NAMES:
            builtin = BUILTIN_GATES[gate]
            self.specs[gate] = GateSpec(
                gate, f"fake_{gate}", builtin.title, builtin.remediation, builtin=True
            )
            self.set(gate, self.status)

    def set(self, gate: str, status: GateStatus, **kw: Any) -> None:
        self.calls[gate] = []
        kind = self.specs[gate].kind
        self.kinds[kind] = fake_kind(kind, status, self.calls[gate], **kw)

    def load(self, kind: str) -> GateKind[Any]:
        if kind in self.unloadable:
            raise RuntimeError("constructor exploded")
        return self.kinds[kind]


def stage_with(
    levels: Mapping[str, Level], default: Level = Level.OFF, gates: tuple[str, ...] = GATE_NAMES
) -> Stage:
    return Stage(
        name="TEST",
        description="a test stage",
        order=0,
        levels={g: levels.get(g, default) for g in gates},
    )


def run_stage(
    stage: Stage,
    fakes: Fakes,
    workspace: Path,
    plans: Mapping[str, EvidencePlan] | None = None,
    **kw: Any,
) -> Decision:
    return evaluate_stage(
        stage, fakes.specs, plans or {}, RunContext(workspace=workspace), loader=fakes.load, **kw
    )


def outcome(decision: Decision, name: str) -> GateOutcome:
    [found] = [o for o in decision.outcomes if o.result.gate == name]
    return found


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("status", list(GateStatus))
def test_every_status_and_level(status: GateStatus, level: Level, tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.FAIL)  # the other gates would fail if they were run
    fakes.set("deps_approval", status)
    stage = stage_with({"deps_approval": level})

    decision = run_stage(stage, fakes, tmp_path)

    got = outcome(decision, "deps_approval")
    assert got.level is level
    assert (got.kind, got.title) == ("fake_deps_approval", "Dependencies approved")
    if level is Level.OFF:
        assert fakes.calls["deps_approval"] == []  # off gates are not run at all
        assert got.result.status is GateStatus.SKIPPED
        assert got.result.code == "GATE_OFF"
        assert "TEST" in got.result.message
        expected_blocking = False
    else:
        assert len(fakes.calls["deps_approval"]) == 1
        assert got.result.status is status
        assert got.result.code == f"FAKE_{status.name}"
        # waived (every failing finding covered by a waiver) never blocks, like pass
        expected_blocking = level is Level.REQUIRED and status not in (
            GateStatus.PASS,
            GateStatus.WAIVED,
        )
    assert got.blocking is expected_blocking
    assert got.overridden is False  # only break glass (apply_overrides) overrides
    assert got.warns is (level is Level.REPORT_ONLY and status is not GateStatus.PASS)
    assert decision.verdict is (Verdict.NO_GO if expected_blocking else Verdict.GO)
    assert decision.blocking == ((got,) if expected_blocking else ())
    # every other gate is off: skipped, never called, never blocking
    for g in GATE_NAMES:
        if g != "deps_approval":
            assert fakes.calls[g] == []
            assert outcome(decision, g).result.status is GateStatus.SKIPPED
            assert not outcome(decision, g).blocking


def test_outcomes_follow_gate_order_and_all_gates_are_listed(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.PASS)
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path)
    assert [o.result.gate for o in decision.outcomes] == list(GATE_NAMES)
    assert [o.kind for o in decision.outcomes] == [f"fake_{g}" for g in GATE_NAMES]
    assert [o.title for o in decision.outcomes] == [BUILTIN_GATES[g].title for g in GATE_NAMES]
    assert decision.verdict is Verdict.GO
    assert decision.blocking == ()
    assert all(len(c) == 1 for c in fakes.calls.values())


def test_gate_order_is_the_configs_whatever_order_gates_finish_in(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.PASS)
    finished: list[str] = []
    for i, gate in enumerate(GATE_NAMES):
        kind = fakes.specs[gate].kind
        inner = fakes.kinds[kind].evaluate
        delay = (len(GATE_NAMES) - i) * 0.03  # the first gate finishes last

        def slow(
            s: FakeSettings,
            inputs: GateInputs,
            run: RunContext,
            inner: Any = inner,
            d: float = delay,
        ) -> GateResult:
            time.sleep(d)
            finished.append(inputs.gate)
            result: GateResult = inner(s, inputs, run)
            return result

        fakes.kinds[kind] = GateKind(kind, "fake", "fix", FakeSettings, slow)
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path)
    assert finished == list(reversed(GATE_NAMES))
    assert [o.result.gate for o in decision.outcomes] == list(GATE_NAMES)


def test_one_required_failure_among_passes_blocks_only_itself(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.PASS)
    fakes.set("policy_drift", GateStatus.PENDING)
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path)
    assert decision.verdict is Verdict.NO_GO
    assert [o.result.gate for o in decision.blocking] == ["policy_drift"]
    assert decision.blocking[0].result.status is GateStatus.PENDING


def test_report_only_failures_never_block(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.ERROR)
    decision = run_stage(stage_with({}, default=Level.REPORT_ONLY), fakes, tmp_path)
    assert decision.verdict is Verdict.GO
    assert decision.blocking == ()
    assert all(o.warns for o in decision.outcomes)


def test_evidence_plans_reach_the_gate_as_collected_files(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.PASS)
    (tmp_path / "a.json").write_bytes(b'{"ok": true}')
    plans = {"field_budgets": EvidencePlan(("a.json", "b.json"), "--evidence")}
    run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path, plans)
    [seen] = fakes.calls["field_budgets"]
    assert seen.inputs.gate == "field_budgets"
    assert seen.inputs.title == BUILTIN_GATES["field_budgets"].title
    assert seen.inputs.remediation == BUILTIN_GATES["field_budgets"].remediation
    assert seen.run.workspace == tmp_path
    assert seen.inputs.origin == "--evidence"
    # the engine read the files before the kind ran: bytes and digest, or why not
    read, absent = seen.inputs.files
    assert (read.locator, read.data) == ("a.json", b'{"ok": true}')
    assert read.record is not None
    assert read.record.source == "a.json"
    assert (absent.locator, absent.data, absent.missing) == ("b.json", None, True)
    assert seen.inputs.records == (read.record,)
    [other] = fakes.calls["promotion_guard"]  # no plan: no files, origin "none"
    assert other.inputs.files == ()
    assert other.inputs.origin == "none"


def test_a_gate_gets_its_settings_or_its_kinds_defaults(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.PASS)
    spec = fakes.specs["policy_drift"]
    fakes.specs["policy_drift"] = GateSpec(
        spec.name, spec.kind, spec.title, spec.remediation, settings=FakeSettings(note="given")
    )
    run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path)
    assert [c.settings.note for c in fakes.calls["policy_drift"]] == ["given"]
    assert [c.settings.note for c in fakes.calls["deps_approval"]] == ["default"]


@pytest.mark.parametrize("crash", ["evaluate", "load"])
@pytest.mark.parametrize("level", [Level.REQUIRED, Level.REPORT_ONLY])
def test_a_crashing_gate_is_an_error_for_that_gate_only(
    crash: str, level: Level, tmp_path: Path
) -> None:
    fakes = Fakes(GateStatus.PASS)
    if crash == "load":
        fakes.unloadable.add("fake_observability_verify")
    else:
        fakes.set("observability_verify", GateStatus.PASS, crash=True)
    stage = stage_with({"observability_verify": level}, default=Level.REQUIRED)

    decision = run_stage(stage, fakes, tmp_path)

    crashed = outcome(decision, "observability_verify")
    assert crashed.result.status is GateStatus.ERROR
    assert crashed.result.code == "GATE_CRASHED"
    assert crashed.result.gate == "observability_verify"
    expected = (
        "gate observability_verify could not load its kind fake_observability_verify: "
        "RuntimeError: constructor exploded"
        if crash == "load"
        else "gate observability_verify failed unexpectedly: ValueError: evaluate exploded"
    )
    assert crashed.result.message.startswith(expected)
    assert "\n" not in crashed.result.message  # the exception text is cleaned to one line
    assert crashed.result.remediation
    # every other gate was still run and passed
    for g in GATE_NAMES:
        if g != "observability_verify":
            assert len(fakes.calls[g]) == 1
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
    fakes = Fakes(GateStatus.PASS)
    fakes.unloadable.add("fake_promotion_guard")
    fakes.set("field_budgets", GateStatus.PASS, crash=True)
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path)
    assert [o.result.gate for o in decision.blocking] == ["promotion_guard", "field_budgets"]
    assert {o.result.code for o in decision.blocking} == {"GATE_CRASHED"}
    assert fakes.calls["promotion_guard"] == []  # never loaded, so never run
    for g in ("observability_verify", "deps_approval", "policy_drift"):
        assert len(fakes.calls[g]) == 1
        assert outcome(decision, g).result.status is GateStatus.PASS


def test_a_crash_message_is_bounded(tmp_path: Path) -> None:
    def loud(settings: FakeSettings, inputs: GateInputs, run: RunContext) -> GateResult:
        raise RuntimeError("x" * 10_000)

    fakes = Fakes(GateStatus.PASS)
    fakes.kinds["fake_promotion_guard"] = GateKind(
        "fake_promotion_guard", "loud", "", FakeSettings, loud
    )
    decision = run_stage(stage_with({"promotion_guard": Level.REQUIRED}), fakes, tmp_path)
    message = outcome(decision, "promotion_guard").result.message
    assert len(message) <= 500
    assert message.startswith("gate promotion_guard failed unexpectedly: RuntimeError")


def test_an_unknown_kind_is_that_gates_error(tmp_path: Path) -> None:
    specs = {"licences": GateSpec("licences", "no_such_kind", "Licences", "")}
    stage = stage_with({}, default=Level.REQUIRED, gates=("licences",))
    decision = evaluate_stage(stage, specs, {}, RunContext(workspace=tmp_path))
    [only] = decision.outcomes
    assert (only.result.status, only.result.code) == (GateStatus.ERROR, "GATE_CRASHED")
    assert only.result.message.startswith("gate licences could not load its kind no_such_kind")
    assert (only.kind, only.title, only.blocking) == ("no_such_kind", "Licences", True)
    assert decision.verdict is Verdict.NO_GO


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event the slow kinds wait on, set when the test ends so their threads finish."""
    event = threading.Event()
    yield event
    event.set()


def test_a_gate_past_its_time_budget_is_timed_out(tmp_path: Path, release: threading.Event) -> None:
    fakes = Fakes(GateStatus.PASS)
    fakes.set("deps_approval", GateStatus.PASS, pause=release, budget_s=0.2)
    started = time.monotonic()
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path, grace_s=0.0)
    assert time.monotonic() - started < 10  # given up on, not waited for
    slow = outcome(decision, "deps_approval")
    assert (slow.result.status, slow.result.code) == (GateStatus.ERROR, "GATE_TIMED_OUT")
    assert "deps_approval did not finish within its time budget (0.2s" in slow.result.message
    assert slow.result.remediation
    assert slow.result.duration_ms == 200.0
    assert decision.blocking == (slow,)
    for g in GATE_NAMES:
        if g != "deps_approval":
            assert outcome(decision, g).result.status is GateStatus.PASS


def test_gates_run_concurrently_within_the_worker_bound(tmp_path: Path) -> None:
    barrier = threading.Barrier(len(GATE_NAMES), timeout=10)
    fakes = Fakes(GateStatus.PASS)
    for gate in GATE_NAMES:
        kind = fakes.specs[gate].kind

        def together(s: FakeSettings, inputs: GateInputs, run: RunContext) -> GateResult:
            barrier.wait()  # breaks (and so raises) unless every gate runs at once
            return GateResult(inputs.gate, GateStatus.PASS, "TOGETHER", "ran together")

        fakes.kinds[kind] = GateKind(kind, "fake", "fix", FakeSettings, together)
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path)
    assert {o.result.code for o in decision.outcomes} == {"TOGETHER"}

    lock = threading.Lock()
    active, most = [0], [0]

    def one_at_a_time(s: FakeSettings, inputs: GateInputs, run: RunContext) -> GateResult:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return GateResult(inputs.gate, GateStatus.PASS, "ALONE", "ran alone")

    for gate in GATE_NAMES:
        kind = fakes.specs[gate].kind
        fakes.kinds[kind] = GateKind(kind, "fake", "fix", FakeSettings, one_at_a_time)
    decision = run_stage(stage_with({}, default=Level.REQUIRED), fakes, tmp_path, max_workers=1)
    assert {o.result.code for o in decision.outcomes} == {"ALONE"}
    assert most[0] == 1


def test_a_custom_gate_follows_the_built_in_ones(tmp_path: Path) -> None:
    fakes = Fakes(GateStatus.PASS)
    fakes.specs["licences"] = GateSpec("licences", "fake_licences", "Licences approved", "")
    fakes.calls["licences"] = []
    fakes.kinds["fake_licences"] = fake_kind(
        "fake_licences", GateStatus.FAIL, fakes.calls["licences"]
    )
    stage = stage_with({}, default=Level.REQUIRED, gates=(*GATE_NAMES, "licences"))
    decision = run_stage(stage, fakes, tmp_path)
    assert [o.result.gate for o in decision.outcomes] == [*GATE_NAMES, "licences"]
    custom = decision.outcomes[-1]
    assert (custom.kind, custom.title, custom.blocking) == (
        "fake_licences",
        "Licences approved",
        True,
    )
    assert [o.result.gate for o in decision.blocking] == ["licences"]


# -- the real kinds ---------------------------------------------------------------------------


def _builtin_gates() -> Mapping[str, GateSpec]:
    return load_builtin(CATALOG).gates


@pytest.mark.parametrize(
    ("level", "verdict"), [(Level.REQUIRED, Verdict.NO_GO), (Level.REPORT_ONLY, Verdict.GO)]
)
def test_real_gates_without_evidence_are_missing(
    level: Level, verdict: Verdict, tmp_path: Path
) -> None:
    gates = _builtin_gates()
    decision = evaluate_stage(stage_with({}, default=level), gates, {}, RunContext(tmp_path))
    assert decision.verdict is verdict
    assert [o.kind for o in decision.outcomes] == [BUILTIN_GATES[g].kind for g in GATE_NAMES]
    for o in decision.outcomes:
        if o.result.gate == "promotion_guard":
            # no evidence file: it reads GitHub, and without a token that is an error
            assert o.kind == "github_checks"
            assert o.result.status is GateStatus.ERROR
            assert o.result.code == "GITHUB_TOKEN_MISSING"
        else:
            assert o.kind == "evidence"
            assert o.result.status is GateStatus.MISSING
            assert o.result.code == "MISSING_EVIDENCE"
        assert o.blocking is (level is Level.REQUIRED)


def test_off_real_gates_are_skipped_even_with_broken_evidence(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    plans = {g: EvidencePlan(("broken.json",), "--evidence") for g in GATE_NAMES}
    decision = evaluate_stage(
        stage_with({}, default=Level.OFF), _builtin_gates(), plans, RunContext(tmp_path)
    )
    assert decision.verdict is Verdict.GO
    assert {o.result.status for o in decision.outcomes} == {GateStatus.SKIPPED}
    assert all(o.result.evidence == () for o in decision.outcomes)
