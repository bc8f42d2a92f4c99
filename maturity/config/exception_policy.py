"""The stages file's exception policy: freeze windows, ``break_glass`` and waiver caps.

Read into frozen values (a :class:`TrustedPolicy`) and checked against the rest of the file:
every stage they name exists, every gate ``break_glass`` lists is declared (or is ``freeze``),
and no declared gate takes the pseudo-gate's name. These are errors in every mode: a freeze
window naming a misspelt stage would silently freeze nothing.

The values come from the plain-Python check of ``exception_fast.py`` when it is sure the
sections are valid (every run of ``evaluate`` on a good file), and from the models of
``exception_models.py`` otherwise; those give each problem its place in the file.
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
    from maturity.config.exception_fast import TrustedPolicy
    from maturity.config.exception_models import BreakGlassSpec, ExceptionPolicySpec
    from maturity.config.freeze import FreezeWindow
    from maturity.config.yaml_loader import LoadedYaml

#: the stages file's top-level sections ``ExceptionPolicySpec`` validates (a test holds the two
#: equal; kept here so that a file without them imports neither path)
POLICY_KEYS = ("freeze_windows", "break_glass", "waivers")


def policy_of(doc: LoadedYaml) -> tuple[TrustedPolicy | None, list[Problem]]:
    """The file's exception policy, validated, or its located problems; None when the file has
    none of the three sections. No model is built unless the fast check declines them."""
    data = doc.data if isinstance(doc.data, dict) else {}
    present = {key: data[key] for key in POLICY_KEYS if key in data}
    if not present:
        return None, []
    from maturity.config.exception_fast import trusted_policy

    trusted = trusted_policy(present)
    if trusted is not None:
        return trusted, []
    from pydantic import ValidationError

    from maturity.config.exception_models import ExceptionPolicySpec
    from maturity.config.schema_problems import schema_problems

    try:
        model = ExceptionPolicySpec.model_validate(present)
    except ValidationError as exc:
        return None, schema_problems(doc, exc, ExceptionPolicySpec)
    return policy_from_model(model), []


def policy_from_model(model: ExceptionPolicySpec) -> TrustedPolicy:
    """The values of a validated policy (the windows' validator has built each once)."""
    from maturity.config.exception_fast import TrustedPolicy

    return TrustedPolicy(
        freeze_windows=tuple(spec.window() for spec in model.freeze_windows),
        break_glass=None if model.break_glass is None else _break_glass(model.break_glass),
        waiver_max_days=dict(model.waivers.max_days) if model.waivers is not None else {},
    )


def _break_glass(spec: BreakGlassSpec) -> BreakGlass:
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


def freeze_windows(policy: TrustedPolicy | None) -> tuple[FreezeWindow, ...]:
    return policy.freeze_windows if policy is not None else ()


def break_glass(policy: TrustedPolicy | None) -> BreakGlass | None:
    return policy.break_glass if policy is not None else None


def waiver_caps(policy: TrustedPolicy | None) -> dict[str, int]:
    return dict(policy.waiver_max_days) if policy is not None else {}


def exception_problems(config: Config, policy: TrustedPolicy | None) -> list[Problem]:
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
    if policy is None:
        return problems
    for i, window in enumerate(policy.freeze_windows):
        for j, stage in enumerate(window.stages):
            unknown_stage(("freeze_windows", i, "stages", j), stage)
    if policy.break_glass is not None:
        for stage, gates in policy.break_glass.stages.items():
            unknown_stage(("break_glass", "stages", stage), stage, key=True)
            if gates == (ALL_GATES,):
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
    for stage in policy.waiver_max_days:
        unknown_stage(("waivers", "max_days", stage), stage, key=True)
    return problems
