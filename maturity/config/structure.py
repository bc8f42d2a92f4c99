"""Structural checks of a stages file: what makes a decision impossible when it is wrong.

Mappings that name unknown stages, levels for undeclared gates, ``extends`` that names an
unknown stage or makes a cycle, and a declared gate without a level at some stage (after
``extends``): never a silent ``off``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maturity.config.types import GateSpec, Problem, Severity, problem_at
from maturity.config.yaml_loader import LoadedYaml
from maturity.core import Level

if TYPE_CHECKING:
    from maturity.config.models import StagesFile


def _inherited_levels(
    doc: LoadedYaml, model: StagesFile
) -> tuple[dict[str, dict[str, Level]], list[Problem]]:
    """Each stage's levels with ``extends`` applied (the base's, then the stage's own)."""
    problems: list[Problem] = []
    levels: dict[str, dict[str, Level]] = {}
    failed: set[str] = set()  # stages whose levels cannot be known (each reported once)
    order = list(model.stages)

    def walk(name: str, seen: tuple[str, ...]) -> dict[str, Level] | None:
        if name in levels or name in failed:
            return levels.get(name)
        spec = model.stages[name]
        base: dict[str, Level] = {}
        if spec.extends is not None:
            if spec.extends in seen or spec.extends == name:
                path = (*seen, name)
                members = list(path[path.index(spec.extends) :])
                first = min(members, key=order.index)  # reported once, at its first stage
                at = members.index(first)
                cycle = " -> ".join([*members[at:], *members[:at], first])
                failed.update(members)
                said = "names the stage itself" if len(members) == 1 else f"makes a cycle: {cycle}"
                problems.append(
                    problem_at(
                        doc,
                        ("stages", first, "extends"),
                        Severity.ERROR,
                        f"stages.{first}.extends {said}",
                        "make one stage in the cycle stand alone (drop its extends)",
                    )
                )
                return None
            if spec.extends not in model.stages:
                failed.add(name)
                problems.append(
                    problem_at(
                        doc,
                        ("stages", name, "extends"),
                        Severity.ERROR,
                        f"stages.{name}.extends names the unknown stage {spec.extends!r}",
                        f"use one of: {', '.join(s for s in model.stages if s != name)}",
                    )
                )
                return None
            inherited = walk(spec.extends, (*seen, name))
            if inherited is None:
                failed.add(name)  # its base is wrong, and said so there
                return None
            base = dict(inherited)
        levels[name] = {**base, **spec.gates}
        return levels[name]

    for name in model.stages:
        walk(name, ())
    return levels, problems


def structural_problems(
    doc: LoadedYaml, model: StagesFile, gates: dict[str, GateSpec]
) -> tuple[dict[str, dict[str, Level]], list[Problem]]:
    """Problems that make a decision impossible: unknown stages or gates, ``extends`` cycles,
    a declared gate without a level at some stage. Also each stage's levels, in gate order."""
    problems: list[Problem] = []
    for i, mapping in enumerate(model.mappings):
        if mapping.stage not in model.stages:
            problems.append(
                problem_at(
                    doc,
                    ("mappings", i, "stage"),
                    Severity.ERROR,
                    f"mappings[{i}] names the unknown stage {mapping.stage!r}",
                    f"use one of: {', '.join(model.stages)}, or define it under stages:",
                )
            )
    for name, stage in model.stages.items():
        for gate in stage.gates:
            if gate not in gates:
                problems.append(
                    problem_at(
                        doc,
                        ("stages", name, "gates", gate),
                        Severity.ERROR,
                        f"stages.{name}.gates: unknown gate {gate!r}",
                        f"declare it under gates: with a kind, or use one of: {', '.join(gates)}",
                        key=True,
                    )
                )
    levels, extends_problems = _inherited_levels(doc, model)
    problems += extends_problems
    for name, own in levels.items():
        unset = [g for g in gates if g not in own]
        if unset:
            problems.append(
                problem_at(
                    doc,
                    ("stages", name, "gates") if model.stages[name].gates else ("stages", name),
                    Severity.ERROR,
                    f"stage {name!r} does not set a level for: {', '.join(unset)}",
                    "give every gate a level (required, report_only or off) here or in the stage "
                    "it extends; nothing is off by default",
                    key=not model.stages[name].gates,
                )
            )
    ordered = {s: {g: lv[g] for g in gates if g in lv} for s, lv in levels.items()}
    return ordered, problems
