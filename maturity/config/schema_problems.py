"""Pydantic's validation errors as located problems: ``file:line:col: field: message (fix: ...)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from maturity.config.types import Problem, Severity, problem_at
from maturity.config.yaml_loader import LoadedYaml, Loc


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


def _model_at(loc: Loc, root: type[BaseModel]) -> type[BaseModel] | None:
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


def schema_problems(
    doc: LoadedYaml,
    exc: ValidationError,
    root: type[BaseModel],
    prefix: Loc = (),
    missing: Mapping[Loc, tuple[str, str]] | None = None,
) -> list[Problem]:
    """Located problems from a validation of the whole file, or of the block at *prefix*
    with *root* (a gate's declaration with its kind's model). *missing*: for a required field
    (by its path), what its absence means and the fix, instead of "add it"."""
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
            meaning, fix = (missing or {}).get(path, (None, fix))
            msg = f"{msg}: {meaning}" if meaning else msg
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
