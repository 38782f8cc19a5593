"""The scheduler on a real wire server with an injected clock: a meeting's whole life, rolling
forward, catching up after downtime, racing ticks (one loop and two clients), and the
APScheduler wrapper started and stopped without sleeping."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId

from goalgetter import scheduler
from goalgetter.data import client as db_client
from goalgetter.data import meeting_series, meetings, users
from goalgetter.data.meeting_state import KEEP_FINISHED, RECAP_ATTEMPTS, RECAP_RETRY
from goalgetter.domain.meetings import WINDOW_AFTER
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.scheduler import TickReport, tick
from goalgetter.scheduler_service import MeetingScheduler
from tests.integration.command_log import watching

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday; meetings Mondays 09:00-09:45 UTC
START, END = T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=45)


class Recaps:
    """An on_completed hook that records each call and stores a recap."""

    def __init__(self):
        self.calls: list[tuple[ObjectId, str]] = []

    async def __call__(self, user_id: ObjectId, meeting: dict) -> None:
        assert meeting["status"] == "completed"
        self.calls.append((user_id, meeting["id"]))
        assert await meetings.set_recap(user_id, meeting["id"], "- recap")


class LostRecaps:
    """An on_completed hook whose process dies before the recap is stored: it only records."""

    def __init__(self):
        self.asked: list[str] = []

    async def __call__(self, user_id: ObjectId, meeting: dict) -> None:
        self.asked.append(meeting["id"])


async def came_to_first_meeting(n: int = 0) -> tuple[ObjectId, dict]:
    """A tracking user who came to their first meeting, and that meeting."""
    user = await tracking_user(n)
    first = (await meetings.series(user))["meetings"][0]
    await meetings.mark_attended(user, first["id"], START + timedelta(minutes=1))
    return user, first


async def tracking_user(n: int = 0, *, now: datetime = T0) -> ObjectId:
    user_id = (await users.create_user(f"u{n}@example.com", f"User {n}", "hash"))["_id"]
    schedule = parse_schedule(
        cadence="weekly",
        weekday=0,
        day_of_month=None,
        local_time="09:00",
        timezone="UTC",
        duration_minutes=45,
        anchor_after=now,
    )
    await meetings.start_tracking(user_id, schedule, now=now)
    return user_id


async def statuses(user_id: ObjectId) -> list[str]:
    return [m["status"] for m in (await meetings.series(user_id))["meetings"]]


def ahead(state: dict, now: datetime) -> int:
    return sum(m["status"] == "scheduled" and m["start"] > now for m in state["meetings"])


async def test_a_meeting_that_the_user_came_to_goes_scheduled_active_completed(db):
    user = await tracking_user()
    recaps = Recaps()
    first = (await meetings.series(user))["meetings"][0]["id"]

    assert (await tick(START - timedelta(minutes=1), on_completed=recaps)).transitions == {}
    assert await statuses(user) == ["scheduled"] * 4
    started = await tick(START, on_completed=recaps)
    assert started.transitions == {"scheduled->active": 1} and started.created == 1
    assert await statuses(user) == ["active"] + ["scheduled"] * 4
    assert (await tick(START + timedelta(minutes=20))).transitions == {}
    assert await meetings.mark_attended(user, first, START + timedelta(minutes=20))
    assert recaps.calls == []
    # The meeting is over but its chat window is open for another hour: still active.
    assert (await tick(END, on_completed=recaps)).transitions == {}
    late = END + WINDOW_AFTER - timedelta(seconds=1)
    assert (await tick(late, on_completed=recaps)).transitions == {}
    assert recaps.calls == []
    ended = await tick(END + WINDOW_AFTER, on_completed=recaps)
    assert ended.transitions == {"active->completed": 1}
    assert recaps.calls == [(user, first)]
    assert await statuses(user) == ["completed"] + ["scheduled"] * 4
    assert (await tick(END + timedelta(hours=3), on_completed=recaps)).transitions == {}
    assert recaps.calls == [(user, first)]


async def test_nobody_came_is_missed_when_the_window_closes_and_a_late_arrival_counts(db):
    alone, late = await tracking_user(0), await tracking_user(1)
    await tick(START)
    assert (await tick(END)).transitions == {}  # still inside the window: they may come
    late_first = (await meetings.series(late))["meetings"][0]["id"]
    assert await meetings.mark_attended(late, late_first, END + timedelta(minutes=30))
    assert (await tick(END + timedelta(minutes=30))).transitions == {}
    assert (await tick(END + WINDOW_AFTER - timedelta(seconds=1))).transitions == {}
    closed = await tick(END + WINDOW_AFTER)
    assert closed.transitions == {"active->missed": 1, "active->completed": 1}
    assert (await statuses(alone))[0] == "missed"
    assert (await statuses(late))[0] == "completed"


async def test_rolling_forward_keeps_four_meetings_ahead_week_after_week(db):
    user = await tracking_user()
    for week in range(10):
        for offset in (timedelta(0), timedelta(hours=2)):
            now = START + timedelta(weeks=week) + offset
            await tick(now)
            assert ahead(await meetings.series(user), now) == 4
    state = await meetings.series(user)
    assert [m["period"] for m in state["meetings"] if m["status"] == "scheduled"] == [
        10,
        11,
        12,
        13,
    ]
    assert Counter(m["status"] for m in state["meetings"]) == {
        "missed": KEEP_FINISHED,
        "scheduled": 4,
    }


async def test_after_three_weeks_down_each_past_meeting_ends_once_and_the_future_is_planned(db):
    user = await tracking_user()
    first = (await meetings.series(user))["meetings"][0]["id"]
    assert await meetings.mark_attended(user, first, START)  # came, but no tick ran since
    recaps = Recaps()
    back = T0 + timedelta(weeks=3, hours=4)

    report = await tick(back, on_completed=recaps)

    assert report.transitions == {"scheduled->completed": 1, "scheduled->missed": 3}
    assert recaps.calls == [(user, first)]
    state = await meetings.series(user)
    assert [m["status"] for m in state["meetings"]] == ["completed"] + ["missed"] * 3 + [
        "scheduled"
    ] * 4
    assert [m["start"] for m in state["meetings"][4:]] == [
        START + timedelta(weeks=w) for w in (4, 5, 6, 7)
    ]
    again = await tick(back, on_completed=recaps)
    assert again.transitions == {} and recaps.calls == [(user, first)]


async def _seed_due(count: int) -> tuple[list[ObjectId], int]:
    """`count` users whose first meeting the next tick completes (half attended) and rolls."""
    users_ = [await tracking_user(n) for n in range(count)]
    for user in users_[::2]:
        first = (await meetings.series(user))["meetings"][0]["id"]
        assert await meetings.mark_attended(user, first, START)
    return users_, len(users_[::2])


async def meeting_count(users_: list[ObjectId]) -> int:
    return sum([len((await meetings.series(user))["meetings"]) for user in users_])


async def assert_once(
    reports: list[TickReport], users_: list[ObjectId], attended: int, before: int, recaps: Recaps
) -> None:
    total = sum(reports, TickReport())
    assert total.transitions == {
        "scheduled->completed": attended,
        "scheduled->missed": len(users_) - attended,
    }
    # Each series rolled forward once, by whichever tick won it.
    assert total.created == await meeting_count(users_) - before
    assert sorted(Counter(recaps.calls).values()) == [1] * attended
    later = T0 + timedelta(hours=3)
    for user in users_:
        state = await meetings.series(user)
        assert len(state["meetings"]) == 5 and ahead(state, later) == 4


async def test_two_ticks_racing_in_one_process_apply_each_transition_once(db):
    users_, attended = await _seed_due(6)
    before, recaps = await meeting_count(users_), Recaps()
    later = T0 + timedelta(hours=3)
    reports = await asyncio.gather(
        tick(later, on_completed=recaps), tick(later, on_completed=recaps)
    )
    await assert_once(list(reports), users_, attended, before, recaps)


async def test_two_processes_racing_with_their_own_clients_apply_each_transition_once(
    db, monkeypatch
):
    monkeypatch.setattr(scheduler, "CHUNK", 4)  # several chunks per tick
    users_, attended = await _seed_due(6)
    before, recaps = await meeting_count(users_), Recaps()
    later = T0 + timedelta(hours=3)

    async def other_process() -> TickReport:
        # A second event loop gets its own AsyncMongoClient from get_db().
        try:
            return await tick(later, on_completed=recaps)
        finally:
            await db_client.close_clients()

    reports = await asyncio.gather(
        tick(later, on_completed=recaps), asyncio.to_thread(asyncio.run, other_process())
    )
    await assert_once(list(reports), users_, attended, before, recaps)


async def test_meeting_scheduler_runs_at_start_up_on_demand_and_stops(db):
    user = await tracking_user()
    clock = [T0 + timedelta(weeks=1)]  # the app was down over the first meeting
    reports: list[TickReport] = []
    ticked = asyncio.Event()

    def on_tick(report: TickReport) -> None:
        reports.append(report)
        ticked.set()

    service = MeetingScheduler(clock=lambda: clock[0], on_tick=on_tick, interval_seconds=3600)
    async with service.lifespan():
        assert service.running
        await asyncio.wait_for(ticked.wait(), timeout=10)  # the start-up run
        assert reports[0].transitions == {"scheduled->missed": 1}
        ticked.clear()
        clock[0] = START + timedelta(weeks=1)
        service.run_soon()
        await asyncio.wait_for(ticked.wait(), timeout=10)
        assert reports[1].transitions == {"scheduled->active": 1}
    assert not service.running
    assert await statuses(user) == ["missed", "active"] + ["scheduled"] * 4
    assert (await service.run_tick()).transitions == {}  # still usable by hand


async def test_tick_refuses_a_naive_clock(db):
    with pytest.raises(ValueError):
        await tick(datetime(2027, 3, 1, 9, 0))


async def test_recaps_run_after_every_transition_is_stored_and_side_by_side(db):
    people = [await tracking_user(n) for n in range(3)]
    for user_id in people:
        first = (await meetings.series(user_id))["meetings"][0]
        await meetings.mark_attended(user_id, first["id"], START + timedelta(minutes=1))
    started: list[ObjectId] = []
    all_started = asyncio.Event()
    seen_by_first_hook: list[list[str]] = []

    async def slow_recap(user_id: ObjectId, meeting: dict) -> None:
        started.append(user_id)
        if len(started) == 1:
            seen_by_first_hook.extend([(await statuses(u))[0] for u in people])
        if len(started) == len(people):
            all_started.set()
        # Each recap waits for the others to start: one at a time, this never ends.
        await asyncio.wait_for(all_started.wait(), timeout=10)

    report = await tick(END + WINDOW_AFTER, on_completed=slow_recap)
    assert report.completed == 3
    assert seen_by_first_hook == ["completed"] * 3
    assert sorted(started) == sorted(people)


async def test_a_failing_recap_does_not_stop_the_others(db):
    people = [await tracking_user(n) for n in range(2)]
    for user_id in people:
        first = (await meetings.series(user_id))["meetings"][0]
        await meetings.mark_attended(user_id, first["id"], START + timedelta(minutes=1))
    recaps = Recaps()

    async def first_one_fails(user_id: ObjectId, meeting: dict) -> None:
        if user_id == people[0]:
            raise RuntimeError("the model is down")
        await recaps(user_id, meeting)

    report = await tick(END + WINDOW_AFTER, on_completed=first_one_fails)
    assert report.completed == 2 and report.failed == 0
    assert [user for user, _ in recaps.calls] == [people[1]]


async def test_the_service_writes_recaps_beside_its_ticks_and_waits_for_them_on_stop(db):
    _, first = await came_to_first_meeting()
    release, finished = asyncio.Event(), []

    async def slow_recap(user_id: ObjectId, meeting: dict) -> None:
        await release.wait()
        finished.append(meeting["id"])

    clock = [END + WINDOW_AFTER]
    service = MeetingScheduler(clock=lambda: clock[0], on_completed=slow_recap)
    # The tick returns with its recap still being written, and the next tick is not held up.
    assert (await service.run_tick()).completed == 1
    clock[0] = END + WINDOW_AFTER + timedelta(minutes=1)
    assert (await service.run_tick()).transitions == {}
    assert finished == []
    release.set()
    await service.finish_hooks()
    assert finished == [first["id"]]


async def test_a_recap_never_stored_is_asked_for_again_at_most_three_times(db):
    user, first = await came_to_first_meeting()
    crashed_before_storing = LostRecaps()
    lost = crashed_before_storing.asked
    closed = END + WINDOW_AFTER
    assert (await tick(closed, on_completed=crashed_before_storing)).completed == 1
    retry = closed + RECAP_RETRY
    quiet = await tick(retry - timedelta(seconds=1), on_completed=crashed_before_storing)
    assert quiet.recaps_retried == 0 and lost == [first["id"]]
    # Two processes racing at the retry time: it is asked for once.
    racing = await asyncio.gather(
        *(tick(retry, on_completed=crashed_before_storing) for _ in range(2))
    )
    assert sum(report.recaps_retried for report in racing) == 1
    assert lost == [first["id"]] * 2
    recaps = Recaps()
    third = await tick(retry + RECAP_RETRY, on_completed=recaps)
    assert third.recaps_retried == 1 and recaps.calls == [(user, first["id"])]
    stored = next(m for m in (await meetings.series(user))["meetings"] if m["id"] == first["id"])
    assert stored["recap"] == "- recap" and stored["recap_retry_at"] is None
    assert (await tick(retry + 3 * RECAP_RETRY, on_completed=recaps)).recaps_retried == 0


async def test_after_three_lost_recaps_it_stops_asking(db):
    user, first = await came_to_first_meeting()
    crashed_before_storing = LostRecaps()
    lost = crashed_before_storing.asked
    at = END + WINDOW_AFTER
    for _ in range(5):
        await tick(at, on_completed=crashed_before_storing)
        at += RECAP_RETRY
    assert lost == [first["id"]] * RECAP_ATTEMPTS
    state = await meetings.series(user)
    assert all(m.get("recap_retry_at") is None for m in state["meetings"])


async def test_a_check_in_completed_by_hand_gets_its_recap_asked_again_if_lost(db):
    user = await tracking_user()
    first = (await meetings.series(user))["meetings"][0]
    done_at = START + timedelta(minutes=20)
    assert (await meetings.complete(user, first["id"], "Met early", now=done_at))["status"] == (
        "completed"
    )
    recaps = Recaps()
    await tick(done_at + RECAP_RETRY - timedelta(seconds=1), on_completed=recaps)
    assert recaps.calls == []
    report = await tick(done_at + RECAP_RETRY, on_completed=recaps)
    assert report.recaps_retried == 1 and recaps.calls == [(user, first["id"])]


async def stored_due(user: ObjectId) -> tuple[datetime | None, datetime | None]:
    """The series' `due_at` and its state's next_due_at, as stored."""
    doc = await db_client.get_db().meeting_series.find_one({"_id": user})
    return doc.get("due_at"), doc["state"][0]["next_due_at"]


async def test_due_at_is_written_with_every_state_and_gone_when_nothing_is_due(db):
    user = await tracking_user()
    due, planned = await stored_due(user)
    assert due == planned == START - timedelta(hours=24)  # the first reminder
    first = (await meetings.series(user))["meetings"][0]["id"]
    assert await meetings.mark_attended(user, first, START + timedelta(minutes=1))
    await tick(START)
    due, planned = await stored_due(user)
    assert due == planned == END + WINDOW_AFTER
    assert await meetings.cancel(
        user, (await meetings.series(user))["meetings"][1]["id"], now=START
    )
    due, planned = await stored_due(user)
    assert due == planned

    def nothing_ahead(state: dict) -> None:
        state.update(upcoming=0, meetings=[], next_due_at=None)

    written = await meeting_series.mutate(user, nothing_ahead, now=START)
    assert written.written and written.state["next_due_at"] is None
    doc = await db.meeting_series.find_one({"_id": user})
    assert "due_at" not in doc and doc["state"][0]["next_due_at"] is None


async def test_a_tick_finds_exactly_the_series_due_by_its_clock(db, mongo_uri):
    """One read of the `due_at` index: a series due exactly now is in, one due a second
    later is not, whatever the clock's zone."""
    people = [await tracking_user(n) for n in range(3)]
    reminders = START - timedelta(hours=24)
    at = [reminders - timedelta(minutes=5), reminders, reminders + timedelta(seconds=1)]
    for user, due in zip(people, at, strict=True):
        await db.meeting_series.update_one({"_id": user}, {"$set": {"due_at": due}})
    in_tokyo = reminders.astimezone(ZoneInfo("Asia/Tokyo"))
    async with watching(mongo_uri) as commands:
        found = await meeting_series.due_states(db_client.get_db(), in_tokyo)
    assert set(found) == set(people[:2])
    assert [c for c, _ in commands.filters] == ["meeting_series"]
    assert (await tick(reminders)).series == 2
    assert set(await meeting_series.due_states(db_client.get_db(), reminders)) == set()
    assert (await stored_due(people[2]))[0] == at[2]


async def test_a_long_backlog_is_taken_a_bounded_number_at_a_time(db, monkeypatch):
    people = [await tracking_user(n) for n in range(5)]
    monkeypatch.setattr(meeting_series, "DUE_AT_ONCE", 2)
    back = T0 + timedelta(weeks=2)
    seen = [(await tick(back)).series for _ in range(4)]
    assert seen == [2, 2, 1, 0]
    for user in people:
        due, planned = await stored_due(user)
        assert due == planned > back


async def test_a_series_whose_write_failed_is_found_again_by_the_next_tick(db, monkeypatch):
    user = await tracking_user()
    reminders = START - timedelta(hours=24)

    async def failing(*_args, **_kwargs):
        raise RuntimeError("the store went away mid-write")

    with monkeypatch.context() as patched:
        patched.setattr(meeting_series, "write_plans", failing)
        patched.setattr(meeting_series, "mutate", failing)
        assert (await tick(reminders)).failed == 1
    assert (await stored_due(user))[0] == reminders  # untouched: still due
    assert (await tick(reminders)).series == 1
    assert (await stored_due(user))[0] > reminders


async def test_series_stored_before_due_at_get_it_once_and_the_old_wheel_goes(db):
    people = [await tracking_user(n) for n in range(3)]
    await db.meeting_series.update_many({}, {"$unset": {"due_at": ""}})
    await db.meeting_due.insert_one({"_id": "directory", "slots": {}})
    assert await meeting_series.add_missing_due_at() == 3
    for user in people:
        due, planned = await stored_due(user)
        assert due == planned is not None
    assert "meeting_due" not in await db.list_collection_names()
    await db.meeting_series.update_one({"_id": people[0]}, {"$unset": {"due_at": ""}})
    assert await meeting_series.add_missing_due_at() == 0  # once per database
