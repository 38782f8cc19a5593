"""Connect to MONGODB_URI, or launch the embedded store, and create indexes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from goalgetter.data.client import close_clients, configure, get_db
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.goal_lists import add_missing_lists
from goalgetter.data.indexes import ensure_indexes
from goalgetter.data.meeting_series import add_missing_due_at
from goalgetter.data.sessions import add_missing_session_lists
from goalgetter.data.templates import seed_templates
from goalgetter.data.users import add_missing_email_keys
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def database_lifespan():
    settings = get_settings()
    store = None
    if settings.uses_embedded_store:
        store = EmbeddedStore(settings.embedded_store_port, settings.data_dir / "goalgetter.sqlite")
        uri = await asyncio.to_thread(store.ensure_running)
        log.info("Using the embedded database at %s", uri)
    else:
        uri = settings.mongodb_uri
    configure(uri, settings.mongodb_db)
    await ensure_indexes(get_db())
    await seed_templates(get_db())
    await add_missing_email_keys()
    await add_missing_lists()
    await add_missing_session_lists()
    await add_missing_due_at()
    try:
        yield
    finally:
        await close_clients()
        if store is not None:
            await asyncio.to_thread(store.stop)
