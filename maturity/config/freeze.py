"""Freeze windows: the pure time logic of "may this stage ship at this instant?".

Two forms, both from the stages file's ``freeze_windows``:

* **absolute**: ``start`` and ``end`` instants, ISO 8601 with an explicit offset or ``Z``. A
  time without an offset is refused: it could mean any of some 26 hours of instants.
* **weekly**: ``from``/``to`` weekday and 24-hour wall time (``Fri 16:00``) in an IANA zone
  (``Europe/Berlin``, through the standard library's :mod:`zoneinfo`). The window opens at
  ``from`` and closes at the next ``to`` after it, so ``Fri 16:00`` to ``Mon 08:00`` wraps the
  weekend and ``Mon 09:00`` to ``Mon 08:00`` lasts all week but an hour.

Every occurrence holds the instants from its start (inclusive) to its end (exclusive).

Wall times become instants with PEP 495 semantics and ``fold=0``, which is what
``datetime(..., tzinfo=ZoneInfo(...))`` does:

* a wall time in a **gap** (02:30 on the night Europe/Berlin springs forward) is read with the
  offset from *before* the transition, so it is the instant 03:30 CEST: a window due to open
  at a time that does not exist opens when the clocks have moved past it;
* an **ambiguous** wall time (02:30 on the night Berlin falls back) is its *first* occurrence
  (02:30 CEST, not 02:30 CET);
* a window's real length follows the clocks: ``Fri 16:00`` to ``Mon 08:00`` in Berlin lasts
  65 hours over the autumn change and 63 over the spring one. On a spring-forward night a
  short window from inside the gap to just after it (``Sun 02:30`` to ``Sun 03:00``: 03:30
  CEST to 03:00 CEST) holds no instant; one wholly inside it (``Sun 02:15`` to ``Sun 02:45``)
  is moved an hour on (03:15 to 03:45 CEST), as each of its ends is.

Finding the occurrence that holds ``now`` takes a handful of datetime operations (no stepping
over minutes or days): see :func:`_weekly_occurrence`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from maturity.text import clean_text

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NUMBERS = {
    **{day.lower(): n for n, day in enumerate(WEEKDAYS)},
    **{day: n for n, day in enumerate(_FULL_WEEKDAYS)},
}
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_WEEK = timedelta(days=7)
_MIDNIGHT = time()
#: datetime keeps every UTC offset under a day either side, so the offsets of any two instants
#: differ by less than this: a bound on how far a candidate's wall start can lie from ``now``'s
#: wall time and still hold ``now`` (see :func:`_weekly_occurrence`)
_MAX_OFFSET_SWING = timedelta(days=2)
_WEEKLY_TIME = re.compile(r"\s*([A-Za-z]+)\s+([0-9]{1,2}):([0-9]{2})\s*", re.ASCII)
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")
_MAX_ZONE_NAME = 64
#: names zoneinfo may find on a machine that are not IANA zones: they differ between machines
_NOT_ZONES = frozenset({"localtime", "posixrules"})
_SHOWN = 80  # characters of a user's value shown in an error message
_EXAMPLE_INSTANT = "'2026-12-20T00:00:00+01:00' or '2026-12-20T00:00:00Z'"


@dataclass(frozen=True)
class WeeklyTime:
    """A weekday and a wall-clock time on it."""

    weekday: int  # 0 = Monday
    minute: int  # 0..1439 after local midnight

    def __post_init__(self) -> None:
        if not 0 <= self.weekday < 7 or not 0 <= self.minute < MINUTES_PER_DAY:
            raise ValueError(f"no such weekly time: weekday {self.weekday}, minute {self.minute}")

    @property
    def minute_of_week(self) -> int:
        return self.weekday * MINUTES_PER_DAY + self.minute

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.minute // 60:02d}:{self.minute % 60:02d}"


class _WeeklyPlan(NamedTuple):
    """What finding a weekly window's occurrence needs, worked out once per window.

    (A named tuple, not a dataclass: a quarter of the import cost, and nobody outside sees it.)
    """

    opens_weekday: int
    #: by days since the opening weekday: from today's midnight to the latest opening time on
    #: or before today (back that many days, then forward to the opening minute)
    shifts: tuple[timedelta, ...]
    length: timedelta  # wall-clock
    reach: timedelta  # how long after its wall start an occurrence may still hold an instant
    #: kept: zoneinfo's cache may drop a zone nothing holds, and reloading reads a file
    zone: ZoneInfo

    @classmethod
    def make(cls, opens: WeeklyTime, closes: WeeklyTime, zone: ZoneInfo) -> _WeeklyPlan:
        minutes = (closes.minute_of_week - opens.minute_of_week) % MINUTES_PER_WEEK
        length = timedelta(minutes=minutes)
        shifts = tuple(timedelta(days=-days, minutes=opens.minute) for days in range(7))
        return cls(opens.weekday, shifts, length, length + _MAX_OFFSET_SWING, zone)


@dataclass(frozen=True)
class FreezeWindow:
    """One freeze window: absolute (``start``/``end``) or weekly (``weekly_*`` and ``timezone``).

    Build it with :func:`absolute_window` or :func:`weekly_window`, which turn the stages
    file's text into these values; the constructor checks that the fields make one whole form.
    """

    name: str
    message: str
    stages: tuple[str, ...]
    start: datetime | None = None  # absolute window (aware)
    end: datetime | None = None
    weekly_from: WeeklyTime | None = None
    weekly_to: WeeklyTime | None = None
    timezone: str | None = None
    _plan: _WeeklyPlan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and not self._any_weekly_field():
            _check_span(_aware(self.start, "start"), _aware(self.end, "end"))
        elif (
            self.weekly_from is not None
            and self.weekly_to is not None
            and self.timezone is not None
            and self.start is None
            and self.end is None
        ):
            _check_weekly(self.weekly_from, self.weekly_to)
            plan = _WeeklyPlan.make(self.weekly_from, self.weekly_to, load_zone(self.timezone))
            object.__setattr__(self, "_plan", plan)
        else:
            raise ValueError(
                "a freeze window has either start and end, or weekly from/to and a timezone"
            )

    def _any_weekly_field(self) -> bool:
        return any(v is not None for v in (self.weekly_from, self.weekly_to, self.timezone))

    @property
    def weekly(self) -> bool:
        return self.weekly_from is not None

    def describe(self) -> str:
        """``2026-12-20T00:00:00+01:00 to 2027-01-04T08:00:00+01:00`` or
        ``weekly Fri 16:00 to Mon 08:00 (Europe/Berlin)``."""
        if self.start is not None and self.end is not None:
            return f"{_iso(self.start)} to {_iso(self.end)}"
        return f"weekly {self.weekly_from} to {self.weekly_to} ({self.timezone})"


@dataclass(frozen=True)
class FreezeHit:
    """The occurrence of a window that holds an instant."""

    window: FreezeWindow
    started_utc: datetime
    ends_utc: datetime
    #: the end in the window's zone (weekly) or in the offset the end was written with (absolute)
    ends_local: datetime

    def ends_text(self) -> str:
        """``2026-12-07T07:00:00Z (Mon 2026-12-07 08:00 CET, Europe/Berlin)``."""
        local = self.ends_local
        wall = f"{WEEKDAYS[local.weekday()]} {local.strftime('%Y-%m-%d %H:%M')}"
        if local.second or local.microsecond:
            wall += local.strftime(":%S")
        if self.window.weekly:
            where = f"{local.tzname()}, {self.window.timezone}"
        else:
            where = _offset_text(local.utcoffset())
        return f"{_iso(self.ends_utc)} ({wall} {where})"


def parse_instant(text: str | datetime) -> datetime:
    """An aware instant from ISO 8601 text with an explicit offset or ``Z``.

    An aware :class:`datetime` passes through; a naive one, or text without an offset, is
    refused.
    """
    if isinstance(text, datetime):
        return _aware(text, "the time")
    if not isinstance(text, str):
        raise ValueError(
            f"{clean_text(repr(text), _SHOWN)} is not a date and time: write it in ISO 8601 "
            f"with an offset, e.g. {_EXAMPLE_INSTANT}"
        )
    shown = clean_text(text, _SHOWN)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{shown!r} is not an ISO 8601 date and time: write it like {_EXAMPLE_INSTANT}"
        ) from None
    if value.utcoffset() is None:
        raise ValueError(
            f"{shown!r} has no UTC offset, so it names no single instant: add 'Z' for UTC "
            "or the offset it is in, e.g. '2026-12-20T00:00:00+01:00'"
        )
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{shown!r} is out of range: give a date and time that is within the years 1 to "
            "9999 in UTC too"
        ) from None
    return value


def parse_weekly_time(text: str) -> WeeklyTime:
    """``Fri 16:00``: a day (``Fri`` or ``Friday``, any case) and a 24-hour time 00:00..23:59."""
    example = "give a day and a 24-hour time, e.g. 'Fri 16:00'"
    if not isinstance(text, str):
        raise ValueError(f"{clean_text(repr(text), _SHOWN)} is not a weekly time: {example}")
    shown = clean_text(text, _SHOWN)
    match = _WEEKLY_TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{shown!r} is not a weekly time: {example}")
    day, hour, minute = match[1].lower(), int(match[2]), int(match[3])
    if day not in _DAY_NUMBERS:
        raise ValueError(
            f"{shown!r} is not a weekly time: the day must be one of {', '.join(WEEKDAYS)} "
            "(or its full name, e.g. Friday), e.g. 'Fri 16:00'"
        )
    if hour > 23 or minute > 59:
        raise ValueError(
            f"{shown!r} is not a weekly time: the time must be 00:00 to 23:59 (24-hour), "
            "e.g. 'Fri 16:00'"
        )
    return WeeklyTime(_DAY_NUMBERS[day], hour * 60 + minute)


def load_zone(name: str) -> ZoneInfo:
    """The IANA time zone *name* (``Europe/Berlin``); anything else is a ValueError."""
    hint = "give an IANA time zone name, e.g. 'Europe/Berlin', 'America/New_York' or 'UTC'"
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"the timezone is empty: {hint}")
    shown = clean_text(name, _SHOWN)
    # zoneinfo refuses absolute paths and '..' too; checking first keeps the message ours
    if (
        len(name) > _MAX_ZONE_NAME
        or _ZONE_NAME.fullmatch(name) is None
        or name in _NOT_ZONES
        or name.startswith("posix/")
        or name.startswith("right/")
    ):
        raise ValueError(f"{shown!r} is not a time zone name: {hint}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # not found, a directory (Europe), or a file that is not a zone (zone.tab)
        raise ValueError(f"unknown time zone {shown!r}: {hint}") from None


def weekly_window(  # noqa: PLR0917 - the config model's validator calls it positionally
    name: str,
    message: str | None,
    stages: Sequence[str],
    from_text: str,
    to_text: str,
    timezone: str,
) -> FreezeWindow:
    """A weekly window from the stages file's text; ValueError says what to fix."""
    start, stop = parse_weekly_time(from_text), parse_weekly_time(to_text)
    _check_weekly(start, stop)
    return FreezeWindow(
        name=_name(name),
        message=message or "",
        stages=_stages(stages),
        weekly_from=start,
        weekly_to=stop,
        timezone=load_zone(timezone).key,
    )


def absolute_window(
    name: str,
    message: str | None,
    stages: Sequence[str],
    start_text: str | datetime,
    end_text: str | datetime,
) -> FreezeWindow:
    """A one-off window from the stages file's text; ValueError says what to fix."""
    start, end = parse_instant(start_text), parse_instant(end_text)
    _check_span(start, end)
    return FreezeWindow(
        name=_name(name), message=message or "", stages=_stages(stages), start=start, end=end
    )


def occurrence(window: FreezeWindow, now: datetime) -> FreezeHit | None:
    """The occurrence of *window* that holds *now* (start inclusive, end exclusive), or None."""
    now_utc = _aware(now, "now").astimezone(UTC)
    if window.start is None or window.end is None:
        return _weekly_occurrence(window, now_utc)
    start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
    if start <= now_utc < end:
        return FreezeHit(window, start, end, window.end)
    return None


def active_freeze(windows: Sequence[FreezeWindow], stage: str, now: datetime) -> FreezeHit | None:
    """The first window, in file order, that lists *stage* and holds *now*; *now* must be aware."""
    _aware(now, "now")
    for window in windows:
        if stage in window.stages:
            hit = occurrence(window, now)
            if hit is not None:
                return hit
    return None


def _weekly_occurrence(window: FreezeWindow, now_utc: datetime) -> FreezeHit | None:
    """Three candidate occurrences, found in wall time and checked in UTC.

    ``base`` is the latest wall start at or before now's wall time, so it is under a week
    before it. Wall time and real time differ by at most the change in UTC offset, so the
    occurrence holding now, if any, starts (in wall time) within that change after now's wall
    time or within a week and that change before it: ``base``, the one before (a long window
    stretched by a DST change) or the one after (now in a fall-back fold whose wall time
    reads earlier than a start it is already past). Candidates that cannot hold now are
    skipped with wall-time arithmetic before any UTC conversion.

    Wall time is kept as datetimes aware in the window's zone: between two of them (the same
    tzinfo object) Python compares and subtracts wall times, ignoring ``fold``, and adding a
    timedelta moves the wall clock and gives ``fold=0``; ``astimezone(UTC)`` then reads the
    wall time as the module docstring says.
    """
    plan = window._plan
    if plan is None:
        raise ValueError(f"freeze window {clean_text(window.name, _SHOWN)!r} is not weekly")
    local = now_utc.astimezone(plan.zone)
    midnight = datetime.combine(local.date(), _MIDNIGHT, plan.zone)
    base = midnight + plan.shifts[(local.weekday() - plan.opens_weekday) % 7]
    if base > local:
        base -= _WEEK
    best: tuple[datetime, datetime] | None = None
    for wall_start in (base - _WEEK, base, base + _WEEK):
        if wall_start - local > _MAX_OFFSET_SWING:
            continue  # starts too late in wall time to have started
        if local - wall_start >= plan.reach:
            continue  # ends too early in wall time to still hold now
        start = wall_start.astimezone(UTC)
        if start > now_utc:
            continue
        end = (wall_start + plan.length).astimezone(UTC)
        if now_utc < end and (best is None or end > best[1]):
            best = (start, end)  # overlapping occurrences (only near DST): the later end counts
    if best is None:
        return None
    return FreezeHit(window, best[0], best[1], best[1].astimezone(plan.zone))


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError(
            f"{what} ({value.isoformat()}) has no UTC offset, so it names no single instant: "
            "give it a time zone, e.g. 'Z' for UTC or '+01:00'"
        )
    return value


def _check_span(start: datetime, end: datetime) -> None:
    if end.astimezone(UTC) <= start.astimezone(UTC):  # in UTC: one zone would compare walls
        raise ValueError(
            f"the window ends ({_iso(end)}) before or when it starts ({_iso(start)}): "
            "'end' must be later than 'start'"
        )


def _check_weekly(start: WeeklyTime, stop: WeeklyTime) -> None:
    if start == stop:
        raise ValueError(
            f"'from' and 'to' are both {start}, so the window would hold no time: give a 'to' "
            "that differs from 'from' (a window closes at the next 'to' after 'from')"
        )


def _name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a freeze window needs a name, e.g. 'year-end freeze'")
    return name


def _stages(stages: Sequence[str]) -> tuple[str, ...]:
    if isinstance(stages, str) or not all(isinstance(s, str) for s in stages):
        raise ValueError("'stages' must be a list of stage names, e.g. [prod]")
    if not stages:
        raise ValueError("a freeze window must list at least one stage, e.g. [prod]")
    return tuple(stages)


def _iso(value: datetime) -> str:
    """ISO 8601 with ``Z`` for UTC."""
    text = value.isoformat()
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def _offset_text(offset: timedelta | None) -> str:
    """``UTC``, or an offset as ISO 8601 writes it: ``+01:00``, ``-03:30``."""
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"
