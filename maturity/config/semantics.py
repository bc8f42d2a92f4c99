"""The meaning of a stages file, beyond its shape: what ``maturity validate`` explains.

Errors: stages no mapping names, shadowed mappings, a catch-all that is not last, examples that
are not refs or resolve elsewhere, a glob that is a regular expression in disguise. Warnings: a
gate that gets weaker at a more mature stage, mappings that leave some refs without a stage, and
what resolving the typical refs plus every example shows (``reach``): a stage none of them
reaches, and a full release tag that an earlier mapping sends to a weaker stage than a later one
would.
"""

from __future__ import annotations

from maturity.config.glob import CoverBudget, glob_covers
from maturity.config.regex_like_glob import regex_reason
from maturity.config.resolver import Resolved, example_names, resolve_names
from maturity.config.types import Config, Problem, RefMapping, Severity, problem_at
from maturity.refs import parse_ref, ref_problem

# Past this many mappings the pairwise glob proof is skipped (it is quadratic); examples still run.
MAX_PAIRWISE_MAPPINGS = 400
# Work (automaton steps) all pairwise glob proofs of one file may do together. Ordinary pairs are
# settled by their literal prefixes/suffixes without any (400 mappings: ~0.25 s); a hostile
# pattern stops here instead of running for ever.
MAX_PAIRWISE_STEPS = 20_000_000


def _covers(earlier: RefMapping, later: RefMapping, budget: CoverBudget) -> bool:
    """Provably, every ref *later* matches is matched by *earlier* first."""
    if earlier.is_catch_all:
        return True
    if earlier.kind == later.kind == "regex":
        return earlier.expression == later.expression
    if earlier.kind == later.kind == "pattern":
        return glob_covers(earlier.expression, later.expression, budget)
    return False


def _mapping_problems(config: Config, resolved: Resolved, *, full: bool = True) -> list[Problem]:
    doc = config.document
    problems: list[Problem] = []
    mappings = config.mappings
    catch_all = next((m for m in mappings if m.is_catch_all), None)
    if catch_all is not None and catch_all.index != len(mappings) - 1:
        problems.append(
            problem_at(
                doc,
                ("mappings", catch_all.index),
                Severity.ERROR,
                f"{catch_all.label} matches every ref, so the {len(mappings) - 1 - catch_all.index} "
                "mapping(s) after it can never match",
                "move the catch-all to the end of mappings",
            )
        )
    if catch_all is None:
        problems.append(
            problem_at(
                doc,
                ("mappings",),
                Severity.WARNING,
                "no catch-all mapping: a ref that matches none has no stage and evaluate stops with exit 2",
                "if that is not what you want, end mappings with: - pattern: '*'",
                key=True,
            )
        )
    budget = CoverBudget(MAX_PAIRWISE_STEPS)
    if full and len(mappings) <= MAX_PAIRWISE_MAPPINGS:
        for later in mappings:
            for earlier in mappings[: later.index]:
                if earlier is catch_all:
                    break  # already reported once, above
                if _covers(earlier, later, budget):
                    problems.append(
                        problem_at(
                            doc,
                            ("mappings", later.index),
                            Severity.ERROR,
                            f"{later.label} can never match: every ref it matches is matched first "
                            f"by {earlier.label}",
                            "remove it, or move it above the broader mapping",
                        )
                    )
                    break
    if budget.gave_up:
        problems.append(
            problem_at(
                doc,
                ("mappings",),
                Severity.WARNING,
                "the globs are too complex to prove which mappings shadow others; "
                "that check stopped early (examples are still checked)",
                "simplify long runs of '?' and '*', or add examples to each mapping",
                key=True,
            )
        )
    for mapping in mappings:
        problems.extend(_example_problems(config, mapping, resolved))
    return problems


def _regex_like_globs(config: Config) -> list[Problem]:
    """A ``pattern:`` that is a regular expression in disguise (``regex_like_glob``): an error,
    since as a glob it sends the refs it was meant for elsewhere."""
    problems = []
    for mapping in config.mappings:
        why = regex_reason(mapping.expression) if mapping.kind == "pattern" else None
        if why is not None:
            problems.append(
                problem_at(
                    config.document,
                    ("mappings", mapping.index, "pattern"),
                    Severity.ERROR,
                    f"{mapping.label} looks like a regular expression, not a glob: {why}",
                    "write it as `regex:`, which must match the whole short name, so ^ and $ "
                    "can go; or as a glob (* ? [set]). If the file came from the TypeScript "
                    "evaluator, remove `version: 1` and run "
                    f"`maturity migrate {config.source} --write`",
                )
            )
    return problems


def _example_problems(config: Config, mapping: RefMapping, resolved: Resolved) -> list[Problem]:
    problems = []
    for k, example in enumerate(mapping.examples):
        loc = ("mappings", mapping.index, "examples", k)
        why = ref_problem(example)
        if why is not None:
            problems.append(
                problem_at(
                    config.document,
                    loc,
                    Severity.ERROR,
                    f"example {example!r} is not a valid git ref: {why}",
                    "use a ref git accepts",
                )
            )
            continue
        name = parse_ref(example).name
        if not mapping.matches(name):
            problems.append(
                problem_at(
                    config.document,
                    loc,
                    Severity.ERROR,
                    f"example {example!r} does not match {mapping.label}",
                    "fix the example or the pattern",
                )
            )
            continue
        hit = resolved[name]
        if hit is not None and hit.index != mapping.index:
            problems.append(
                problem_at(
                    config.document,
                    loc,
                    Severity.ERROR,
                    f"example {example!r} resolves to {hit.label} (stage {hit.stage}), "
                    f"not to mappings[{mapping.index}] (stage {mapping.stage})",
                    "order mappings from most to least specific",
                )
            )
    return problems


def _stage_problems(config: Config, *, full: bool = True) -> list[Problem]:
    doc = config.document
    problems: list[Problem] = []
    reached = {m.stage for m in config.mappings}
    for name in config.stages:
        if name not in reached:
            problems.append(
                problem_at(
                    doc,
                    ("stages", name),
                    Severity.ERROR,
                    f"no mapping reaches stage {name!r}",
                    f"add a mapping with stage: {name}, or remove the stage",
                    key=True,
                )
            )
    if not full:
        return problems
    ordered = sorted(config.stages.values(), key=lambda s: s.order)
    for i, later in enumerate(ordered):
        for gate, level in later.levels.items():
            stronger = [s for s in ordered[:i] if s.levels[gate].strength > level.strength]
            if stronger:
                was = stronger[-1]
                own = doc.position(("stages", later.name, "gates", gate)) is not None
                problems.append(
                    problem_at(
                        doc,
                        ("stages", later.name, "gates", gate) if own else ("stages", later.name),
                        Severity.WARNING,
                        f"gate {gate} is {was.levels[gate].value} at stage {was.name} but only "
                        f"{level.value} at the later, more mature stage {later.name}",
                        "stages are listed from least to most mature; raise the level, or reorder",
                    )
                )
    return problems


def semantic_problems(config: Config, *, full: bool = True) -> list[Problem]:
    """What the file means, checked. *full* (``validate``) runs every analysis; otherwise only
    the linear checks a decision depends on (``evaluate``, ``resolve``): stages no mapping
    names, a catch-all that hides later mappings, no catch-all, every example, and globs that
    look like regular expressions."""
    if not full:
        resolved = resolve_names(config, example_names(config))
        problems = (
            _stage_problems(config, full=False)
            + _regex_like_globs(config)
            + _mapping_problems(config, resolved, full=False)
        )
    else:
        from maturity.config.reach import resolve_tried_refs, what_typical_refs_show

        resolved = resolve_tried_refs(config)
        problems = (
            _stage_problems(config)
            + _regex_like_globs(config)
            + _mapping_problems(config, resolved)
            + what_typical_refs_show(config, resolved)
        )
    return sorted(problems, key=lambda p: (p.line or 0, p.severity.value))
