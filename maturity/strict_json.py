"""JSON as RFC 8259 has it: Python's extensions (``NaN``, ``Infinity``, ``-Infinity``) refused."""

from __future__ import annotations

from typing import Any


def reject_constant(name: str) -> Any:
    """``parse_constant`` hook for ``json``: those three words are not JSON."""
    raise ValueError(f"{name} is not valid JSON")
