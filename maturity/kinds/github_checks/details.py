"""The report's ``details`` of a GitHub checks gate (``KIND.details``), for the report schema.

Two forms in one model: the checks the gate read (from the API or a saved answer, ``gate.py``),
or the evidence files it was given instead (``maturity.evidence.details``); one model, not a
union (``RootModel``), because importing that loads pydantic's plugins (~20 ms) even when no
model is ever built. The models describe the report only: ``gate.py`` writes plain dicts,
``maturity._schema_gen`` turns these into the part of ``maturity-eval.schema.json`` for this
kind, and tests check real reports against it.
A key that is not always there is typed ``X | SkipJsonSchema[None] = None``: absent, never null.
Nothing validates with them at run time, so no validator is built (``defer_build``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from maturity.evidence.details import JudgedEvidenceFile
from maturity.kinds.github_checks.gate import MAX_CHECKS_IN_REPORT

#: what each check came to (``judge.Outcome``; a test keeps the two equal)
CheckOutcome = Literal["pass", "fail", "pending", "not_required", "superseded", "self", "ignored"]
Count = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(ge=0)]
WebUrl = Annotated[str, Field(pattern="^https?://")]
Sha = Annotated[str, Field(pattern="^[0-9a-f]{40}([0-9a-f]{24})?$")]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ChecksApiUse(_Shape):
    """What reading the checks cost: requests, retries, rate limit, polls and time."""

    requests: Count
    not_modified: Count = Field(description="conditional requests answered 304 (free)")
    retries: Count
    rate_limit_remaining: Count | None
    rate_limit_reset: Count | None = Field(description="epoch seconds, as GitHub sent it")
    retry_wait_s: Seconds
    polls: Count = Field(description="reads of the checks (more than one with --wait)")
    poll_wait_s: Seconds
    elapsed_s: Seconds
    time_budget_s: Annotated[float, Field(gt=0)]


class RequiredCheckPattern(_Shape):
    """A required_checks entry and how many checks on the commit it matched."""

    name: str
    app: str | None
    matched: Count


class JudgedCheck(_Shape):
    """A check run or commit status on the commit, and what it came to."""

    kind: Literal["check_run", "status"]
    id: Count
    name: str = Field(description="check run name, or status context")
    app: str | None = Field(description="the app's slug; null for a commit status")
    status: str
    conclusion: str | None
    url: WebUrl | None
    required: bool
    matched_by: list[str] = Field(description="the required_checks entries that matched it")
    outcome: CheckOutcome


JudgedChecks = Annotated[list[JudgedCheck], Field(max_length=MAX_CHECKS_IN_REPORT)]


class ExcludedRun(_Shape):
    id: Count
    name: str
    app: str | None


class KeptRun(ExcludedRun):
    why: str


class SelfExclusionDetails(_Shape):
    """The evaluator's own run, left unjudged (at most one), and look-alikes that were judged."""

    excluded: ExcludedRun | None
    reason: str
    kept: list[KeptRun]


class GitHubChecksDetails(_Shape):
    """``details`` of a GitHub checks gate: the checks it read (``source`` and what follows),
    or the evidence files it was given instead (``evidence_origin`` and ``evidence`` alone)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        json_schema_extra={
            "oneOf": [{"required": ["source"]}, {"required": ["evidence"]}],
            "dependentRequired": {
                # a judged gate says what it judged by
                "checks": ["required_checks", "outcomes", "self_exclusion"],
                "evidence": ["evidence_origin"],
            },
            # a gate judged from evidence files has those keys alone
            "dependentSchemas": {
                "evidence": {"propertyNames": {"enum": ["evidence_origin", "evidence"]}}
            },
            # a saved answer names its file
            "if": {"properties": {"source": {"const": "checks-file"}}, "required": ["source"]},
            "then": {"required": ["checks_file"]},
        },
    )

    source: Literal["github-api", "checks-file"] | SkipJsonSchema[None] = Field(
        default=None, description="where the checks were read: the API, or --checks-file"
    )
    evidence_origin: str | SkipJsonSchema[None] = Field(
        default=None,
        description="where the evidence paths came from (--evidence, --evidence-dir, config); "
        "beside source: --evidence-dir had no file for the gate, so it read the checks",
    )
    evidence: list[JudgedEvidenceFile] | SkipJsonSchema[None] = Field(
        default=None, description="the evidence files that parsed, in the order given"
    )
    checks_file: str | SkipJsonSchema[None] = Field(default=None, description="as given")
    api_url: str | SkipJsonSchema[None] = None
    repository: str | SkipJsonSchema[None] = None
    sha: Sha | SkipJsonSchema[None] = Field(default=None, description="the commit judged")
    sha_resolved_from: str | SkipJsonSchema[None] = Field(
        default=None, description="the ref resolved to sha through the API (no --sha given)"
    )
    api: ChecksApiUse | SkipJsonSchema[None] = None
    required_checks: (
        Literal["every check on the commit"] | list[RequiredCheckPattern] | SkipJsonSchema[None]
    ) = None
    outcomes: dict[CheckOutcome, Count] | SkipJsonSchema[None] = Field(
        default=None, description="how many checks came to each outcome"
    )
    self_exclusion: SelfExclusionDetails | SkipJsonSchema[None] = None
    checks: JudgedChecks | SkipJsonSchema[None] = Field(
        default=None, description="every check on the commit, with its outcome"
    )
    checks_left_out: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        default=None, description=f"checks beyond the first {MAX_CHECKS_IN_REPORT}, not listed"
    )
    wait_timed_out: Literal[True] | SkipJsonSchema[None] = Field(
        default=None, description="--wait gave up with something required still unsettled"
    )
