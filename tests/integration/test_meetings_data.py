"""Meeting storage on a real wire server: starting tracking once, scoping, the meeting rules,
cadence changes, claims under concurrency, and what the coach gate reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId

from goalgetter import scheduler
from goalgetter.coach.meeting_brief import meeting_brief
from goalgetter.data import checkins, goals, meeting_state, meetings, users
from goalgetter.domain.checkins import parse_checkin
from goalgetter.domain.meetings import WINDOW_AFTER, WINDOW_BEFORE, MeetingTimes, coach_access
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.domain.validation import ValidationError

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday; the first meeting is at 09:00
MALFORMED = ["", "nope", None, 12345678, "ABCDEF12", "0123456789", "../x", {"$ne": 1}, ["a"]]


def weekly(*, at: str = "09:00", zone: str = "UTC", minutes: int = 45, after=T0, **days):
    return parse_schedule(
        cadence=days.get("cadence", "weekly"),
        weekday=days.get("weekday", 0),
        day_of_month=days.get("day_of_month"),
        local_time=at,
        timezone=zone,
        duration_minutes=minutes,
        anchor_after=after,
    )


@pytest.fixture
async def bob(db):
    return (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]


async def tracking(user_id: ObjectId, **schedule) -> dict:
    return await meetings.start_tracking(user_id, weekly(**schedule), now=T0)


def starts(state: dict, status: str = "scheduled") -> list[datetime]:
    return [m["start"] for m in state["meetings"] if m["status"] == status]


# Starting tracking ---------------------------------------------------------------------------


async def test_start_tracking_stores_the_schedule_activates_drafts_and_plans_meetings(db, ann, bob):
    drafts = [await goals.create_goal(ann, f"Draft {n}") for n in range(2)]
    done = await goals.create_goal(ann, "Done already")
    await goals.set_phase(ann, done["_id"], "active")
    await goals.set_phase(ann, done["_id"], "completed")
    bobs = await goals.create_goal(bob, "Bob's draft")

    state = await meetings.start_tracking(ann, weekly(zone="Europe/Berlin"), now=T0)

    user = await users.get_user(ann)
    assert user["phase"] == "tracking" and user["meeting_interval"] == "weekly"
    assert user["settings"] == {"timezone": "Europe/Berlin", "meeting_duration": 45}
    assert user["meeting_schedule"]["local_time"] == "09:00"
    # 09:00 in Berlin is 08:00 UTC in winter; T0 is 08:00 UTC, so the first is the same day.
    first = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert starts(state) == [first + timedelta(weeks=n) for n in range(4)]
    assert state["meetings"][0]["end"] == first + timedelta(minutes=45)
    # Due first at its 24 h reminder's moment (already past: the tick marks it, sends none).
    assert state["next_due_at"] == first - timedelta(hours=24)
    assert state == await meetings.series(ann)
    phases = {g["_id"]: g["phase"] for g in await goals.export_goals(ann)}
    assert [phases[d["_id"]] for d in drafts] == ["active", "active"]
    assert phases[done["_id"]] == "completed"
    assert (await goals.get_goal(bob, bobs["_id"]))["phase"] == "draft"
    assert await meetings.series(bob) is None


async def test_tracking_is_one_way(ann):
    state = await tracking(ann)
    user = await users.get_user(ann)
    with pytest.raises(ValidationError) as refused:
        await meetings.start_tracking(
            ann, weekly(cadence="monthly", day_of_month=5, zone="Asia/Tokyo"), now=T0
        )
    assert refused.value.code == "already_tracking" and "already tracking" in str(refused.value)
    assert await meetings.series(ann) == state
    assert await users.get_user(ann) == user  # the schedule fields were not touched either


async def test_starting_keeps_the_other_settings_and_refuses_an_unknown_user(db, ann):
    await db.users.update_one({"_id": ann}, {"$set": {"settings.reminders": "email"}})
    await meetings.start_tracking(ann, weekly(zone="Europe/Berlin"), now=T0)
    user = await users.get_user(ann)
    assert user["settings"] == {
        "timezone": "Europe/Berlin",
        "meeting_duration": 45,
        "reminders": "email",
    }
    with pytest.raises(LookupError):
        await meetings.start_tracking(ObjectId(), weekly(), now=T0)


async def test_two_tabs_starting_tracking_at_once_start_it_exactly_once(db, ann):
    results = await asyncio.gather(
        *(meetings.start_tracking(ann, weekly(), now=T0) for _ in range(4)),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, dict)]
    assert len(won) == 1
    assert all(isinstance(r, ValidationError) for r in results if r not in won)
    assert await meetings.series(ann) == won[0]
    assert await db.meeting_series.count_documents({}) == 1


# Scoping -------------------------------------------------------------------------------------


async def test_another_users_meeting_ids_reach_nothing(ann, bob):
    await tracking(ann)
    bobs = await tracking(bob)
    theirs = bobs["meetings"][0]["id"]
    in_window = bobs["meetings"][0]["start"]
    for meeting_id in [theirs, *MALFORMED]:
        moved = await meetings.reschedule(ann, meeting_id, T0 + timedelta(days=2), now=T0)
        assert moved is None
        assert await meetings.cancel(ann, meeting_id, now=T0) is None
        assert await meetings.complete(ann, meeting_id, "notes", now=in_window) is None
        assert await meetings.claim_greeting(ann, meeting_id, in_window) is False
        assert await meetings.mark_attended(ann, meeting_id, in_window) is False
        assert await meetings.set_recap(ann, meeting_id, "recap", now=in_window) is False
    assert await meetings.series(bob) == bobs
    # A user with no series has nothing to touch either.
    stranger = ObjectId()
    assert await meetings.cancel(stranger, theirs, now=T0) is None
    assert await meetings.list_meetings(stranger, now=T0) == ([], [])


# The meeting rules -----------------------------------------------------------------------------


async def test_reschedule_follows_the_rule_and_the_series_keeps_one_meeting_per_week(ann):
    state = await tracking(ann)
    second = state["meetings"][1]
    with pytest.raises(ValidationError) as too_soon:
        await meetings.reschedule(ann, second["id"], T0 + timedelta(minutes=30), now=T0)
    assert too_soon.value.code == "reschedule_too_soon"
    with pytest.raises(ValidationError) as taken:
        await meetings.reschedule(ann, second["id"], state["meetings"][2]["start"], now=T0)
    assert taken.value.code == "reschedule_period_taken"
    assert await meetings.series(ann) == state

    later = second["start"] + timedelta(days=2, hours=5)
    moved = await meetings.reschedule(ann, second["id"], later, now=T0)
    assert (moved["start"], moved["end"]) == (later, later + timedelta(minutes=45))
    assert moved["rescheduled"] is True and moved["status"] == "scheduled"
    after = await meetings.series(ann)
    assert starts(after) == [state["meetings"][0]["start"], later, *starts(state)[2:]]

    # Cancel the third; the series rolls one more forward, and never twice into a week.
    third = state["meetings"][2]
    cancelled = await meetings.cancel(ann, third["id"], now=T0)
    assert cancelled["status"] == "cancelled"
    with pytest.raises(ValidationError):
        await meetings.cancel(ann, third["id"], now=T0)
    with pytest.raises(ValidationError) as not_movable:
        await meetings.reschedule(ann, third["id"], later + timedelta(weeks=5), now=T0)
    assert not_movable.value.code == "meeting_not_movable"
    now = await meetings.series(ann)
    assert len(starts(now)) == 4
    weeks = [(s - starts(state)[0]).days // 7 for s in starts(now)]
    assert weeks == [0, 1, 3, 4]
    upcoming, past = await meetings.list_meetings(ann, now=T0)
    assert [m["status"] for m in upcoming].count("cancelled") == 1 and past == []


async def test_complete_validates_notes_and_timing(ann):
    state = await tracking(ann)
    first, second = state["meetings"][:2]
    with pytest.raises(ValidationError) as long_notes:
        await meetings.complete(ann, first["id"], "x" * 5001, now=first["start"])
    assert long_notes.value.code == "notes_long"
    with pytest.raises(ValidationError) as early:
        await meetings.complete(ann, second["id"], "too early", now=T0)
    assert early.value.code == "meeting_not_started"
    done = await meetings.complete(ann, first["id"], "x" * 5000, now=first["start"])
    assert done["status"] == "completed" and len(done["notes"]) == 5000
    again = await meetings.complete(ann, first["id"], "Shorter notes", now=first["end"])
    assert again["notes"] == "Shorter notes" and again["finished_at"] == first["start"]
    upcoming, past = await meetings.list_meetings(ann, now=first["end"])
    assert [m["id"] for m in past] == [first["id"]]
    assert first["id"] not in [m["id"] for m in upcoming]


async def test_change_cadence_keeps_the_past_and_regenerates_the_future(ann):
    state = await tracking(ann)
    first = state["meetings"][0]
    assert await meetings.mark_attended(ann, first["id"], first["start"])
    await scheduler.tick(first["end"] + WINDOW_AFTER)  # the first meeting is completed
    now = first["end"] + timedelta(days=1)
    monthly = weekly(cadence="monthly", day_of_month=15, at="18:30", minutes=60, after=now)

    changed = await meetings.change_cadence(ann, monthly, now=now)

    assert changed["schedule"]["cadence"] == "monthly"
    assert [m["id"] for m in changed["meetings"] if m["status"] == "completed"] == [first["id"]]
    # One meeting per period under the new cadence too: March already had its meeting.
    assert starts(changed) == [
        datetime(2027, month, 15, 18, 30, tzinfo=UTC) for month in (4, 5, 6, 7)
    ]
    assert all(m["end"] - m["start"] == timedelta(hours=1) for m in changed["meetings"][1:])
    user = await users.get_user(ann)
    assert user["meeting_interval"] == "monthly" and user["settings"]["meeting_duration"] == 60
    # Not tracking: nothing to change.
    stranger = (await users.create_user("c@example.com", "C", "hash"))["_id"]
    assert await meetings.change_cadence(stranger, monthly, now=now) is None


async def test_changing_the_schedule_day_after_day_gives_no_extra_check_in(ann):
    state = await tracking(ann)  # Mondays 09:00 UTC; the first is Monday 1 March
    first = state["meetings"][0]
    assert await meetings.mark_attended(ann, first["id"], first["start"])
    monday = first["start"]
    for day, weekday in ((1, 1), (2, 2), (3, 3)):  # Tuesday, Wednesday, Thursday
        now = monday + timedelta(days=day)
        changed = await meetings.change_cadence(ann, weekly(weekday=weekday, after=now), now=now)
        assert [m["id"] for m in changed["meetings"] if m["start"] < now] == [first["id"]]
        # The next check-in is at least a week after the one held on Monday.
        assert min(m["start"] for m in changed["meetings"] if m["start"] > now) == monday + (
            timedelta(days=7 + weekday)
        )
    # A monthly schedule starts a month after it, on its day or the month's last day.
    now = monday + timedelta(days=4)
    monthly = weekly(cadence="monthly", day_of_month=31, after=now)
    changed = await meetings.change_cadence(ann, monthly, now=now)
    assert min(m["start"] for m in changed["meetings"] if m["start"] > now) == datetime(
        2027, 4, 30, 9, 0, tzinfo=UTC
    )
    assert (await users.get_user(ann))["meeting_schedule"] == changed["schedule"]


async def test_a_wall_time_move_is_read_in_the_zone_stored_now(ann):
    await tracking(ann, zone="Europe/Berlin")
    # Another tab moved the schedule to New York; this one still believes in Berlin.
    now = T0 + timedelta(hours=2)
    ny = weekly(zone="America/New_York", after=now)
    state = await meetings.change_cadence(ann, ny, now=now)
    second = [m for m in state["meetings"] if m["status"] == "scheduled"][1]
    local = second["start"].astimezone(ZoneInfo("America/New_York"))
    wall = (local + timedelta(hours=3)).replace(tzinfo=None)
    moved = await meetings.reschedule(ann, second["id"], wall, now=now)
    assert moved["start"] == second["start"] + timedelta(hours=3)
    assert moved["start"].astimezone(ZoneInfo("America/New_York")).hour == local.hour + 3


async def test_a_check_in_can_be_cancelled_until_its_window_opens(ann):
    second = (await tracking(ann))["meetings"][1]
    opens = second["start"] - timedelta(minutes=30)
    with pytest.raises(ValidationError) as too_late:
        await meetings.cancel(ann, second["id"], now=opens)
    assert too_late.value.code == "meeting_not_cancellable" and "30 minutes" in str(too_late.value)
    in_time = await meetings.cancel(ann, second["id"], now=opens - timedelta(seconds=1))
    assert in_time["status"] == "cancelled"


async def test_cancelling_many_check_ins_never_archives_one_still_open(ann):
    first = (await tracking(ann))["meetings"][0]
    during = first["start"] + timedelta(minutes=5)
    assert await meetings.complete(ann, first["id"], "Done early", now=during)  # window open
    for _ in range(12):  # more than the series keeps finished meetings
        state = await meetings.series(ann)
        later = next(
            m for m in state["meetings"] if m["status"] == "scheduled" and m["start"] > during
        )
        assert await meetings.cancel(ann, later["id"], now=during)
    state = await meetings.series(ann)
    assert first["id"] in [m["id"] for m in state["meetings"]]
    phase, times = await meetings.gate_view(ann)
    assert coach_access(phase, times, during).meeting_id == first["id"]
    assert sum(m["status"] == "cancelled" for m in state["meetings"]) == 12


async def test_a_greeting_and_an_attendance_are_claimed_once(ann):
    state = await tracking(ann)
    first = state["meetings"][0]
    opens = first["start"] - WINDOW_BEFORE
    assert await meetings.claim_greeting(ann, first["id"], opens - timedelta(seconds=1)) is False
    assert await meetings.claim_greeting(ann, first["id"], opens) is True
    assert await meetings.claim_greeting(ann, first["id"], opens) is False

    second = state["meetings"][1]
    claims = await asyncio.gather(
        *(meetings.claim_greeting(ann, second["id"], second["start"]) for _ in range(6)),
        *(meetings.mark_attended(ann, second["id"], second["start"]) for _ in range(6)),
    )
    assert claims[:6].count(True) == 1 and claims[6:].count(True) == 1
    stored = (await meetings.series(ann))["meetings"][1]
    assert stored["greeted_at"] == stored["attended_at"] == second["start"]
    third = state["meetings"][2]
    closes = third["end"] + WINDOW_AFTER
    assert await meetings.mark_attended(ann, third["id"], closes) is False
    assert await meetings.mark_attended(ann, third["id"], closes - timedelta(seconds=1)) is True


async def test_gate_view_is_what_coach_access_needs(ann, bob):
    assert await meetings.gate_view(bob) == ("goal_setting", [])
    state = await tracking(ann)
    phase, times = await meetings.gate_view(ann)
    assert phase == "tracking"
    assert times == [
        MeetingTimes(m["id"], m["start"], m["end"], m["status"]) for m in state["meetings"]
    ]
    first = state["meetings"][0]
    assert coach_access(phase, times, first["start"]).meeting_id == first["id"]
    assert not coach_access(phase, times, first["end"] + WINDOW_AFTER).open
    await meetings.cancel(ann, state["meetings"][1]["id"], now=T0)
    _, times = await meetings.gate_view(ann)
    assert not coach_access(phase, times, state["meetings"][1]["start"]).open
    with pytest.raises(LookupError):
        await meetings.gate_view(ObjectId())


async def test_a_tracking_user_whose_series_was_lost_gets_it_back(db, ann):
    await tracking(ann)
    await db.meeting_series.delete_one({"_id": ann})
    phase, times = await meetings.gate_view(ann)
    assert phase == "tracking" and len(times) == 4
    assert (await meetings.series(ann))["schedule"]["local_time"] == "09:00"


async def test_old_meetings_are_archived_and_still_listed_and_exported(ann):
    state = await tracking(ann)
    first = state["meetings"][0]
    assert await meetings.mark_attended(ann, first["id"], first["start"])
    for week in range(16):
        now = first["start"] + timedelta(weeks=week)
        await scheduler.tick(now)
        await scheduler.tick(now + timedelta(hours=2))
    now = first["start"] + timedelta(weeks=16)
    kept = await meetings.series(ann)
    assert len([m for m in kept["meetings"] if m["status"] in ("completed", "missed")]) == (
        meeting_state.KEEP_FINISHED
    )
    assert kept["archive_years"] == [2027]
    upcoming, past = await meetings.list_meetings(ann, now=now)
    assert len(upcoming) == 4 and len(past) == 16
    assert [m["start"] for m in past] == sorted((m["start"] for m in past), reverse=True)
    assert past[-1]["id"] == first["id"] and past[-1]["status"] == "completed"
    assert len((await meetings.list_meetings(ann, now=now, past_limit=12))[1]) == 12
    # The recap hook can still reach an archived meeting.
    assert await meetings.set_recap(ann, first["id"], "- ran 3 times", now=now) is True
    exported = await meetings.export_meetings(ann)
    assert len(exported["meetings"]) == 20
    assert exported["meetings"][0]["recap"] == "- ran 3 times"
    assert exported["meetings"][0]["start"] == first["start"].isoformat()


async def test_a_year_on_the_brief_counts_every_check_in_and_the_chart_keeps_the_first(ann):
    goal = await goals.create_goal(ann, "Run a marathon", "42 km by October")
    first = (await tracking(ann))["meetings"][0]
    checkin = parse_checkin("10", "on_track", "first week")
    await checkins.record_checkin(ann, first["id"], str(goal["_id"]), checkin, now=first["start"])
    weeks = 55  # more than list_meetings shows by default
    for week in range(weeks):
        start = first["start"] + timedelta(weeks=week)
        meeting = next(m for m in (await meetings.series(ann))["meetings"] if m["start"] == start)
        await meetings.mark_attended(ann, meeting["id"], start)
        await scheduler.tick(start + timedelta(hours=2))
    now = first["start"] + timedelta(weeks=weeks)
    assert len((await meetings.list_meetings(ann, now=now, past_limit=None))[1]) == weeks
    assert [p["progress"] for p in await checkins.goal_progress(ann, str(goal["_id"]))] == [10]
    brief = await meeting_brief(ann, "", {str(goal["_id"]): "Run a marathon"}, now)
    assert brief.startswith(f"This is check-in number {weeks + 1}.")
    assert "Latest check-in on Run a marathon: 10%, On track (first week)." in brief
