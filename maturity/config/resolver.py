"""Which stage a ref is at: the first mapping that matches its short name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from maturity.config.types import Config, Problem, RefMapping, Severity, Stage, problem_at
from maturity.errors import RefError
from maturity.refs import Ref, parse_ref, ref_problem

#: a ref name -> the first mapping that matches it (None: no mapping)
Resolved = dict[str, RefMapping | None]


@dataclass(frozen=True)
class Resolution:
    ref: Ref
    stage: Stage
    mapping: RefMapping


def first_match(config: Config, name: str) -> RefMapping | None:
    for mapping in config.mappings:
        if mapping.matches(name):
            return mapping
    return None


def example_names(config: Config) -> list[str]:
    """The short name of every ``examples`` entry that is a valid ref, in file order."""
    return [
        parse_ref(e).name for m in config.mappings for e in m.examples if ref_problem(e) is None
    ]


def resolve_names(config: Config, names: Iterable[str]) -> Resolved:
    """Each of *names* with its first match."""
    return {name: first_match(config, name) for name in names}


def resolve(config: Config, ref: Ref) -> Resolution:
    mapping = first_match(config, ref.name)
    if mapping is None:
        raise RefError(
            f"no mapping in {config.source} matches the ref {ref.name!r}, so it has no stage",
            "add a mapping for it, or end mappings with a catch-all: - pattern: '*'",
        )
    return Resolution(ref=ref, stage=config.stages[mapping.stage], mapping=mapping)


def stronger_at(weak: Stage, strong: Stage) -> list[str]:
    """The gates *strong* sets higher than *weak*, grouped: ``report_only, not required: a, b``."""
    lost: dict[tuple[str, str], list[str]] = {}
    for gate, have in weak.levels.items():
        could = strong.levels[gate]
        if could.strength > have.strength:
            lost.setdefault((have.value, could.value), []).append(gate)
    return [f"{have}, not {could}: {', '.join(gates)}" for (have, could), gates in lost.items()]


def stronger_later_match(config: Config, resolution: Resolution) -> Problem | None:
    """A warning when a later mapping (not a catch-all) matches the ref too and would give it a
    stage where some gate counts more: the file says one thing, a reader may expect the other.

    Linear in the mappings, so ``evaluate`` runs it for the ref it judges; ``validate`` warns
    about the same for typical release tags, and proves which mappings can never match.
    """
    name = resolution.ref.name
    for later in config.mappings[resolution.mapping.index + 1 :]:
        if later.is_catch_all or not later.matches(name):
            continue
        lost = stronger_at(resolution.stage, config.stages[later.stage])
        if lost:
            return problem_at(
                config.document,
                ("mappings", resolution.mapping.index),
                Severity.WARNING,
                f"{name} resolves to {resolution.mapping.label} (stage {resolution.stage.name}), "
                f"although the later {later.label} matches it too (stage {later.stage}); at "
                f"{resolution.stage.name} the gates are {'; '.join(lost)}",
                f"if {name} should get stage {later.stage}, move mappings[{later.index}] above "
                f"mappings[{resolution.mapping.index}]; `maturity validate` shows every mapping "
                "that can never match",
            )
    return None
