"""The one way tests wait for something outside themselves (a server starting, a write
landing): poll a condition until it holds or a deadline passes. Never a fixed delay."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


def wait_until(
    ready: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05
) -> None:
    """Polls `ready` until it returns true; TimeoutError naming `what` after `timeout` s.
    `ready` may raise to give up at once (e.g. the process it waits for has exited)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout:g} s")
        time.sleep(interval)


async def until(
    ready: Callable[[], bool], *, within: float, what: str, interval: float = 0.02
) -> None:
    """`wait_until` for a condition that work on this event loop must make true."""
    deadline = time.monotonic() + within
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {within:g} s")
        await asyncio.sleep(interval)
