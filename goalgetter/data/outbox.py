"""Mail on its way out: one document per logical email, claimed atomically before sending.

`_id` is the logical email's key ("welcome:<user id>", later "reminder-24h:<meeting>:<seq>"),
so the same email is never queued twice, and it is the Idempotency-Key the provider sees on
every attempt. A sender claims a mail with one compare-and-set (queued, or a claim that
lapsed, → sending with its own token); only the holder of the token may record the outcome.
So two processes, or a restart mid-send, never send one email twice from here, and the
provider's idempotency covers a send whose answer was lost.

What is still to be sent is listed in one `pending` document (`_id` "pending" in
`outbox_due`: mail id → when it is due), so a delivery pass reads one document, not the
collection (on the embedded store any other filter scans every mail ever queued).

Statuses: queued → sending → sent | queued (a retry, later) | failed (the last attempt) |
outbox (no provider configured: kept here and as an .eml file, never sent).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError

from goalgetter.data.client import get_db
from goalgetter.data.conditional import set_when
from goalgetter.data.field_writes import in_parts

CLAIM_FOR = timedelta(minutes=2)  # a claim not settled by then may be taken over
RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
PENDING = "pending"
DUPLICATE_KEY = 11000  # the server's code for a write refused as a duplicate key
KINDS = (
    "welcome", "invitation", "update", "cancellation", "reminder-24h", "reminder-1h", "recap",
    "milestone-nudge", "password-reset", "partner-confirm", "partner-digest", "calendar-refused",
)  # fmt: skip


Mail = tuple[ObjectId, str, dict]  # (user id, key, message)


async def enqueue(user_id: ObjectId, key: str, message: dict, now: datetime) -> bool:
    """Queue the email `key` (once: a key already queued is left alone); whether it is new.
    `message`: kind, to, subject, text, html, headers, attachments."""
    return bool(await enqueue_many([(user_id, key, message)], now))


async def enqueue_many(mails: list[Mail], now: datetime) -> set[str]:
    """Queue each email as `enqueue` does; the keys that were new. However many: a listing
    write per FIELDS_PER_WRITE mails and one bulk write of the mails (a scheduler tick
    queues its reminders and invitations together, not one round of writes per series)."""
    for _, _key, message in mails:
        if message["kind"] not in KINDS:
            raise ValueError(f"unknown mail kind {message['kind']!r}")
    by_key: dict[str, tuple[ObjectId, dict]] = {}
    for user_id, key, message in mails:
        by_key.setdefault(key, (user_id, message))
    if not by_key:
        return set()
    db = get_db()
    # Listed first: a crash in between leaves a pending id that names no mail, dropped later.
    # Without an upsert while the list exists (always, after the first mail): the embedded
    # store then applies the $set in SQL instead of decoding and re-encoding the list.
    for part in in_parts({f"ids.{key}": now for key in by_key}):
        listed = await db.outbox_due.update_one({"_id": PENDING}, {"$set": part})
        if listed.matched_count == 0:
            await db.outbox_due.update_one({"_id": PENDING}, {"$set": part}, upsert=True)
    # Inserted, not upserted: a key already queued is refused as a duplicate and left as it
    # is, and an insert costs the embedded store a third less than an upsert that creates.
    keys = list(by_key)
    try:
        await db.outbox.insert_many(
            [{"_id": key, **_queued(*by_key[key], now)} for key in keys], ordered=False
        )
    except BulkWriteError as error:
        refused = error.details.get("writeErrors", [])
        if any(failure.get("code") != DUPLICATE_KEY for failure in refused):
            raise
        return set(keys) - {keys[failure["index"]] for failure in refused}
    return set(keys)


def _queued(user_id: ObjectId, message: dict, now: datetime) -> dict:
    return {
        **message,
        "user_id": user_id,
        "status": "queued",
        "attempts": 0,
        "created_at": now,
        "due_at": now,
        "claim": None,
        "error": "",
    }


async def due_ids(now: datetime) -> list[str]:
    pending = await get_db().outbox_due.find_one({"_id": PENDING}) or {}
    return [key for key, at in (pending.get("ids") or {}).items() if at.replace(tzinfo=UTC) <= now]


async def claim(key: str, now: datetime) -> dict | None:
    """The mail, claimed for sending by this caller (its `claim` token inside), or None when
    it is not due, already claimed by someone else, or settled."""
    token = secrets.token_hex(8)
    lapsed = {"$lte": [{"$ifNull": ["$claimed_until", now]}, now]}
    queued_and_due = {"$and": [{"$eq": ["$status", "queued"]}, {"$lte": ["$due_at", now]}]}
    takeable = {"$or": [queued_and_due, {"$and": [{"$eq": ["$status", "sending"]}, lapsed]}]}
    fields = {"status": "sending", "claim": token, "claimed_until": now + CLAIM_FOR}
    mail = await get_db().outbox.find_one_and_update(
        {"_id": key}, [{"$set": set_when(takeable, fields)}], return_document=ReturnDocument.AFTER
    )
    return mail if mail is not None and mail.get("claim") == token else None


async def settle(mail: dict, status: str, now: datetime, **fields) -> bool:
    """Record a claimed mail's outcome (sent, failed, outbox, or queued again for a retry at
    `due_at`); False when the claim had lapsed and someone else holds the mail now. A mail
    settled for good stays in the pending list until its pass `forget`s it (one write for
    the whole pass; a crash before that leaves ids that `is_settled` finds settled)."""
    db = get_db()
    update = {"status": status, "claim": None, "claimed_until": None, **fields}
    if status != "queued":
        update["settled_at"] = now
    result = await db.outbox.update_one(
        {"_id": mail["_id"]}, [{"$set": set_when({"$eq": ["$claim", mail["claim"]]}, update)}]
    )
    if status == "queued":
        await db.outbox_due.update_one(
            {"_id": PENDING}, {"$set": {f"ids.{mail['_id']}": fields["due_at"]}}
        )
    return result.modified_count == 1


async def is_settled(key: str) -> bool:
    """Whether a pending id's mail is settled or gone (its pass ended before `forget`)."""
    mail = await get_db().outbox.find_one({"_id": key}, {"status": 1})
    return mail is None or mail["status"] not in ("queued", "sending")


async def forget(keys: list[str]) -> None:
    """Take these mails off the pending list."""
    for part in in_parts({f"ids.{key}": "" for key in keys}):
        await get_db().outbox_due.update_one({"_id": PENDING}, {"$unset": part})


async def user_mail(user_id: ObjectId, limit: int = 100) -> list[dict]:
    """The user's mail, newest first (the /outbox page); mail queued at the same instant (a
    reminder and its invitation) by key, so the list reads the same on every visit."""
    cursor = get_db().outbox.find({"user_id": user_id}, {"attachments": 0})
    return await cursor.sort([("created_at", -1), ("_id", -1)]).limit(limit).to_list()


async def delete_user_mail(user_id: ObjectId) -> int:
    """Every mail of the user, and their place in the pending list (account deletion)."""
    db = get_db()
    keys = [doc["_id"] async for doc in db.outbox.find({"user_id": user_id}, {"_id": 1})]
    if keys:
        await db.outbox_due.update_one(
            {"_id": PENDING}, {"$unset": {f"ids.{key}": "" for key in keys}}
        )
    return (await db.outbox.delete_many({"user_id": user_id})).deleted_count
