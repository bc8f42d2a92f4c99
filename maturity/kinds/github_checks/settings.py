"""Settings of the GitHub checks kind (``gates.promotion_guard`` in the stages file).

One frozen pydantic model: the stages-file schema is generated from it, the config loader
validates a gate's block with it, and the kind reads it as it is (no dataclass copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
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

from maturity.config.glob import GlobMatcher, compile_glob, valid_glob
from maturity.kinds.interface import KindSettings

APP_SLUG = r"^[a-z0-9][a-z0-9-]{0,99}$"


@dataclass(frozen=True)
class CheckPattern:
    """A check name glob (``*``, ``?``, ``[set]``), optionally pinned to one app's slug."""

    name: str
    app: str | None = None

    @cached_property
    def _glob(self) -> GlobMatcher:
        return compile_glob(self.name)

    def matches(self, name: str, app: str | None) -> bool:
        if self.app is not None and app != self.app:
            return False
        return self._glob.fullmatch(name)

    @property
    def label(self) -> str:
        return f"'{self.name}' (app {self.app})" if self.app else f"'{self.name}'"

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "app": self.app}


CheckGlob = Annotated[StrictStr, Field(min_length=1, max_length=256), AfterValidator(valid_glob)]
Seconds = Annotated[StrictFloat, Field(gt=0)]  # an int is accepted too


class CheckPatternSpec(KindSettings):
    """A check name glob, optionally pinned to the app that must have posted it."""

    name: CheckGlob = Field(description="Check run name or status context; * ? [set] globs.")
    app: Annotated[StrictStr | None, WithJsonSchema({"type": "string", "pattern": APP_SLUG})] = (
        Field(
            default=None,
            pattern=APP_SLUG,
            description="Slug of the GitHub App that must post the check, e.g. github-actions. "
            "A pinned pattern never matches a commit status (statuses have no app).",
        )
    )

    @model_validator(mode="before")
    @classmethod
    def _app_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and "app" in data and data["app"] is None:
            raise ValueError("'app' is empty: give the app's slug, or leave the key out")
        return data


class WaitSpec(KindSettings):
    """How long `--wait` polls while required checks are pending or not there yet."""

    timeout: Annotated[Seconds, Field(le=21600)] = Field(
        default=600, description="Seconds, counted in real time including API time."
    )
    interval: Annotated[Seconds, Field(le=600)] = Field(
        default=15, description="Seconds between polls (jittered by +-20%)."
    )


#: union-branch tags pydantic puts in error locations (the config loader drops them from paths)
ENTRY_GLOB, ENTRY_MAPPING = "<check name>", "<check name and app>"


def _entry_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return ENTRY_GLOB
    return ENTRY_MAPPING if isinstance(value, dict | CheckPatternSpec) else None


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


def _pattern(spec: str | CheckPatternSpec) -> CheckPattern:
    return CheckPattern(spec) if isinstance(spec, str) else CheckPattern(spec.name, spec.app)


class GitHubChecksSettings(KindSettings):
    """Which checks on the commit must pass, read from the GitHub Checks API and statuses."""

    required_checks: tuple[CheckEntry, ...] = Field(
        default=(),
        max_length=500,
        description="Check names (globs), or {name, app}. Empty: every check on the commit.",
    )
    ignore: tuple[CheckEntry, ...] = Field(
        default=(),
        max_length=500,
        description="Checks never considered (names, globs, or {name, app}).",
    )
    pass_conclusions: tuple[PassConclusion, ...] = Field(
        default=("success",),
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
    # model_construct: the defaults as declared, without building the validator (start-up time)
    wait: WaitSpec = Field(default_factory=WaitSpec.model_construct)
    time_budget: Annotated[Seconds, Field(le=3600)] = Field(
        default=120,
        description="Seconds one evaluation may spend reading GitHub without --wait, "
        "retries and rate-limit pauses included.",
    )

    @field_validator("pass_conclusions")
    @classmethod
    def _success_passes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "success" not in value:
            raise ValueError("must include success")
        return value

    @cached_property
    def required(self) -> tuple[CheckPattern, ...]:
        """The required checks as matchers (empty: every check on the commit is required)."""
        return tuple(_pattern(p) for p in self.required_checks)

    @cached_property
    def ignored(self) -> tuple[CheckPattern, ...]:
        return tuple(_pattern(p) for p in self.ignore)
