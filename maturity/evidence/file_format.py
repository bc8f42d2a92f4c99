"""The evidence-file format every gate accepts: ``{"ok", "code"?, "message"?, "details"?}``.

Read by the one strict JSON reader (``maturity.strict_json``: UTF-8 only, no duplicate keys, no
NaN/Infinity, bounded numbers, size and depth); unknown fields and wrong types are refused, and
``schemas/evidence.schema.json`` is generated from :class:`EvidenceFile`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from maturity import strict_json
from maturity.errors import EvidenceError
from maturity.evidence.local_file import MAX_EVIDENCE_BYTES

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{0,63}$"
#: Deepest nesting of arrays/objects accepted; deeper data could not be written back into the
#: JSON report (the encoder recurses), so it is refused here as invalid evidence.
MAX_NESTING = strict_json.MAX_DEPTH


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


def parse_evidence(data: bytes, shown: str) -> EvidenceFile:
    """*data* as an evidence file, read by the strict JSON reader; *shown* names it in errors."""
    remediation = 'write JSON like {"ok": true, "message": "..."} (see `maturity schema evidence`)'
    try:
        obj = strict_json.loads(data, max_bytes=MAX_EVIDENCE_BYTES, max_depth=MAX_NESTING)
    except strict_json.StrictJsonError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE", exc.about(f"evidence file {shown}"), remediation
        ) from None
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
