"""The stages file's exception policy: freeze windows, ``break_glass`` and waiver caps.

Read from the validated model into frozen values, and checked against the rest of the file:
every stage they name exists, every gate ``break_glass`` lists is declared (or is ``freeze``),
and no declared gate takes the pseudo-gate's name. These are errors in every mode: a freeze
window naming a misspelt stage would silently freeze nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maturity.config.types import (
    ALL_GATES,
    FREEZE_GATE,
    BreakGlass,
    Config,
    FollowUp,
    Problem,
    Severity,
    problem_at,
)

if TYPE_CHECKING:
    from maturity.config.exception_models import ExceptionPolicySpec
    from maturity.config.freeze import FreezeWindow
    from maturity.config.yaml_loader import LoadedYaml


#: the stages file's top-level sections ``ExceptionPolicySpec`` validates (a test holds the two
#: equal; kept here so that a file without them does not even import the models)
POLICY_KEYS = ("freeze_windows", "break_glass", "waivers")


def policy_of(doc: LoadedYaml) -> tuple[ExceptionPolicySpec | None, list[Problem]]:
    """The file's exception policy, validated, or its located problems; None (and no model
    built) when the file has none of the three sections."""
    data = doc.data if isinstance(doc.data, dict) else {}
    present = {key: data[key] for key in POLICY_KEYS if key in data}
    if not present:
        return None, []
    from pydantic import ValidationError

    from maturity.config.exception_models import ExceptionPolicySpec
    from maturity.config.schema_problems import schema_problems

    try:
        return ExceptionPolicySpec.model_validate(present), []
    except ValidationError as exc:
        return None, schema_problems(doc, exc, ExceptionPolicySpec)


def freeze_windows(model: ExceptionPolicySpec | None) -> tuple[FreezeWindow, ...]:
    """The windows, parsed (the model's validator has already parsed each once)."""
    if model is None or not model.freeze_windows:
        return ()
    # only a file with freeze windows pays for the time logic (zoneinfo, its dataclasses)
    from maturity.config.freeze import absolute_window, weekly_window

    windows = []
    for spec in model.freeze_windows:
        stages = tuple(spec.stages)
        if spec.weekly is not None and spec.timezone is not None:
            windows.append(
                weekly_window(
                    spec.name,
                    spec.message,
                    stages,
                    spec.weekly.from_,
                    spec.weekly.to,
                    spec.timezone,
                )
            )
        elif spec.start is not None and spec.end is not None:
            windows.append(absolute_window(spec.name, spec.message, stages, spec.start, spec.end))
    return tuple(windows)


def break_glass(model: ExceptionPolicySpec | None) -> BreakGlass | None:
    spec = model.break_glass if model is not None else None
    if spec is None:
        return None
    follow_up = None
    if spec.follow_up is not None:
        follow_up = FollowUp(tuple(spec.follow_up.labels), tuple(spec.follow_up.assignees))
    return BreakGlass(
        allowed_actors=tuple(spec.allowed_actors),
        min_reason_length=spec.min_reason_length,
        reason_pattern=spec.reason_pattern,
        stages={
            stage: (ALL_GATES,) if gates == ALL_GATES else tuple(gates)
            for stage, gates in spec.stages.items()
        },
        follow_up=follow_up,
    )


def waiver_caps(model: ExceptionPolicySpec | None) -> dict[str, int]:
    return dict(model.waivers.max_days) if model is not None and model.waivers else {}


def exception_problems(config: Config, model: ExceptionPolicySpec | None) -> list[Problem]:
    doc = config.document
    problems: list[Problem] = []
    known = ", ".join(config.stages)

    def unknown_stage(loc: tuple[str | int, ...], name: str, *, key: bool = False) -> None:
        if name not in config.stages:
            problems.append(
                problem_at(
                    doc,
                    loc,
                    Severity.ERROR,
                    f"unknown stage {name!r}",
                    f"use one of the stages of this file: {known}",
                    key=key,
                )
            )

    if FREEZE_GATE in config.gates:
        problems.append(
            problem_at(
                doc,
                ("gates", FREEZE_GATE),
                Severity.ERROR,
                f"a gate may not be named {FREEZE_GATE!r}: that is the pseudo-gate a freeze "
                "window blocks with",
                "rename the gate",
                key=True,
            )
        )
    if model is None:
        return problems
    for i, window in enumerate(model.freeze_windows):
        for j, stage in enumerate(window.stages):
            unknown_stage(("freeze_windows", i, "stages", j), stage)
    if model.break_glass is not None:
        for stage, gates in model.break_glass.stages.items():
            unknown_stage(("break_glass", "stages", stage), stage, key=True)
            if gates == ALL_GATES:
                continue
            for j, gate in enumerate(gates):
                if gate != FREEZE_GATE and gate not in config.gates:
                    problems.append(
                        problem_at(
                            doc,
                            ("break_glass", "stages", stage, j),
                            Severity.ERROR,
                            f"unknown gate {gate!r}",
                            f"use a gate of this file ({', '.join(config.gates)}), "
                            f"{FREEZE_GATE!r}, or '*' for all",
                        )
                    )
    if model.waivers is not None:
        for stage in model.waivers.max_days:
            unknown_stage(("waivers", "max_days", stage), stage, key=True)
    return problems
