"""Writes of fields to documents that may exist: those known to exist go without an upsert
(the embedded store then writes them in SQL), in one bulk write with the others; one that
finds nothing after all is written again with an upsert, so nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data import meeting_series
from goalgetter.data.client import get_db
from goalgetter.data.field_writes import FIELDS_PER_WRITE, FieldsWrite, set_fields
from tests.integration.command_log import watching


async def test_known_documents_are_written_without_upserts_and_new_ones_with(db, mongo_uri):
    await db.things.insert_one({"_id": "old", "kept": 1})
    many = {f"f{n}": n for n in range(FIELDS_PER_WRITE + 1)}  # two parts
    writes = [
        FieldsWrite("old", many, {"born": True}, exists=True),
        FieldsWrite("new", {"a": 1}, {"born": True}, exists=False),
    ]
    async with watching(mongo_uri) as commands:
        assert await set_fields(get_db().things, writes) is True
    [bulk] = commands.writes("things")
    assert [bool(u.get("upsert")) for u in bulk["updates"]] == [False, False, True]
    assert await db.things.find_one({"_id": "old"}) == {"_id": "old", "kept": 1, **many}
    assert await db.things.find_one({"_id": "new"}) == {"_id": "new", "a": 1, "born": True}


async def test_a_document_thought_stored_but_gone_is_created_and_reported(db):
    writes = [FieldsWrite("gone", {"a": 1}, {"born": True}, exists=True)]
    assert await set_fields(db.things, writes) is False
    assert await db.things.find_one({"_id": "gone"}) == {"_id": "gone", "a": 1, "born": True}
    assert await set_fields(db.things, []) is True


async def test_a_meeting_archived_into_a_stored_year_is_written_without_an_upsert(db, mongo_uri):
    user_id, start = ObjectId(), datetime(2026, 3, 2, 9, tzinfo=UTC)
    first, second = ({"id": str(n), "start": start, "status": "completed"} for n in range(2))
    await meeting_series.archive(db, user_id, [first], [])
    async with watching(mongo_uri) as commands:
        await meeting_series.archive(get_db(), user_id, [second], [2026])
    [bulk] = commands.writes("meetings_archive")
    assert [u.get("upsert", False) for u in bulk["updates"]] == [False]
    bucket = await db.meetings_archive.find_one({"_id": f"{user_id}:2026"})
    assert set(bucket["meetings"]) == {"m0", "m1"} and bucket["user_id"] == user_id
