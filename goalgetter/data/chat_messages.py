"""Chat messages, kept in per-user bucket documents (one UTC day, at most BUCKET_SIZE each).

Appending is a `$push` into a bounded document rather than an insert into an ever-growing
collection: inserts slow down with collection size on the embedded store, updates do not.
Each message keeps role, content, timestamp and metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument

from goalgetter.data.client import get_db, to_object_id

BUCKET_SIZE = 100


@dataclass(frozen=True)
class MessageRef:
    bucket_id: ObjectId
    index: int

    @property
    def message_id(self) -> str:
        return f"{self.bucket_id}-{self.index}"

    @classmethod
    def parse(cls, message_id: str) -> MessageRef | None:
        bucket, _, index = str(message_id).partition("-")
        oid = to_object_id(bucket)
        # ASCII digits only ("²".isdigit() is true but int() rejects it), and an index a
        # bucket can hold: a huge one would overflow BSON's int64 in the update filter.
        if oid is None or not (index.isascii() and index.isdigit()):
            return None
        return cls(oid, int(index)) if int(index) < BUCKET_SIZE else None


async def append_message(
    user_id: ObjectId, role: str, content: str, metadata: dict | None = None
) -> MessageRef:
    now = datetime.now(UTC)
    message = {"role": role, "content": content, "timestamp": now, "metadata": metadata or {}}
    bucket = await get_db().chat_messages.find_one_and_update(
        {"user_id": user_id, "day": now.date().isoformat(), "count": {"$lt": BUCKET_SIZE}},
        {
            "$push": {"messages": message},
            "$inc": {"count": 1},
            "$set": {"updated_at": now},
            "$setOnInsert": {"started_at": now},
        },
        upsert=True,
        projection={"count": 1},
        return_document=ReturnDocument.AFTER,
    )
    return MessageRef(bucket["_id"], bucket["count"] - 1)


async def update_message(
    user_id: ObjectId, ref: MessageRef, content: str, metadata: dict | None = None
) -> bool:
    fields = {f"messages.{ref.index}.content": content}
    if metadata is not None:
        fields[f"messages.{ref.index}.metadata"] = metadata
    result = await get_db().chat_messages.update_one(
        {"_id": ref.bucket_id, "user_id": user_id, "count": {"$gt": ref.index}},
        {"$set": fields},
    )
    return result.matched_count == 1


async def recent_messages(user_id: ObjectId, limit: int) -> list[dict]:
    """The user's last `limit` messages, oldest first, each with its `id`."""
    collected: list[dict] = []
    cursor = get_db().chat_messages.find({"user_id": user_id}).sort("started_at", DESCENDING)
    async for bucket in cursor:
        numbered = [
            {**message, "id": MessageRef(bucket["_id"], index).message_id}
            for index, message in enumerate(bucket.get("messages", []))
        ]
        collected = numbered + collected
        if len(collected) >= limit:
            break
    await cursor.close()
    return collected[-limit:] if limit else []


async def clear_history(user_id: ObjectId) -> int:
    return (await get_db().chat_messages.delete_many({"user_id": user_id})).deleted_count
