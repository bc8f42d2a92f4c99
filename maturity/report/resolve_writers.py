"""What ``maturity resolve`` prints, by ``--format``: rendered from plain data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class MatchedMapping:
    index: int
    kind: str  # "pattern" or "regex"
    expression: str
    label: str  # how people see it: ``mappings[0] regex '...'``
    where: str  # ``file:line:column`` in the stages file


@dataclass(frozen=True)
class ResolvedRef:
    """A ref, the stage it resolves to, and why: everything ``resolve`` shows."""

    ref: str  # the full ref (``refs/tags/v1.2.3``, or a bare name of unknown type)
    ref_name: str  # what mappings see
    ref_type: str  # a ``RefType`` value
    config: str  # the stages file's source, or "built-in defaults"
    stage: str
    description: str
    mapping: MatchedMapping
    gates: tuple[tuple[str, str], ...]  # (gate, level) in the config's order


def render_text(resolved: ResolvedRef) -> str:
    kind = resolved.ref_type
    if kind == "unknown":
        kind += " type: --tag or --branch says which"
    description = f" ({resolved.description})" if resolved.description else ""
    lines = [
        f"ref:     {resolved.ref} ({kind}; patterns see {resolved.ref_name!r})",
        f"stage:   {resolved.stage}{description}",
        f"mapping: {resolved.mapping.label} at {resolved.mapping.where}",
        "gates:",
        *(f"  {gate:<22}{level}" for gate, level in resolved.gates),
    ]
    return "\n".join(lines) + "\n"


def render_json(resolved: ResolvedRef) -> str:
    data = {
        "ref": resolved.ref,
        "ref_name": resolved.ref_name,
        "ref_type": resolved.ref_type,
        "config": resolved.config,
        "stage": resolved.stage,
        "description": resolved.description,
        "mapping": {
            "index": resolved.mapping.index,
            "kind": resolved.mapping.kind,
            "expression": resolved.mapping.expression,
        },
        "gates": dict(resolved.gates),
    }
    return json.dumps(data, indent=2) + "\n"


#: ``--format`` -> writer
RESOLVE_WRITERS: Mapping[str, Callable[[ResolvedRef], str]] = MappingProxyType(
    {"text": render_text, "json": render_json}
)
