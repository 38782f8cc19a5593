"""The coach gate and rescheduling: exact window edges, which meetings count, the next
opening across DST, and moves that could have been a way around the gate."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from goalgetter.domain.meetings import (
    RESCHEDULE_RULE,
    CoachAccess,
    MeetingTimes,
    check_reschedule,
    coach_access,
    window,
)
from goalgetter.domain.recurrence import end_of, occurrences, parse_schedule
from goalgetter.domain.timezones import local_time_label
from goalgetter.domain.validation import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=45)
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def meeting(start=START, minutes=45, status="scheduled", id="m1") -> MeetingTimes:
    return MeetingTimes(id=id, start=start, end=start + timedelta(minutes=minutes), status=status)


def weekly_berlin(duration="45"):
    """Mondays 09:00 Berlin from Monday 1 June 2026 (summer time: 07:00 UTC)."""
    return parse_schedule(
        cadence="weekly",
        weekday="0",
        day_of_month="",
        local_time="09:00",
        timezone="Europe/Berlin",
        duration_minutes=duration,
        anchor_after=datetime(2026, 6, 1, tzinfo=UTC),
    )


# --- The window edges -------------------------------------------------------------------


def test_window_is_thirty_minutes_before_to_sixty_after():
    assert window(START, END) == (START - timedelta(minutes=30), END + timedelta(minutes=60))


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (START - timedelta(minutes=30) - SECOND, False),
        (START - timedelta(minutes=30), True),
        (START, True),
        (END, True),
        (END + timedelta(minutes=60) - SECOND, True),
        (END + timedelta(minutes=60), False),  # half-open: the closing instant is closed
        (END + timedelta(minutes=60) + SECOND, False),
    ],
)
def test_window_edges(now, is_open):
    access = coach_access("tracking", [meeting()], now)
    assert access.open is is_open
    if is_open:
        assert access == CoachAccess(True, "m1", None, END + timedelta(minutes=60), "meeting")
    elif now < START:
        assert access == CoachAccess(False, None, START - timedelta(minutes=30), None, "closed")
    else:
        assert access == CoachAccess(False, None, None, None, "no_meetings")


# --- Which phase and which meetings open the coach --------------------------------------


@pytest.mark.parametrize(
    "meetings",
    [[], [meeting(status="cancelled")], [meeting(start=START + timedelta(days=30))]],
)
@pytest.mark.parametrize("now", [START - timedelta(days=3), START, END + timedelta(hours=5)])
def test_goal_setting_is_always_open(meetings, now):
    assert coach_access("goal_setting", meetings, now) == CoachAccess(
        True, None, None, None, "goal_setting"
    )


def test_tracking_without_meetings_is_closed_with_no_next_opening():
    assert coach_access("tracking", [], START) == CoachAccess(
        False, None, None, None, "no_meetings"
    )


@pytest.mark.parametrize("now", [START - timedelta(minutes=30), START, END + timedelta(minutes=59)])
def test_a_cancelled_meeting_never_opens_the_coach(now):
    access = coach_access("tracking", [meeting(status="cancelled")], now)
    assert access == CoachAccess(False, None, None, None, "no_meetings")


@pytest.mark.parametrize("status", ["scheduled", "active", "completed", "missed"])
def test_every_other_status_keeps_its_window_until_it_closes(status):
    # Marked done (or missed, for a late arrival), the user may keep talking until end + 60.
    m = meeting(status=status)
    assert coach_access("tracking", [m], END + timedelta(minutes=60) - SECOND).open
    assert not coach_access("tracking", [m], END + timedelta(minutes=60)).open


def test_a_cancelled_meeting_does_not_hide_an_open_one():
    cancelled = meeting(id="a", status="cancelled", minutes=120)
    live = meeting(id="b")
    access = coach_access("tracking", [cancelled, live], START)
    assert (access.open, access.meeting_id) == (True, "b")


# --- Several meetings -------------------------------------------------------------------


def test_overlapping_windows_pick_the_meeting_closing_last():
    first = meeting(id="first", minutes=60)  # window 09:30 - 12:00
    second = meeting(id="second", start=START + timedelta(minutes=90), minutes=30)  # 11:00 - 13:00
    both_open = START + timedelta(minutes=75)
    for order in ([first, second], [second, first]):
        access = coach_access("tracking", order, both_open)
        assert access == CoachAccess(True, "second", None, START + timedelta(hours=3), "meeting")


def test_closes_at_follows_a_window_that_opens_before_the_current_one_closes():
    first = meeting(id="first", minutes=60)  # window 09:30 - 12:00
    second = meeting(id="second", start=START + timedelta(minutes=150))  # 12:00 - 13:15
    access = coach_access("tracking", [first, second], START)
    assert access.meeting_id == "first"
    # Back to back (the second opens exactly as the first closes): the coach never closes.
    assert access.closes_at == second.end + timedelta(minutes=60)
    assert coach_access("tracking", [first, second], START + timedelta(hours=2)).open


def test_closed_between_meetings_names_the_earliest_next_opening():
    past = meeting(id="past", status="completed")
    later = meeting(id="later", start=START + timedelta(days=14))
    sooner = meeting(id="sooner", start=START + timedelta(days=7))
    cancelled = meeting(id="cancelled", start=START + timedelta(days=1), status="cancelled")
    now = START + timedelta(days=2)
    access = coach_access("tracking", [later, past, cancelled, sooner], now)
    assert access == CoachAccess(
        False, None, START + timedelta(days=7, minutes=-30), None, "closed"
    )
    # opens_at is exactly when the gate turns open.
    assert not coach_access("tracking", [later, past, sooner], access.opens_at - SECOND).open
    assert coach_access("tracking", [later, past, sooner], access.opens_at).open


@pytest.mark.parametrize(
    ("now", "utc", "berlin", "new_york"),
    [
        # Monday 23 March: Berlin is still on winter time, New York already on summer time.
        (
            datetime(2026, 3, 21, 12, tzinfo=UTC),
            datetime(2026, 3, 23, 7, 30, tzinfo=UTC),
            "2026-03-23 08:30 CET",
            "2026-03-23 03:30 EDT",
        ),
        # Monday 30 March: Berlin switched on the Sunday; 09:00 local is now 07:00 UTC.
        (
            datetime(2026, 3, 28, 12, tzinfo=UTC),
            datetime(2026, 3, 30, 6, 30, tzinfo=UTC),
            "2026-03-30 08:30 CEST",
            "2026-03-30 02:30 EDT",
        ),
    ],
)
def test_next_opening_across_a_dst_change_is_utc_and_renders_locally(now, utc, berlin, new_york):
    schedule = parse_schedule(
        cadence="weekly",
        weekday="0",
        day_of_month="",
        local_time="09:00",
        timezone="Europe/Berlin",
        duration_minutes="30",
        anchor_after=datetime(2026, 3, 1, tzinfo=UTC),
    )
    meetings = [
        MeetingTimes(f"m{n}", start, end_of(start, schedule), "scheduled")
        for n, start in enumerate(occurrences(schedule, after=now, count=3))
    ]
    access = coach_access("tracking", meetings, now)
    assert access.opens_at == utc
    assert access.opens_at.utcoffset() == timedelta(0)
    assert local_time_label(access.opens_at, BERLIN) == berlin
    assert local_time_label(access.opens_at, NEW_YORK) == new_york


# --- Bad times are programming errors ---------------------------------------------------


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 6, 10, 10)
    for phase in ("goal_setting", "tracking"):
        with pytest.raises(ValueError, match="timezone-aware"):
            coach_access(phase, [], naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        MeetingTimes("m1", naive, END, "scheduled")
    with pytest.raises(ValueError, match="timezone-aware"):
        MeetingTimes("m1", START, naive, "scheduled")
    with pytest.raises(ValueError, match="timezone-aware"):
        window(naive, END)
    with pytest.raises(ValueError, match="timezone-aware"):
        check_reschedule(weekly_berlin(), [meeting()], "m1", naive, START - timedelta(days=1))


def test_meetings_with_impossible_times_or_statuses_are_rejected():
    with pytest.raises(ValueError, match="ends before it starts"):
        MeetingTimes("m1", START, START - SECOND, "scheduled")
    with pytest.raises(ValueError, match="unknown status"):
        MeetingTimes("m1", START, END, "postponed")


# --- Rescheduling -----------------------------------------------------------------------

JUNE = {  # Mondays 09:00 Berlin = 07:00 UTC
    day: datetime(2026, 6, day, 7, tzinfo=UTC) for day in (1, 8, 15, 22)
}


def june_meetings(**statuses) -> list[MeetingTimes]:
    """m1 (1 June, completed), m8, m15, m22 (scheduled unless told otherwise)."""
    default = {"m1": "completed"}
    return [
        meeting(start=start, id=f"m{day}", status=(default | statuses).get(f"m{day}", "scheduled"))
        for day, start in JUNE.items()
    ]


def refusal(*args) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        check_reschedule(*args)
    return refused.value


@pytest.mark.parametrize(
    ("notice", "allowed"),
    [
        (timedelta(minutes=59), False),
        (timedelta(minutes=60) - SECOND, False),
        (timedelta(hours=1), True),
    ],
)
def test_a_move_needs_an_hour_of_notice(notice, allowed):
    now = datetime(2026, 6, 15, 5, 0, tzinfo=UTC)  # 07:00 Berlin; m15 opens at 06:30 UTC
    args = (weekly_berlin(), june_meetings(), "m15", now + notice, now)
    if allowed:
        assert check_reschedule(*args) == now + notice
    else:
        error = refusal(*args)
        assert (error.field, error.code) == ("start", "reschedule_too_soon")
        assert "at least one hour from now" in error.message
        assert "2026-06-15 08:00 CEST" in error.message


def test_the_earliest_time_offered_is_a_whole_minute_in_the_users_zone():
    now = datetime(2026, 6, 15, 5, 0, 30, tzinfo=UTC)
    error = refusal(weekly_berlin(), june_meetings(), "m15", now + timedelta(minutes=30), now)
    assert "2026-06-15 08:01 CEST" in error.message
    assert isinstance(error.message, str)


def test_an_allowed_move_returns_utc_and_opens_the_coach_no_sooner_than_thirty_minutes_on():
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    new_start = datetime(2026, 6, 19, 18, 0, tzinfo=BERLIN)  # Friday of m15's own week
    moved = check_reschedule(weekly_berlin(), june_meetings(), "m15", new_start, now)
    assert moved == new_start and moved.tzinfo is UTC
    after_move = [m for m in june_meetings() if m.id != "m15"] + [meeting(start=moved, id="m15")]
    assert not coach_access("tracking", after_move, now).open


@pytest.mark.parametrize(
    ("meeting_id", "new_start"),
    [
        ("m22", datetime(2026, 6, 30, 9, tzinfo=BERLIN)),  # into the empty week of 29 June
        ("m15", datetime(2026, 6, 21, 23, 59, tzinfo=BERLIN)),  # last minute of its own week
        ("m15", datetime(2026, 6, 15, 9, 30, tzinfo=BERLIN)),  # same day, a little later
    ],
)
def test_a_move_into_a_week_without_another_check_in_is_allowed(meeting_id, new_start):
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    assert check_reschedule(weekly_berlin(), june_meetings(), meeting_id, new_start, now) == (
        new_start
    )


@pytest.mark.parametrize(
    ("meeting_id", "new_start", "period"),
    [
        ("m15", datetime(2026, 6, 22, 0, 0, tzinfo=BERLIN), "Mon 22 Jun - Sun 28 Jun 2026"),
        ("m15", datetime(2026, 6, 14, 23, 59, tzinfo=BERLIN), "Mon 8 Jun - Sun 14 Jun 2026"),
        ("m22", datetime(2026, 6, 16, 12, 0, tzinfo=BERLIN), "Mon 15 Jun - Sun 21 Jun 2026"),
    ],
)
def test_a_move_into_a_week_that_has_a_check_in_is_refused(meeting_id, new_start, period):
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    error = refusal(weekly_berlin(), june_meetings(), meeting_id, new_start, now)
    assert (error.field, error.code) == ("start", "reschedule_period_taken")
    assert error.message == (
        f"There is already a check-in in that week ({period}). "
        "Pick another week, or cancel that check-in first."
    )


@pytest.mark.parametrize(
    ("status", "allowed"),
    [("cancelled", True), ("scheduled", False), ("completed", False), ("missed", False)],
)
def test_only_a_cancelled_check_in_leaves_its_week_free(status, allowed):
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    args = (weekly_berlin(), june_meetings(m22=status), "m15", JUNE[22] + MINUTE, now)
    if allowed:
        assert check_reschedule(*args) == JUNE[22] + MINUTE
    else:
        assert refusal(*args).code == "reschedule_period_taken"


@pytest.mark.parametrize(
    ("cadence", "day", "new_start", "expected"),
    [
        ("biweekly", "", datetime(2026, 6, 24, tzinfo=UTC), "fortnight (Mon 15 Jun - Sun 28 Jun"),
        ("monthly", "1", datetime(2026, 7, 20, tzinfo=UTC), "month (July 2026)"),
    ],
)
def test_the_refusal_names_the_cadence_period(cadence, day, new_start, expected):
    schedule = parse_schedule(
        cadence=cadence,
        weekday="0",
        day_of_month=day,
        local_time="09:00",
        timezone="Europe/Berlin",
        duration_minutes="45",
        anchor_after=datetime(2026, 6, 1, tzinfo=UTC),
    )
    starts = occurrences(schedule, after=datetime(2026, 6, 1, tzinfo=UTC), count=3)
    meetings = [meeting(start=s, id=f"n{i}") for i, s in enumerate(starts)]
    now = datetime(2026, 6, 2, tzinfo=UTC)
    error = refusal(schedule, meetings, "n2", new_start, now)  # into n1's period
    assert error.code == "reschedule_period_taken"
    assert expected in error.message


@pytest.mark.parametrize("status", ["cancelled", "completed", "active", "missed"])
def test_only_a_scheduled_check_in_can_move(status):
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    error = refusal(weekly_berlin(), june_meetings(m22=status), "m22", JUNE[22] + MINUTE, now)
    assert (error.field, error.code) == ("meeting", "meeting_not_movable")
    assert status in error.message


def test_a_check_in_whose_window_has_opened_stays_put():
    # Otherwise: chat in the window, push the meeting an hour on, chat again, and so on.
    opens = JUNE[15] - timedelta(minutes=30)
    target = JUNE[15] + timedelta(hours=3)
    error = refusal(weekly_berlin(), june_meetings(), "m15", target, opens)
    assert (error.field, error.code) == ("meeting", "meeting_started")
    assert refusal(weekly_berlin(), june_meetings(), "m15", target, JUNE[15] + timedelta(hours=2))
    assert check_reschedule(weekly_berlin(), june_meetings(), "m15", target, opens - SECOND)


def test_an_unknown_check_in_is_refused():
    now = datetime(2026, 6, 9, 12, tzinfo=UTC)
    error = refusal(weekly_berlin(), june_meetings(), "m99", JUNE[22] + MINUTE, now)
    assert (error.field, error.code) == ("meeting", "meeting_unknown")


def test_the_rule_is_one_sentence_for_the_ui():
    assert RESCHEDULE_RULE.count(".") == 1 and RESCHEDULE_RULE.endswith(".")
    assert "one hour" in RESCHEDULE_RULE
