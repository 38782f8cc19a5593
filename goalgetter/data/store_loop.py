"""Fix 20 of store_patches.py: the engine's work runs on the store's event loop, not in a
thread pool.

The released engine hands every step of every command (each read, each write, each batch
of a scan) to a pool of worker threads and waits for the answer, copying the command's
context over each time. With one SQLite connection the steps never run side by side, so
the hop buys no parallelism; it costs a thread switch and a wake-up of the loop per step
and makes the engine's many small steps contend for the interpreter with the loop that
decodes and answers the wire. In a scheduler tick (1,000 people, 40 ticks, interleaved
pairs) it was about a sixth of the store's time: 7.2-8.0 s of wall time without this fix,
6.2-6.7 s with it.

Each step still starts with a turn of the loop (`asyncio.sleep(0)`), so other connections'
commands are read and answered between the steps of a long one (a bulk write of thousands
of updates, a long scan) as before; a single step blocks the loop while it runs, which it
already did for every other connection through the one SQLite connection. The command's
context (the injected clock among it) is copied as the released code copies it, so a step
that sets a context variable does not leak it into the next.

Nothing in the engine waits inside a step for the loop: its locks are taken and released
within one step. A scan reader's close, which the released code sends to the engine's pool
itself, now runs in the loop's default executor, as no pool is started.
"""

from __future__ import annotations

import asyncio
import contextvars
from functools import partial

from mongoeco.engines.sqlite import SQLiteEngine


async def run_step_on_loop(self: SQLiteEngine, func, /, *args, **kwargs):
    await asyncio.sleep(0)
    return contextvars.copy_context().run(partial(func, *args, **kwargs))


def patch_steps_on_loop() -> None:
    SQLiteEngine._run_blocking = run_step_on_loop
