"""The scheduler's service in each backend process: one APScheduler AsyncIOScheduler whose
interval job calls `scheduler.tick(clock())` (goalgetter/scheduler.py), then nudges milestones
and sends the mail that is due. Its first run is at start-up, so whatever came due while the
app was down is applied then, without holding up the app's start. `scheduler_lifespan` is
the Reflex lifespan task (register it after the database's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from bson import ObjectId

from goalgetter import calendar_sync
from goalgetter.mail_delivery import deliver_due
from goalgetter.milestone_nudges import nudge_due
from goalgetter.scheduler import HOOK_CONCURRENCY, OnCompleted, TickReport, run_hook, tick

log = logging.getLogger(__name__)

TICK_SECONDS = 30
STOP_WAIT_SECONDS = 10  # how long shutting down waits for a tick in progress
JOB_ID = "meetings-tick"


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
        hook = run_hook(self.on_completed, self._hook_slots, user_id, meeting)
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
