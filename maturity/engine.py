"""Run the gates a stage asks for, apply its levels, and decide.

Rules: ``off`` gates are not run (``skipped``); a ``required`` gate blocks on anything but
``pass``; a ``report_only`` gate never blocks. GO only when nothing blocks. A gate that raises
is an ``error`` result for that gate, never a crash of the run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from maturity.config.types import Stage
from maturity.gates import GATES, Gate
from maturity.gates.interface import (
    GateContext,
    GateName,
    GateResult,
    GateStatus,
    Level,
    RunEnvironment,
)
from maturity.text import clean_text


class Verdict(StrEnum):
    GO = "GO"
    NO_GO = "NO-GO"


@dataclass(frozen=True)
class EvidencePlan:
    paths: tuple[str, ...]
    origin: str  # "--evidence", "--evidence-dir", "config" or "none"


@dataclass(frozen=True)
class GateOutcome:
    result: GateResult
    level: Level
    blocking: bool

    @property
    def warns(self) -> bool:
        """A report-only gate that did not pass: shown as a warning."""
        return self.level is Level.REPORT_ONLY and self.result.status is not GateStatus.PASS


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    outcomes: tuple[GateOutcome, ...]

    @property
    def blocking(self) -> tuple[GateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.blocking)


def _run_gate(gate: type[Gate], context: GateContext) -> GateResult:
    started = time.perf_counter()
    try:
        return gate().evaluate(context)
    except Exception as exc:  # isolation: one broken gate must not take down the others
        return GateResult(
            gate=context.gate,
            status=GateStatus.ERROR,
            code="GATE_CRASHED",
            message=clean_text(
                f"gate {context.gate} failed unexpectedly: {type(exc).__name__}: {exc}", 500
            ),
            remediation="this is a bug in maturity: report it with the JSON report attached; "
            "the gate counts as not passed until then",
        ).timed(started)


def decide(
    stage: Stage,
    plans: Mapping[GateName, EvidencePlan],
    workspace: Path,
    gates: Mapping[str, type[Gate]] = GATES,
    *,
    run: RunEnvironment | None = None,
    settings: Mapping[GateName, object] | None = None,
) -> Decision:
    outcomes: list[GateOutcome] = []
    for name in GateName:
        level = stage.levels[name]
        if level is Level.OFF:
            result = GateResult(
                gate=name.value,
                status=GateStatus.SKIPPED,
                code="GATE_OFF",
                message=f"off at stage {stage.name}",
            )
        else:
            plan = plans.get(name, EvidencePlan((), "none"))
            context = GateContext(
                gate=name.value,
                workspace=workspace,
                evidence_paths=plan.paths,
                evidence_origin=plan.origin,
                settings=(settings or {}).get(name),
                run=run or RunEnvironment(),
            )
            result = _run_gate(gates[name.value], context)
        blocking = level is Level.REQUIRED and result.status is not GateStatus.PASS
        outcomes.append(GateOutcome(result=result, level=level, blocking=blocking))
    verdict = Verdict.NO_GO if any(o.blocking for o in outcomes) else Verdict.GO
    return Decision(verdict=verdict, outcomes=tuple(outcomes))
