"""The evidence-file format every gate accepts: ``{"ok", "code"?, "message"?, "details"?}``.

Parsed strictly: duplicate keys, NaN/Infinity, unknown fields and wrong types are refused, and
``schemas/evidence.schema.json`` is generated from :class:`EvidenceFile`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from maturity.evidence.interface import EvidenceError
from maturity.strict_json import reject_constant

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{0,63}$"
#: Deepest nesting of arrays/objects accepted; deeper data could not be written back into the
#: JSON report (the encoder recurses), so it is refused here as invalid evidence.
MAX_NESTING = 64


class EvidenceFile(BaseModel):
    """One gate's evidence: did it hold (``ok``), and why."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="maturity gate evidence",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    ok: StrictBool = Field(description="true when the gate's condition holds.")
    code: StrictStr | None = Field(
        default=None, pattern=CODE_PATTERN, description="Stable machine code, e.g. SBOM_MISSING."
    )
    message: StrictStr | None = Field(
        default=None, max_length=2000, description="One line for people."
    )
    details: dict[str, Any] | None = Field(
        default=None, description="Anything else, kept in the JSON report."
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as inf, which no JSON report can hold
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _unusable(obj: Any) -> str | None:
    """Why parsed JSON cannot be carried into a report (too deep, a lone surrogate), or None."""
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return (
                    f"it holds the lone surrogate \\u{ord(value[exc.start]):04x}, which is not text"
                )
        elif isinstance(value, dict | list):
            if depth >= MAX_NESTING:
                return f"it is nested more than {MAX_NESTING} levels deep"
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return None


def parse_evidence(data: bytes, shown: str) -> EvidenceFile:
    remediation = 'write JSON like {"ok": true, "message": "..."} (see `maturity schema evidence`)'
    try:
        obj = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=reject_constant,
            parse_float=_finite_float,
        )
    except UnicodeDecodeError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE",
            f"evidence file {shown} is not UTF-8 (byte {exc.start})",
            remediation,
        ) from None
    except RecursionError:
        raise EvidenceError(
            "INVALID_EVIDENCE", f"evidence file {shown} is nested too deeply", remediation
        ) from None
    except ValueError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE", f"evidence file {shown} is not valid JSON: {exc}", remediation
        ) from None
    if (why := _unusable(obj)) is not None:
        raise EvidenceError(
            "INVALID_EVIDENCE", f"evidence file {shown} is unusable: {why}", remediation
        )
    try:
        return EvidenceFile.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise EvidenceError(
            "INVALID_EVIDENCE",
            f"evidence file {shown} does not match the evidence schema: {where}: {first['msg']}",
            remediation,
        ) from None
