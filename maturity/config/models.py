"""Pydantic models of ``ci/maturity-stages.yml``: the external shape, strict (``extra="forbid"``).

``schemas/maturity-stages.schema.json`` is generated from :class:`StagesFile` and a test keeps the
two equal. Meaning (stages that exist, shadowed mappings, ...) is checked in ``semantics.py``. A gate's
settings belong to its kind: ``gates:`` is read here as plain mappings, and the loader validates
each with its kind's model (``declaration.py``), so no kind is loaded that the file does not use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from maturity.config.glob import valid_glob
from maturity.config.regex import RegexError, compile_regex
from maturity.core import Level

STAGE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
MAX_MAPPINGS = 5000

StageName = Annotated[str, Field(pattern=STAGE_NAME_PATTERN)]
GATE_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
GateName = Annotated[str, Field(pattern=GATE_NAME_PATTERN)]
RefExample = Annotated[StrictStr, Field(min_length=1, max_length=1024)]
EvidencePath = Annotated[StrictStr, Field(min_length=1, max_length=4096)]


class _Strict(BaseModel):
    # validators are built on first validation, not at import: the built-in defaults never
    # need them (see load.trusted_model)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class StageSpec(_Strict):
    """A maturity stage: how much each gate counts for refs mapped here."""

    description: StrictStr = Field(default="", max_length=500)
    extends: StageName | None = Field(
        default=None,
        description="Another stage whose levels this one starts from; `gates:` here overrides.",
    )
    gates: dict[GateName, Level] = Field(
        default_factory=dict,
        description="Gates with their level at this stage: required, report_only or off. "
        "Every gate needs a level at every stage (here or through extends).",
    )


class MappingSpec(_Strict):
    """Refs matching ``pattern`` (a glob) or ``regex`` (a full match) go to ``stage``.

    Mappings are tried in order; the first match wins.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
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
        return None if value is None else valid_glob(value)

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


class GateDeclaration(_Strict):
    """What every gate declaration has, whatever its kind; a kind's settings sit beside these.

    The loader validates a declaration with a model made from this and the kind's ``Settings``
    (``declaration.py``); the schema shows one branch per kind, told apart by ``kind``.
    """

    kind: StrictStr | None = Field(
        default=None,
        description="The gate's kind (its code). Built-in gates have one already; "
        "every other gate names one.",
    )
    title: StrictStr | None = Field(
        default=None, min_length=1, max_length=120, description="Shown in the reports."
    )
    remediation: StrictStr | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="What a maintainer does when the gate does not pass (shown in the reports).",
    )
    evidence: EvidencePath | list[EvidencePath] | None = Field(
        default=None,
        description="Evidence file(s) for this gate, relative to the workspace.",
    )


class StagesFile(_Strict):
    """``ci/maturity-stages.yml``: stages (least to most mature), ref mappings, gate settings."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        title="maturity stages configuration",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )

    version: Literal[1]
    stages: dict[StageName, StageSpec] = Field(min_length=1)
    mappings: list[MappingSpec] = Field(min_length=1, max_length=MAX_MAPPINGS)
    gates: dict[GateName, dict[StrictStr, Any]] = Field(
        default_factory=dict,
        description="Gates: the five built-in ones (settings only) and any other, declared "
        "with a kind. Keys are gate names.",
    )
    # the exception policy is read here as plain data and validated with its own models
    # (exception_models.py) only when the file has it, so a file without it never builds them;
    # the schema shows those models (maturity._schema_gen)
    freeze_windows: list[dict[StrictStr, Any]] = Field(
        default_factory=list,
        description="Times in which refs at the listed stages may not ship.",
    )
    break_glass: dict[StrictStr, Any] | None = Field(
        default=None,
        description="Who may override a blocking gate or freeze, where, and with what reason. "
        "Absent: no override is allowed anywhere.",
    )
    waivers: dict[StrictStr, Any] | None = Field(
        default=None, description="Limits on waivers (ci/maturity-waivers.yml)."
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_not_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):  # True == 1 would pass Literal[1]; the schema refuses it
            raise ValueError("Input should be 1, not a boolean")
        return value
