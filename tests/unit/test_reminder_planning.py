"""Reminders across daylight-saving changes: 24 h and 1 h mean real hours before the
check-in's start, which itself stays at the person's wall-clock time on either side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from goalgetter.data.meeting_state import due_reminders, next_due
from goalgetter.domain.recurrence import end_of, occurrences, parse_schedule

BERLIN = ZoneInfo("Europe/Berlin")


def sundays_at_noon_in_berlin(after: datetime) -> list[dict]:
    schedule = parse_schedule(
        cadence="weekly", weekday=6, day_of_month=None, local_time="12:00",
        timezone="Europe/Berlin", duration_minutes=30, anchor_after=after,
    )  # fmt: skip
    starts = occurrences(schedule, after=after, count=2)
    return [
        {
            "id": f"m{n}",
            "start": start,
            "end": end_of(start, schedule),
            "status": "scheduled",
            "created_at": after,
        }
        for n, start in enumerate(starts)
    ]


@pytest.mark.parametrize(
    ("after", "starts_utc", "reminder_wall_clock_hour"),
    [
        # Spring: 28 March 2027 jumps 02:00 → 03:00. Noon is 11:00 UTC before, 10:00 after;
        # 24 real hours before noon on the change day is 11:00 on the Saturday.
        (datetime(2027, 3, 15, tzinfo=UTC), [(3, 21, 11), (3, 28, 10)], 11),
        # Autumn: 31 October 2027 falls back 03:00 → 02:00. Noon is 10:00 UTC, then 11:00;
        # 24 real hours before is 13:00 on the Saturday.
        (datetime(2027, 10, 18, tzinfo=UTC), [(10, 24, 10), (10, 31, 11)], 13),
    ],
)
def test_reminders_are_real_hours_before_a_start_that_keeps_its_wall_clock(
    after, starts_utc, reminder_wall_clock_hour
):
    meetings = sundays_at_noon_in_berlin(after)
    expected = [datetime(2027, month, day, hour, tzinfo=UTC) for month, day, hour in starts_utc]
    assert [m["start"] for m in meetings] == expected
    assert {m["start"].astimezone(BERLIN).hour for m in meetings} == {12}
    change_day = meetings[1]
    state = {"meetings": [change_day]}
    day_before = change_day["start"] - timedelta(hours=24)
    assert day_before.astimezone(BERLIN).hour == reminder_wall_clock_hour
    assert next_due(state) == day_before
    assert due_reminders(state, day_before - timedelta(seconds=1)) == []
    assert due_reminders(state, day_before) == [(change_day, "reminder-24h")]
    hour_before = change_day["start"] - timedelta(hours=1)
    assert next_due(state) == hour_before
    assert due_reminders(state, hour_before - timedelta(seconds=1)) == []
    assert due_reminders(state, hour_before) == [(change_day, "reminder-1h")]
    assert due_reminders(state, hour_before + timedelta(minutes=5)) == []  # each once
    assert next_due(state) == change_day["start"]
