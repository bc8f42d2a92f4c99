"""Pydantic model of the waivers file: the external shape, strict (``extra="forbid"``).

``schemas/maturity-waivers.schema.json`` is generated from :class:`WaiversFile` and a test keeps
the two equal. Each field checks itself with a message that says what to write (the schema says
the same as a pattern), so a located problem reads ``file:line:col: waivers[0].expires: ...``.

The field rules themselves live in ``fast_check.py`` (plain Python), which ``evaluate`` runs
without these models on a file that is certainly valid; the models give the located errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    WithJsonSchema,
    field_validator,
)

from maturity.config.glob import MAX_GLOB_LENGTH, valid_glob
from maturity.config.models import GATE_NAME_PATTERN
from maturity.config.types import FREEZE_GATE

# the field rules are plain functions, shared with the fast path of ``evaluate``
from maturity.waivers.fast_check import (
    DATE_PATTERN,
    DIGEST_PATTERN,
    MAX_REASON_LENGTH,
    MAX_WAIVERS,
    MIN_REASON_LENGTH,
    OWNER_PATTERN,
    check_digest,
    check_expires,
    check_gate,
    check_owner,
    check_reason,
)

__all__ = [
    "DATE_PATTERN",
    "DIGEST_PATTERN",
    "MAX_REASON_LENGTH",
    "MAX_WAIVERS",
    "MIN_REASON_LENGTH",
    "OWNER_PATTERN",
    "WaiverEntry",
    "WaiversFile",
]


Gate = Annotated[
    StrictStr,
    AfterValidator(check_gate),
    WithJsonSchema({"type": "string", "pattern": GATE_NAME_PATTERN, "not": {"const": FREEZE_GATE}}),
]
FindingGlob = Annotated[
    StrictStr,
    AfterValidator(valid_glob),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_GLOB_LENGTH}),
]
Owner = Annotated[
    StrictStr,
    AfterValidator(check_owner),
    WithJsonSchema({"type": "string", "pattern": OWNER_PATTERN}),
]
Reason = Annotated[
    StrictStr,
    AfterValidator(check_reason),
    WithJsonSchema(
        {"type": "string", "minLength": MIN_REASON_LENGTH, "maxLength": MAX_REASON_LENGTH}
    ),
]
Expiry = Annotated[
    dt.date,
    BeforeValidator(check_expires),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
# None only stands for "absent" (an explicit null is refused), so the schema says string
Digest = Annotated[
    StrictStr | None,
    AfterValidator(lambda v: None if v is None else check_digest(v)),
    WithJsonSchema({"type": "string", "pattern": DIGEST_PATTERN}),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class WaiverEntry(_Strict):
    """A failing finding accepted until ``expires``: who owns that, and why."""

    gate: Gate = Field(
        description="The gate whose findings this waives (not 'freeze': a freeze window is "
        "overridden, never waived)."
    )
    finding: FindingGlob = Field(
        description="Glob on a finding id (* any run, / included; ? one char; [set]), e.g. "
        "check:e2e@*, evidence:dist/*.json, pkg:npm/left-pad@1.3.0, rule:js/xss@src/*, "
        "budget:latency_p99."
    )
    owner: Owner = Field(description="Who answers for it: a GitHub user, or org/team-slug.")
    reason: Reason = Field(
        description=f"Why the failure is accepted, and until what fix (at least "
        f"{MIN_REASON_LENGTH} characters)."
    )
    expires: Expiry = Field(
        description="The last day (UTC) on which the waiver counts, YYYY-MM-DD; from the day "
        "after, it does not (WAIVER_EXPIRED)."
    )
    evidence_sha256: Digest = Field(
        default=None,
        description="The gate's evidence digest the waiver was granted for; when the evidence "
        "differs, the waiver lapses (WAIVER_LAPSED).",
    )

    @field_validator("evidence_sha256", mode="before")
    @classmethod
    def _digest_not_null(cls, value: Any) -> Any:
        if value is None:  # `evidence_sha256:` with nothing after it
            raise ValueError("empty: give the digest, or leave the key out")
        return value


class WaiversFile(_Strict):
    """``ci/maturity-waivers.yml``: reviewed, owned, dated acceptances of failing findings."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        title="maturity waivers",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    version: Literal[1]
    waivers: list[WaiverEntry] = Field(
        max_length=MAX_WAIVERS,
        description="The waivers; for a finding, the first valid one that matches applies.",
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_not_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):  # True == 1 would pass Literal[1]; the schema refuses it
            raise ValueError("Input should be 1, not a boolean")
        return value
