"""Work started beside the caller, which the caller never waits for (mail delivery, calendar
syncs, the coach's memory). Each kind keeps its tasks, so none is collected mid-run and a
shutdown, a bench or a test can wait for them."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine


class BackgroundTasks:
    def __init__(self) -> None:
        self._running: set[asyncio.Task] = set()

    def start(self, work: Coroutine) -> None:
        task = asyncio.create_task(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def running(self) -> list[asyncio.Task]:
        return list(self._running)

    async def settled(self) -> None:
        """Wait for them, and for any they start meanwhile."""
        while self._running:
            await asyncio.gather(*self.running(), return_exceptions=True)
