"""One AsyncMongoClient per event loop, pointed at MONGODB_URI or the embedded store."""

from __future__ import annotations

import asyncio
import weakref

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

_target: dict[str, str] = {}
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncMongoClient] = (
    weakref.WeakKeyDictionary()
)


def configure(uri: str, db_name: str) -> None:
    """Point every later `get_db()` at this server and database."""
    if _target.get("uri") != uri:
        _clients.clear()
    _target.update(uri=uri, db_name=db_name)


def is_configured() -> bool:
    return "uri" in _target


def get_db() -> AsyncDatabase:
    if not is_configured():
        raise RuntimeError("The database is not configured yet (the app has not started).")
    # pymongo's async client is bound to the loop that created it.
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        uri = _target["uri"]
        options = {"tz_aware": True}
        # A serverSelectionTimeoutMS in the URI wins over the 5 s default.
        if "serverselectiontimeoutms=" not in uri.lower():
            options["serverSelectionTimeoutMS"] = 5000
        client = AsyncMongoClient(uri, **options)
        _clients[loop] = client
    return client[_target["db_name"]]


async def close_clients() -> None:
    loop = asyncio.get_running_loop()
    client = _clients.pop(loop, None)
    if client is not None:
        await client.close()


async def database_answers() -> bool:
    try:
        await get_db().command("ping")
        return True
    except Exception:
        return False


def to_object_id(value: object) -> ObjectId | None:
    """An id from outside (URL, event argument) as an ObjectId, or None when malformed."""
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(str(value))
    except (InvalidId, TypeError):
        return None
