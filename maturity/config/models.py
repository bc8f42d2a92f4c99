"""Pydantic models of ``ci/maturity-stages.yml``: the external shape, strict (``extra="forbid"``).

``schemas/maturity-stages.schema.json`` is generated from :class:`StagesFile` and a test keeps the
two equal. Meaning (stages that exist, shadowed mappings, ...) is checked in ``checks.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from maturity.config.glob import GlobError, parse_glob
from maturity.config.regex import RegexError, compile_regex
from maturity.gates.interface import GateName, Level

STAGE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
MAX_MAPPINGS = 5000

StageName = Annotated[str, Field(pattern=STAGE_NAME_PATTERN)]
RefExample = Annotated[StrictStr, Field(min_length=1, max_length=1024)]
EvidencePath = Annotated[StrictStr, Field(min_length=1, max_length=4096)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageSpec(_Strict):
    """A maturity stage: how much each gate counts for refs mapped here."""

    description: StrictStr = Field(default="", max_length=500)
    gates: dict[GateName, Level] = Field(
        description="Every gate with its level at this stage: required, report_only or off."
    )


class MappingSpec(_Strict):
    """Refs matching ``pattern`` (a glob) or ``regex`` (a full match) go to ``stage``.

    Mappings are tried in order; the first match wins.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"oneOf": [{"required": ["pattern"]}, {"required": ["regex"]}]},
    )

    # None only stands for "absent" (the validator refuses an explicit null), so the schema says string
    pattern: Annotated[
        StrictStr | None, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 256})
    ] = Field(
        default=None,
        min_length=1,
        max_length=256,
        description="Glob on the short ref name: * any run (/ included), ? one char, [set].",
    )
    regex: Annotated[
        StrictStr | None, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 1024})
    ] = Field(
        default=None,
        min_length=1,
        max_length=1024,
        description="RE2 regular expression (Python-like, without lookaround or "
        "backreferences; \\d and \\w are ASCII) that must match the whole short ref name.",
    )
    stage: StageName
    examples: list[RefExample] = Field(
        default_factory=list,
        max_length=100,
        description="Refs that must resolve to this mapping; checked by `maturity validate`.",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_matcher(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("pattern" in data) == ("regex" in data):
            raise ValueError("give exactly one of 'pattern' (a glob) or 'regex'")
        if isinstance(data, dict) and any(data.get(k, "") is None for k in ("pattern", "regex")):
            # `pattern:` with nothing after it is null; it must not become a regex '' silently
            raise ValueError("'pattern' or 'regex' is empty: give a glob or a regular expression")
        return data

    @field_validator("pattern")
    @classmethod
    def _glob_parses(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_glob(value)
            except GlobError as exc:
                raise ValueError(f"invalid glob: {exc}") from None
        return value

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        # compiled exactly as resolving compiles it (RE2, size cap), so what passes here matches
        # in bounded time; the message says what RE2 does not support and how to rewrite it
        if value is not None:
            try:
                compile_regex(value)
            except RegexError as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return value


class GateSettingsSpec(_Strict):
    """Per-gate settings, shared by every stage."""

    evidence: EvidencePath | list[EvidencePath] | None = Field(
        default=None,
        description="Evidence file(s) for this gate, relative to the workspace.",
    )


def _check_glob(value: str) -> str:
    try:
        parse_glob(value)
    except GlobError as exc:
        raise ValueError(f"invalid glob: {exc}") from None
    return value


CheckGlob = Annotated[StrictStr, Field(min_length=1, max_length=256), AfterValidator(_check_glob)]
Seconds = Annotated[StrictFloat, Field(gt=0)]  # an int is accepted too


class CheckPatternSpec(_Strict):
    """A check name glob, optionally pinned to the app that must have posted it."""

    name: CheckGlob = Field(description="Check run name or status context; * ? [set] globs.")
    app: Annotated[
        StrictStr | None,
        WithJsonSchema({"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,99}$"}),
    ] = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,99}$",
        description="Slug of the GitHub App that must post the check, e.g. github-actions. "
        "A pinned pattern never matches a commit status (statuses have no app).",
    )

    @model_validator(mode="before")
    @classmethod
    def _app_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and "app" in data and data["app"] is None:
            raise ValueError("'app' is empty: give the app's slug, or leave the key out")
        return data


class WaitSpec(_Strict):
    """How long `--wait` polls while required checks are pending or not there yet."""

    timeout: Annotated[Seconds, Field(le=21600)] = Field(
        default=600, description="Seconds, counted in real time including API time."
    )
    interval: Annotated[Seconds, Field(le=600)] = Field(
        default=15, description="Seconds between polls (jittered by +-20%)."
    )


#: union-branch tags pydantic puts in error locations (the loader drops them from paths)
ENTRY_GLOB, ENTRY_MAPPING = "<check name>", "<check name and app>"


def _entry_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return ENTRY_GLOB
    return ENTRY_MAPPING if isinstance(value, dict) else None


#: A check to require or ignore: a name glob, or a name glob pinned to an app.
CheckEntry = Annotated[
    Annotated[CheckGlob, Tag(ENTRY_GLOB)] | Annotated[CheckPatternSpec, Tag(ENTRY_MAPPING)],
    Discriminator(
        _entry_kind,
        custom_error_type="check_entry",
        custom_error_message="give a check name (a glob) or a mapping {name: ..., app: ...}",
    ),
]

PassConclusion = Literal["success", "neutral", "skipped"]
_DEFAULT_PASS: tuple[PassConclusion, ...] = ("success",)  # neutral, skipped: opt-in


class PromotionGuardSpec(GateSettingsSpec):
    """Which checks on the commit must pass, read from the GitHub Checks API and statuses."""

    required_checks: list[CheckEntry] = Field(
        default_factory=list,
        max_length=500,
        description="Check names (globs), or {name, app}. Empty: every check on the commit.",
    )
    ignore: list[CheckEntry] = Field(
        default_factory=list,
        max_length=500,
        description="Checks never considered (names, globs, or {name, app}).",
    )
    pass_conclusions: list[PassConclusion] = Field(
        default_factory=lambda: list(_DEFAULT_PASS),
        min_length=1,
        description="Check run conclusions that count as passed; must include success. "
        "neutral and skipped are opt-in; a gate where no required check succeeded never passes.",
    )
    allow_missing: StrictBool = Field(
        default=False, description="A required check that never appeared does not block."
    )
    min_checks: StrictInt = Field(
        default=1, ge=1, le=100000, description="Fewest required checks that must be present."
    )
    wait: WaitSpec = Field(default_factory=WaitSpec)
    time_budget: Annotated[Seconds, Field(le=3600)] = Field(
        default=120,
        description="Seconds one evaluation may spend reading GitHub without --wait, "
        "retries and rate-limit pauses included.",
    )

    @field_validator("pass_conclusions")
    @classmethod
    def _success_passes(cls, value: list[str]) -> list[str]:
        if "success" not in value:
            raise ValueError("must include success")
        return value


class GatesSpec(_Strict):
    """Settings per gate, shared by every stage."""

    promotion_guard: PromotionGuardSpec = Field(default_factory=PromotionGuardSpec)
    observability_verify: GateSettingsSpec = Field(default_factory=GateSettingsSpec)
    deps_approval: GateSettingsSpec = Field(default_factory=GateSettingsSpec)
    policy_drift: GateSettingsSpec = Field(default_factory=GateSettingsSpec)
    field_budgets: GateSettingsSpec = Field(default_factory=GateSettingsSpec)


class StagesFile(_Strict):
    """``ci/maturity-stages.yml``: stages (least to most mature), ref mappings, gate settings."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="maturity stages configuration",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )

    version: Literal[1]
    stages: dict[StageName, StageSpec] = Field(min_length=1)
    mappings: list[MappingSpec] = Field(min_length=1, max_length=MAX_MAPPINGS)
    gates: GatesSpec = Field(default_factory=GatesSpec)

    @field_validator("version", mode="before")
    @classmethod
    def _version_not_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):  # True == 1 would pass Literal[1]; the schema refuses it
            raise ValueError("Input should be 1, not a boolean")
        return value
