"""From a stages file (or the built-in text) to a :class:`Config`, or to located problems.

Three layers, each only when the one before passed: the schema (pydantic), structural checks
(stages that exist, every gate given a level; without them no decision is possible) and the
semantic checks in ``checks.py``. ``evaluate`` refuses any file with an error in any layer, so it
never decides on a file that ``validate`` rejects; warnings travel into the report.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from maturity.checks.settings import CheckPattern, PromotionGuardSettings, WaitSettings
from maturity.config.checks import semantic_problems
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.models import (
    ENTRY_GLOB,
    ENTRY_MAPPING,
    CheckPatternSpec,
    PromotionGuardSpec,
    StagesFile,
)
from maturity.config.types import Config, Problem, RefMapping, Severity, Stage, problem_at
from maturity.config.yaml_loader import LoadedYaml, Loc, load_yaml_file, load_yaml_text
from maturity.errors import ConfigError
from maturity.gates.interface import GateName

BUILTIN_SOURCE = "built-in defaults"


def format_loc(loc: Loc) -> str:
    """``("mappings", 0, "stage")`` -> ``mappings[0].stage``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Loc, bool]:
    """Turn a pydantic error location into a path in the document.

    Pydantic adds union-branch names (``str``, ``list[str]``) and ``[key]`` markers to locations;
    only the parts that exist in the data are kept. The flag says the error is about a key.
    """
    path: list[str | int] = []
    is_key = False
    node = data
    for part in loc:
        if part in (ENTRY_GLOB, ENTRY_MAPPING):
            continue
        if part == "[key]":
            is_key = True
            break
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a missing or extra field: point at its parent / the key
            is_key = True
            break
    return tuple(path), is_key


_FIXES = {
    "extra_forbidden": "remove it, or check its spelling",
    "missing": "add it",
    "enum": "use one of the values listed",
    "literal_error": "use one of the values listed",
    "string_pattern_mismatch": "use letters, digits, '_', '.' or '-' (at most 64, not starting with a symbol)",
}


def _is_model(node: Any) -> bool:
    return isinstance(node, type) and issubclass(node, BaseModel)


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The pydantic model describing the mapping at *loc* in a stages file, if there is one."""
    node: Any = StagesFile
    for part in loc:
        if _is_model(node):
            field = node.model_fields.get(str(part))
            node = field.annotation if field is not None else None
        elif get_origin(node) in (dict, list):
            node = get_args(node)[-1]  # the value (dict) or item (list) type
        else:
            return None
        # a union such as `str | CheckPatternSpec`: the mapping form is the model
        models = [a for a in get_args(node) if _is_model(a)]
        if get_origin(node) not in (dict, list) and models:
            node = models[0]
    return node if _is_model(node) else None


def _schema_problems(doc: LoadedYaml, exc: ValidationError) -> list[Problem]:
    grouped: dict[tuple[Loc, bool], list[tuple[str, str]]] = {}
    for err in exc.errors(include_url=False):
        path, is_key = _data_path(doc.data, tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(err["type"], "")
        if path and path[-1] == "app" and err["type"] == "string_pattern_mismatch":
            fix = "use the app's slug: lower-case letters, digits and '-' (e.g. github-actions)"
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {path[-1]!r}" if path else "unknown field"
            is_key = True
            model = _model_at(path[:-1])
            if model is not None:
                fix = f"{fix}; fields here: {', '.join(model.model_fields)}"
        elif err["type"] == "missing":
            msg = f"missing required field {path[-1]!r}" if path else msg
            path = path[:-1]
            is_key = False
        elif is_key and path:
            expected = (err.get("ctx") or {}).get("expected")
            shown = f"; expected {expected}" if expected else f": {msg}"
            msg = f"{path[-1]!r} is not allowed here{shown}"
        grouped.setdefault((path, is_key), []).append((msg, fix))
    problems = []
    for (path, is_key), entries in grouped.items():
        msgs = list(dict.fromkeys(m for m, _ in entries))
        fixes = list(dict.fromkeys(f for _, f in entries if f))
        field_name = format_loc(path[:-1] if is_key else path) or "(document)"
        problems.append(
            problem_at(
                doc,
                path,
                Severity.ERROR,
                f"{field_name}: {'; or '.join(msgs)}",
                "; ".join(fixes),
                key=is_key,
            )
        )
    return problems


def structural_problems(doc: LoadedYaml, model: StagesFile) -> list[Problem]:
    """Problems that make a decision impossible: unknown stages, gates without a level."""
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
        unset = [g.value for g in GateName if g not in stage.gates]
        if unset:
            problems.append(
                problem_at(
                    doc,
                    ("stages", name, "gates"),
                    Severity.ERROR,
                    f"stage {name!r} does not set a level for: {', '.join(unset)}",
                    "give every gate a level (required, report_only or off); nothing is off by default",
                )
            )
    return problems


def _pattern(spec: str | CheckPatternSpec) -> CheckPattern:
    return CheckPattern(spec) if isinstance(spec, str) else CheckPattern(spec.name, spec.app)


def promotion_guard_settings(spec: PromotionGuardSpec) -> PromotionGuardSettings:
    return PromotionGuardSettings(
        required=tuple(_pattern(p) for p in spec.required_checks),
        ignore=tuple(_pattern(p) for p in spec.ignore),
        pass_conclusions=frozenset(spec.pass_conclusions),
        allow_missing=spec.allow_missing,
        min_checks=spec.min_checks,
        wait=WaitSettings(float(spec.wait.timeout), float(spec.wait.interval)),
        time_budget_s=float(spec.time_budget),
    )


def _build(doc: LoadedYaml, model: StagesFile, raw: bytes, *, builtin: bool) -> Config:
    stages = {
        name: Stage(name, spec.description, order, dict(spec.gates))
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
    evidence: dict[GateName, tuple[str, ...]] = {}
    for gate in GateName:
        settings = getattr(model.gates, gate.value)
        if isinstance(settings.evidence, str):
            evidence[gate] = (settings.evidence,)
        elif settings.evidence:
            evidence[gate] = tuple(settings.evidence)
    return Config(
        source=doc.source,
        builtin=builtin,
        sha256=hashlib.sha256(raw).hexdigest(),
        stages=stages,
        mappings=mappings,
        evidence=evidence,
        settings={GateName.PROMOTION_GUARD: promotion_guard_settings(model.gates.promotion_guard)},
        document=doc,
    )


def parse_document(
    doc: LoadedYaml, raw: bytes, *, builtin: bool = False
) -> tuple[Config | None, list[Problem]]:
    """Validate a parsed document. Returns the config (if structurally valid) and all problems."""
    if not isinstance(doc.data, dict):
        return None, [
            problem_at(
                doc,
                (),
                Severity.ERROR,
                "the document must be a mapping with version, stages, mappings",
            )
        ]
    try:
        model = StagesFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, _schema_problems(doc, exc)
    problems = structural_problems(doc, model)
    if problems:
        return None, problems
    config = _build(doc, model, raw, builtin=builtin)
    problems = semantic_problems(config)
    warnings = tuple(p for p in problems if p.severity is Severity.WARNING)
    return replace(config, warnings=warnings), problems


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


def load_builtin() -> Config:
    doc = load_yaml_text(DEFAULT_STAGES_YAML, BUILTIN_SOURCE)
    config, problems = parse_document(doc, DEFAULT_STAGES_YAML.encode(), builtin=True)
    return _config_or_raise(config, problems, BUILTIN_SOURCE)


def load_config_file(path: Path, display: str | None = None) -> Config:
    """Load a stages file for evaluation; any structural problem is a ``ConfigError``."""
    doc, raw = load_yaml_file(path, display)
    config, problems = parse_document(doc, raw)
    return _config_or_raise(config, problems, doc.source)


def check_config_file(
    path: Path, display: str | None = None
) -> tuple[Config | None, list[Problem]]:
    """For ``validate``: every problem, errors and warnings; ``ConfigError`` only if unreadable."""
    doc, raw = load_yaml_file(path, display)
    return parse_document(doc, raw)
