"""The scheduler on a real wire server with an injected clock: a meeting's whole life, rolling
forward, catching up after downtime, racing ticks (one loop and two clients), and the
APScheduler wrapper started and stopped without sleeping."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from goalgetter import scheduler
from goalgetter.data import client as db_client
from goalgetter.data import meeting_due, meetings, users
from goalgetter.data.meeting_state import KEEP_FINISHED, RECAP_ATTEMPTS, RECAP_RETRY
from goalgetter.domain.meetings import WINDOW_AFTER
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.scheduler import TickReport, tick
from goalgetter.scheduler_service import MeetingScheduler

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


async def test_the_due_wheel_lists_exactly_the_slots_that_hold_something(db):
    """Ticks empty and delete finished slots and drop them from the directory in one write:
    afterwards every listed slot exists and every slot that exists is listed."""
    for n in range(3):
        await tracking_user(n, now=T0 + timedelta(minutes=20 * n))
    for hours in (2, 5, 30, 24 * 8):
        await tick(T0 + timedelta(hours=hours))
        directory = await db.meeting_due.find_one({"_id": meeting_due.DIRECTORY}) or {}
        listed = {f"slot:{name}" for name in directory.get("slots", {})}
        stored = {doc["_id"] async for doc in db.meeting_due.find({"_id": {"$ne": "directory"}})}
        assert listed == stored and stored
        now = T0 + timedelta(hours=hours)
        finished = [s for s in stored if datetime.fromisoformat(s[5:] + "+00:00") < now
                    - meeting_due.SLOT - meeting_due.SLOT_GRACE]  # fmt: skip
        assert finished == []


async def test_the_wheel_takes_more_entries_at_once_than_one_store_write_can_name(db):
    """The embedded store writes N fields as one SQLite function call of about 2N arguments
    and refuses more than 127: a catch-up tick registering 150 series in 150 slots, or
    forgetting 150 entries of one slot, must still go through."""
    now = T0
    spread = [(ObjectId(), now + meeting_due.SLOT * (n + 1)) for n in range(150)]
    await meeting_due.register(db, spread, now)
    later = spread[-1][1]
    slots = await meeting_due.due_slots(db, later)
    assert sorted(u for s in slots for u, _ in s.entries.values()) == sorted(u for u, _ in spread)
    crowd = [(ObjectId(), later + timedelta(seconds=n)) for n in range(150)]
    await meeting_due.register(db, crowd, later)
    end = later + meeting_due.SLOT + meeting_due.SLOT_GRACE
    slots = await meeting_due.due_slots(db, end)
    assert len(slots) == 150 and len(slots[-1].entries) == 151  # the crowd and spread's last
    handled = {slot.key: (slot, set(slot.entries)) for slot in slots}
    assert await meeting_due.forget(db, handled, end) == 150
    assert await meeting_due.due_slots(db, end) == []
    directory = await db.meeting_due.find_one({"_id": meeting_due.DIRECTORY})
    assert directory["slots"] == {}


async def test_a_slot_listed_but_gone_is_written_again_and_listed(db):
    """The tick writes slots it saw listed without an upsert; one deleted in between (by a
    process whose clock runs ahead) is created and listed again, so no entry is lost."""
    user, at = ObjectId(), T0 + timedelta(hours=1)
    await meeting_due.register(db, [(ObjectId(), at)], T0)
    slots, listed = await meeting_due.wheel(db, at)
    name = meeting_due.slot_name(at)
    assert name in listed and [s.key for s in slots] == [name]
    await db.meeting_due.delete_one({"_id": f"slot:{name}"})
    await db.meeting_due.update_one(
        {"_id": meeting_due.DIRECTORY}, {"$unset": {f"slots.{name}": ""}}
    )
    await meeting_due.register(db, [(user, at)], T0, listed=listed)
    [slot] = await meeting_due.due_slots(db, at)
    assert [u for u, _ in slot.entries.values()] == [user]


async def test_a_directory_written_with_starts_as_values_is_still_read(db):
    """The directory lists a slot by name alone (its start is the name); one written before,
    with each slot's start as its value, still leads the tick to exactly its due slots."""
    early, late = ObjectId(), ObjectId()
    await meeting_due.register(db, [(early, T0), (late, T0 + timedelta(hours=3))], T0)
    directory = await db.meeting_due.find_one({"_id": meeting_due.DIRECTORY})
    assert set(directory["slots"].values()) == {True}
    older = {name: meeting_due.start_of(name) for name in directory["slots"]}
    await db.meeting_due.replace_one({"_id": meeting_due.DIRECTORY}, {"slots": older})
    [slot] = await meeting_due.due_slots(db, T0 + timedelta(minutes=1))
    assert slot.start == meeting_due.slot_start(T0)
    assert [u for u, _ in slot.entries.values()] == [early]
    later = await meeting_due.due_slots(db, T0 + timedelta(hours=3))
    assert [u for s in later for u, _ in s.entries.values()] == [early, late]
