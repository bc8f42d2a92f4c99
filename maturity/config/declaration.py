"""Gate declarations: ``gates.<name>`` of a stages file, validated with the kind's own model.

The config layer sits below the kinds, so it never imports one: the caller hands the loader a
:class:`KindCatalog` (``maturity.kinds.CATALOG``) that names the registered kinds and imports a
kind's settings model on request. Only kinds the file uses are imported: a custom gate's kind,
and a built-in gate's kind when the file gives that gate settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.types import GateSpec, Problem, Severity, problem_at
from maturity.config.yaml_loader import LoadedYaml, Loc

if TYPE_CHECKING:
    from pydantic import BaseModel


class KindCatalog(Protocol):
    """The registered kinds, as the config loader needs them."""

    def kind_names(self) -> Sequence[str]:
        """Every registered kind's name."""

    def settings_model(self, kind: str) -> type[BaseModel]:
        """The kind's frozen ``Settings`` model (importing the kind's module)."""


@cache
def declaration_model(kind: str, settings: type[BaseModel]) -> type[BaseModel]:
    """``GateDeclaration``'s fields plus the kind's settings, ``kind`` fixed to *kind*.

    An instance is an instance of the kind's settings model, so it is handed to the kind as is.
    """
    from pydantic import Field, create_model

    from maturity.config.models import GateDeclaration

    common = GateDeclaration.model_fields
    fields: dict[str, Any] = {
        name: (common[name].annotation, common[name])
        for name in ("title", "remediation", "evidence")
    }
    fields["kind"] = (
        Literal[kind] | None,
        Field(default=None, description=common["kind"].description),
    )
    title = "".join(part.title() for part in kind.split("_"))
    model: type[BaseModel] = create_model(
        f"{title}Gate",
        __base__=settings,
        __doc__=f"A gate of kind {kind}. {settings.__doc__ or ''}".strip(),
        **fields,
    )
    return model


def kind_of(name: str, block: dict[str, Any]) -> str | None:
    """The kind a declaration names, or a built-in gate's own; None when there is neither."""
    given = block.get("kind")
    if name in BUILTIN_GATES:
        return BUILTIN_GATES[name].kind
    return given if isinstance(given, str) else None


def declared_gates(
    doc: LoadedYaml, blocks: Mapping[str, dict[str, Any]], catalog: KindCatalog
) -> tuple[dict[str, GateSpec], list[Problem]]:
    """Each ``gates:`` block validated with its kind's model; the declared gates, in order."""
    problems: list[Problem] = []
    specs: dict[str, GateSpec] = {
        name: GateSpec(name, b.kind, b.title, b.remediation, builtin=True)
        for name, b in BUILTIN_GATES.items()
    }
    kinds = [*catalog.kind_names()]
    for name, block in blocks.items():
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
        from pydantic import ValidationError

        from maturity.config.schema_problems import schema_problems

        decl = declaration_model(kind, catalog.settings_model(kind))
        try:
            settings = decl.model_validate(block)
        except ValidationError as exc:
            problems += schema_problems(doc, exc, decl, where)
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
