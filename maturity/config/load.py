"""From a stages file (or the built-in text) to a :class:`Config`, or to located problems.

Three layers, each only when the one before passed: the schema (pydantic; each gate's block
with its kind's model), structural checks (stages that exist, ``extends`` without cycles,
every declared gate given a level at every stage; without them no decision is possible) and the
semantic checks in ``semantics.py``. ``evaluate`` refuses any file with an error in any layer, so it
never decides on a file that ``validate`` rejects; warnings travel into the report.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.declaration import KindCatalog, declaration_model, kind_of
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.models import StagesFile
from maturity.config.semantics import semantic_problems
from maturity.config.types import (
    Config,
    GateSpec,
    Problem,
    RefMapping,
    Severity,
    Stage,
    problem_at,
)
from maturity.config.yaml_loader import LoadedYaml, Loc, load_yaml_file, load_yaml_text
from maturity.core import Level
from maturity.errors import ConfigError

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
        if isinstance(part, str) and part.startswith("<") and part.endswith(">"):
            continue  # a union branch's tag (a kind names its branches <like this>)
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


def _model_at(loc: Loc, root: type[BaseModel] = StagesFile) -> type[BaseModel] | None:
    """The pydantic model describing the mapping at *loc* under *root*, if there is one."""
    node: Any = root
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


def _schema_problems(
    doc: LoadedYaml,
    exc: ValidationError,
    prefix: Loc = (),
    root: type[BaseModel] = StagesFile,
) -> list[Problem]:
    """Located problems from a validation of the whole file, or of the block at *prefix*
    with *root* (a gate's declaration with its kind's model)."""
    grouped: dict[tuple[Loc, bool], list[tuple[str, str]]] = {}
    for err in exc.errors(include_url=False):
        path, is_key = _data_path(doc.data, (*prefix, *err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(err["type"], "")
        if path and path[-1] == "app" and err["type"] == "string_pattern_mismatch":
            fix = "use the app's slug: lower-case letters, digits and '-' (e.g. github-actions)"
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {path[-1]!r}" if path else "unknown field"
            is_key = True
            model = _model_at(path[len(prefix) : -1], root)
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


def _gate_problems(
    doc: LoadedYaml, model: StagesFile, catalog: KindCatalog
) -> tuple[dict[str, GateSpec], list[Problem]]:
    """Each ``gates:`` block validated with its kind's model; the declared gates, in order."""
    problems: list[Problem] = []
    specs: dict[str, GateSpec] = {
        name: GateSpec(name, b.kind, b.title, b.remediation, builtin=True)
        for name, b in BUILTIN_GATES.items()
    }
    kinds = [*catalog.kind_names()]
    for name, block in model.gates.items():
        kind = kind_of(name, block)
        given = block.get("kind")
        where: Loc = ("gates", name)
        if name in BUILTIN_GATES and given is not None and given != kind:
            problems.append(
                problem_at(
                    doc,
                    (*where, "kind"),
                    Severity.ERROR,
                    f"gates.{name}.kind: {name} is a built-in gate of kind {kind}",
                    f"drop the kind line, or declare a gate of another name with kind: {given}",
                )
            )
            continue
        if kind is None or kind not in kinds:
            said = "has no kind" if kind is None else f"names the unknown kind {kind!r}"
            problems.append(
                problem_at(
                    doc,
                    (*where, "kind") if given is not None else where,
                    Severity.ERROR,
                    f"gates.{name} {said}",
                    f"add kind: with one of: {', '.join(kinds)} (built-in gates need none: "
                    f"{', '.join(BUILTIN_GATES)})",
                    key=given is None,
                )
            )
            continue
        decl = declaration_model(kind, catalog.settings_model(kind))
        try:
            settings = decl.model_validate(block)
        except ValidationError as exc:
            problems += _schema_problems(doc, exc, where, decl)
            continue
        evidence = block.get("evidence")
        builtin = BUILTIN_GATES.get(name)
        specs[name] = GateSpec(
            name=name,
            kind=kind,
            title=block.get("title") or (builtin.title if builtin else name),
            remediation=block.get("remediation") or (builtin.remediation if builtin else ""),
            evidence=(evidence,) if isinstance(evidence, str) else tuple(evidence or ()),
            settings=settings,
            builtin=builtin is not None,
            written=dict(block),
        )
    return specs, problems


def _inherited_levels(
    doc: LoadedYaml, model: StagesFile
) -> tuple[dict[str, dict[str, Level]], list[Problem]]:
    """Each stage's levels with ``extends`` applied (the base's, then the stage's own)."""
    problems: list[Problem] = []
    levels: dict[str, dict[str, Level]] = {}

    def walk(name: str, seen: tuple[str, ...]) -> dict[str, Level] | None:
        if name in levels:
            return levels[name]
        spec = model.stages[name]
        base: dict[str, Level] = {}
        if spec.extends is not None:
            if spec.extends in seen or spec.extends == name:
                path = (*seen, name)
                cycle = " -> ".join((*path[path.index(spec.extends) :], spec.extends))
                problems.append(
                    problem_at(
                        doc,
                        ("stages", name, "extends"),
                        Severity.ERROR,
                        f"stages.{name}.extends makes a cycle: {cycle}",
                        "make one stage in the cycle stand alone (drop its extends)",
                    )
                )
                return None
            if spec.extends not in model.stages:
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


def _build(
    doc: LoadedYaml,
    model: StagesFile,
    raw: bytes,
    gates: dict[str, GateSpec],
    levels: dict[str, dict[str, Level]],
    *,
    builtin: bool,
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
    )


def parse_document(
    doc: LoadedYaml, raw: bytes, catalog: KindCatalog, *, builtin: bool = False
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
    gates, problems = _gate_problems(doc, model, catalog)
    if problems:
        return None, problems
    levels, problems = structural_problems(doc, model, gates)
    if problems:
        return None, problems
    config = _build(doc, model, raw, gates, levels, builtin=builtin)
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


def load_builtin(catalog: KindCatalog) -> Config:
    doc = load_yaml_text(DEFAULT_STAGES_YAML, BUILTIN_SOURCE)
    config, problems = parse_document(doc, DEFAULT_STAGES_YAML.encode(), catalog, builtin=True)
    return _config_or_raise(config, problems, BUILTIN_SOURCE)


def load_config_file(path: Path, catalog: KindCatalog, display: str | None = None) -> Config:
    """Load a stages file for evaluation; any structural problem is a ``ConfigError``."""
    doc, raw = load_yaml_file(path, display)
    config, problems = parse_document(doc, raw, catalog)
    return _config_or_raise(config, problems, doc.source)


def check_config_file(
    path: Path, catalog: KindCatalog, display: str | None = None
) -> tuple[Config | None, list[Problem]]:
    """For ``validate``: every problem, errors and warnings; ``ConfigError`` only if unreadable."""
    doc, raw = load_yaml_file(path, display)
    return parse_document(doc, raw, catalog)
