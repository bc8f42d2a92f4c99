"""Gate declarations: ``gates.<name>`` of a stages file, validated with the kind's own model.

The config layer sits below the kinds, so it never imports one: the caller hands the loader a
:class:`KindCatalog` (``maturity.kinds.CATALOG``) that names the registered kinds and imports a
kind's settings model on request. Only kinds the file uses are imported: a custom gate's kind,
and a built-in gate's kind when the file gives that gate settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, create_model

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.models import GateDeclaration

#: keys every declaration has; the rest belong to the kind
COMMON_KEYS = frozenset(GateDeclaration.model_fields)


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
