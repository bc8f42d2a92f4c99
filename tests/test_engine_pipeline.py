"""The engine's steps: gates run concurrently in a bounded pool, each within its time budget,
a broken kind fails its own gate only, and reports keep the declared order.

Kinds here are throwaway ``GateKind`` objects handed to the engine through its ``loader``;
concurrency is shown with barriers (a gate passes only if the others run beside it), never
with timings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from maturity.config.types import GateSpec, Stage
from maturity.core import GateInputs, GateResult, GateStatus, Level, Verdict
from maturity.engine import EvidencePlan, evaluate_stage
from maturity.kinds.interface import GateKind, KindSettings, RunContext


class Waits(KindSettings):
    """How long a gate of the test kind may run."""

    budget: float = 30.0


def kind(
    judge: Callable[[GateInputs], GateResult], name: str = "test_kind", budget: float = 30.0
) -> GateKind[Waits]:
    return GateKind(
        name=name,
        title="test kind",
        remediation="fix it",
        settings=Waits,
        evaluate=lambda settings, inputs, run: judge(inputs),
        time_budget=lambda settings, run: budget,
    )


def passed(inputs: GateInputs) -> GateResult:
    return GateResult(inputs.gate, GateStatus.PASS, "OK", "ok")


def setup(names: list[str], level: Level = Level.REQUIRED) -> tuple[Stage, dict[str, GateSpec]]:
    gates = {n: GateSpec(n, "test_kind", n.title(), "") for n in names}
    return Stage("S", "", 0, dict.fromkeys(names, level)), gates


def run(
    names: list[str],
    the_kind: GateKind[Any],
    tmp_path: Path,
    *,
    max_workers: int = 8,
    grace_s: float = 5.0,
    level: Level = Level.REQUIRED,
) -> Any:
    stage, gates = setup(names, level)
    plans = {n: EvidencePlan((), "none") for n in names}
    return evaluate_stage(
        stage,
        gates,
        plans,
        RunContext(workspace=tmp_path),
        loader=lambda _name: the_kind,
        max_workers=max_workers,
        grace_s=grace_s,
    )


def test_five_gates_run_at_the_same_time(tmp_path: Path) -> None:
    barrier = threading.Barrier(5, timeout=10)

    def meet(inputs: GateInputs) -> GateResult:
        barrier.wait()  # raises BrokenBarrierError unless all five are running at once
        return passed(inputs)

    names = [f"g{i}" for i in range(5)]
    decision = run(names, kind(meet), tmp_path)
    assert [o.result.status for o in decision.outcomes] == [GateStatus.PASS] * 5
    assert decision.verdict is Verdict.GO


def test_the_pool_is_bounded(tmp_path: Path) -> None:
    lock = threading.Lock()
    running, most = 0, 0
    release = threading.Event()

    def count(inputs: GateInputs) -> GateResult:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 2:
                release.set()
        release.wait(timeout=5)
        with lock:
            running -= 1
        return passed(inputs)

    decision = run([f"g{i}" for i in range(6)], kind(count), tmp_path, max_workers=2)
    assert most == 2
    assert decision.verdict is Verdict.GO


def test_reports_keep_the_declared_order_whatever_finishes_first(tmp_path: Path) -> None:
    first_done = threading.Event()

    def ordered(inputs: GateInputs) -> GateResult:
        if inputs.gate == "a_slow":
            first_done.wait(timeout=10)  # finishes only after z_fast
        else:
            first_done.set()
        return passed(inputs)

    decision = run(["a_slow", "z_fast"], kind(ordered), tmp_path)
    assert [o.result.gate for o in decision.outcomes] == ["a_slow", "z_fast"]
    assert [o.title for o in decision.outcomes] == ["A_Slow", "Z_Fast"]


def test_a_gate_past_its_budget_is_an_error_and_the_others_stand(tmp_path: Path) -> None:
    never = threading.Event()

    def hang(inputs: GateInputs) -> GateResult:
        if inputs.gate == "stuck":
            never.wait(timeout=60)  # a daemon thread: it cannot hold the test run open
        return passed(inputs)

    decision = run(["ok", "stuck"], kind(hang, budget=0.05), tmp_path, grace_s=0.05)
    ok, stuck = decision.outcomes
    assert ok.result.status is GateStatus.PASS
    assert stuck.result.status is GateStatus.ERROR
    assert stuck.result.code == "GATE_TIMED_OUT"
    assert "0.05s" in stuck.result.message
    assert stuck.result.remediation
    assert stuck.blocking
    assert decision.verdict is Verdict.NO_GO
    never.set()


def test_a_kind_that_raises_fails_its_gate_alone(tmp_path: Path) -> None:
    def boom(inputs: GateInputs) -> GateResult:
        if inputs.gate == "bad":
            raise RuntimeError("kaput")
        return passed(inputs)

    decision = run(["good", "bad"], kind(boom), tmp_path)
    good, bad = decision.outcomes
    assert good.result.status is GateStatus.PASS
    assert (bad.result.status, bad.result.code) == (GateStatus.ERROR, "GATE_CRASHED")
    assert "RuntimeError: kaput" in bad.result.message
    assert decision.verdict is Verdict.NO_GO


def test_a_kind_that_cannot_load_fails_its_gate_alone(tmp_path: Path) -> None:
    stage, gates = setup(["x"])

    def loader(name: str) -> GateKind[Any]:
        raise ImportError(f"no module for {name}")

    decision = evaluate_stage(stage, gates, {}, RunContext(workspace=tmp_path), loader=loader)
    [only] = decision.outcomes
    assert only.result.code == "GATE_CRASHED"
    assert "could not load its kind test_kind" in only.result.message
    assert decision.verdict is Verdict.NO_GO


def test_settings_of_another_kind_are_a_crash_never_the_defaults(tmp_path: Path) -> None:
    class Other(KindSettings):
        pass

    stage, gates = setup(["x"])
    gates = {"x": GateSpec("x", "test_kind", "X", "", settings=Other())}
    decision = evaluate_stage(
        stage, gates, {}, RunContext(workspace=tmp_path), loader=lambda _n: kind(passed)
    )
    [only] = decision.outcomes
    assert only.result.code == "GATE_CRASHED"
    assert "Other" in only.result.message
    assert "Waits" in only.result.message


def test_off_gates_are_neither_loaded_nor_run(tmp_path: Path) -> None:
    def loader(name: str) -> GateKind[Any]:
        raise AssertionError("an off gate's kind was loaded")

    stage, gates = setup(["x"], Level.OFF)
    decision = evaluate_stage(stage, gates, {}, RunContext(workspace=tmp_path), loader=loader)
    [only] = decision.outcomes
    assert (only.result.status, only.result.code) == (GateStatus.SKIPPED, "GATE_OFF")
    assert decision.verdict is Verdict.GO


def test_evidence_is_collected_with_digests_before_the_kind_runs(tmp_path: Path) -> None:
    (tmp_path / "e.json").write_bytes(b'{"ok": true}')
    seen: list[GateInputs] = []

    def look(inputs: GateInputs) -> GateResult:
        seen.append(inputs)
        return passed(inputs)

    stage, gates = setup(["x"])
    evaluate_stage(
        stage,
        gates,
        {"x": EvidencePlan(("e.json", "absent.json"), "--evidence")},
        RunContext(workspace=tmp_path),
        loader=lambda _n: kind(look),
    )
    [inputs] = seen
    present, absent = inputs.files
    assert present.data == b'{"ok": true}'
    assert present.record is not None
    assert len(present.record.sha256) == 64
    assert absent.missing
    assert absent.record is None
    assert inputs.origin == "--evidence"


@pytest.mark.parametrize("workers", [1, 3])
def test_every_gate_gets_a_result_with_any_pool_size(tmp_path: Path, workers: int) -> None:
    decision = run([f"g{i}" for i in range(7)], kind(passed), tmp_path, max_workers=workers)
    assert len(decision.outcomes) == 7
    assert all(o.result.duration_ms >= 0 for o in decision.outcomes)
