"""The TypeScript evaluator's stages file, read as that evaluator read it.

``scripts/ci/evaluate_maturity_stage.ts`` parsed ``ci/maturity-stages.yml`` and validated it with
zod: ``stages`` maps a name to a ``description`` and all five gates, each ``report_only`` or
``required`` (there was no ``off``); ``mappings`` is a list of ``{pattern, stage}``, each pattern a
JavaScript regular expression. zod ignored (stripped) any other key, so they are ignored here
too, and named, so the person migrating sees what the evaluator never read. There was no
``version``: a file that has one is already in our format.

A ref's stage was the first mapping whose ``new RegExp(pattern).test(name)`` held, else
``PILOT``; a stage name with no entry under ``stages`` stopped the run ("Stage configuration not
found", exit 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.models import STAGE_NAME_PATTERN
from maturity.config.schema_problems import schema_problems
from maturity.config.yaml_loader import LoadedYaml
from maturity.errors import ConfigError
from maturity.text import clean_text

#: the stage a ref got when no pattern matched
FALLBACK_STAGE = "PILOT"

_OldLevel = Literal["report_only", "required"]


class _Lenient(BaseModel):
    # zod's default: keys it does not know are dropped, not refused
    model_config = ConfigDict(extra="ignore", frozen=True)


class _OldGates(_Lenient):
    promotion_guard: _OldLevel
    observability_verify: _OldLevel
    deps_approval: _OldLevel
    policy_drift: _OldLevel
    field_budgets: _OldLevel


class _OldStage(_Lenient):
    description: StrictStr = ""
    gates: _OldGates


class _OldMapping(_Lenient):
    pattern: StrictStr
    stage: StrictStr


class _OldStagesFile(_Lenient):
    stages: dict[StrictStr, _OldStage]
    mappings: list[_OldMapping]


@dataclass(frozen=True)
class OldStage:
    name: str
    description: str
    levels: dict[str, str]  # gate -> report_only | required, in the built-in gates' order


@dataclass(frozen=True)
class OldMapping:
    index: int
    pattern: str  # a JavaScript regular expression, found anywhere in the short name
    stage: str
    where: str  # file:line:col of the pattern


@dataclass(frozen=True)
class OldFile:
    source: str
    stages: dict[str, OldStage]
    mappings: tuple[OldMapping, ...]
    #: fields the evaluator never read (zod dropped them), as paths such as stages.GA.owner
    ignored: tuple[str, ...]

    @property
    def fallback(self) -> str | None:
        """The stage of a ref no pattern matches: PILOT, or None (an error) if there is none."""
        return FALLBACK_STAGE if FALLBACK_STAGE in self.stages else None


def _ignored_fields(data: dict[str, object]) -> tuple[str, ...]:
    """The keys the models above do not read (zod dropped them), as paths."""
    out = [key for key in data if key not in _OldStagesFile.model_fields]
    stages = data.get("stages")
    for name, spec in stages.items() if isinstance(stages, dict) else ():
        if isinstance(spec, dict):
            out += [f"stages.{name}.{k}" for k in spec if k not in _OldStage.model_fields]
            gates = spec.get("gates")
            if isinstance(gates, dict):
                out += [
                    f"stages.{name}.gates.{g}" for g in gates if g not in _OldGates.model_fields
                ]
    mappings = data.get("mappings")
    for i, mapping in enumerate(mappings if isinstance(mappings, list) else ()):
        if isinstance(mapping, dict):
            out += [f"mappings[{i}].{k}" for k in mapping if k not in _OldMapping.model_fields]
    return tuple(clean_text(path, 200) for path in out)


def read_old_file(doc: LoadedYaml) -> OldFile:
    """The older file in *doc*, or a ``ConfigError`` that names the file, the line and the fix."""
    data = doc.data
    if not isinstance(data, dict):
        raise ConfigError(
            f"{doc.source}: not a stages file: the document must be a mapping with stages and "
            "mappings",
            "point `maturity migrate` at the TypeScript evaluator's ci/maturity-stages.yml",
        )
    if "version" in data:
        raise ConfigError(
            f"{doc.where(('version',), key=True)}: this file has a version, so it is already in "
            "maturity's format (or was migrated): its `pattern:` entries are globs",
            f"there is nothing to migrate; check it with `maturity validate {doc.source}`",
        )
    try:
        model = _OldStagesFile.model_validate(data)
    except ValidationError as exc:
        problems = schema_problems(doc, exc, _OldStagesFile)
        lines = "\n".join(p.render() for p in problems)
        raise ConfigError(
            f"{doc.source}: not a valid stages file of the TypeScript evaluator (it refused "
            f"such a file too):\n{lines}",
            "fix the fields named above, then migrate again",
        ) from None
    stage_name = re.compile(STAGE_NAME_PATTERN)
    for name in model.stages:
        if stage_name.fullmatch(name) is None:
            raise ConfigError(
                f"{doc.where(('stages', name), key=True)}: the stage name "
                f"'{clean_text(name, 80)}' cannot be kept: maturity's stage names are letters, "
                "digits, '_', '.' or '-' (at most 64, starting with a letter or digit)",
                "rename the stage (and the mappings that name it), then migrate again",
            )
    mappings = []
    for i, m in enumerate(model.mappings):
        if m.stage not in model.stages:
            raise ConfigError(
                f"{doc.where(('mappings', i, 'stage'))}: mappings[{i}] names the stage "
                f"'{clean_text(m.stage, 80)}', which is not under stages (the TypeScript "
                "evaluator stopped with 'Stage configuration not found' on every ref it matched)",
                f"use one of: {', '.join(model.stages)}, or add the stage, then migrate again",
            )
        mappings.append(OldMapping(i, m.pattern, m.stage, doc.where(("mappings", i, "pattern"))))
    stages = {
        name: OldStage(
            name,
            spec.description,
            {gate: getattr(spec.gates, gate) for gate in BUILTIN_GATES},
        )
        for name, spec in model.stages.items()
    }
    return OldFile(doc.source, stages, tuple(mappings), _ignored_fields(data))
