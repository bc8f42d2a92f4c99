"""The pipeline of one evaluation, as named steps:

1. **collect** each gate's inputs: its evidence files read once, with their digests;
2. **run** each gate's kind, concurrently in a bounded pool, timed by the engine and stopped at
   its time budget;
3. **apply exceptions**: an active freeze window adds the blocking pseudo-gate ``freeze``;
   waivers cover failing findings by their ids, whatever the gate's kind (a gate whose every
   failing finding is waived is ``waived``);
4. **apply levels**: ``off`` gates are not run (``skipped``); a ``required`` gate blocks on
   anything but ``pass`` or ``waived``; a ``report_only`` gate never blocks;
5. **decide**: GO only when nothing blocks.

Overrides (break glass) come last, from ``evaluate``, once it has authorised them and filed
their follow-up: :func:`apply_overrides` turns a blocking outcome into an overridden one that
keeps its status and findings and no longer blocks.

A kind that raises, or cannot be loaded, is an ``error`` result for that gate alone
(``GATE_CRASHED``); one that overruns its budget is ``GATE_TIMED_OUT``. Reports keep the
declared gate order whatever order the gates finish in.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from maturity.config.types import FREEZE_GATE, GateSpec, Stage
from maturity.core import GateInputs, GateResult, GateStatus, Level, Verdict, utc_timestamp
from maturity.evidence.files import collect_files
from maturity.kinds import load_kind
from maturity.kinds.interface import GateKind, RunContext
from maturity.text import clean_text

if TYPE_CHECKING:
    from maturity.config.freeze import FreezeHit
    from maturity.waivers.apply import WaiverUse
    from maturity.waivers.load import WaiverSet

#: gates run at once; most wait on I/O (files, GitHub), so a few threads are enough
MAX_WORKERS = 8
#: seconds past a kind's own budget before the engine gives up on it (kinds keep their own
#: deadlines; this is the backstop for one that does not)
GRACE_S = 5.0


@dataclass(frozen=True)
class EvidencePlan:
    paths: tuple[str, ...]
    origin: (
        str  # "--evidence", "--evidence-dir", "config" or "none" (or why the folder was not used)
    )


#: statuses that never block: the gate passed, or every failing finding is waived
NOT_BLOCKING = frozenset({GateStatus.PASS, GateStatus.WAIVED})
FREEZE_KIND = "freeze"  # the pseudo-gate's kind in reports (no module: nothing to run)


@dataclass(frozen=True)
class Exceptions:
    """What may change results once the gates have run: the clock, an active freeze window,
    the waivers and the stage's cap on them."""

    now: dt.datetime
    freeze: FreezeHit | None = None
    waivers: WaiverSet | None = None
    waiver_max_days: int | None = None


@dataclass(frozen=True)
class Override:
    """One applied break-glass override: who, why, when, and what the gate said before."""

    gate: str
    actor: str
    allowed_by: str  # what in break_glass.allowed_actors let the actor do it
    reason: str
    at: str  # ISO 8601 UTC
    status_before: GateStatus
    code_before: str
    message_before: str
    follow_up_url: str | None = None


@dataclass(frozen=True)
class GateOutcome:
    result: GateResult
    level: Level
    blocking: bool
    kind: str = ""
    title: str = ""
    overridden: bool = False

    @property
    def warns(self) -> bool:
        """A report-only gate that did not pass (or was waived): shown as a warning."""
        return self.level is Level.REPORT_ONLY and self.result.status is not GateStatus.PASS


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    outcomes: tuple[GateOutcome, ...]
    freeze: FreezeHit | None = None
    waivers: tuple[WaiverUse, ...] = ()
    overrides: tuple[Override, ...] = ()

    @property
    def blocking(self) -> tuple[GateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.blocking)

    def outcome(self, gate: str) -> GateOutcome | None:
        return next((o for o in self.outcomes if o.result.gate == gate), None)


@dataclass
class _Job:
    spec: GateSpec
    inputs: GateInputs
    kind: GateKind[Any] | None = None
    settings: Any = None  # the kind's own settings, checked once (``GateKind.settings_of``)
    budget_s: float = 0.0
    result: GateResult | None = None


# -- 1. collect ------------------------------------------------------------------------------


def collect(
    spec: GateSpec, plan: EvidencePlan, context: RunContext, kind_remediation: str = ""
) -> GateInputs:
    """The gate's inputs: its evidence files, read and digested before any kind runs. The fix
    shown when the gate fails is the gate's own, else its kind's (*kind_remediation*)."""
    return GateInputs(
        gate=spec.name,
        title=spec.title,
        remediation=spec.remediation or kind_remediation,
        origin=plan.origin,
        files=collect_files(context.workspace, plan.paths) if plan.paths else (),
    )


# -- 2. run ----------------------------------------------------------------------------------


def _crashed(gate: str, what: str, exc: BaseException) -> GateResult:
    return GateResult(
        gate=gate,
        status=GateStatus.ERROR,
        code="GATE_CRASHED",
        message=clean_text(f"gate {gate} {what}: {type(exc).__name__}: {exc}", 500),
        remediation="this is a bug in maturity: report it with the JSON report attached; "
        "the gate counts as not passed until then",
    )


def _timed_out(job: _Job, grace_s: float) -> GateResult:
    return GateResult(
        gate=job.spec.name,
        status=GateStatus.ERROR,
        code="GATE_TIMED_OUT",
        message=f"gate {job.spec.name} did not finish within its time budget "
        f"({job.budget_s:g}s, and {grace_s:g}s more)",
        remediation="find what the gate waits on (a slow server, a huge file) and fix it, or "
        "raise the gate's time budget in the stages file; the gate counts as not passed",
        duration_ms=round((job.budget_s + grace_s) * 1000, 3),
    )


def _run_one(job: _Job, context: RunContext) -> GateResult:
    assert job.kind is not None  # noqa: S101 - only loaded jobs are started
    started = time.perf_counter()
    try:
        result = job.kind.evaluate(job.settings, job.inputs, context)
    except Exception as exc:  # isolation: one broken gate must not take down the others
        result = _crashed(job.spec.name, "failed unexpectedly", exc)
    return result.timed(started)


def run_kinds(
    jobs: Sequence[_Job],
    context: RunContext,
    max_workers: int = MAX_WORKERS,
    grace_s: float = GRACE_S,
) -> None:
    """Run every loaded job, at most *max_workers* at once; a job past its budget is given up
    (its thread is a daemon, so it cannot hold the process open) and marked timed out."""
    lock = threading.Condition()
    waiting = deque(j for j in jobs if j.result is None)
    active: dict[int, float] = {}  # id(job) -> deadline (monotonic)
    finished: set[int] = set()

    def work(job: _Job) -> None:
        result = _run_one(job, context)
        with lock:
            if id(job) in active:  # not given up on
                job.result = result
                finished.add(id(job))
                lock.notify()

    with lock:
        while waiting or active:
            while waiting and len(active) < max_workers:
                job = waiting.popleft()
                active[id(job)] = time.monotonic() + job.budget_s + grace_s
                name = f"maturity-gate-{job.spec.name}"
                threading.Thread(target=work, args=(job,), name=name, daemon=True).start()
            lock.wait(timeout=max(0.0, min(active.values()) - time.monotonic()))
            now = time.monotonic()
            for job in jobs:
                key = id(job)
                if key in finished:
                    active.pop(key, None)
                elif key in active and now >= active[key]:
                    del active[key]
                    job.result = _timed_out(job, grace_s)


# -- 3. exceptions ---------------------------------------------------------------------------


def freeze_result(hit: FreezeHit) -> GateResult:
    """The blocking pseudo-gate of an active freeze window."""
    window = hit.window
    said = f": {window.message.strip()}" if window.message.strip() else ""
    return GateResult(
        gate=FREEZE_GATE,
        status=GateStatus.FAIL,
        code="FREEZE_WINDOW",
        message=clean_text(
            f"freeze window {window.name!r} is in force until {hit.ends_text()}{said}", 700
        ),
        remediation="wait until the window ends and run again, or, if this release cannot "
        "wait, break glass: --override-freeze --reason '...' (where break_glass allows it)",
        details={
            "window": window.name,
            "schedule": window.describe(),
            "started_utc": utc_timestamp(hit.started_utc),
            "ends_utc": utc_timestamp(hit.ends_utc),
            "ends_local": hit.ends_local.isoformat(),
        },
    )


def apply_exceptions(
    results: Mapping[str, GateResult], exceptions: Exceptions | None
) -> tuple[dict[str, GateResult], tuple[WaiverUse, ...]]:
    """Waivers change results here, and only here, whatever the gates' kinds; a freeze window
    in force comes first, as the blocking pseudo-gate ``freeze``."""
    if exceptions is None:
        return dict(results), ()
    changed: dict[str, GateResult] = dict(results)
    uses: tuple[WaiverUse, ...] = ()
    if exceptions.waivers is not None:
        from maturity.waivers.apply import apply_waivers

        changed, uses = apply_waivers(
            results, exceptions.waivers, now=exceptions.now, max_days=exceptions.waiver_max_days
        )
    if exceptions.freeze is not None:
        changed = {FREEZE_GATE: freeze_result(exceptions.freeze), **changed}
    return changed, uses


class NothingToOverride(ValueError):
    """An override named a gate that does not block (or a freeze that is not in force)."""

    def __init__(self, gate: str, why: str) -> None:
        super().__init__(why)
        self.gate = gate
        self.why = why


def check_overridable(decision: Decision, gates: Sequence[str]) -> None:
    """Raise :class:`NothingToOverride` for the first of *gates* that does not block: an
    override is for a release that is held, never a blanket pass."""
    outcomes = {o.result.gate: o for o in decision.outcomes}
    for gate in gates:
        outcome = outcomes.get(gate)
        if outcome is None:
            why = (
                "no freeze window is in force"
                if gate == FREEZE_GATE
                else f"{gate} is not a gate of this evaluation"
            )
            raise NothingToOverride(gate, why)
        if not outcome.blocking:
            raise NothingToOverride(gate, _why_not_blocking(outcome))


def apply_overrides(decision: Decision, overrides: Sequence[Override]) -> Decision:
    """Each override's gate stops blocking; its status, code and findings stay as they were.

    Raises :class:`NothingToOverride` for a gate that does not block (:func:`check_overridable`).
    """
    by_gate = {o.gate: o for o in overrides}
    check_overridable(decision, list(by_gate))
    outcomes = tuple(
        replace(o, blocking=False, overridden=True) if o.result.gate in by_gate else o
        for o in decision.outcomes
    )
    verdict = Verdict.NO_GO if any(o.blocking for o in outcomes) else Verdict.GO
    return replace(
        decision, verdict=verdict, outcomes=outcomes, overrides=(*decision.overrides, *overrides)
    )


def _why_not_blocking(outcome: GateOutcome) -> str:
    gate, status = outcome.result.gate, outcome.result.status.value
    if outcome.overridden:
        return f"{gate} is overridden already"
    if outcome.level is not Level.REQUIRED:
        return f"{gate} is {outcome.level.value} at this stage, so it does not block ({status})"
    return f"{gate} is {status}, so it does not block"


# -- 4. levels and 5. decide -----------------------------------------------------------------


def apply_levels(
    stage: Stage, specs: Mapping[str, GateSpec], results: Mapping[str, GateResult]
) -> tuple[GateOutcome, ...]:
    outcomes = []
    if FREEZE_GATE in results:  # an active freeze window: first, and always required
        outcomes.append(
            GateOutcome(results[FREEZE_GATE], Level.REQUIRED, True, FREEZE_KIND, "Freeze window")
        )
    for name, spec in specs.items():
        level = stage.levels[name]
        result = results[name]
        blocking = level is Level.REQUIRED and result.status not in NOT_BLOCKING
        outcomes.append(GateOutcome(result, level, blocking, spec.kind, spec.title))
    return tuple(outcomes)


def decide(outcomes: tuple[GateOutcome, ...]) -> Decision:
    verdict = Verdict.NO_GO if any(o.blocking for o in outcomes) else Verdict.GO
    return Decision(verdict=verdict, outcomes=outcomes)


def _prepare(
    spec: GateSpec,
    plan: EvidencePlan,
    context: RunContext,
    loader: Callable[[str], GateKind[Any]],
) -> _Job:
    """A gate's kind, settings, budget and inputs; a kind that cannot load, or settings of
    another kind (a wiring mistake: never the defaults instead), is this gate's error alone."""
    try:
        kind = loader(spec.kind)
    except Exception as exc:
        job = _Job(spec, collect(spec, plan, context))
        job.result = _crashed(spec.name, f"could not load its kind {spec.kind}", exc)
        return job
    job = _Job(spec, collect(spec, plan, context, kind.remediation), kind)
    try:
        job.settings = kind.settings_of(spec.settings)
        job.budget_s = kind.time_budget(job.settings, context)
    except Exception as exc:
        job.result = _crashed(spec.name, "could not be set up", exc)
    return job


def evaluate_stage(
    stage: Stage,
    gates: Mapping[str, GateSpec],
    plans: Mapping[str, EvidencePlan],
    context: RunContext,
    *,
    loader: Callable[[str], GateKind[Any]] = load_kind,
    max_workers: int = MAX_WORKERS,
    grace_s: float = GRACE_S,
    exceptions: Exceptions | None = None,
) -> Decision:
    """Every step, for the gates of *stage*; gates that are off are not loaded or run."""
    results: dict[str, GateResult] = {}
    jobs: list[_Job] = []
    for name, spec in gates.items():
        if stage.levels[name] is Level.OFF:
            results[name] = GateResult(
                gate=name,
                status=GateStatus.SKIPPED,
                code="GATE_OFF",
                message=f"off at stage {stage.name}",
            )
            continue
        job = _prepare(spec, plans.get(name, EvidencePlan((), "none")), context, loader)
        jobs.append(job)
    run_kinds(jobs, context, max_workers, grace_s)
    for job in jobs:
        assert job.result is not None  # noqa: S101 - run_kinds gives every job a result
        results[job.spec.name] = job.result
    results, waivers = apply_exceptions(results, exceptions)
    first = (FREEZE_GATE,) if FREEZE_GATE in results else ()
    ordered = {name: results[name] for name in (*first, *gates)}
    decision = decide(apply_levels(stage, gates, ordered))
    freeze = exceptions.freeze if exceptions is not None else None
    return replace(decision, freeze=freeze, waivers=waivers)


__all__ = [
    "Decision",
    "EvidencePlan",
    "Exceptions",
    "GateOutcome",
    "NothingToOverride",
    "Override",
    "apply_exceptions",
    "apply_levels",
    "apply_overrides",
    "check_overridable",
    "collect",
    "decide",
    "evaluate_stage",
]
