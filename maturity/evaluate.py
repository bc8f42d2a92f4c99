"""The main job: config -> resolve stage -> collect evidence -> evaluate gates -> decide -> report.

Everything that can make a verdict impossible (bad flags, config, ref, environment, output
folder) raises a ``MaturityError`` *before* any report is written.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from maturity.config.defaults import DEFAULT_CONFIG_PATH
from maturity.config.load import load_builtin, load_config_file
from maturity.config.types import Config
from maturity.engine import Decision, EvidencePlan, decide
from maturity.errors import UsageError
from maturity.gates import GATES
from maturity.gates.interface import GateName, RunEnvironment
from maturity.github.access import access_from_env
from maturity.report.model import Report
from maturity.resolver import resolve
from maturity.subject import CommitSource, Subject, resolve_ref_input, subject_from
from maturity.text import clean_text

_GATE_NAMES = {g.value: g for g in GateName}


@dataclass(frozen=True)
class EvaluateOptions:
    config: str | None = None
    builtin_config: bool = False
    ref: str | None = None
    tag: str | None = None
    sha: str | None = None
    evidence: Sequence[str] = ()
    evidence_dir: str | None = None
    workspace: str | None = None
    checks_file: str | None = None
    wait: bool = False


def workspace_from(option: str | None, env: Mapping[str, str]) -> Path:
    raw = option or env.get("GITHUB_WORKSPACE") or "."
    path = Path(raw)
    if not path.is_dir():
        raise UsageError(
            f"workspace {raw} is not a folder", "pass --workspace DIR or set GITHUB_WORKSPACE"
        )
    return path.resolve()


def load_config(config: str | None, builtin: bool, workspace: Path) -> tuple[Config, str | None]:
    """The config to use, and a note for people when the built-in defaults stand in."""
    if builtin:
        if config is not None:
            raise UsageError("give --config or --builtin-config, not both", "drop one of them")
        return load_builtin(), None
    if config is not None:
        return load_config_file(Path(config), config), None
    default = workspace / DEFAULT_CONFIG_PATH
    if default.exists():
        return load_config_file(default, DEFAULT_CONFIG_PATH), None
    note = f"no {DEFAULT_CONFIG_PATH} in {workspace}: using the built-in defaults (maturity init writes them)"
    return load_builtin(), note


def evidence_plans(
    config: Config, pairs: Sequence[str], evidence_dir: str | None, workspace: Path
) -> dict[GateName, EvidencePlan]:
    """Per gate: ``--evidence`` if given, else ``--evidence-dir``/<gate>.json, else the config."""
    explicit: dict[GateName, list[str]] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        gate = _GATE_NAMES.get(name.strip())
        if not sep or not path:
            raise UsageError(
                f"--evidence {pair!r} is not GATE=PATH",
                "e.g. --evidence promotion_guard=checks.json",
            )
        if gate is None:
            raise UsageError(
                f"--evidence names the unknown gate {name!r}",
                f"use one of: {', '.join(_GATE_NAMES)}",
            )
        explicit.setdefault(gate, []).append(path)
    if evidence_dir is not None:
        _check_evidence_dir(evidence_dir, workspace)
    plans: dict[GateName, EvidencePlan] = {}
    for gate in GateName:
        if gate in explicit:
            plans[gate] = EvidencePlan(tuple(explicit[gate]), "--evidence")
        elif evidence_dir is not None:
            locator = str(Path(evidence_dir) / f"{gate.value}.json")
            if GATES[gate.value].native_source and not os.path.lexists(workspace / locator):
                # the gate reads its own source; the report and a note say so
                plans[gate] = EvidencePlan(
                    (),
                    f"--evidence-dir has no {gate.value}.json: {GATES[gate.value].native_source}",
                )
            else:
                plans[gate] = EvidencePlan((locator,), "--evidence-dir")
        elif gate in config.evidence:
            plans[gate] = EvidencePlan(config.evidence[gate], "config")
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


def evidence_notes(plans: Mapping[GateName, EvidencePlan]) -> list[str]:
    """Lines for people about evidence that was looked for and not used."""
    return [
        f"{gate.value}: {plan.origin}"
        for gate, plan in plans.items()
        if plan.origin.startswith("--evidence-dir has no")
    ]


def checks_file_from(option: str | None, evidence: Sequence[str]) -> Path | None:
    """``--checks-file``: an existing path, not combined with promotion_guard evidence files."""
    if option is None:
        return None
    if any(pair.partition("=")[0].strip() == GateName.PROMOTION_GUARD.value for pair in evidence):
        raise UsageError(
            "give --checks-file or --evidence promotion_guard=..., not both",
            "drop one of them: --checks-file takes saved GitHub API answers, --evidence a "
            "maturity evidence file",
        )
    path = Path(option)
    if not path.exists():
        # imported only on this error: the module loads the pydantic models of GitHub's answers
        from maturity.checks.saved_answer import HOW_TO_SAVE  # noqa: PLC0415

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


def run_evaluate(options: EvaluateOptions, env: Mapping[str, str]) -> tuple[Report, str | None]:
    """Decide. Returns the report and an optional note for people (e.g. defaults in use)."""
    ref = resolve_ref_input(env, options.ref, options.tag)
    workspace = workspace_from(options.workspace, env)
    subject = subject_from(env, ref, options.sha)
    checks_file = checks_file_from(options.checks_file, options.evidence)
    github = access_from_env(env)
    config, note = load_config(options.config, options.builtin_config, workspace)
    resolution = resolve(config, ref)
    plans = evidence_plans(config, options.evidence, options.evidence_dir, workspace)
    if checks_file is not None:
        # more specific than --evidence-dir and the config (--evidence conflicts, see above)
        plans[GateName.PROMOTION_GUARD] = EvidencePlan((), "--checks-file")
    run = RunEnvironment(
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
    decision = decide(resolution.stage, plans, workspace, run=run, settings=config.settings)
    subject = _bind_judged_commit(subject, decision)
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Report(generated, subject, config, resolution, decision), note
