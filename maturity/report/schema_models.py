"""The JSON report's shape (``Report.to_dict()``), as models the report schema is generated from.

Used by ``maturity._schema_gen`` only, never at run time: the report is written from plain dicts
(``model.py``) and a test validates real reports against the generated schema. Each gate
entry's ``details`` belong to its kind: :func:`report_schema` gives the entry one ``if kind ==
…`` branch per kind with a ``details`` model (``GateKind.details``), generic otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from maturity.config.models import STAGE_NAME_PATTERN
from maturity.core import GateStatus, Level, Verdict
from maturity.refs import RefType
from maturity.report.model import SCHEMA_VERSION
from maturity.subject import CommitSource

DRAFT = "https://json-schema.org/draft/2020-12/schema"

Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
Count = Annotated[int, Field(ge=0)]
Digits = Annotated[str, Field(pattern="^[0-9]+$")]


class ReportSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator without what means nothing in a report: defaults, field titles."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Tool(_Shape):
    name: Literal["maturity"]
    version: str


class RunInfo(_Shape):
    id: Digits | None
    attempt: Digits | None
    url: Annotated[str, Field(pattern="^https?://")] | None


class Subject(_Shape):
    repository: Annotated[str, Field(pattern="^[^/]+/[^/]+$")] | None
    ref: Annotated[str, Field(min_length=1)]
    ref_name: Annotated[str, Field(min_length=1)]
    ref_type: RefType
    sha: Annotated[str, Field(pattern="^([0-9a-f]{40}|[0-9a-f]{64})$")] | None = Field(
        description="the commit this decision judged; null: bound to no commit"
    )
    sha_source: CommitSource | None = Field(
        description="where sha came from: --sha or GITHUB_SHA (bound to the released commit), "
        "github-api (the ref resolved through GitHub), checks-file (named by the saved answer "
        "itself, bound to nothing); null when there is no sha"
    )
    commit: Annotated[str, Field(min_length=1)] = Field(
        description="for people: which commit, and what binds the decision to it"
    )
    run: RunInfo
    actor: str | None
    event: str | None
    workflow: str | None
    job: str | None


class ConfigWarning(_Shape):
    where: str
    message: str
    remediation: str


class ConfigUsed(_Shape):
    source: str
    builtin: bool
    sha256: Sha256
    warnings: list[ConfigWarning]


class StageMapping(_Shape):
    index: Count
    kind: Literal["pattern", "regex"]
    expression: Annotated[str, Field(min_length=1)]


class StageChosen(_Shape):
    name: Annotated[str, Field(pattern=STAGE_NAME_PATTERN)]
    description: str
    mapping: StageMapping


class GateBrief(_Shape):
    """A gate in short: how ``blocking`` lists the gates that block."""

    gate: str
    level: Level
    status: GateStatus
    code: Code
    message: str
    remediation: str


class Finding(_Shape):
    id: str = Field(description="stable across runs: check:<name>@<app>, evidence:<path>, ...")
    status: GateStatus
    code: Code
    message: str
    location: str
    remediation: str
    waiver: str | None = Field(
        description="where the waiver covering this still-failing finding is (file:line); "
        "null when none covers it"
    )


class EvidenceRead(_Shape):
    source: str
    kind: str
    sha256: Sha256
    size: Count


class Gate(GateBrief):
    """One gate's result; ``details`` are its kind's, described by the kind's model."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        json_schema_extra={
            "allOf": [
                {
                    "if": {
                        "properties": {
                            "level": {"const": "required"},
                            "status": {"not": {"enum": ["pass", "waived"]}},
                            "overridden": {"const": False},
                        }
                    },
                    "then": {"properties": {"blocking": {"const": True}}},
                    "else": {"properties": {"blocking": {"const": False}}},
                }
            ]
        },
    )

    kind: str = Field(
        description="the gate's kind: the code that judged it (freeze: an active freeze window)"
    )
    title: str
    blocking: bool
    overridden: bool = Field(
        description="break glass: the gate blocked and was overridden; its status, code and "
        "findings are what it said, and it no longer blocks"
    )
    findings: list[Finding]
    evidence: list[EvidenceRead]
    evidence_sha256: Sha256 | None = Field(
        description="one digest of all the gate read (a waiver's evidence_sha256 names it): "
        "the sha256 of its one piece of evidence, or of the sorted '<sha256>  <source>' lines "
        "of several; null when it read nothing"
    )
    details: dict[str, Any] = Field(
        description="the kind's own facts ({} when the kind did not run or had nothing to read)"
    )
    duration_ms: Annotated[float, Field(ge=0)]


class Summary(_Shape):
    gates: Count
    passed: Count
    blocking: Count
    warnings: Count
    skipped: Count
    waived: Count
    overridden: Count


Utc = Annotated[str, Field(pattern="Z$", json_schema_extra={"format": "date-time"})]


class ClockUsed(_Shape):
    now: Utc = Field(description="the time freeze windows and waivers were judged at")
    source: Literal["--now", "system clock"]


class FreezeInForce(_Shape):
    window: str
    message: str
    schedule: str
    started_utc: Utc
    ends_utc: Utc
    ends_local: Annotated[str, Field(json_schema_extra={"format": "date-time"})]
    overridden: bool


class FreezeDetails(_Shape):
    """The ``details`` of the ``freeze`` pseudo-gate: the window in force."""

    window: str
    schedule: str
    started_utc: Utc
    ends_utc: Utc
    ends_local: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class OverrideApplied(_Shape):
    gate: str
    actor: str
    allowed_by: str = Field(description="the break_glass.allowed_actors entry that allowed it")
    reason: str
    at: Utc
    status_before: GateStatus
    code_before: Code
    message_before: str
    follow_up_url: Annotated[str, Field(pattern="^https?://")] | None


class OverrideFailed(_Shape):
    gate: str
    why: str


class WaiverUsed(_Shape):
    gate: str
    finding: str
    waiver: str = Field(description="where the waiver is: file:line")
    owner: str
    reason: str
    expires: Annotated[str, Field(json_schema_extra={"format": "date"})]
    state: Literal["applied", "expired", "lapsed", "too_long"]


class WaiversRead(_Shape):
    source: str
    sha256: Sha256
    count: Count
    used: list[WaiverUsed]


class Report(_Shape):
    """``maturity-eval.json``: everything a decision rests on."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        title="maturity evaluation report (maturity-eval.json)",
        json_schema_extra={
            "$schema": DRAFT,
            "allOf": [
                {
                    "if": {"properties": {"verdict": {"const": "GO"}}},
                    "then": {
                        "properties": {
                            "blocking": {"maxItems": 0},
                            "verdict_line": {
                                "pattern": r"^GO( \(break glass: [1-9][0-9]* override\(s\)\))?$"
                            },
                        }
                    },
                    "else": {
                        "properties": {
                            "blocking": {"minItems": 1},
                            "verdict_line": {"const": "NO-GO"},
                        }
                    },
                }
            ],
        },
    )

    schema_version: Annotated[str, Field(json_schema_extra={"const": SCHEMA_VERSION})]
    tool: Tool
    generated_at: Annotated[str, Field(pattern="Z$", json_schema_extra={"format": "date-time"})]
    subject: Subject
    config: ConfigUsed
    stage: StageChosen
    verdict: Verdict
    verdict_line: str = Field(
        description="the verdict as people read it: GO, NO-GO, or GO (break glass: N override(s))"
    )
    clock: ClockUsed
    freeze: FreezeInForce | None
    overrides: list[OverrideApplied]
    override_failures: list[OverrideFailed] = Field(
        description="overrides that were authorised but did not apply (their follow-up issue "
        "could not be filed); those gates still block"
    )
    waivers: WaiversRead | None
    audit_log: str | None = Field(description="the audit log this run appended its line to")
    blocking: list[GateBrief]
    gates: list[Gate]
    summary: Summary


NO_DETAILS: dict[str, Any] = {
    "description": "no details: the gate was off, crashed, timed out or had nothing to judge",
    "maxProperties": 0,
    "type": "object",
}


def report_schema(details: Mapping[str, type[BaseModel] | None]) -> dict[str, Any]:
    """The report schema for the kinds *details* names (kind name -> its ``details`` model).

    A gate entry's ``kind`` is one of them; where a kind has a model, the entry's ``details``
    are ``{}`` or that model, else any object.
    """
    with_model: dict[str, type[BaseModel]] = {
        kind: model for kind, model in details.items() if model is not None
    }
    with_model["freeze"] = FreezeDetails  # the pseudo-gate of a freeze window in force
    generator = ReportSchemaGenerator
    refs, top = models_json_schema(
        [(Report, "validation"), *((m, "validation") for m in with_model.values())],
        ref_template="#/$defs/{model}",
        schema_generator=generator,
    )
    defs = top["$defs"]
    schema = defs.pop("Report")
    gate = defs["Gate"]
    gate["properties"]["kind"]["enum"] = [*details, "freeze"]
    defs["NoDetails"] = NO_DETAILS
    for kind, model in with_model.items():
        gate["allOf"].append(
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {
                    "properties": {
                        "details": {
                            "anyOf": [{"$ref": "#/$defs/NoDetails"}, refs[model, "validation"]]
                        }
                    }
                },
            }
        )
    schema["$defs"] = defs
    return generator().sort(schema)
