"""Pydantic models of the stages file's exception policy: ``freeze_windows``, ``break_glass``
and ``waivers`` (the caps).

``StagesFile`` reads these sections as plain data; :class:`ExceptionPolicySpec` validates them
only when a file has one (``load.py``), so the many files without them never build these
models. The stages-file schema shows them in place (``maturity._schema_gen``).

The limits, patterns and rules live in ``exception_fast.py`` (plain Python), which ``evaluate``
runs without these models on a policy that is certainly valid; the models give located errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

# the limits and rules are plain constants and functions, shared with the fast path of evaluate
from maturity.config.exception_fast import (
    ACTOR_NAME_PATTERN,
    DEFAULT_MIN_REASON_LENGTH,
    EXCEPTION_GATE_PATTERN,
    LEAST_MIN_REASON_LENGTH,
    MAX_ALLOWED_ACTORS,
    MAX_ASSIGNEES,
    MAX_FREEZE_WINDOWS,
    MAX_LABEL_LENGTH,
    MAX_LABELS,
    MAX_REASON_PATTERN_LENGTH,
    MAX_WAIVER_DAYS,
    MAX_WINDOW_MESSAGE_LENGTH,
    MAX_WINDOW_NAME_LENGTH,
    MOST_MIN_REASON_LENGTH,
    check_reason_pattern,
    window_of,
)
from maturity.config.models import StageName

if TYPE_CHECKING:
    from maturity.config.freeze import FreezeWindow


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


ActorName = Annotated[
    StrictStr,
    Field(
        pattern=ACTOR_NAME_PATTERN,
        description="A GitHub user name, or org/team-slug",
    ),
]
ExceptionGate = Annotated[
    str, Field(pattern=EXCEPTION_GATE_PATTERN, description="A gate name, or freeze")
]


class WeeklySpec(_Strict):
    """A weekly window: from one weekday and time to the next ``to`` after it (may wrap the week)."""

    # `from` only: the Python name `from_` is not a key of the file
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    from_: StrictStr = Field(
        alias="from", description="Weekday and 24-hour local time, e.g. 'Fri 16:00'"
    )
    to: StrictStr = Field(description="Weekday and 24-hour local time, e.g. 'Mon 08:00'")

    @field_validator("from_", "to")
    @classmethod
    def _weekly_time(cls, value: str) -> str:
        from maturity.config.freeze import parse_weekly_time

        parse_weekly_time(value)  # its ValueError says what is wrong and the fix
        return value


class FreezeWindowSpec(_Strict):
    """A time in which refs at the listed stages may not ship (NO-GO, code FREEZE_WINDOW)."""

    name: StrictStr = Field(min_length=1, max_length=MAX_WINDOW_NAME_LENGTH)
    message: StrictStr = Field(
        default="", max_length=MAX_WINDOW_MESSAGE_LENGTH, description="Shown when it blocks."
    )
    stages: list[StageName] = Field(min_length=1, description="The stages the window freezes.")
    start: StrictStr | None = Field(
        default=None, description="ISO 8601 with an explicit offset or Z, e.g. 2026-12-20T00:00:00Z"
    )
    end: StrictStr | None = Field(default=None, description="ISO 8601 with an explicit offset or Z")
    weekly: WeeklySpec | None = None
    timezone: StrictStr | None = Field(
        default=None, description="IANA time zone of a weekly window, e.g. Europe/Berlin"
    )

    @field_validator("start", "end")
    @classmethod
    def _instant(cls, value: str | None) -> str | None:
        from maturity.config.freeze import parse_instant

        if value is not None:
            parse_instant(value)  # located at the field; its ValueError gives the fix
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        from maturity.config.freeze import load_zone

        if value is not None:
            load_zone(value)
        return value

    @model_validator(mode="after")
    def _one_form(self) -> FreezeWindowSpec:
        self.window()  # its ValueError says which form is incomplete, or what to fix
        return self

    def window(self) -> FreezeWindow:
        """The window this entry describes (the validator has built it once already)."""
        return window_of(
            self.name,
            self.message,
            self.stages,
            start=self.start,
            end=self.end,
            weekly=None if self.weekly is None else (self.weekly.from_, self.weekly.to),
            timezone=self.timezone,
        )


class FollowUpSpec(_Strict):
    """An applied override opens (or comments on) a GitHub issue with these labels/assignees."""

    labels: list[Annotated[StrictStr, Field(min_length=1, max_length=MAX_LABEL_LENGTH)]] = Field(
        default_factory=list, max_length=MAX_LABELS
    )
    assignees: list[ActorName] = Field(default_factory=list, max_length=MAX_ASSIGNEES)


class BreakGlassSpec(_Strict):
    """Who may override which gates at which stage, and what a reason must hold."""

    allowed_actors: list[ActorName] = Field(
        min_length=1,
        max_length=MAX_ALLOWED_ACTORS,
        description="GitHub users (matched case-insensitively) or org/team-slug entries "
        "(checked through the API; needs a token that can read team membership).",
    )
    min_reason_length: StrictInt = Field(
        default=DEFAULT_MIN_REASON_LENGTH, ge=LEAST_MIN_REASON_LENGTH, le=MOST_MIN_REASON_LENGTH
    )
    reason_pattern: StrictStr | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_REASON_PATTERN_LENGTH,
        description="RE2 regular expression that must be found in the reason, "
        "e.g. (INC|CHG)-[0-9]+",
    )
    stages: dict[StageName, Literal["*"] | list[ExceptionGate]] = Field(
        min_length=1,
        description="Per stage, the gates that may be overridden ('freeze' for a freeze "
        "window), or '*' for all of them. A stage not listed allows none.",
    )
    follow_up: FollowUpSpec | None = None

    @field_validator("reason_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        return None if value is None else check_reason_pattern(value)


class WaiverPolicySpec(_Strict):
    """Limits on waivers (``ci/maturity-waivers.yml``)."""

    max_days: dict[StageName, Annotated[StrictInt, Field(ge=0, le=MAX_WAIVER_DAYS)]] = Field(
        default_factory=dict,
        description="Per stage, the most days a waiver may still run after the evaluation; "
        "a longer one does not count there (WAIVER_TOO_LONG).",
    )


class ExceptionPolicySpec(_Strict):
    """The three sections, as the stages file has them at its top level."""

    freeze_windows: list[FreezeWindowSpec] = Field(
        default_factory=list,
        max_length=MAX_FREEZE_WINDOWS,
        description="Times in which refs at the listed stages may not ship.",
    )
    break_glass: BreakGlassSpec | None = Field(
        default=None,
        description="Who may override a blocking gate or freeze, where, and with what reason. "
        "Absent: no override is allowed anywhere.",
    )
    waivers: WaiverPolicySpec | None = None
