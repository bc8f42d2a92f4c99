"""Pydantic models of the stages file's exception policy: ``freeze_windows``, ``break_glass``
and ``waivers`` (the caps).

``StagesFile`` reads these sections as plain data; :class:`ExceptionPolicySpec` validates them
only when a file has one (``load.py``), so the many files without them never build these
models. The stages-file schema shows them in place (``maturity._schema_gen``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

from maturity.config.models import StageName
from maturity.config.regex import RegexError, compile_regex


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


ActorName = Annotated[
    StrictStr,
    Field(
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$",
        description="A GitHub user name, or org/team-slug",
    ),
]
ExceptionGate = Annotated[
    str, Field(pattern=r"^([a-z][a-z0-9_]{0,63})$", description="A gate name, or freeze")
]


class WeeklySpec(_Strict):
    """A weekly window: from one weekday and time to the next ``to`` after it (may wrap the week)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)

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

    name: StrictStr = Field(min_length=1, max_length=100)
    message: StrictStr = Field(default="", max_length=500, description="Shown when it blocks.")
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
        # only a file with freeze windows pays for the time logic (zoneinfo, its dataclasses)
        from maturity.config.freeze import absolute_window, weekly_window

        absolute = self.start is not None or self.end is not None
        weekly = self.weekly is not None or self.timezone is not None
        if absolute == weekly:
            raise ValueError(
                "give either start and end (one window), or weekly and timezone (every week)"
            )
        if absolute:
            if self.start is None or self.end is None:
                raise ValueError("a one-off window needs both start and end")
            absolute_window(self.name, self.message, tuple(self.stages), self.start, self.end)
        else:
            if self.weekly is None or self.timezone is None:
                raise ValueError("a weekly window needs both weekly {from, to} and timezone")
            weekly_window(
                self.name,
                self.message,
                tuple(self.stages),
                self.weekly.from_,
                self.weekly.to,
                self.timezone,
            )
        return self


class FollowUpSpec(_Strict):
    """An applied override opens (or comments on) a GitHub issue with these labels/assignees."""

    labels: list[Annotated[StrictStr, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    assignees: list[ActorName] = Field(default_factory=list, max_length=10)


class BreakGlassSpec(_Strict):
    """Who may override which gates at which stage, and what a reason must hold."""

    allowed_actors: list[ActorName] = Field(
        min_length=1,
        max_length=200,
        description="GitHub users (matched case-insensitively) or org/team-slug entries "
        "(checked through the API; needs a token that can read team membership).",
    )
    min_reason_length: int = Field(default=20, ge=1, le=2000)
    reason_pattern: StrictStr | None = Field(
        default=None,
        min_length=1,
        max_length=500,
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
        if value is not None:
            try:
                compile_regex(value)
            except RegexError as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return value


class WaiverPolicySpec(_Strict):
    """Limits on waivers (``ci/maturity-waivers.yml``)."""

    max_days: dict[StageName, Annotated[int, Field(ge=0, le=3660)]] = Field(
        default_factory=dict,
        description="Per stage, the most days a waiver may still run after the evaluation; "
        "a longer one does not count there (WAIVER_TOO_LONG).",
    )


class ExceptionPolicySpec(_Strict):
    """The three sections, as the stages file has them at its top level."""

    freeze_windows: list[FreezeWindowSpec] = Field(
        default_factory=list,
        max_length=200,
        description="Times in which refs at the listed stages may not ship.",
    )
    break_glass: BreakGlassSpec | None = Field(
        default=None,
        description="Who may override a blocking gate or freeze, where, and with what reason. "
        "Absent: no override is allowed anywhere.",
    )
    waivers: WaiverPolicySpec | None = None
