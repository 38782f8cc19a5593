"""Recurrence: local wall times kept across DST, real month ends, bi-weekly parity from the
anchor, hostile form input refused with a message, and one meeting per cadence period."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from goalgetter.domain.recurrence import (
    SCHEDULE_MESSAGES,
    Schedule,
    anchored_after,
    end_of,
    next_period_start,
    occurrences,
    parse_schedule,
    period_dates,
    period_index,
)
from goalgetter.domain.validation import ValidationError

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def at(zone: str, *fields: int) -> datetime:
    return datetime(*fields, tzinfo=ZoneInfo(zone))


def schedule(**fields) -> Schedule:
    form = {
        "cadence": "weekly",
        "weekday": "0",
        "day_of_month": "",
        "local_time": "09:00",
        "timezone": BERLIN,
        "duration_minutes": "30",
        "anchor_after": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return parse_schedule(**(form | fields))


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


# --- DST: the wall clock stays, the UTC hour moves ---------------------------------------


@pytest.mark.parametrize(
    ("zone", "summer_from", "winter_from", "winter_utc", "summer_utc"),
    [
        # Both switches fall on Sundays in 2026, so a Sunday series meets on the day itself.
        (BERLIN, date(2026, 3, 29), date(2026, 10, 25), 8, 7),
        (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1), 14, 13),
    ],
)
def test_weekly_meeting_keeps_its_local_hour_all_year(
    zone, summer_from, winter_from, winter_utc, summer_utc
):
    sunday_nine = schedule(weekday="6", timezone=zone)
    starts = occurrences(sunday_nine, after=datetime(2026, 1, 1, tzinfo=UTC), count=52)

    assert [local(s, zone).date() for s in starts] == [
        date(2026, 1, 4) + timedelta(weeks=n) for n in range(52)
    ]
    for start in starts:
        assert start.tzinfo is UTC
        assert local(start, zone).time() == time(9, 0)
        summer = summer_from <= start.date() < winter_from
        assert start.hour == (summer_utc if summer else winter_utc), start


def test_berlin_and_new_york_switch_in_different_weeks():
    after = datetime(2026, 3, 1, tzinfo=UTC)
    berlin = occurrences(schedule(weekday="6", timezone=BERLIN), after=after, count=5)
    new_york = occurrences(schedule(weekday="6", timezone=NEW_YORK), after=after, count=5)
    # Sundays Mar 1, 8, 15, 22, 29: New York moves on the 8th, Berlin on the 29th.
    assert [s.hour for s in berlin] == [8, 8, 8, 8, 7]
    assert [s.hour for s in new_york] == [14, 13, 13, 13, 13]


def test_end_is_elapsed_minutes_even_on_a_dst_night():
    late = schedule(weekday="6", local_time="01:30", duration_minutes="120", timezone=BERLIN)
    (start,) = occurrences(late, after=at(BERLIN, 2026, 10, 25), count=1)
    end = end_of(start, late)
    assert end - start == timedelta(minutes=120)
    # 01:30 CEST + 2 h crosses the fall-back: the wall clock shows only an hour later.
    assert local(end, BERLIN).strftime("%H:%M %Z") == "02:30 CET"


# --- Gaps and overlaps ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "switch_day", "utc_before", "utc_on", "utc_after"),
    [
        (BERLIN, date(2026, 3, 29), "01:30", "01:30", "00:30"),
        (NEW_YORK, date(2026, 3, 8), "07:30", "07:30", "06:30"),
    ],
)
def test_a_time_in_the_spring_gap_moves_forward_by_the_gap(
    zone, switch_day, utc_before, utc_on, utc_after
):
    half_two = schedule(weekday="6", local_time="02:30", timezone=zone)
    week_before = datetime.combine(switch_day - timedelta(weeks=1), time(0), ZoneInfo(zone))
    before, on, after = occurrences(half_two, after=week_before, count=3)

    assert [s.strftime("%H:%M") for s in (before, on, after)] == [utc_before, utc_on, utc_after]
    # 02:30 does not exist that day: the meeting is at 03:30 summer time, the instant 02:30
    # standard time would have been. It is not dropped and not squeezed to 03:00.
    assert local(on, zone).date() == switch_day
    assert local(on, zone).time() == time(3, 30)
    assert local(after, zone).time() == time(2, 30)
    # Asked from 03:00 that morning, the shifted meeting (03:30) is still ahead.
    three = datetime.combine(switch_day, time(3), ZoneInfo(zone))
    assert occurrences(half_two, after=three, count=1) == [on]


def test_a_schedule_anchored_on_the_gap_day_keeps_that_day():
    half_two = schedule(weekday="6", local_time="02:30", anchor_after=at(BERLIN, 2026, 3, 29))
    assert half_two.anchor == date(2026, 3, 29)
    assert occurrences(half_two, after=at(BERLIN, 2026, 3, 29), count=1) == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    ]


def test_an_ambiguous_fall_back_time_is_the_first_one():
    half_two = schedule(weekday="6", local_time="02:30", timezone=BERLIN)
    (start,) = occurrences(half_two, after=at(BERLIN, 2026, 10, 25), count=1)
    # 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC; the first is kept.
    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local(start, BERLIN).utcoffset() == timedelta(hours=2)


# --- Bi-weekly parity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "first"),
    [
        (at(BERLIN, 2026, 3, 1), date(2026, 3, 2)),  # before the anchor
        (at(BERLIN, 2026, 3, 9, 8), date(2026, 3, 16)),  # Monday of an off week, before 09:00
        (at(BERLIN, 2026, 3, 11), date(2026, 3, 16)),  # mid off week
        (at(BERLIN, 2026, 3, 16, 9, 1), date(2026, 3, 30)),  # just after an on-week meeting
    ],
)
def test_biweekly_counts_every_other_week_from_the_anchor(after, first):
    fortnightly = schedule(cadence="biweekly", anchor_after=at(BERLIN, 2026, 3, 1))
    assert fortnightly.anchor == date(2026, 3, 2)
    starts = occurrences(fortnightly, after=after, count=3)
    assert [local(s, BERLIN).date() for s in starts] == [
        first + timedelta(weeks=2 * n) for n in range(3)
    ]


def test_biweekly_parity_survives_a_year_and_dst():
    fortnightly = schedule(cadence="biweekly", anchor_after=at(BERLIN, 2026, 3, 1))
    starts = occurrences(fortnightly, after=at(BERLIN, 2027, 6, 8), count=3)
    for start in starts:
        day = local(start, BERLIN).date()
        assert (day - date(2026, 3, 2)).days % 14 == 0
        assert local(start, BERLIN).time() == time(9, 0)


def test_biweekly_series_anchored_a_week_later_meets_in_the_other_weeks():
    early = schedule(cadence="biweekly", anchor_after=at(BERLIN, 2026, 3, 1))
    late = schedule(cadence="biweekly", anchor_after=at(BERLIN, 2026, 3, 8))
    after = at(BERLIN, 2026, 4, 1)
    early_days = {local(s, BERLIN).date() for s in occurrences(early, after=after, count=6)}
    late_days = {local(s, BERLIN).date() for s in occurrences(late, after=after, count=6)}
    assert early_days.isdisjoint(late_days)


def test_biweekly_parity_follows_the_anchor_when_the_weekday_differs_from_it():
    # A series whose day was changed later keeps its anchor: Thursday-to-Wednesday fortnights.
    moved = replace(schedule(cadence="biweekly", weekday="3"), anchor=date(2026, 3, 5), weekday=2)
    starts = occurrences(moved, after=at(BERLIN, 2026, 3, 1), count=3)
    assert [local(s, BERLIN).date() for s in starts] == [
        date(2026, 3, 11),
        date(2026, 3, 25),
        date(2026, 4, 8),
    ]
    assert [period_index(moved, s) for s in starts] == [0, 1, 2]


# --- Months -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year", "expected"),
    [
        (31, 2026, [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30)]),
        (31, 2028, [(1, 31), (2, 29), (3, 31), (4, 30), (5, 31), (6, 30)]),
        (30, 2026, [(1, 30), (2, 28), (3, 30), (4, 30), (5, 30), (6, 30)]),
        (30, 2028, [(1, 30), (2, 29), (3, 30), (4, 30), (5, 30), (6, 30)]),
        (29, 2026, [(1, 29), (2, 28), (3, 29), (4, 29), (5, 29), (6, 29)]),
        (15, 2026, [(1, 15), (2, 15), (3, 15), (4, 15), (5, 15), (6, 15)]),
    ],
)
def test_monthly_late_days_fall_on_the_last_day_of_short_months(day, year, expected):
    monthly = schedule(
        cadence="monthly", day_of_month=str(day), anchor_after=at(BERLIN, year, 1, 1)
    )
    starts = occurrences(monthly, after=at(BERLIN, year, 1, 1), count=6)
    assert [(local(s, BERLIN).month, local(s, BERLIN).day) for s in starts] == expected
    assert {local(s, BERLIN).time() for s in starts} == {time(9, 0)}


def test_a_monthly_series_starting_on_a_short_month_does_not_stick_to_its_day():
    # The drift the day-count implementation had: anchored on Feb 28, it must still hit the 31st.
    monthly = schedule(cadence="monthly", day_of_month="31", anchor_after=at(BERLIN, 2026, 2, 2))
    assert monthly.anchor == date(2026, 2, 28)
    starts = occurrences(monthly, after=at(BERLIN, 2026, 2, 2), count=3)
    assert [local(s, BERLIN).date() for s in starts] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


# --- Where a series starts and what `after` includes ------------------------------------


@pytest.mark.parametrize("cadence", ["weekly", "biweekly"])
def test_the_anchor_is_the_first_meeting_at_or_after_the_start_of_tracking(cadence):
    assert schedule(cadence=cadence, anchor_after=at(BERLIN, 2026, 3, 2, 9)).anchor == date(
        2026, 3, 2
    )
    # Missed by a second: the next Monday, even for a bi-weekly series.
    assert schedule(cadence=cadence, anchor_after=at(BERLIN, 2026, 3, 2, 9, 0, 1)).anchor == date(
        2026, 3, 9
    )


def test_occurrences_include_a_meeting_starting_exactly_at_after():
    weekly = schedule(anchor_after=at(BERLIN, 2026, 3, 1))
    nine = at(BERLIN, 2026, 3, 9, 9)
    assert occurrences(weekly, after=nine, count=1) == [nine.astimezone(UTC)]
    (next_one,) = occurrences(weekly, after=nine + timedelta(microseconds=1), count=1)
    assert local(next_one, BERLIN).date() == date(2026, 3, 16)


def test_occurrences_never_start_before_the_anchor():
    weekly = schedule(anchor_after=at(BERLIN, 2026, 3, 1))
    (first,) = occurrences(weekly, after=at(BERLIN, 2025, 1, 1), count=1)
    assert local(first, BERLIN).date() == date(2026, 3, 2)


def test_occurrences_refuse_naive_times_and_negative_counts():
    weekly = schedule()
    assert occurrences(weekly, after=at(BERLIN, 2026, 3, 1), count=0) == []
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences(weekly, after=datetime(2026, 3, 1), count=1)
    with pytest.raises(ValueError, match="negative"):
        occurrences(weekly, after=at(BERLIN, 2026, 3, 1), count=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule(anchor_after=datetime(2026, 3, 1))


# --- Form input -------------------------------------------------------------------------


def test_form_strings_become_a_typed_schedule():
    parsed = schedule(
        cadence=" Weekly ",
        weekday="3",
        local_time="7:05",
        timezone=NEW_YORK,
        duration_minutes=" 45 ",
        anchor_after=at(NEW_YORK, 2026, 3, 1),
    )
    assert parsed == Schedule(
        cadence="weekly",
        weekday=3,
        day_of_month=5,  # unused by weekly: the anchor's day, never a stale form value
        local_time=time(7, 5),
        timezone=NEW_YORK,
        duration_minutes=45,
        anchor=date(2026, 3, 5),
    )


def test_monthly_needs_no_weekday_and_weekly_no_day_of_month():
    monthly = schedule(cadence="monthly", weekday="", day_of_month="31")
    assert (monthly.day_of_month, monthly.weekday) == (31, monthly.anchor.weekday())
    weekly = schedule(cadence="weekly", weekday="2", day_of_month=None)
    assert (weekly.weekday, weekly.day_of_month) == (2, weekly.anchor.day)


@pytest.mark.parametrize(
    "fields",
    [
        {"duration_minutes": "15"},
        {"duration_minutes": 120},
        {"weekday": 0},
        {"weekday": "6"},
        {"cadence": "monthly", "day_of_month": "1"},
        {"cadence": "monthly", "day_of_month": 31},
        {"local_time": "00:00"},
        {"local_time": "23:59"},
        {"timezone": "UTC"},
    ],
)
def test_boundary_values_are_accepted(fields):
    assert isinstance(schedule(**fields), Schedule)


def bad(field, code, *values, cadence="weekly"):
    return [pytest.param(field, v, code, cadence, id=f"{cadence} {field}={v!r}") for v in values]


@pytest.mark.parametrize(
    ("field", "value", "code", "cadence"),
    [
        *bad("cadence", "cadence_unknown", "daily", "", "<script>alert(1)</script>", None),
        *bad("weekday", "weekday_invalid", "7", "-1", "1.0", "Monday", "", True),
        *bad("weekday", "weekday_invalid", "7", cadence="monthly"),  # checked even if unused
        *bad("day_of_month", "day_of_month_invalid", "", "0", "32", "31st", cadence="monthly"),
        *bad("local_time", "local_time_invalid", "9:60", "24:00", "9", "09:00 pm", "09:00:00"),
        *bad("local_time", "local_time_invalid", "٠٩:٠٠", "<script>", "", None),
        *bad("timezone", "timezone_unknown", "<script>", "../../etc/passwd", "/etc/passwd"),
        *bad("timezone", "timezone_unknown", "Europe/../../etc/passwd", "Europe/Berlin\x00"),
        *bad("timezone", "timezone_unknown", "Mars/Olympus_Mons", "localtime", "", None),
        *bad("duration_minutes", "duration_not_whole", "15.5", 15.5, "thirty", "1e2", "-30"),
        *bad("duration_minutes", "duration_not_whole", "", True),
        *bad("duration_minutes", "duration_range", "121", "14", 0),
    ],
)
def test_bad_fields_are_refused_with_their_message(field, value, code, cadence):
    form = {"cadence": cadence, "day_of_month": "3" if cadence == "monthly" else ""}
    with pytest.raises(ValidationError) as refused:
        schedule(**(form | {field: value}))
    assert (refused.value.field, refused.value.code) == (field, code)
    assert refused.value.message == SCHEDULE_MESSAGES[code]


# --- Cadence periods --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(BERLIN, 2026, 3, 4, 23, 59, 59), -1),
        (at(BERLIN, 2026, 3, 5, 0, 0), 0),  # the anchor's local midnight
        (at(BERLIN, 2026, 3, 11, 23, 59, 59), 0),
        (at(BERLIN, 2026, 3, 12, 0, 0), 1),
        (datetime(2026, 3, 11, 23, 0, tzinfo=UTC), 1),  # Berlin's midnight, not UTC's
        (at(BERLIN, 2026, 4, 2, 0, 0), 4),  # across the DST switch
    ],
)
def test_weekly_periods_are_seven_days_from_the_meeting_day(instant, expected):
    thursday = schedule(weekday="3", anchor_after=at(BERLIN, 2026, 3, 1))
    assert thursday.anchor == date(2026, 3, 5)
    assert period_index(thursday, instant) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(BERLIN, 2026, 3, 4, 23, 59, 59), -1),
        (at(BERLIN, 2026, 3, 5, 0, 0), 0),
        (at(BERLIN, 2026, 3, 18, 23, 59, 59), 0),
        (at(BERLIN, 2026, 3, 19, 0, 0), 1),
    ],
)
def test_biweekly_periods_are_fourteen_days_from_the_anchor(instant, expected):
    thursday = schedule(cadence="biweekly", weekday="3", anchor_after=at(BERLIN, 2026, 3, 1))
    assert period_index(thursday, instant) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(NEW_YORK, 2025, 12, 31, 23, 59, 59), -1),
        (at(NEW_YORK, 2026, 1, 1, 0, 0), 0),
        (at(NEW_YORK, 2026, 2, 28, 23, 59, 59), 1),
        (at(NEW_YORK, 2026, 3, 1, 0, 0), 2),
        (datetime(2026, 3, 1, 3, 0, tzinfo=UTC), 1),  # still Feb 28 in New York
        (at(NEW_YORK, 2027, 1, 1, 0, 0), 12),
    ],
)
def test_monthly_periods_are_calendar_months(instant, expected):
    monthly = schedule(
        cadence="monthly",
        day_of_month="31",
        timezone=NEW_YORK,
        anchor_after=at(NEW_YORK, 2026, 1, 1),
    )
    assert period_index(monthly, instant) == expected


@pytest.mark.parametrize("cadence", ["weekly", "biweekly", "monthly"])
@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
@pytest.mark.parametrize("clock", ["00:00", "02:30", "23:59"])
def test_the_generated_series_has_exactly_one_meeting_per_period(cadence, zone, clock):
    series = schedule(
        cadence=cadence,
        weekday="6",
        day_of_month="31",
        local_time=clock,
        timezone=zone,
        anchor_after=at(zone, 2026, 1, 1),
    )
    starts = occurrences(series, after=at(zone, 2026, 1, 1), count=30)
    assert [period_index(series, s) for s in starts] == list(range(30))


@pytest.mark.parametrize("cadence", ["weekly", "biweekly", "monthly"])
def test_period_dates_bound_each_period(cadence):
    series = schedule(cadence=cadence, weekday="3", day_of_month="31")
    zone = ZoneInfo(series.timezone)
    for index in range(-2, 15):
        first, last = period_dates(series, index)
        assert period_index(series, datetime.combine(first, time(0), zone)) == index
        assert period_index(series, datetime.combine(last, time(23, 59, 59), zone)) == index
        assert period_index(series, datetime.combine(last + timedelta(days=1), time(0), zone)) == (
            index + 1
        )


@pytest.mark.parametrize(
    ("cadence", "fields", "held", "first_next"),
    [
        # Weekly Monday 18:00 becomes Monday 09:00: the next Monday, not the one after.
        ("weekly", {"weekday": "0"}, datetime(2026, 1, 5, 17, 0, tzinfo=UTC), date(2026, 1, 12)),
        # The next day's rule waits for the next week.
        ("weekly", {"weekday": "1"}, datetime(2026, 1, 5, 17, 0, tzinfo=UTC), date(2026, 1, 13)),
        ("biweekly", {"weekday": "0"}, datetime(2026, 1, 5, 17, 0, tzinfo=UTC), date(2026, 1, 19)),
        # Monthly on the 31st after a 31 January meeting: February has its meeting.
        (
            "monthly",
            {"day_of_month": "31"},
            datetime(2026, 1, 31, 8, 0, tzinfo=UTC),
            date(2026, 2, 28),
        ),
        # Weekly until Thursday 29 January, then monthly on the 1st: 1 February.
        ("monthly", {"day_of_month": "1"}, datetime(2026, 1, 29, 8, tzinfo=UTC), date(2026, 2, 1)),
    ],
)
def test_after_a_held_meeting_the_new_rule_starts_in_the_next_period(
    cadence, fields, held, first_next
):
    rule = schedule(cadence=cadence, **fields)
    threshold = next_period_start(rule, held)
    first = occurrences(anchored_after(rule, threshold), after=threshold, count=1)[0]
    assert first.astimezone(ZoneInfo(BERLIN)).date() == first_next
    assert first.astimezone(ZoneInfo(BERLIN)).time() == time(9, 0)


def test_the_next_period_starts_at_local_midnight_across_dst():
    rule = schedule()
    # Held Monday 23 March 2026 (CET); a week on is Monday 30 March, after the switch (CEST).
    threshold = next_period_start(rule, datetime(2026, 3, 23, 8, 0, tzinfo=UTC))
    assert threshold == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
