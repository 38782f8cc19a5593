"""Graceful shutdown on SIGTERM: the app's last lifespan task, so it stops first.

The server (granian) turns SIGTERM into the ASGI lifespan's shutdown, and Reflex stops the
lifespan tasks in the reverse of their order: this one first — every coach reply under way
stops and stores what arrived (goalgetter/state/chat.py `end_live_replies`) — then the
scheduler (after its tick in progress), then the database, the embedded store last
(goalgetter/data/startup.py).
"""

from __future__ import annotations

import contextlib
import logging

from goalgetter.settings import get_settings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def replies_lifespan():
    """Register after every other lifespan task."""
    try:
        yield
    finally:
        from goalgetter.state.chat import end_live_replies

        ended = await end_live_replies(get_settings().shutdown_grace_seconds)
        if ended:
            log.warning("Shutting down: ended %d coach replies under way, their text stored", ended)
