"""The evidence-file format every gate accepts: ``{"ok", "code"?, "message"?, "details"?}``.

Read by the one strict JSON reader (``maturity.strict_json``: UTF-8 only, no duplicate keys, no
NaN/Infinity, bounded numbers, size and depth); unknown fields and wrong types are refused.
``schemas/evidence.schema.json`` is generated from the pydantic model in ``file_schema.py``;
this module checks the four fields by hand, so judging a file builds no model, and a test keeps
the two in agreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from maturity import strict_json
from maturity.errors import EvidenceError
from maturity.evidence.local_file import MAX_EVIDENCE_BYTES

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{0,63}$"
MAX_MESSAGE_CHARS = 2000
#: Deepest nesting of arrays/objects accepted; deeper data could not be written back into the
#: JSON report (the encoder recurses), so it is refused here as invalid evidence.
MAX_NESTING = strict_json.MAX_DEPTH

_CODE = re.compile(CODE_PATTERN)
_FIELDS = ("ok", "code", "message", "details")


@dataclass(frozen=True)
class Evidence:
    """One gate's evidence: did it hold (``ok``), and why."""

    ok: bool
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] | None = None


def check_evidence(obj: Any) -> Evidence:
    """*obj* (parsed JSON) as evidence; ``ValueError("<field>: <what is wrong>")`` if it is not."""
    if not isinstance(obj, dict):
        raise ValueError(f"(top level): must be an object, not {_json_type(obj)}")
    extra = [k for k in obj if k not in _FIELDS]
    if extra:
        raise ValueError(f"{extra[0]}: unknown field (fields: {', '.join(_FIELDS)})")
    if "ok" not in obj:
        raise ValueError("ok: missing (true when the gate's condition holds)")
    ok, code, message, details = (obj.get(k) for k in _FIELDS)
    if not isinstance(ok, bool):
        raise ValueError(f"ok: must be true or false, not {_json_type(ok)}")
    if code is not None and (not isinstance(code, str) or not _CODE.fullmatch(code)):
        raise ValueError(f"code: must be a string matching {CODE_PATTERN}, e.g. SBOM_MISSING")
    if message is not None and not isinstance(message, str):
        raise ValueError(f"message: must be a string, not {_json_type(message)}")
    if message is not None and len(message) > MAX_MESSAGE_CHARS:
        raise ValueError(f"message: at most {MAX_MESSAGE_CHARS} characters")
    if details is not None and not isinstance(details, dict):
        raise ValueError(f"details: must be an object, not {_json_type(details)}")
    return Evidence(ok, code, message, details)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def parse_evidence(data: bytes, shown: str) -> Evidence:
    """*data* as an evidence file, read by the strict JSON reader; *shown* names it in errors."""
    remediation = 'write JSON like {"ok": true, "message": "..."} (see `maturity schema evidence`)'
    try:
        obj = strict_json.loads(data, max_bytes=MAX_EVIDENCE_BYTES, max_depth=MAX_NESTING)
    except strict_json.StrictJsonError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE", exc.about(f"evidence file {shown}"), remediation
        ) from None
    try:
        return check_evidence(obj)
    except ValueError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE",
            f"evidence file {shown} does not match the evidence schema: {exc}",
            remediation,
        ) from None
