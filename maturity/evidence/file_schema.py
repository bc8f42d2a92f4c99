"""The evidence-file format as a pydantic model: the source of ``schemas/evidence.schema.json``.

Only the schema generator imports it. Evidence files are checked at run time by
``file_format.check_evidence``, which needs no model build (start-up time is part of the
product); a test holds the two to the same verdict on every document it tries.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from maturity.evidence.file_format import CODE_PATTERN, MAX_MESSAGE_CHARS


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
        default=None, max_length=MAX_MESSAGE_CHARS, description="One line for people."
    )
    details: dict[str, Any] | None = Field(
        default=None, description="Anything else, kept in the JSON report."
    )
