"""Freeze windows in time: real zones (zoneinfo, tzdata) across DST gaps, folds and week wraps.

Transitions used (2026): Europe/Berlin springs forward on 29 March (02:00 CET -> 03:00 CEST,
01:00Z) and falls back on 25 October (03:00 CEST -> 02:00 CET, 01:00Z); America/New_York on
8 March and 1 November; Australia/Lord_Howe (a 30-minute DST, southern hemisphere) ends DST on
5 April (02:00 -> 01:30, +11 -> +10:30) and starts it on 4 October (02:00 -> 02:30).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.config.freeze import (
    WEEKDAYS,
    FreezeHit,
    FreezeWindow,
    WeeklyTime,
    absolute_window,
    active_freeze,
    load_zone,
    occurrence,
    parse_instant,
    parse_weekly_time,
    weekly_window,
)

US = timedelta(microseconds=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def weekly(
    from_text: str, to_text: str, zone: str, stages: tuple[str, ...] = ("prod",)
) -> FreezeWindow:
    return weekly_window("weekend", "no deploys", stages, from_text, to_text, zone)


def hit_span(window: FreezeWindow, now: datetime) -> tuple[datetime, datetime] | None:
    hit = occurrence(window, now)
    return None if hit is None else (hit.started_utc, hit.ends_utc)


# --- week wrap and edges --------------------------------------------------------------------


def test_weekend_window_wraps_the_week_start_inclusive_end_exclusive() -> None:
    window = weekly("Fri 16:00", "Mon 08:00", "Europe/Berlin")
    start, end = utc("2026-12-04T15:00"), utc("2026-12-07T07:00")  # CET, +01:00
    assert hit_span(window, start) == (start, end)
    assert occurrence(window, start - US) is None
    assert occurrence(window, end) is None
    assert hit_span(window, end - US) == (start, end)
    assert hit_span(window, utc("2026-12-06T12:00")) == (start, end)  # Sunday, mid-window
    assert occurrence(window, utc("2026-12-09T12:00")) is None  # Wednesday


def test_now_in_any_zone_gives_the_same_answer() -> None:
    window = weekly("Fri 16:00", "Mon 08:00", "Europe/Berlin")
    instant = utc("2026-12-04T15:00")
    tokyo = instant.astimezone(ZoneInfo("Asia/Tokyo"))
    fixed = instant.astimezone(timezone(timedelta(hours=-7)))
    assert hit_span(window, tokyo) == hit_span(window, fixed) == hit_span(window, instant)
    assert hit_span(window, instant) is not None


def test_window_from_and_to_on_one_weekday_lasts_nearly_a_week() -> None:
    window = weekly("Mon 09:00", "Mon 08:00", "UTC")
    start, end = utc("2026-06-01T09:00"), utc("2026-06-08T08:00")
    assert hit_span(window, start) == (start, end)
    assert hit_span(window, end - US) == (start, end)
    assert occurrence(window, end) is None
    assert occurrence(window, utc("2026-06-08T08:30")) is None  # the one free hour
    next_start = utc("2026-06-08T09:00")
    assert hit_span(window, next_start) == (next_start, end + timedelta(days=7))


def test_window_within_one_day() -> None:
    window = weekly("wednesday 12:00", "WED 13:30", "America/New_York")
    start = utc("2026-07-15T16:00")  # 12:00 EDT
    assert hit_span(window, start) == (start, start + timedelta(minutes=90))
    assert occurrence(window, start + timedelta(minutes=90)) is None
    assert occurrence(window, start - timedelta(days=1)) is None


# --- real length across DST -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "start", "end", "hours"),
    [
        ("Europe/Berlin", "2026-10-23T14:00", "2026-10-26T07:00", 65),  # fall-back
        ("Europe/Berlin", "2026-03-27T15:00", "2026-03-30T06:00", 63),  # spring-forward
        ("America/New_York", "2026-10-30T20:00", "2026-11-02T13:00", 65),
        ("America/New_York", "2026-03-06T21:00", "2026-03-09T12:00", 63),
        ("Australia/Lord_Howe", "2026-04-03T05:00", "2026-04-05T21:30", 64.5),  # DST ends
        ("Australia/Lord_Howe", "2026-10-02T05:30", "2026-10-04T21:00", 63.5),  # DST starts
        ("Europe/Berlin", "2026-12-04T15:00", "2026-12-07T07:00", 64),  # no change
    ],
)
def test_weekend_window_length_follows_the_clocks(
    zone: str, start: str, end: str, hours: float
) -> None:
    window = weekly("Fri 16:00", "Mon 08:00", zone)
    opened, closed = utc(start), utc(end)
    assert closed - opened == timedelta(hours=hours)
    assert hit_span(window, opened) == (opened, closed)
    assert hit_span(window, closed - US) == (opened, closed)
    assert occurrence(window, opened - US) is None
    assert occurrence(window, closed) is None


# --- gaps and folds -------------------------------------------------------------------------


def test_start_in_a_gap_opens_with_the_offset_before_the_change() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29; read as +01:00 it is 01:30Z = 03:30 CEST
    window = weekly("Sun 02:30", "Sun 05:00", "Europe/Berlin")
    start, end = utc("2026-03-29T01:30"), utc("2026-03-29T03:00")  # 05:00 CEST
    assert hit_span(window, start) == (start, end)
    assert occurrence(window, start - US) is None
    assert occurrence(window, utc("2026-03-29T01:00")) is None  # 03:00 CEST: wall past 02:30
    hit = occurrence(window, start)
    assert hit is not None
    assert hit.started_utc.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M %Z") == (
        "03:30 CEST"
    )


def test_window_from_inside_a_gap_to_just_after_it_holds_nothing_that_night() -> None:
    window = weekly("Sun 02:30", "Sun 03:00", "Europe/Berlin")  # 03:30 CEST to 03:00 CEST
    for minutes in range(0, 181, 5):
        assert occurrence(window, utc("2026-03-29T00:00") + timedelta(minutes=minutes)) is None
    start = utc("2026-04-05T00:30")  # a week later, an ordinary night: 02:30 CEST
    assert hit_span(window, start) == (start, start + timedelta(minutes=30))


def test_start_in_a_fold_is_its_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25: 00:30Z (CEST) and 01:30Z (CET)
    window = weekly("Sun 02:30", "Sun 02:45", "Europe/Berlin")
    first = utc("2026-10-25T00:30")
    assert hit_span(window, first) == (first, first + timedelta(minutes=15))
    assert occurrence(window, first - US) is None
    assert occurrence(window, utc("2026-10-25T01:30")) is None  # the second 02:30
    assert occurrence(window, utc("2026-10-25T01:40")) is None


def test_now_in_the_repeated_hour_before_the_wall_start_is_inside() -> None:
    # at 01:15Z the wall reads 02:15 CET, before 02:45, but 02:45 CEST (00:45Z) has passed
    window = weekly("Sun 02:45", "Sun 06:00", "Europe/Berlin")
    start, end = utc("2026-10-25T00:45"), utc("2026-10-25T05:00")
    assert hit_span(window, utc("2026-10-25T01:15")) == (start, end)
    assert occurrence(window, start - US) is None


def test_occurrence_ending_in_a_gap_holds_past_its_wall_end() -> None:
    # Sun 02:40 to Sun 02:30 (a week less ten minutes). The week ending on 2026-03-29 ends at
    # 02:30 read as +01:00 = 01:30Z = 03:30 CEST; at 01:10Z (03:10 CEST) it still holds,
    # although that night's 02:40 start is already past on the wall
    window = weekly("Sun 02:40", "Sun 02:30", "Europe/Berlin")
    assert hit_span(window, utc("2026-03-29T01:10")) == (
        utc("2026-03-22T01:40"),
        utc("2026-03-29T01:30"),
    )
    assert occurrence(window, utc("2026-03-29T01:30")) is None
    assert hit_span(window, utc("2026-03-29T01:40")) == (
        utc("2026-03-29T01:40"),
        utc("2026-04-05T00:30"),
    )


def test_overlapping_occurrences_report_the_later_end() -> None:
    # Sun 03:10 to Sun 02:50: the week ending on 2026-03-29 ends at 02:50 read as +01:00
    # (01:50Z), after the next one opens at 03:10 CEST (01:10Z). Between them the freeze
    # never lifts, so it ends when the newer occurrence does
    window = weekly("Sun 03:10", "Sun 02:50", "Europe/Berlin")
    newer = (utc("2026-03-29T01:10"), utc("2026-04-05T00:50"))
    assert hit_span(window, utc("2026-03-29T01:20")) == newer
    assert hit_span(window, utc("2026-03-29T01:09")) == (
        utc("2026-03-22T02:10"),
        utc("2026-03-29T01:50"),
    )


def test_lord_howe_half_hour_gap_and_fold() -> None:
    gap = weekly("Sun 02:15", "Sun 04:00", "Australia/Lord_Howe")
    # 02:15 does not exist on 2026-10-04: +10:30 gives 15:45Z = 02:45 (+11)
    start, end = utc("2026-10-03T15:45"), utc("2026-10-03T17:00")
    assert hit_span(gap, start) == (start, end)
    assert occurrence(gap, start - US) is None
    fold = weekly("Sun 01:45", "Sun 03:00", "Australia/Lord_Howe")
    # 01:45 happens twice on 2026-04-05: first at +11 (14:45Z), then at +10:30 (15:15Z)
    start, end = utc("2026-04-04T14:45"), utc("2026-04-04T16:30")
    assert hit_span(fold, start) == (start, end)
    assert occurrence(fold, start - US) is None
    assert hit_span(fold, utc("2026-04-04T15:15")) == (start, end)


def test_new_york_gap() -> None:
    window = weekly("Sun 02:30", "Sun 04:00", "America/New_York")
    start = utc("2026-03-08T07:30")  # 02:30 EST = 03:30 EDT
    assert hit_span(window, start) == (start, utc("2026-03-08T08:00"))
    assert occurrence(window, start - US) is None


# --- absolute windows -----------------------------------------------------------------------


def test_absolute_window_with_offset_and_z() -> None:
    window = absolute_window(
        "year end", "", ("prod",), "2026-12-20T00:00:00+01:00", "2027-01-04T07:00:00Z"
    )
    start, end = utc("2026-12-19T23:00"), utc("2027-01-04T07:00")
    assert hit_span(window, start) == (start, end)
    assert occurrence(window, start - US) is None
    assert occurrence(window, end) is None
    assert hit_span(window, end - US) == (start, end)
    assert window.describe() == "2026-12-20T00:00:00+01:00 to 2027-01-04T07:00:00Z"
    assert not window.weekly


def test_absolute_window_takes_aware_datetimes_through() -> None:
    start = datetime(2026, 12, 20, tzinfo=ZoneInfo("Europe/Berlin"))
    window = absolute_window("x", None, ["prod"], start, "2026-12-21T00:00+01:00")
    assert window.start is start
    assert window.message == ""
    assert window.stages == ("prod",)


# --- ends_text and describe -----------------------------------------------------------------


def test_ends_text_shows_utc_and_the_windows_zone() -> None:
    hit = occurrence(weekly("Fri 16:00", "Mon 08:00", "Europe/Berlin"), utc("2026-12-05T10:00"))
    assert hit is not None
    assert hit.ends_text() == "2026-12-07T07:00:00Z (Mon 2026-12-07 08:00 CET, Europe/Berlin)"
    assert hit.ends_local == datetime(2026, 12, 7, 8, tzinfo=ZoneInfo("Europe/Berlin"))
    summer = occurrence(weekly("Fri 16:00", "Mon 08:00", "Europe/Berlin"), utc("2026-06-06T10:00"))
    assert summer is not None
    assert summer.ends_text() == "2026-06-08T06:00:00Z (Mon 2026-06-08 08:00 CEST, Europe/Berlin)"
    howe = occurrence(
        weekly("Fri 16:00", "Mon 08:00", "Australia/Lord_Howe"), utc("2026-07-04T00:00")
    )
    assert howe is not None
    assert howe.ends_text() == (
        "2026-07-05T21:30:00Z (Mon 2026-07-06 08:00 +1030, Australia/Lord_Howe)"
    )


def test_ends_text_of_an_end_in_a_fold_names_the_first_offset() -> None:
    window = weekly("Sat 12:00", "Sun 01:45", "America/New_York")
    hit = occurrence(window, utc("2026-11-01T05:00"))
    assert hit is not None
    assert hit.ends_text() == "2026-11-01T05:45:00Z (Sun 2026-11-01 01:45 EDT, America/New_York)"
    assert occurrence(window, utc("2026-11-01T06:45")) is None  # 01:45 EST, the second one


def test_ends_text_of_an_absolute_window_uses_the_offset_it_was_written_with() -> None:
    window = absolute_window("x", "", ("prod",), "2026-12-20T00:00Z", "2027-01-04T08:00:30.5-03:30")
    hit = occurrence(window, utc("2026-12-25T00:00"))
    assert hit is not None
    assert hit.ends_text() == "2027-01-04T11:30:30.500000Z (Mon 2027-01-04 08:00:30 -03:30)"
    in_utc = absolute_window("x", "", ("prod",), "2026-12-20T00:00Z", "2027-01-04T07:00Z")
    hit = occurrence(in_utc, utc("2026-12-25T00:00"))
    assert hit is not None
    assert hit.ends_text() == "2027-01-04T07:00:00Z (Mon 2027-01-04 07:00 UTC)"


def test_describe_and_weekly_time_text() -> None:
    window = weekly("friday 9:05", "mon 08:00", "Europe/Berlin")
    assert window.describe() == "weekly Fri 09:05 to Mon 08:00 (Europe/Berlin)"
    assert window.weekly
    assert str(WeeklyTime(6, 23 * 60 + 59)) == "Sun 23:59"
    assert [str(parse_weekly_time(f"{d} 00:00")) for d in WEEKDAYS] == [
        f"{d} 00:00" for d in WEEKDAYS
    ]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Fri 25:00", "the time must be 00:00 to 23:59"),
        ("Fri 16:60", "the time must be 00:00 to 23:59"),
        ("Fry 16:00", "the day must be one of Mon, Tue, Wed, Thu, Fri, Sat, Sun"),
        ("Fri", "give a day and a 24-hour time, e.g. 'Fri 16:00'"),
        ("16:00", "give a day and a 24-hour time, e.g. 'Fri 16:00'"),
        ("Fri 4pm", "give a day and a 24-hour time, e.g. 'Fri 16:00'"),
        ("Fri 16:00:00", "give a day and a 24-hour time, e.g. 'Fri 16:00'"),
        ("Fri \uff11\uff16:00", "give a day and a 24-hour time"),  # full-width digits
        ("", "give a day and a 24-hour time"),
    ],
)
def test_bad_weekly_times_are_refused(text: str, says: str) -> None:
    with pytest.raises(ValueError, match="is not a weekly time") as caught:
        parse_weekly_time(text)
    assert says in str(caught.value)
    assert repr(text) in str(caught.value)


def test_weekly_time_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValueError, match="960 is not a weekly time"):
        parse_weekly_time(960)  # type: ignore[arg-type]  # YAML 1.1 reads 16:00 as 960


@pytest.mark.parametrize(
    "text",
    ["2026-12-20T00:00:00", "2026-12-20", "2026-12-20 08:00"],
)
def test_naive_instants_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="has no UTC offset") as caught:
        parse_instant(text)
    assert "add 'Z' for UTC or the offset" in str(caught.value)
    with pytest.raises(ValueError, match="has no UTC offset"):
        absolute_window("x", "", ("prod",), text, "2027-01-01T00:00Z")


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="has no UTC offset"):
        parse_instant(datetime(2026, 12, 20))


@pytest.mark.parametrize("text", ["next friday", "2026-13-01T00:00Z", "2026-12-20T24:00Z"])
def test_unreadable_instants_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not an ISO 8601 date and time: write it like"):
        parse_instant(text)


def test_instant_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_instant("0001-01-01T00:00:00+01:00")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Europe/Berln", "unknown time zone 'Europe/Berln'"),
        ("Mars/Olympus_Mons", "unknown time zone"),
        ("Europe", "unknown time zone"),  # a directory
        ("zone.tab", "not a time zone name"),
        ("../etc/passwd", "not a time zone name"),
        ("/etc/localtime", "not a time zone name"),
        ("Europe/../UTC", "not a time zone name"),
        ("localtime", "not a time zone name"),
        ("posix/Europe/Berlin", "not a time zone name"),
        ("", "the timezone is empty"),
        ("  ", "the timezone is empty"),
        ("Europe/Berlin\n", "not a time zone name"),
        ("A" * 65, "not a time zone name"),
    ],
)
def test_bad_zones_are_refused(name: str, says: str) -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 'Europe/Berlin'") as caught:
        load_zone(name)
    assert says in str(caught.value)
    with pytest.raises(ValueError, match=r"e\.g\. 'Europe/Berlin'"):
        weekly("Fri 16:00", "Mon 08:00", name)


def test_good_zones_load() -> None:
    assert load_zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert load_zone("UTC").key == "UTC"
    assert load_zone("America/Argentina/Buenos_Aires").key == "America/Argentina/Buenos_Aires"
    assert load_zone("Etc/GMT+5").utcoffset(None) == timedelta(hours=-5)


def test_from_equal_to_is_refused() -> None:
    with pytest.raises(ValueError, match="'from' and 'to' are both Fri 16:00") as caught:
        weekly("Fri 16:00", "friday 16:00", "Europe/Berlin")
    assert "give a 'to' that differs from 'from'" in str(caught.value)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2027-01-04T08:00+01:00", "2027-01-04T07:00Z"),  # the same instant
        ("2027-01-04T08:00Z", "2027-01-04T07:00Z"),
    ],
)
def test_end_not_after_start_is_refused(start: str, end: str) -> None:
    with pytest.raises(ValueError, match="'end' must be later than 'start'") as caught:
        absolute_window("x", "", ("prod",), start, end)
    assert "the window ends (2027-01-04T07:00:00Z) before or when it starts" in str(caught.value)


def test_end_before_start_in_one_zone_is_compared_as_instants() -> None:
    # both in Berlin on the fall-back night: 02:45 CEST (00:45Z) is before 02:30 CET (01:30Z),
    # though its wall time reads later
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)
    end = datetime(2026, 10, 25, 2, 45, tzinfo=berlin)
    with pytest.raises(ValueError, match="'end' must be later than 'start'"):
        absolute_window("x", "", ("prod",), start, end)


def test_windows_need_a_name_and_stages() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        weekly_window(" ", "", ("prod",), "Fri 16:00", "Mon 08:00", "UTC")
    with pytest.raises(ValueError, match="at least one stage"):
        weekly_window("x", "", (), "Fri 16:00", "Mon 08:00", "UTC")
    with pytest.raises(ValueError, match="a list of stage names"):
        weekly_window("x", "", "prod", "Fri 16:00", "Mon 08:00", "UTC")


def test_a_window_is_one_whole_form() -> None:
    start = utc("2026-12-20T00:00")
    with pytest.raises(ValueError, match="either start and end, or weekly"):
        FreezeWindow("x", "", ("prod",), start=start)
    with pytest.raises(ValueError, match="either start and end, or weekly"):
        FreezeWindow(
            "x",
            "",
            ("prod",),
            start=start,
            end=start + US,
            weekly_from=WeeklyTime(4, 960),
            weekly_to=WeeklyTime(0, 480),
            timezone="UTC",
        )
    with pytest.raises(ValueError, match="no UTC offset"):
        FreezeWindow("x", "", ("prod",), start=start.replace(tzinfo=None), end=start)
    with pytest.raises(ValueError, match="no such weekly time"):
        WeeklyTime(7, 0)


# --- active_freeze --------------------------------------------------------------------------


def test_active_freeze_takes_the_first_window_listing_the_stage() -> None:
    staging_only = weekly_window("staging", "", ("staging",), "Mon 00:00", "Sun 23:59", "UTC")
    later = absolute_window("later", "", ("prod",), "2027-01-01T00:00Z", "2027-02-01T00:00Z")
    weekend = weekly_window("weekend", "", ("qa", "prod"), "Fri 16:00", "Mon 08:00", "UTC")
    all_week = weekly_window("all week", "", ("prod",), "Mon 00:00", "Sun 23:59", "UTC")
    windows = (staging_only, later, weekend, all_week)
    saturday, wednesday = utc("2026-12-05T12:00"), utc("2026-12-09T12:00")
    hit = active_freeze(windows, "prod", saturday)
    assert hit is not None
    assert hit.window is weekend
    hit = active_freeze(windows, "prod", wednesday)
    assert hit is not None
    assert hit.window is all_week
    assert active_freeze(windows, "qa", wednesday) is None  # only the weekend freezes qa
    hit = active_freeze(windows, "staging", wednesday)
    assert hit is not None
    assert hit.window is staging_only
    assert active_freeze(windows, "dev", saturday) is None
    assert active_freeze((), "prod", saturday) is None


def test_active_freeze_needs_an_aware_now() -> None:
    windows = (weekly("Fri 16:00", "Mon 08:00", "UTC"),)
    with pytest.raises(ValueError, match="no UTC offset"):
        active_freeze(windows, "prod", datetime(2026, 12, 5, 12))
    with pytest.raises(ValueError, match="no UTC offset"):
        active_freeze((), "prod", datetime(2026, 12, 5, 12))
    with pytest.raises(ValueError, match="no UTC offset"):
        occurrence(windows[0], datetime(2026, 12, 5, 12))


# --- agreement with a brute force -----------------------------------------------------------

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "UTC",
    "Asia/Kolkata",
    "Pacific/Apia",  # skipped 30 December 2011 (-10 -> +14)
    "America/Santiago",
)
TRANSITIONS = tuple(
    utc(t)
    for t in (
        "2026-03-29T01:00",
        "2026-10-25T01:00",
        "2026-03-08T07:00",
        "2026-11-01T06:00",
        "2026-04-04T15:00",
        "2026-10-03T15:30",
        "2011-12-30T10:00",
        "2026-04-05T03:00",
        "2026-09-06T04:00",
    )
)


def brute_force(window: FreezeWindow, now: datetime) -> set[tuple[datetime, datetime]]:
    """Every occurrence that holds *now*, from each start in the three weeks around it."""
    assert window.weekly_from is not None
    assert window.weekly_to is not None
    assert window.timezone is not None
    zone = ZoneInfo(window.timezone)
    length = timedelta(
        minutes=(window.weekly_to.minute_of_week - window.weekly_from.minute_of_week) % (7 * 1440)
    )
    today = now.astimezone(zone).date()
    held = set()
    for days in range(-16, 8):
        day: date = today + timedelta(days=days)
        if day.weekday() != window.weekly_from.weekday:
            continue
        wall = datetime.combine(day, time()) + timedelta(minutes=window.weekly_from.minute)
        start = wall.replace(tzinfo=zone).astimezone(UTC)
        end = (wall + length).replace(tzinfo=zone).astimezone(UTC)
        if start <= now < end:
            held.add((start, end))
    return held


_minute_of_week = st.integers(0, 7 * 96 - 1).map(lambda q: q * 15)  # quarter hours: DST edges
_instants = st.one_of(
    st.builds(
        lambda base, minutes, micro: base + timedelta(minutes=minutes, microseconds=micro),
        st.sampled_from(TRANSITIONS),
        st.integers(-9 * 1440, 9 * 1440),
        st.sampled_from((0, 0, -1, 1)),
    ),
    st.datetimes(datetime(2011, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(ZONES), _minute_of_week, _minute_of_week, _instants)
def test_occurrence_agrees_with_brute_force(
    zone: str, opens: int, closes: int, now: datetime
) -> None:
    if opens == closes:
        closes = (closes + 15) % (7 * 1440)
    window = weekly_window(
        "w",
        "",
        ("prod",),
        str(WeeklyTime(opens // 1440, opens % 1440)),
        str(WeeklyTime(closes // 1440, closes % 1440)),
        zone,
    )
    held = brute_force(window, now)
    hit: FreezeHit | None = occurrence(window, now)
    if not held:
        assert hit is None
        return
    assert hit is not None
    assert (hit.started_utc, hit.ends_utc) in held
    assert hit.ends_utc == max(end for _, end in held)
    # not ends_local == ends_utc: PEP 495 makes == between zones False for a time in a fold
    assert hit.ends_local.astimezone(UTC) == hit.ends_utc
    assert hit.ends_local.tzinfo is ZoneInfo(zone)
