"""What resolving typical refs and every example shows about a stages file (``validate`` warnings).

A file can be free of provable mistakes and still send every release to the weakest stage: a
broad ``v*`` to PILOT placed above the release mapping, without examples. Resolving the refs
people push (``typical_refs``) plus every ``examples`` entry shows it two ways:

* a stage that mappings name but none of those refs reaches;
* a full release tag that resolves to a stage where some gate is weaker than at the stage of a
  later mapping that matches it too. A later catch-all does not count: it is the stage for
  everything else, not another stage for releases.

Both checks match refs against mappings beyond plain resolution; their work is bounded
(``MAX_EXTRA_MATCHES``), and a file that exceeds it gets a warning saying they stopped early.
"""

from __future__ import annotations

from maturity.config.resolver import (
    Resolved,
    example_names,
    resolve_names,
    stronger_at,
)
from maturity.config.types import Config, Problem, RefMapping, Severity, problem_at
from maturity.config.typical_refs import TYPICAL_REFS, is_release_tag

# How many reasons a warning about an unreached stage lists before "and N more".
MAX_REASONS = 4
# Release tags of one first-matching mapping tried against the later mappings: the built-in ones
# plus a few examples say it; thousands of example tags would only repeat it.
MAX_TAGS_PER_MAPPING = 8
# Matches both checks may try together. Ordinary files need a few hundred; a hostile one (many
# mappings, each with many examples) stops here (~0.5 s) instead of running for minutes.
MAX_EXTRA_MATCHES = 200_000


class _Budget:
    def __init__(self, matches: int) -> None:
        self.left = matches
        self.gave_up = False

    def take(self, matches: int) -> bool:
        """Spend *matches*, or say (False) that the checks must stop here."""
        if matches > self.left:
            self.gave_up = True
            return False
        self.left -= matches
        return True


def resolve_tried_refs(config: Config) -> Resolved:
    """The typical refs and every example that is a valid ref, each with its first match."""
    return resolve_names(config, dict.fromkeys([*TYPICAL_REFS, *example_names(config)]))


def _listed(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _why_unreached(
    config: Config, mapping: RefMapping, resolved: Resolved, budget: _Budget
) -> list[str] | None:
    """Why no tried ref gets to *mapping*: the earlier mappings that take them first, or none.

    ``None`` when the budget is spent.
    """
    if not budget.take(len(resolved)):
        return None
    taken: dict[int, list[str]] = {}  # earlier mapping -> the refs it takes first
    for name, hit in resolved.items():
        if hit is not None and hit.index < mapping.index and mapping.matches(name):
            taken.setdefault(hit.index, []).append(name)
    if not taken:
        return [f"{mapping.label} matches none of them"]
    return [
        f"{mapping.label} matches {_listed(names)}, but the earlier {config.mappings[index].label} "
        f"(stage {config.mappings[index].stage}) takes them first"
        for index, names in taken.items()
    ]


def _unreached_stage_problems(config: Config, resolved: Resolved, budget: _Budget) -> list[Problem]:
    """A stage that mappings name but none of the tried refs resolves to."""
    reached = {hit.stage for hit in resolved.values() if hit is not None}
    problems = []
    for stage in dict.fromkeys(m.stage for m in config.mappings):
        if stage in reached:
            continue
        naming = [m for m in config.mappings if m.stage == stage]
        why: list[str] = []
        explained = 0  # each explanation tries every ref: a few mappings say enough
        for mapping in naming:
            reasons = (
                None
                if len(why) >= MAX_REASONS
                else _why_unreached(config, mapping, resolved, budget)
            )
            if reasons is None:
                break
            why += reasons
            explained += 1
        shown = "; ".join(why[:MAX_REASONS]) or "they are not all compared (see below)"
        if len(why) > MAX_REASONS or explained < len(naming):
            shown += f"; and {len(why) - min(len(why), MAX_REASONS) + len(naming) - explained} more"
        first = naming[0]
        problems.append(
            problem_at(
                config.document,
                ("mappings", first.index),
                Severity.WARNING,
                f"stage {stage} is reached by none of the refs validate tries (typical tags and "
                f"branches, and every example): {shown}",
                f"give mappings[{first.index}] examples: refs that must get stage {stage} "
                "(validate then checks that they do); if an earlier mapping takes them, move "
                f"mappings[{first.index}] above it or narrow that one",
            )
        )
    return problems


def _weaker_release_tags(
    config: Config, resolved: Resolved, budget: _Budget
) -> dict[tuple[int, int], list[str]]:
    """(first match, a later mapping at a stronger stage that matches too) -> the release tags."""
    taken: dict[tuple[int, int], list[str]] = {}
    tried: dict[int, int] = {}  # first match -> release tags tried against the later mappings
    for name, hit in resolved.items():
        if hit is None or hit.is_catch_all or not is_release_tag(name):
            continue
        if tried.get(hit.index, 0) >= MAX_TAGS_PER_MAPPING:
            continue
        tried[hit.index] = tried.get(hit.index, 0) + 1
        later_mappings = config.mappings[hit.index + 1 :]
        if not budget.take(len(later_mappings)):
            break
        for later in later_mappings:
            if later.is_catch_all or later.stage == hit.stage or not later.matches(name):
                continue
            if stronger_at(config.stages[hit.stage], config.stages[later.stage]):
                taken.setdefault((hit.index, later.index), []).append(name)
    return taken


def _release_tag_problems(config: Config, resolved: Resolved, budget: _Budget) -> list[Problem]:
    problems = []
    for (first_index, later_index), tags in _weaker_release_tags(config, resolved, budget).items():
        hit, later = config.mappings[first_index], config.mappings[later_index]
        lost = stronger_at(config.stages[hit.stage], config.stages[later.stage])
        what = (
            f"the full release tag {tags[0]} resolves"
            if len(tags) == 1
            else f"full release tags ({_listed(tags)}) resolve"
        )
        problems.append(
            problem_at(
                config.document,
                ("mappings", first_index),
                Severity.WARNING,
                f"{what} to {hit.label} (stage {hit.stage}), although the later {later.label} "
                f"matches {'it' if len(tags) == 1 else 'them'} too (stage {later.stage}); at "
                f"{hit.stage} the gates are {'; '.join(lost)}",
                f"if full releases should get stage {later.stage}, move mappings[{later_index}] "
                f"above mappings[{first_index}], or narrow mappings[{first_index}] so it does not "
                "match them",
            )
        )
    return problems


def what_typical_refs_show(config: Config, resolved: Resolved) -> list[Problem]:
    """Warnings: stages no tried ref reaches, release tags sent to a weaker stage."""
    budget = _Budget(MAX_EXTRA_MATCHES)
    problems = _release_tag_problems(config, resolved, budget)
    problems += _unreached_stage_problems(config, resolved, budget)
    if budget.gave_up:
        problems.append(
            problem_at(
                config.document,
                ("mappings",),
                Severity.WARNING,
                "too many mappings and examples to compare every tried ref with every mapping; "
                "the checks for unreached stages and for release tags at a weaker stage stopped "
                "early",
                "split the file's mappings or trim examples, then validate again",
                key=True,
            )
        )
    return problems
