"""From a stages file (or the built-in text) to a :class:`Config`, or to located problems.

Three layers, each only when the one before passed: the schema (pydantic, ``models.py``; each
gate's block with its kind's model, ``declaration.py``), structural checks (``structure.py``:
stages that exist, ``extends`` without cycles, every declared gate given a level at every stage;
without them no decision is possible) and the semantic checks of ``semantics.py``.

``validate`` runs every check. ``evaluate`` and ``resolve`` run the ones a decision depends on
(schema, structure, and the linear semantic checks: examples, a catch-all that hides mappings,
stages no mapping names) and leave the analyses that only advise (the pairwise shadowing proof,
typical refs, stage order) to ``validate``, which the pull-request workflow runs. The built-in
defaults are a constant that the tests validate in full, so they are read without a model
build or any analysis.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity.config.declaration import KindCatalog, declared_gates
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.exception_policy import (
    break_glass,
    exception_problems,
    freeze_windows,
    policy_of,
    waiver_caps,
)
from maturity.config.semantics import semantic_problems
from maturity.config.structure import structural_problems
from maturity.config.types import Config, GateSpec, Problem, RefMapping, Severity, Stage, problem_at
from maturity.config.yaml_loader import LoadedYaml, Loc, load_yaml_file, load_yaml_text
from maturity.core import Level
from maturity.errors import ConfigError

if TYPE_CHECKING:
    from maturity.config.exception_fast import TrustedPolicy
    from maturity.config.models import StagesFile

BUILTIN_SOURCE = "built-in defaults"


def _build(
    doc: LoadedYaml,
    model: StagesFile,
    raw: bytes,
    gates: dict[str, GateSpec],
    levels: dict[str, dict[str, Level]],
    *,
    builtin: bool,
    policy: TrustedPolicy | None = None,
) -> Config:
    stages = {
        name: Stage(name, spec.description, order, levels[name], spec.extends)
        for order, (name, spec) in enumerate(model.stages.items())
    }
    mappings = tuple(
        RefMapping(
            index=i,
            kind="pattern" if m.pattern is not None else "regex",
            expression=m.pattern if m.pattern is not None else (m.regex or ""),
            stage=m.stage,
            examples=tuple(m.examples),
        )
        for i, m in enumerate(model.mappings)
    )
    return Config(
        source=doc.source,
        builtin=builtin,
        sha256=hashlib.sha256(raw).hexdigest(),
        stages=stages,
        mappings=mappings,
        gates=gates,
        document=doc,
        freeze_windows=freeze_windows(policy),
        break_glass=break_glass(policy),
        waiver_max_days=waiver_caps(policy),
    )


def parse_document(
    doc: LoadedYaml,
    raw: bytes,
    catalog: KindCatalog,
    *,
    builtin: bool = False,
    full: bool = True,
) -> tuple[Config | None, list[Problem]]:
    """Validate a parsed document. Returns the config (if structurally valid) and all problems.

    *full*: every semantic check (``validate``); otherwise those a decision depends on.
    """
    if not isinstance(doc.data, dict):
        return None, [
            problem_at(
                doc,
                (),
                Severity.ERROR,
                "the document must be a mapping with version, stages, mappings",
            )
        ]
    from pydantic import ValidationError

    from maturity.config.models import StagesFile

    try:
        model = StagesFile.model_validate(doc.data)
    except ValidationError as exc:
        from maturity.config.schema_problems import schema_problems

        return None, schema_problems(doc, exc, StagesFile, missing=_older_format(doc.source))
    gates, problems = declared_gates(doc, model.gates, catalog)
    if problems:
        return None, problems
    levels, problems = structural_problems(doc, model, gates)
    if problems:
        return None, problems
    policy, problems = policy_of(doc)
    if problems:
        return None, problems
    config = _build(doc, model, raw, gates, levels, builtin=builtin, policy=policy)
    problems = exception_problems(config, policy) + semantic_problems(config, full=full)
    warnings = tuple(p for p in problems if p.severity is Severity.WARNING)
    return replace(config, warnings=warnings), problems


def _older_format(source: str) -> dict[Loc, tuple[str, str]]:
    """What a missing ``version`` means: most likely the TypeScript evaluator's file."""
    return {
        ("version",): (
            "without it, this looks like a stages file of the TypeScript evaluator, whose "
            "`pattern:` entries are JavaScript regular expressions found anywhere in the ref name",
            f"run `maturity migrate {source} --write`, which converts the patterns to regex: "
            "mappings and checks that no ref changes stage; or add `version: 1` if the "
            "patterns are globs already",
        )
    }


def raise_for(problems: list[Problem], source: str) -> None:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        lines = "\n".join(p.render() for p in errors)
        raise ConfigError(
            f"{source}: {len(errors)} configuration error(s):\n{lines}",
            f"fix {source} and check it with `maturity validate {source}`",
        )


def _config_or_raise(config: Config | None, problems: list[Problem], source: str) -> Config:
    raise_for(problems, source)
    if config is None:  # unreachable: no config only ever comes with an error
        raise ConfigError(f"{source}: could not be loaded", "run `maturity validate`")
    return config


def trusted_model(data: dict[str, Any]) -> StagesFile:
    """The built-in text's data as the model validation would give, without validating it.

    Only for ``DEFAULT_STAGES_YAML``: a test holds this equal to ``StagesFile.model_validate``
    of the same data, and ``validate --strict`` of the same text is clean.
    """
    from maturity.config.models import MappingSpec, StagesFile, StageSpec

    return StagesFile.model_construct(
        version=1,
        stages={
            name: StageSpec.model_construct(
                description=spec.get("description", ""),
                extends=spec.get("extends"),
                gates={gate: Level(level) for gate, level in spec.get("gates", {}).items()},
            )
            for name, spec in data["stages"].items()
        },
        mappings=[
            MappingSpec.model_construct(
                pattern=m.get("pattern"),
                regex=m.get("regex"),
                stage=m["stage"],
                examples=list(m.get("examples", [])),
            )
            for m in data["mappings"]
        ],
        gates={name: dict(block) for name, block in (data.get("gates") or {}).items()},
    )


def load_builtin(catalog: KindCatalog, *, full: bool = False) -> Config:
    """The built-in defaults; *full* validates them like any file (tests, ``validate``)."""
    doc = load_yaml_text(DEFAULT_STAGES_YAML, BUILTIN_SOURCE)
    raw = DEFAULT_STAGES_YAML.encode()
    if full:
        config, problems = parse_document(doc, raw, catalog, builtin=True)
        return _config_or_raise(config, problems, BUILTIN_SOURCE)
    model = trusted_model(doc.data)
    gates, problems = declared_gates(doc, model.gates, catalog)
    levels, more = structural_problems(doc, model, gates)
    raise_for(problems + more, BUILTIN_SOURCE)
    return _build(doc, model, raw, gates, levels, builtin=True)


def load_config_file(path: Path, catalog: KindCatalog, display: str | None = None) -> Config:
    """Load a stages file for a decision (``evaluate``, ``resolve``): any error is a
    ``ConfigError``; the advisory analyses are ``validate``'s."""
    doc, raw = load_yaml_file(path, display)
    config, problems = parse_document(doc, raw, catalog, full=False)
    return _config_or_raise(config, problems, doc.source)


def check_config_file(
    path: Path, catalog: KindCatalog, display: str | None = None
) -> tuple[Config | None, list[Problem]]:
    """For ``validate``: every problem, errors and warnings; ``ConfigError`` only if unreadable."""
    doc, raw = load_yaml_file(path, display)
    return parse_document(doc, raw, catalog)
