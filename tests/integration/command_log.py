"""The commands the app sends to the database, seen through pymongo's own command monitoring
on a client that stands in for the app's while a block runs."""

from __future__ import annotations

import asyncio
import contextlib

from pymongo import AsyncMongoClient, monitoring

from goalgetter.data import client as db_client


class CommandLog(monitoring.CommandListener):
    """Every command started: (name, collection, the command document); and the most that
    were in flight at once."""

    def __init__(self):
        self.commands: list[tuple[str, str, dict]] = []
        self.in_flight = self.most_at_once = 0

    def started(self, event):
        collection = event.command.get(event.command_name)
        self.commands.append((event.command_name, collection, dict(event.command)))
        self.in_flight += 1
        self.most_at_once = max(self.most_at_once, self.in_flight)

    def succeeded(self, event):
        self.in_flight -= 1

    def failed(self, event):
        self.in_flight -= 1

    @property
    def filters(self) -> list[tuple[str, dict]]:
        """Each `find`'s collection and filter."""
        return [(c, dict(cmd["filter"])) for name, c, cmd in self.commands if name == "find"]

    def writes(self, collection: str) -> list[dict]:
        """The write commands sent for `collection`."""
        kinds = ("insert", "update", "delete", "findAndModify")
        return [cmd for name, c, cmd in self.commands if name in kinds and c == collection]


@contextlib.asynccontextmanager
async def watching(mongo_uri: str):
    """A CommandLog of what the app's `get_db()` sends inside the block."""
    commands = CommandLog()
    watched = AsyncMongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    loop = asyncio.get_running_loop()
    original = db_client._clients[loop]
    db_client._clients[loop] = watched
    try:
        yield commands
    finally:
        db_client._clients[loop] = original
        await watched.close()
