"""Gate kinds: one module (or package) per kind, each exposing ``KIND``.

:data:`KINDS` is the only list of kinds: name → the module that holds it. Modules are imported
when a kind is used (a gate of it runs, or the stages file gives it settings), so ``resolve``
and ``validate`` load no gate code they do not need. A new kind is one module and one line here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from maturity.kinds.interface import GateKind

#: kind name -> module exposing ``KIND``. The one registry: config, schemas and reports read it.
KINDS: dict[str, str] = {
    "evidence": "maturity.kinds.evidence",
    "github_checks": "maturity.kinds.github_checks",
}


def load_kind(name: str) -> GateKind[Any]:
    """The kind registered as *name*. ``KeyError`` when there is none."""
    # __import__ rather than importlib.import_module: the same import, but one that
    # `python -X importtime` lists, so start-up profiles show which kinds a command loaded
    module = __import__(KINDS[name], fromlist=["KIND"])
    kind: GateKind[Any] = module.KIND
    if kind.name != name:
        raise RuntimeError(f"{KINDS[name]}.KIND is named {kind.name!r}, registered as {name!r}")
    return kind


class _Catalog:
    """The registry as the config loader sees it (``maturity.config.declaration.KindCatalog``)."""

    def kind_names(self) -> Sequence[str]:
        return tuple(KINDS)

    def settings_model(self, kind: str) -> type[BaseModel]:
        return load_kind(kind).settings


#: Hand this to ``maturity.config.load``: it imports a kind only when the file uses it.
CATALOG = _Catalog()
