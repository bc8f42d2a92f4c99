"""The main job: config -> resolve stage -> collect evidence -> evaluate gates -> decide -> report.

Everything that can make a verdict impossible (bad flags, config, ref, environment, output
folder) raises a ``MaturityError`` *before* any report is written.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity.config.resolver import resolve, stronger_later_match
from maturity.config.types import Config, Stage
from maturity.core import Level, utc_timestamp
from maturity.engine import Decision, EvidencePlan, Exceptions, evaluate_stage
from maturity.errors import ConfigError, UsageError
from maturity.github.access import access_from_env
from maturity.kinds import load_kind
from maturity.kinds.interface import GateKind, RunContext
from maturity.report.model import Clock, Report
from maturity.subject import CommitSource, Subject, resolve_ref_input, subject_from
from maturity.text import clean_text
from maturity.workspace import load_config, workspace_from

if TYPE_CHECKING:
    from maturity.config.freeze import FreezeHit
    from maturity.github.access import GitHubAccess
    from maturity.overrides import BreakGlassRun, OverrideFailure
    from maturity.waivers.load import WaiverSet


@dataclass(frozen=True)
class EvaluateOptions:
    """What ``evaluate`` was asked, parsed: ``evidence`` holds ``(gate, path)`` pairs."""

    config: str | None = None
    builtin_config: bool = False
    ref: str | None = None
    tag: str | None = None
    sha: str | None = None
    evidence: Sequence[tuple[str, str]] = ()
    evidence_dir: str | None = None
    workspace: str | None = None
    checks_file: str | None = None
    wait: bool = False
    now: dt.datetime | None = None  # --now: the clock for freeze windows and waivers
    waivers: str | None = None  # --waivers FILE (default: ci/maturity-waivers.yml if present)
    overrides: Sequence[str] = ()  # --override GATE ...
    override_freeze: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class Refusal:
    """What the audit log records of a refused override: the run it happened in."""

    subject: Subject
    stage: str
    config_sha256: str
    now: dt.datetime
    clock_set: bool
    options: EvaluateOptions

    @property
    def gates(self) -> tuple[str, ...]:
        from maturity.overrides import overridden_names  # loaded already: only it refuses

        return overridden_names(self.options.overrides, self.options.override_freeze)

    @property
    def reason(self) -> str:
        return (self.options.reason or "").strip()

    @contextmanager
    def recorded(self) -> Iterator[None]:
        """An ``OverrideRefused`` raised inside becomes a :class:`RefusedRun` of this run."""
        from maturity.breakglass.policy import OverrideRefused

        try:
            yield
        except OverrideRefused as exc:
            raise RefusedRun(exc.rule, exc.message, exc.remediation, self) from None


class RefusedRun(UsageError):
    """An override was refused (exit 2, no verdict); carries the run for the audit log."""

    def __init__(self, rule: str, message: str, remediation: str, refusal: Refusal) -> None:
        super().__init__(message, remediation)
        self.rule = rule
        self.refusal = refusal


def _break_glass(
    options: EvaluateOptions,
    config: Config,
    subject: Subject,
    github: GitHubAccess,
    refusal: Refusal,
) -> BreakGlassRun | None:
    """The overrides asked for, authorised before any gate runs; None when none is asked (the
    break-glass code is then not even loaded)."""
    if not (options.overrides or options.override_freeze or options.reason is not None):
        return None
    from maturity.overrides import BreakGlassRun

    with refusal.recorded():
        return BreakGlassRun.start(
            config,
            refusal.stage,
            subject,
            github,
            gates=options.overrides,
            override_freeze=options.override_freeze,
            reason=options.reason,
        )


def _kind(config: Config, gate: str) -> GateKind[Any]:
    """The kind of *gate* (loaded by name; the engine loads the same one to run it)."""
    return load_kind(config.gates[gate].kind)


def evidence_plans(
    config: Config,
    stage: Stage,
    pairs: Sequence[tuple[str, str]],
    evidence_dir: str | None,
    workspace: Path,
) -> dict[str, EvidencePlan]:
    """Per gate that *stage* runs: ``--evidence`` if given, else ``--evidence-dir``/<gate>.json,
    else the config. (Gates that are off get no plan: they are not run.)"""
    explicit: dict[str, list[str]] = {}
    for name, path in pairs:
        if name not in config.gates:
            raise UsageError(
                f"--evidence names the unknown gate {clean_text(name, 80)!r}",
                f"use one of the gates of {config.source}: {', '.join(config.gates)}",
            )
        explicit.setdefault(name, []).append(path)
    if evidence_dir is not None:
        _check_evidence_dir(evidence_dir, workspace)
    plans: dict[str, EvidencePlan] = {}
    for gate, spec in config.gates.items():
        if stage.levels[gate] is Level.OFF:
            continue
        if gate in explicit:
            plans[gate] = EvidencePlan(tuple(explicit[gate]), "--evidence")
        elif evidence_dir is not None:
            locator = str(Path(evidence_dir) / f"{gate}.json")
            present = os.path.lexists(workspace / locator)
            native = None if present else _kind(config, gate).native_source
            if native:
                # the gate reads its own source; the report and a note say so
                plans[gate] = EvidencePlan((), f"--evidence-dir has no {gate}.json: {native}")
            else:
                plans[gate] = EvidencePlan((locator,), "--evidence-dir")
        elif spec.evidence:
            plans[gate] = EvidencePlan(spec.evidence, "config")
        else:
            plans[gate] = EvidencePlan((), "none")
    return plans


def _check_evidence_dir(evidence_dir: str, workspace: Path) -> None:
    """``--evidence-dir`` names a folder inside the workspace (evidence paths must resolve there),
    refused at once rather than failing every gate one by one."""
    folder = Path(evidence_dir)
    real = (folder if folder.is_absolute() else workspace / folder).resolve()
    shown = clean_text(evidence_dir, 200)
    if not real.is_relative_to(workspace.resolve()):
        raise UsageError(
            f"--evidence-dir {shown} resolves to {clean_text(str(real), 200)}, outside the "
            f"workspace {clean_text(str(workspace), 200)}",
            "put the evidence folder inside the workspace, or pass --workspace (GITHUB_WORKSPACE) "
            "naming a folder that holds it",
        )
    if not real.is_dir():
        raise UsageError(
            f"--evidence-dir {shown} is not a folder",
            "pass the folder holding <gate>.json files (relative to the workspace)",
        )


def evidence_notes(plans: Mapping[str, EvidencePlan]) -> list[str]:
    """Lines for people about evidence that was looked for and not used."""
    return [
        f"{gate}: {plan.origin}"
        for gate, plan in plans.items()
        if plan.origin.startswith("--evidence-dir has no")
    ]


def checks_file_from(
    option: str | None, evidence: Sequence[tuple[str, str]], config: Config
) -> Path | None:
    """``--checks-file``: an existing path, not combined with evidence files for a gate that
    would read it (a gate whose kind reads saved answers, such as promotion_guard)."""
    if option is None:
        return None
    named = [name for name, _ in evidence if name in config.gates]
    clash = next((name for name in named if _kind(config, name).reads_checks_file), None)
    if clash is not None:
        raise UsageError(
            f"give --checks-file or --evidence {clash}=..., not both",
            "drop one of them: --checks-file takes saved GitHub API answers, --evidence a "
            "maturity evidence file",
        )
    path = Path(option)
    if not path.exists():
        # imported only on this error: the module loads the pydantic models of GitHub's answers
        from maturity.kinds.github_checks.saved_answer import HOW_TO_SAVE

        raise UsageError(f"--checks-file {clean_text(option, 200)} does not exist", HOW_TO_SAVE)
    return path


_COMMIT_SOURCES = {"github-api": CommitSource.API, "checks-file": CommitSource.CHECKS_FILE}


def _bind_judged_commit(subject: Subject, decision: Decision) -> Subject:
    """The subject with the commit a gate judged, when neither --sha nor GITHUB_SHA named one.

    promotion_guard finds the commit itself (the tag through the API, or the saved answer's own
    commit); without this the report would say no commit while one was judged.
    """
    if subject.sha is not None:
        return subject
    for outcome in decision.outcomes:
        details = outcome.result.details
        sha, source = details.get("sha"), _COMMIT_SOURCES.get(str(details.get("source")))
        if isinstance(sha, str) and source is not None:
            return replace(subject, sha=sha, sha_source=source)
    return subject


def load_waivers(option: str | None, workspace: Path) -> WaiverSet | None:
    """``--waivers FILE`` (must exist), else ``ci/maturity-waivers.yml`` in the workspace if it
    exists, else none. A file with any problem is a configuration error (exit 2)."""
    from maturity.config.defaults import DEFAULT_WAIVERS_PATH

    if option is not None:
        path = Path(option)
        if not path.is_file():
            raise UsageError(
                f"--waivers {clean_text(option, 200)} is not a file",
                "give the waivers file's path, relative to the current directory",
            )
        return _read_waivers(path, option)
    default = workspace / DEFAULT_WAIVERS_PATH
    if not default.exists():
        return None
    return _read_waivers(default, DEFAULT_WAIVERS_PATH)


def _read_waivers(path: Path, shown: str) -> WaiverSet:
    from maturity.waivers.load import load_waivers_file  # only a run with waivers loads it

    return load_waivers_file(path, shown)


def _check_waiver_gates(waivers: WaiverSet, config: Config) -> None:
    unknown = [w for w in waivers.waivers if w.gate not in config.gates]
    if unknown:
        lines = "\n".join(
            f"{w.where}: the waiver names the gate {w.gate!r}, which {config.source} does not "
            "declare"
            for w in unknown
        )
        raise ConfigError(
            f"{waivers.source}: {len(unknown)} waiver(s) name unknown gates:\n{lines}",
            f"use gates of {config.source} ({', '.join(config.gates)}), or remove the waivers",
        )


def _plans(
    config: Config,
    stage: Stage,
    options: EvaluateOptions,
    workspace: Path,
    checks_file: Path | None,
) -> dict[str, EvidencePlan]:
    plans = evidence_plans(config, stage, options.evidence, options.evidence_dir, workspace)
    if checks_file is not None:
        # more specific than --evidence-dir and the config (--evidence conflicts, see above)
        for gate in plans:
            if _kind(config, gate).reads_checks_file:
                plans[gate] = EvidencePlan((), "--checks-file")
    return plans


def run_evaluate(options: EvaluateOptions, env: Mapping[str, str]) -> tuple[Report, str | None]:
    """Decide. Returns the report and an optional note for people (e.g. defaults in use)."""
    clock_set = options.now is not None
    now = options.now or dt.datetime.now(dt.UTC)
    ref = resolve_ref_input(env, options.ref, options.tag)
    workspace = workspace_from(options.workspace, env)
    subject = subject_from(env, ref, options.sha)
    github = access_from_env(env)
    config, note = load_config(options.config, options.builtin_config, workspace)
    checks_file = checks_file_from(options.checks_file, options.evidence, config)
    waivers = load_waivers(options.waivers, workspace)
    if waivers is not None:
        _check_waiver_gates(waivers, config)
    resolution = resolve(config, ref)
    stage = resolution.stage.name
    refusal = Refusal(subject, stage, config.sha256, now, clock_set, options)
    glass = _break_glass(options, config, subject, github, refusal)
    shadowed = stronger_later_match(config, resolution)
    if shadowed is not None:  # a config warning: in both reports and on the console
        config = replace(config, warnings=(*config.warnings, shadowed))
    plans = _plans(config, resolution.stage, options, workspace, checks_file)
    run = RunContext(
        workspace=workspace,
        ref=ref,
        sha=subject.sha,
        github=github,
        checks_file=checks_file,
        checks_file_shown=clean_text(options.checks_file or "", 300),
        wait=options.wait,
    )
    notes = [note] if note else []
    notes += evidence_notes(plans)
    note = "; ".join(notes) or None
    exceptions = Exceptions(
        now=now,
        freeze=_active_freeze(config, stage, now),
        waivers=waivers,
        waiver_max_days=config.waiver_max_days.get(stage),
    )
    decision = evaluate_stage(resolution.stage, config.gates, plans, run, exceptions=exceptions)
    subject = _bind_judged_commit(subject, decision)
    failures: tuple[OverrideFailure, ...] = ()
    if glass is not None:
        with refusal.recorded():
            decision, failures = glass.finish(decision, subject, dt.datetime.now(dt.UTC))
    clock = Clock(utc_timestamp(now), "--now" if clock_set else "system clock")
    report = Report(
        utc_timestamp(dt.datetime.now(dt.UTC)),
        subject,
        config,
        resolution,
        decision,
        clock=clock,
        waivers_file=waivers,
        override_failures=failures,
    )
    return report, note


def _active_freeze(config: Config, stage: str, now: dt.datetime) -> FreezeHit | None:
    if not config.freeze_windows:
        return None
    from maturity.config.freeze import active_freeze

    return active_freeze(config.freeze_windows, stage, now)
