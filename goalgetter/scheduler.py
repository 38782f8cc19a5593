"""The one scheduler: moves check-in meetings along and keeps every series rolled forward.

`tick(now)` is one pass, and the clock is its argument (tests never sleep):

1. read the due wheel (goalgetter/data/meeting_due.py): which series are due by `now`; a few
   exact-`_id` reads, however many series are stored;
2. read those series, CHUNK at a time in one read of their `_id`s (in random order), plan
   each one's transitions once (goalgetter/data/meeting_state.advance), read at once the
   people who get mail from it, and register where each will be due next, batched by slot;
3. apply each series' plan as one compare-and-set (goalgetter/data/meeting_series.mutate):
   scheduled → active at the start, active → completed when the chat window closes (end +
   WINDOW_AFTER) if the user came, or missed if nobody did, straight to completed/missed
   when the app was down past that; roll forward so `upcoming` meetings lie
   ahead; archive old ones. Another process's tick racing this one loses the compare-and-set,
   re-reads and finds nothing left to do, so each transition is applied, counted and handed
   to `on_completed` exactly once;
4. forget the handled wheel entries; a series that failed keeps its entry and is retried.

`on_completed(user_id, meeting)` is awaited once per meeting this process moved to completed
(and again, at most twice more, for one whose recap was not stored 15 min later:
meeting_state.due_recaps):
the hook for the coach's recap (meetings.set_recap). The hooks run once all of the tick's
transitions are stored, several at a time, so a slow model delays no transition (in the app,
MeetingScheduler runs each as a task of its own, so no later tick waits for them either); a
crash in between delays that recap until it is asked for again, and never loses the state.

Cost (python -m bench.scale, mongoeco SQLite over the wire, a busy 2-core machine): 5-10 ms
(p50) for a tick with nothing due; 17-19 ms (p50) per due series at 1,000 and at 10,000
series stored, in operations of 2-5 ms each (mostly the compare-and-set and the mail it
queues), so users' requests interleave with it instead of waiting behind one long scan.

`MeetingScheduler` wraps one APScheduler AsyncIOScheduler per backend process: an interval job
calling `tick(clock())`, whose first run is at start-up, so whatever came due while the app
was down is applied then, without holding up the app's start. `scheduler_lifespan` is the
Reflex lifespan task (register it after the database's).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from goalgetter import calendar_sync, mail_delivery
from goalgetter.data import counters, meeting_due, meeting_series, outbox, users
from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db
from goalgetter.mail_delivery import deliver_due
from goalgetter.milestone_nudges import nudge_due

log = logging.getLogger(__name__)

TICK_SECONDS = 30
CHUNK = 200  # series read, planned and registered together
HOOK_CONCURRENCY = 8  # recaps written at once
STOP_WAIT_SECONDS = 10  # how long shutting down waits for a tick in progress
JOB_ID = "meetings-tick"
OnCompleted = Callable[[ObjectId, dict], Awaitable[None]]


@dataclasses.dataclass
class TickReport:
    """What one tick did. `transitions` counts "<from>-><to>" pairs."""

    entries: int = 0  # due-wheel entries handled
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
    slots, listed = await meeting_due.wheel(db, now)
    due = list({u: None for slot in slots for u, t in slot.entries.values() if t <= now})
    # Another process's tick sees the same list: in its own order, the two mostly take
    # different series first instead of contending for each one in turn.
    random.shuffle(due)
    handled: set[ObjectId] = set()
    completed: list[tuple[ObjectId, dict]] = []
    try:
        for offset in range(0, len(due), CHUNK):
            chunk = due[offset : offset + CHUNK]
            handled |= await _tick_chunk(db, chunk, now, report, completed, listed)
        done = {
            slot.key: (slot, {k for k, (u, t) in slot.entries.items() if t <= now and u in handled})
            for slot in slots
        }
        report.entries += sum(len(keys) for _, keys in done.values())
        # One directory write for every slot the tick empties, not one per slot.
        await meeting_due.forget(db, done, now)
    finally:
        # Stored transitions get their hooks even when the rest of the tick failed.
        if on_completed is not None:
            await _run_hooks(on_completed, completed)
    return report


async def _run_hooks(on_completed: OnCompleted, completed: list[tuple[ObjectId, dict]]) -> None:
    """After every transition of the tick is stored: a slow model writing one recap holds up
    neither the other series nor the other recaps (HOOK_CONCURRENCY at a time)."""
    slots = asyncio.Semaphore(HOOK_CONCURRENCY)
    await asyncio.gather(*(_run_hook(on_completed, slots, u, m) for u, m in completed))


async def _run_hook(
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
    user_ids: list[ObjectId],
    now: datetime,
    report: TickReport,
    completed: list[tuple[ObjectId, dict]],
    listed: set[str],
) -> set[ObjectId]:
    # One read for the chunk's series; each is planned once, and that plan is what its
    # compare-and-set writes unless another writer got in first.
    states = await meeting_series.read_states(db, user_ids)
    report.series += len(states)
    plans = {u: meeting_series.plan(state, _advance(now), now) for u, state in states.items()}
    # Registered before any series is written (a crash then leaves a harmless extra entry);
    # also for series with nothing to do, which heals a registration lost to a crash.
    due = {u: p.draft["next_due_at"] for u, p in plans.items()}
    await meeting_due.register(
        db, [(u, t) for u, t in due.items() if t is not None], now, listed=listed
    )
    mailed = [u for u, p in plans.items() if p.created or p.result[2]]
    people = await users.get_users(mailed) if mailed else {}
    handled = {u for u in user_ids if u not in states}
    chunk = _Chunk(now, report, completed, people)
    try:
        for user_id, planned in plans.items():
            try:
                await _apply(user_id, planned, due[user_id], chunk)
                handled.add(user_id)
            except Exception:
                report.failed += 1
                log.exception("Meeting series of %s: tick failed; retried next tick", user_id)
    finally:
        await _finish_chunk(chunk)
    return handled


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


async def _apply(
    user_id: ObjectId, planned: meeting_series.Plan, due: datetime | None, chunk: _Chunk
) -> None:
    now, report = chunk.now, chunk.report
    applied = await meeting_series.mutate(
        user_id, _advance(now), now=now, first=planned, registered=due
    )
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


class MeetingScheduler:
    """One APScheduler AsyncIOScheduler running `tick(clock())` every `interval_seconds`."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        interval_seconds: float = TICK_SECONDS,
        on_completed: OnCompleted | None = None,
        on_tick: Callable[[TickReport], None] | None = None,
    ):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.interval_seconds = interval_seconds
        self.on_completed = on_completed
        self.on_tick = on_tick
        self.last_report: TickReport | None = None
        # Wall-clock end and duration of the last tick, for /status.
        self.last_tick_at: datetime | None = None
        self.last_tick_seconds: float | None = None
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        # Recaps run beside the ticks: a slow model holds up neither this tick nor the next.
        self._hooks: set[asyncio.Task] = set()
        self._hook_slots = asyncio.Semaphore(HOOK_CONCURRENCY)

    @property
    def running(self) -> bool:
        return self.scheduler.running

    async def run_tick(self) -> TickReport:
        """One tick now (never two at once in this process)."""
        hand_off = self._hand_off if self.on_completed is not None else None
        async with self._lock:
            started = time.monotonic()
            report = await tick(self.clock(), on_completed=hand_off)
            await self._deliver_mail()
            calendar_sync.poll_soon(self.clock())  # beside the ticks: Google may be slow
        self.last_report = report
        self.last_tick_at = datetime.now(UTC)
        self.last_tick_seconds = time.monotonic() - started
        if report.transitions or report.failed:
            log.info("Meeting tick: %s", report)
        if self.on_tick is not None:
            self.on_tick(report)
        return report

    async def _deliver_mail(self) -> None:
        """Milestones due by now nudged, then mail due by now (queued while the app was
        down, or retries) sent from here too."""
        try:
            await nudge_due(self.clock())
        except Exception:
            log.exception("Milestone nudges failed; the next tick retries")
        try:
            await deliver_due(self.clock())
        except Exception:
            log.exception("Mail delivery failed; the next tick retries")

    async def _hand_off(self, user_id: ObjectId, meeting: dict) -> None:
        hook = _run_hook(self.on_completed, self._hook_slots, user_id, meeting)
        task = asyncio.create_task(hook)
        self._hooks.add(task)
        task.add_done_callback(self._hooks.discard)

    async def finish_hooks(self, grace_seconds: float | None = None) -> None:
        """Wait for the recaps under way (at most `grace_seconds`; then they are cancelled)."""
        pending = set(self._hooks)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=grace_seconds)
        for task in late:
            task.cancel()
        if late:
            log.warning("Stopped %d recaps still being written", len(late))
            await asyncio.wait(late)

    async def _job(self) -> None:
        try:
            await self.run_tick()
        except Exception:
            log.exception("Meeting scheduler tick failed; the next one retries")

    def start(self) -> None:
        """Start the interval job; its first run is right away (the start-up catch-up)."""
        self.scheduler.add_job(
            self._job,
            "interval",
            seconds=self.interval_seconds,
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(self.interval_seconds)),
            replace_existing=True,
        )
        self.scheduler.start()

    def run_soon(self) -> None:
        """Bring the job's next run forward to now."""
        self.scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
        self.scheduler.wakeup()

    async def stop(self) -> None:
        """Shut down, after the tick in progress if it ends within STOP_WAIT_SECONDS (else
        it is cancelled: every write it makes is atomic, the next start picks up the rest),
        then after the recaps under way, as long again at most."""
        if not self.scheduler.running:
            return
        acquired = False
        try:
            acquired = await asyncio.wait_for(self._lock.acquire(), STOP_WAIT_SECONDS)
        except TimeoutError:
            log.warning("Stopping the meeting scheduler during a tick")
        try:
            self.scheduler.shutdown(wait=False)
        finally:
            if acquired:
                self._lock.release()
        await self.finish_hooks(STOP_WAIT_SECONDS)
        # AsyncIOScheduler shuts down from a loop callback: let it run before returning.
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        loop.call_soon(done.set_result, None)
        await done

    def status(self, now: datetime) -> dict:
        """The last tick (when it ended, how long it took) and the lag: how far past its
        interval the next tick is overdue (0 while on time; it grows if ticks stall)."""
        since = (now - self.last_tick_at).total_seconds() if self.last_tick_at else None
        return {
            "running": self.running,
            "interval_seconds": self.interval_seconds,
            "last_tick_at": self.last_tick_at.isoformat() if self.last_tick_at else None,
            "last_tick_ms": round(self.last_tick_seconds * 1000, 1)
            if self.last_tick_seconds is not None
            else None,
            "seconds_since_last_tick": round(since, 1) if since is not None else None,
            "lag_seconds": round(max(0.0, since - self.interval_seconds), 1)
            if since is not None
            else None,
        }

    @contextlib.asynccontextmanager
    async def lifespan(self):
        global running_scheduler
        self.start()
        running_scheduler = self
        try:
            yield self
        finally:
            running_scheduler = None
            await self.stop()


# This process's scheduler while the app runs (read by /status).
running_scheduler: MeetingScheduler | None = None


@contextlib.asynccontextmanager
async def scheduler_lifespan():
    """Reflex lifespan task: `app.register_lifespan_task(scheduler_lifespan)`, after the
    database's (tasks start in order and stop in reverse)."""
    from goalgetter.coach.recap import write_recap

    async with MeetingScheduler(on_completed=write_recap).lifespan():
        yield
