"""The one scheduler: moves check-in meetings along and keeps every series rolled forward.

`tick(now)` is one pass, and the clock is its argument (tests never sleep):

1. read the series due by `now`: one read of the `due_at` index (meeting_series.due_states),
   in random order, in chunks of up to CHUNK, two at a time (while the store writes one, the
   app plans the other and renders its mail; `chunks`): plan each one's transitions once
   (goalgetter/data/meeting_state.advance) and read at once the people who get mail from it;
2. write the chunk's plans (goalgetter/data/meeting_series.write_plans): what they archive in
   one bulk write, then each series' compare-and-set, all in one more, each also moving the
   series' `due_at` on to when it is next due: scheduled → active at the start, active →
   completed when the chat window closes (end + WINDOW_AFTER) if the user came, or missed
   if nobody did, straight to completed/missed when the app was down past that; roll
   forward so `upcoming` meetings lie ahead. Another process's tick racing this one makes
   some of those compare-and-sets lose: each of those series is re-read and re-planned on
   its own (meeting_series.mutate) and mostly finds nothing left to do, so each transition
   is applied, counted and handed to `on_completed` exactly once; then the chunk's mail is
   queued in one batch. A series that failed keeps its `due_at` and is found again by the
   next tick.

`on_completed(user_id, meeting)` is awaited once per meeting this process moved to completed
(and again, at most twice more, for one whose recap was not stored 15 min later:
meeting_state.due_recaps):
the hook for the coach's recap (meetings.set_recap). The hooks run once all of the tick's
transitions are stored, several at a time, so a slow model delays no transition (in the app,
MeetingScheduler runs each as a task of its own, so no later tick waits for them either); a
crash in between delays that recap until it is asked for again, and never loses the state.

Cost (python -m bench.scale, mongoeco SQLite over the wire, this 2-core machine): 1.6-1.9 ms
(p50) for a tick with nothing due (the one read of the index); 4.4-4.9 ms (p50) per due
series at 1,000 series stored and 4.1-4.6 ms at 10,000, nearly all of it the store's fixed
cost per statement (a compare-and-set ~2.7 ms, about two thirds of a mail and some
archive per series, plus the chunk's reads and the tick's few fixed writes), in bulk writes
per chunk, so users' requests interleave with a tick instead of waiting behind one long
scan.

goalgetter/scheduler_service.py runs `tick` every TICK_SECONDS in each backend process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from goalgetter import calendar_sync, mail_delivery
from goalgetter.data import counters, meeting_series, outbox, users
from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db

log = logging.getLogger(__name__)

CHUNK = 200  # series planned and written together, at most
CHUNKS_AT_ONCE = 2  # chunks in flight: the app works on one while the store writes another
SMALLEST_SPLIT = 8  # a tick of fewer due series is one chunk (each costs a few statements)
HOOK_CONCURRENCY = 8  # recaps written at once
OnCompleted = Callable[[ObjectId, dict], Awaitable[None]]


@dataclasses.dataclass
class TickReport:
    """What one tick did. `transitions` counts "<from>-><to>" pairs."""

    series: int = 0  # series read
    transitions: Counter = dataclasses.field(default_factory=Counter)
    created: int = 0  # meetings added by rolling forward
    archived: int = 0
    conflicts: int = 0  # compare-and-sets lost to another writer (then retried)
    failed: int = 0  # series left for the next tick after an error
    reminders: int = 0
    recaps_retried: int = 0  # recaps asked for again (meeting_state.due_recaps)

    def count(self, to: str) -> int:
        return sum(n for key, n in self.transitions.items() if key.endswith(f"->{to}"))

    @property
    def activated(self) -> int:
        return self.count("active")

    @property
    def completed(self) -> int:
        return self.count("completed")

    @property
    def missed(self) -> int:
        return self.count("missed")

    def __add__(self, other: TickReport) -> TickReport:
        summed = {
            f.name: getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self)
        }
        return TickReport(**summed)


def _check_now(now: datetime) -> None:
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("`now` must be a timezone-aware datetime (UTC).")


def _advance(now: datetime) -> Callable[[dict], tuple[list, list, list]]:
    """The tick's change to a series: its transitions, the recaps asked for again, and the
    reminders due (each marked sent in the same write, so one process sends it)."""
    return lambda state: (
        ms.advance(state, now),
        ms.due_recaps(state, now),
        ms.due_reminders(state, now),
    )


async def tick(now: datetime, *, on_completed: OnCompleted | None = None) -> TickReport:
    """One pass over every series due by `now` (see the module docstring)."""
    _check_now(now)
    db, report = get_db(), TickReport()
    states = await meeting_series.due_states(db, now)
    due = list(states)
    # Another process's tick sees the same list: in its own order, the two mostly take
    # different series first instead of contending for each one in turn.
    random.shuffle(due)
    completed: list[tuple[ObjectId, dict]] = []
    slots = asyncio.Semaphore(CHUNKS_AT_ONCE)

    async def run_chunk(part: list[ObjectId]) -> None:
        async with slots:
            await _tick_chunk(db, {u: states[u] for u in part}, now, report, completed)

    try:
        outcomes = await asyncio.gather(*map(run_chunk, chunks(due)), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
    finally:
        # Stored transitions get their hooks even when the rest of the tick failed.
        if on_completed is not None:
            await _run_hooks(on_completed, completed)
    return report


def chunks(due: list[ObjectId]) -> list[list[ObjectId]]:
    """The due series in chunks of up to CHUNK, and in CHUNKS_AT_ONCE or more once there are
    SMALLEST_SPLIT in each: a tick of 37 is written as 19 and 18 side by side, the app's share
    of one (its plans, its mail's iCalendar text) done while the store writes the other."""
    size = min(CHUNK, max(SMALLEST_SPLIT, -(-len(due) // CHUNKS_AT_ONCE)))
    return [due[offset : offset + size] for offset in range(0, len(due), size)]


async def _run_hooks(on_completed: OnCompleted, completed: list[tuple[ObjectId, dict]]) -> None:
    """After every transition of the tick is stored: a slow model writing one recap holds up
    neither the other series nor the other recaps (HOOK_CONCURRENCY at a time)."""
    slots = asyncio.Semaphore(HOOK_CONCURRENCY)
    await asyncio.gather(*(run_hook(on_completed, slots, u, m) for u, m in completed))


async def run_hook(
    on_completed: OnCompleted, slots: asyncio.Semaphore, user_id: ObjectId, meeting: dict
) -> None:
    """One hook, when a slot is free; its failure is logged, never raised into the tick."""
    async with slots:
        try:
            await on_completed(user_id, meeting)
        except Exception:
            log.exception("on_completed failed for meeting %s of %s", meeting["id"], user_id)


@dataclasses.dataclass
class _Chunk:
    """What applying a chunk's plans gathers: written and counted once the chunk is done."""

    now: datetime
    report: TickReport
    completed: list[tuple[ObjectId, dict]]
    people: dict[ObjectId, dict]
    ends: Counter = dataclasses.field(default_factory=Counter)
    mail: list[outbox.Mail] = dataclasses.field(default_factory=list)
    reminder_keys: set[str] = dataclasses.field(default_factory=set)


async def _tick_chunk(
    db: AsyncDatabase,
    states: dict[ObjectId, dict],
    now: datetime,
    report: TickReport,
    completed: list[tuple[ObjectId, dict]],
) -> None:
    # Each series is planned once, and that plan is what its compare-and-set writes unless
    # another writer got in first.
    report.series += len(states)
    plans = {u: meeting_series.plan(state, _advance(now), now) for u, state in states.items()}
    mailed = [u for u, p in plans.items() if p.created or p.result[2]]
    people = await users.get_users(mailed) if mailed else {}
    chunk = _Chunk(now, report, completed, people)
    try:
        written = await _write_plans(db, plans, now)
        for user_id, planned in plans.items():
            try:
                if not planned.unchanged:
                    _record(user_id, written.get(user_id) or await _retry(user_id, chunk), chunk)
            except Exception:
                report.failed += 1
                log.exception("Meeting series of %s: tick failed; retried next tick", user_id)
    finally:
        await _finish_chunk(chunk)


async def _write_plans(
    db: AsyncDatabase, plans: dict[ObjectId, meeting_series.Plan], now: datetime
) -> dict[ObjectId, meeting_series.Applied]:
    """The chunk's compare-and-sets in one bulk write; should that fail, each series is
    written on its own (re-read and re-planned: whatever did apply is then not redone)."""
    try:
        return await meeting_series.write_plans(db, plans, now)
    except Exception:
        log.exception("Meeting tick: the chunk's bulk write failed; each series alone instead")
        return {}


async def _retry(user_id: ObjectId, chunk: _Chunk) -> meeting_series.Applied | None:
    """A series whose compare-and-set in the chunk's bulk write lost to another writer:
    re-read, re-planned and written on its own (mostly finding nothing left to do)."""
    chunk.report.conflicts += 1
    applied = await meeting_series.mutate(user_id, _advance(chunk.now), now=chunk.now)
    mails = applied is not None and applied.written and (applied.created or applied.result[2])
    if mails and user_id not in chunk.people:  # the re-plan mails someone the first did not
        chunk.people[user_id] = await users.get_user(user_id)
    return applied


async def _finish_chunk(chunk: _Chunk) -> None:
    """The chunk's mail queued in one batch (its reminders are marked sent in their series,
    so a crash before this loses them rather than sending them twice), then its check-ins
    counted, each by the process whose compare-and-set applied it: exactly once."""
    try:
        new = await outbox.enqueue_many(chunk.mail, chunk.now)
        chunk.report.reminders += len(new & chunk.reminder_keys)
    finally:
        ends = chunk.ends
        await counters.count(checkins_attended=ends["completed"], checkins_missed=ends["missed"])


def _record(user_id: ObjectId, applied: meeting_series.Applied | None, chunk: _Chunk) -> None:
    """What a written series' plan did: counted, its mail and recaps gathered for the chunk."""
    now, report = chunk.now, chunk.report
    if applied is None:
        return
    report.conflicts += applied.conflicts
    if not applied.written:
        return
    report.created += applied.created
    report.archived += applied.archived
    transitions, asked_again, reminders = applied.result
    person = chunk.people.get(user_id)
    if reminders:
        mails = mail_delivery.reminder_mails(user_id, applied.state, reminders, person)
        chunk.mail += mails
        chunk.reminder_keys |= {key for _, key, _ in mails}
    if applied.created:  # rolled forward: the new check-ins go into the calendar too
        new = [m for m in applied.state["meetings"] if m["created_at"] == now]
        # Sent by the delivery pass after the tick (MeetingScheduler.run_tick), one pass
        # for all the tick's mail rather than one started per series.
        chunk.mail += mail_delivery.invitation_mails(user_id, applied.state, new, now, person)
        calendar_sync.push_soon(user_id)
    for meeting, before, after in transitions:
        report.transitions[f"{before}->{after}"] += 1
        chunk.ends[after] += 1
        if after == "completed":
            chunk.completed.append((user_id, dict(meeting)))
    report.recaps_retried += len(asked_again)
    chunk.completed += [(user_id, dict(meeting)) for meeting in asked_again]
