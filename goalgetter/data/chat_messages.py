"""Chat messages, kept in per-user bucket documents of at most BUCKET_SIZE messages.

Each message keeps role, content, timestamp and metadata. A bucket's `_id` is
"<user id>:<sequence>", and a tiny `chat_heads` document per user (`_id` = user id) counts
the user's messages, so every read and write on the send path addresses one document by its
exact `_id`:

- on the embedded store, a filter on any other field scans the whole collection (cost grows
  with everyone's messages: ~0.3-0.5 s per query at 25,000 messages), while an exact `_id`
  stays at a few milliseconds (see bench/persistence.py);
- the key begins with the owner's id and every function checks it against the caller's id,
  so the `_id` filter is also the user filter. Buckets also carry `user_id` for the bulk
  operations (clear, export) and the (user_id, started_at) index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId
from pymongo import ReturnDocument

from goalgetter.data.client import get_db

BUCKET_SIZE = 100
_BUCKET_KEY = re.compile(r"^([0-9a-f]{24}):(\d{6})$")


def bucket_key(user_id: ObjectId, sequence: int) -> str:
    return f"{user_id}:{sequence:06d}"


@dataclass(frozen=True)
class MessageRef:
    bucket_id: str
    index: int

    @property
    def message_id(self) -> str:
        return f"{self.bucket_id}-{self.index}"

    def owned_by(self, user_id: ObjectId) -> bool:
        found = _BUCKET_KEY.match(self.bucket_id)
        return bool(found) and found.group(1) == str(user_id) and 0 <= self.index < BUCKET_SIZE

    @classmethod
    def parse(cls, message_id: str) -> MessageRef | None:
        bucket, _, index = str(message_id).rpartition("-")
        # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
        if not _BUCKET_KEY.match(bucket) or not re.fullmatch(r"[0-9]{1,3}", index):
            return None
        return cls(bucket, int(index)) if int(index) < BUCKET_SIZE else None


async def append_message(
    user_id: ObjectId, role: str, content: str, metadata: dict | None = None
) -> MessageRef:
    ref, _, _, _ = await _append(user_id, role, content, metadata, 0)
    return ref


async def append_and_recent(
    user_id: ObjectId, role: str, content: str, limit: int
) -> tuple[MessageRef, list[dict], dict]:
    """append_message, the user's last `limit` messages as recent_messages gives them (the
    new one last) and the memory of older ones (`memory`): the bucket written comes back with
    its tail and the head with the memory, so a send reads its history without two more
    round trips (an older bucket only when this one is short)."""
    ref, bucket, sequence, head = await _append(user_id, role, content, None, limit)
    tail = bucket.get("messages", [])
    collected = _numbered(ref.bucket_id, bucket["count"] - len(tail), tail)
    return ref, await _older(user_id, sequence - 1, collected, limit), memory(head)


def memory(head: dict | None) -> dict:
    """The running summary of the messages before `through` (goalgetter/coach/memory.py)."""
    kept = (head or {}).get("memory") or {}
    return {"summary": kept.get("summary", ""), "through": kept.get("through", 0)}


async def _append(
    user_id: ObjectId, role: str, content: str, metadata: dict | None, tail: int
) -> tuple[MessageRef, dict, int, dict]:
    """The new message's reference, its bucket (count, and the last `tail` messages), the
    bucket's sequence and the user's head (count, memory)."""
    db = get_db()
    head = await db.chat_heads.find_one_and_update(
        {"_id": user_id},
        {"$inc": {"count": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    sequence = (head["count"] - 1) // BUCKET_SIZE
    now = datetime.now(UTC)
    message = {"role": role, "content": content, "timestamp": now, "metadata": metadata or {}}
    projection = {"count": 1, "messages": {"$slice": -tail}} if tail > 0 else {"count": 1}
    bucket = await db.chat_messages.find_one_and_update(
        {"_id": bucket_key(user_id, sequence)},
        {
            "$push": {"messages": message},
            "$inc": {"count": 1},
            "$set": {"updated_at": now},
            "$setOnInsert": {"user_id": user_id, "sequence": sequence, "started_at": now},
        },
        upsert=True,
        projection=projection,
        return_document=ReturnDocument.AFTER,
    )
    return MessageRef(bucket["_id"], bucket["count"] - 1), bucket, sequence, head


async def update_message(
    user_id: ObjectId, ref: MessageRef, content: str, metadata: dict | None = None
) -> bool:
    if not ref.owned_by(user_id):
        return False
    db = get_db()
    bucket = await db.chat_messages.find_one({"_id": ref.bucket_id}, {"count": 1})
    if bucket is None or bucket["count"] <= ref.index:
        return False
    fields = {f"messages.{ref.index}.content": content}
    if metadata is not None:
        fields[f"messages.{ref.index}.metadata"] = metadata
    result = await db.chat_messages.update_one({"_id": ref.bucket_id}, {"$set": fields})
    return result.matched_count == 1


async def recent_messages(user_id: ObjectId, limit: int) -> list[dict]:
    """The user's last `limit` messages, oldest first, each with its `id`."""
    messages, _ = await recent_with_memory(user_id, limit)
    return messages


async def recent_with_memory(user_id: ObjectId, limit: int) -> tuple[list[dict], dict]:
    """recent_messages, and the memory of older ones (one read of the head for both)."""
    head = await get_db().chat_heads.find_one({"_id": user_id})
    sequence = (head["count"] - 1) // BUCKET_SIZE if head else -1
    return await _older(user_id, sequence, [], limit), memory(head)


async def read_head(user_id: ObjectId) -> dict:
    """How many messages the user has (`count`) and the memory of them."""
    found = await get_db().chat_heads.find_one({"_id": user_id}) or {}
    return {"count": found.get("count", 0), "memory": memory(found)}


async def messages_between(user_id: ObjectId, first: int, end: int) -> list[dict]:
    """The user's messages numbered first..end-1 (oldest first): the buckets holding them."""
    db, found = get_db(), []
    for sequence in range(first // BUCKET_SIZE, (end - 1) // BUCKET_SIZE + 1 if end > first else 0):
        bucket = await db.chat_messages.find_one({"_id": bucket_key(user_id, sequence)}) or {}
        base = sequence * BUCKET_SIZE
        found += [
            m for at, m in enumerate(bucket.get("messages", []), start=base) if first <= at < end
        ]
    return found


async def save_memory(user_id: ObjectId, summary: str, through: int) -> bool:
    """Keep `summary` as the memory of messages before `through`, unless a newer one (a
    larger `through`) is kept already: two summaries racing never go backwards."""
    newer = {"$gt": [through, {"$ifNull": ["$memory.through", -1]}]}
    kept = {"summary": summary, "through": through, "updated_at": datetime.now(UTC)}
    result = await get_db().chat_heads.update_one(
        {"_id": user_id},
        [{"$set": {"memory": {"$cond": [newer, {"$literal": kept}, "$memory"]}}}],
    )
    return result.modified_count == 1


async def _older(user_id: ObjectId, sequence: int, collected: list[dict], limit: int) -> list:
    """`collected` preceded by the messages of bucket `sequence` and older ones, until there
    are `limit`; the last `limit` of them."""
    db = get_db()
    while sequence >= 0 and len(collected) < limit:
        key = bucket_key(user_id, sequence)
        bucket = await db.chat_messages.find_one({"_id": key}) or {}
        collected = _numbered(key, 0, bucket.get("messages", [])) + collected
        sequence -= 1
    return collected[-limit:] if limit > 0 else []


def _numbered(bucket_id: str, first: int, messages: list[dict]) -> list[dict]:
    return [
        {**message, "id": MessageRef(bucket_id, first + offset).message_id}
        for offset, message in enumerate(messages)
    ]


async def clear_history(user_id: ObjectId) -> int:
    db = get_db()
    await db.chat_heads.delete_one({"_id": user_id})
    return (await db.chat_messages.delete_many({"user_id": user_id})).deleted_count


async def export_messages(user_id: ObjectId) -> list[dict]:
    """Every message of the user, oldest first (for "Download my data")."""
    cursor = get_db().chat_messages.find({"user_id": user_id}).sort("sequence", 1)
    return [message async for bucket in cursor for message in bucket.get("messages", [])]
