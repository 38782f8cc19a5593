"""Goal revision history: every saved title/content change, at most the last 100 per goal.

When a save joins the last revision or starts one is decided in goalgetter/domain/revisions.py.

Layout: two collections, with every key beginning with the owner's user id:

- `revision_heads`, one document per goal, `_id` "<user id>:<goal id>": the goal's newest
  revision in full (seq, kind, title, content, size, started_at, saved_at), plus `digest`
  of its text and `user_id`/`goal_id` for the bulk operations;
- `revisions`, bucket documents, `_id` "<user id>:<goal id>:b<bucket>", each holding up to
  REVISIONS_PER_BUCKET older revisions in a map keyed "s<seq>" (`revisions.s000042`);
  revision `seq` always lives in bucket `seq // REVISIONS_PER_BUCKET`.

A revision id is "<user id>:<goal id>:<seq, 6 digits>"; seq counts from 0 per goal.

Why, measured on the embedded store (mongoeco 4.11, SQLite, over the wire):

- a filter on anything but an exact `_id` scans the collection after each write (85 ms at
  2,000 documents, 520 ms at 10,000), even `{"_id": k, "seq": 5}`, so no conditional update
  is used: every save-path read and write names one `_id`. `_id` `$in` lists scan too
  (~300 ms at 20,000 documents), so listing reads its ≤ 11 buckets one by one;
- an insert decodes every document of its collection (~35 µs per document + ~2.5 ms per
  MB: 0.7-0.8 s at 20,000), while an update by `_id` takes ~3 ms (~23 ms for 1 MB). Holding
  the newest revision in the head makes a coalesced save one read and one update of one
  small document; buckets mean one insert per 10 revisions into a collection with 10 times
  fewer documents than one-per-revision would have.

Save path: unchanged text, 1 read; coalesce, 1 read + 1 update; new revision, 1 read + 2
updates (+1 for the cap once a goal has 100), and an insert for a goal's first revision and
for every 10th (a new bucket). Bulk operations (delete a goal's history, export) filter on
`user_id`: rare, and allowed to scan.

Consistency without conditional writes: a new revision first copies the head's revision into
its bucket, then overwrites the head; both writes set whole entries by key, so they are
idempotent. A crash between them leaves the same revision in both places (readers take the
head's); a crash before the cap's trim leaves an extra old entry that readers ignore. Two
saves of one goal racing (two tabs within milliseconds, each past goals.save_text's version
check) end with the later one's text; neither corrupts the history.

Scoping: the caller's user id is the key's prefix, and ids from outside are parsed and
checked against it before any read, so another user's ids reach nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from goalgetter.data.client import get_db, to_object_id
from goalgetter.domain.revisions import (
    MAX_REVISIONS_PER_GOAL,
    LastRevision,
    check_kind,
    oldest_kept_seq,
    plan_revision,
    text_digest,
)

REVISIONS_PER_BUCKET = 25
# A goal's kept revisions span at most this many buckets, so its bucket documents are
# reused in a ring: bucket n lives in slot n % BUCKET_SLOTS, and a slot is taken over only
# once every revision of its previous bucket is past the cap. (5 here.)
BUCKET_SLOTS = -(-(MAX_REVISIONS_PER_GOAL - 1) // REVISIONS_PER_BUCKET) + 1
ENTRY_FIELDS = ("seq", "kind", "title", "content", "size", "started_at", "saved_at")
LISTED_FIELDS = ("seq", "kind", "title", "size", "started_at", "saved_at")
_REVISION_ID = re.compile(r"([0-9a-f]{24}):([0-9a-f]{24}):([0-9]{6,9})")


def head_key(user_id: ObjectId, goal_id: ObjectId) -> str:
    return f"{user_id}:{goal_id}"


def bucket_key(user_id: ObjectId, goal_id: ObjectId, slot: int) -> str:
    return f"{user_id}:{goal_id}:b{slot}"


def revision_id(user_id: ObjectId, goal_id: ObjectId, seq: int) -> str:
    return f"{user_id}:{goal_id}:{seq:06d}"


def _slot_of(user_id: ObjectId, goal_id: ObjectId, seq: int) -> str:
    return bucket_key(user_id, goal_id, seq // REVISIONS_PER_BUCKET % BUCKET_SLOTS)


def _entry_key(seq: int) -> str:
    # A letter first: an all-digit path segment would read as an array index.
    return f"s{seq:06d}"


def parse_revision_id(user_id: ObjectId, revision: object) -> tuple[ObjectId, int] | None:
    """(goal id, seq) of a revision id from outside, or None unless `user_id` owns it."""
    found = _REVISION_ID.fullmatch(revision) if isinstance(revision, str) else None
    if found is None or found.group(1) != str(user_id):
        return None
    return ObjectId(found.group(2)), int(found.group(3))


def _goal_oid(goal_id: object) -> ObjectId:
    oid = to_object_id(goal_id)
    if oid is None:
        raise ValueError(f"Not a goal id: {goal_id!r}")
    return oid


def _last(head: dict | None) -> LastRevision | None:
    return None if head is None else LastRevision(head["kind"], head["started_at"], head["digest"])


def _entry(doc: dict) -> dict:
    return {field: doc[field] for field in ENTRY_FIELDS}


# Writing -----------------------------------------------------------------------------------


async def record_revision(
    user_id: ObjectId,
    goal_id: object,
    *,
    title: str,
    content: str,
    now: datetime,
    kind: str = "edit",
) -> str:
    """Keep the goal's saved text as a revision; returns the id of the revision holding it.

    Call after the goal itself was saved for this user (that save checks ownership).
    """
    goal = _goal_oid(goal_id)
    check_kind(kind)
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware (UTC).")
    db, key, digest = get_db(), head_key(user_id, goal), text_digest(title, content)
    head = await db.revision_heads.find_one({"_id": key})
    step = plan_revision(_last(head), kind=kind, digest=digest, now=now)
    if head is not None and step == "skip":
        return revision_id(user_id, goal, head["seq"])
    text = {"title": title, "content": content, "size": len(content), "saved_at": now}
    if head is not None and step == "coalesce":
        result = await db.revision_heads.update_one(
            {"_id": key}, {"$set": {**text, "digest": digest}}
        )
        if result.matched_count == 1:
            return revision_id(user_id, goal, head["seq"])
        head = None  # deleted meanwhile (the goal with it): start over at seq 0
    seq = 0 if head is None else head["seq"] + 1
    if head is not None:
        await _keep_in_bucket(db, user_id, goal, _entry(head))
    fields = {"seq": seq, "kind": kind, **text, "started_at": now, "digest": digest}
    await db.revision_heads.update_one(
        {"_id": key},
        {"$set": fields, "$setOnInsert": {"user_id": user_id, "goal_id": goal}},
        upsert=head is None,
    )
    if seq >= MAX_REVISIONS_PER_GOAL:
        await _drop(db, user_id, goal, seq - MAX_REVISIONS_PER_GOAL)
    return revision_id(user_id, goal, seq)


def _bucket_identity(user_id: ObjectId, goal: ObjectId, seq: int) -> dict:
    return {"user_id": user_id, "goal_id": goal, "slot": seq // REVISIONS_PER_BUCKET % BUCKET_SLOTS}


async def _keep_in_bucket(
    db: AsyncDatabase, user_id: ObjectId, goal: ObjectId, entry: dict
) -> None:
    seq, key = entry["seq"], _slot_of(user_id, goal, entry["seq"])
    update: dict = {"bucket": seq // REVISIONS_PER_BUCKET}
    if seq % REVISIONS_PER_BUCKET == 0:
        # A new bucket takes over its slot: whatever the slot held is past the cap.
        update["revisions"] = {_entry_key(seq): entry}
    else:
        update[f"revisions.{_entry_key(seq)}"] = entry
    # Upsert only when needed: on the embedded store an upsert plans like a filtered query.
    if (await db.revisions.update_one({"_id": key}, {"$set": update})).matched_count == 0:
        await db.revisions.update_one(
            {"_id": key},
            {"$set": update, "$setOnInsert": _bucket_identity(user_id, goal, seq)},
            upsert=True,
        )


async def _drop(db: AsyncDatabase, user_id: ObjectId, goal: ObjectId, seq: int) -> None:
    """Remove revision `seq`, the one just past the cap."""
    await db.revisions.update_one(
        {"_id": _slot_of(user_id, goal, seq)}, {"$unset": {f"revisions.{_entry_key(seq)}": ""}}
    )


# Reading -----------------------------------------------------------------------------------


def _listed(user_id: ObjectId, goal: ObjectId, entry: dict) -> dict:
    fields = ("title", "kind", "started_at", "saved_at", "size")
    return {"id": revision_id(user_id, goal, entry["seq"]), **{f: entry[f] for f in fields}}


async def list_revisions(user_id: ObjectId, goal_id: object, limit: int = 100) -> list[dict]:
    """Newest first: {id, title, kind, started_at, saved_at, size}; no content."""
    goal = to_object_id(goal_id)
    limit = min(limit, MAX_REVISIONS_PER_GOAL)
    if goal is None or limit <= 0:
        return []
    db = get_db()
    head = await db.revision_heads.find_one({"_id": head_key(user_id, goal)}, {"content": 0})
    if head is None:
        return []
    newest, oldest = head["seq"], max(oldest_kept_seq(head["seq"]), head["seq"] - limit + 1)
    found = {newest: _listed(user_id, goal, head)}
    for bucket in range(newest // REVISIONS_PER_BUCKET, oldest // REVISIONS_PER_BUCKET - 1, -1):
        first = bucket * REVISIONS_PER_BUCKET
        seqs = range(max(first, oldest), min(first + REVISIONS_PER_BUCKET, newest))
        for entry in await _bucket_entries(db, user_id, goal, seqs, LISTED_FIELDS):
            found.setdefault(entry["seq"], _listed(user_id, goal, entry))
    return [found[seq] for seq in sorted(found, reverse=True)]


async def _bucket_entries(
    db: AsyncDatabase, user_id: ObjectId, goal: ObjectId, seqs: range, fields: tuple[str, ...]
) -> list[dict]:
    """The entries of `seqs` (all in one bucket) that are stored, with only `fields`."""
    if not seqs:
        return []
    keys = [_entry_key(seq) for seq in seqs]
    projection = {f"revisions.{key}.{field}": 1 for key in keys for field in fields}
    doc = await db.revisions.find_one({"_id": _slot_of(user_id, goal, seqs[0])}, projection)
    stored = (doc or {}).get("revisions", {})
    # An entry missing a field is not one this function wrote: skip it rather than fail.
    return [stored[key] for key in keys if set(fields) <= set(stored.get(key, {}))]


async def get_revision(user_id: ObjectId, revision: object) -> dict | None:
    """One revision with its content, or None when malformed, unknown or not this user's."""
    parsed = parse_revision_id(user_id, revision)
    if parsed is None:
        return None
    goal, seq = parsed
    db = get_db()
    head = await db.revision_heads.find_one({"_id": head_key(user_id, goal)})
    if head is None or head["user_id"] != user_id:
        return None
    if not oldest_kept_seq(head["seq"]) <= seq <= head["seq"]:
        return None
    if seq == head["seq"]:
        entry = _entry(head)
    else:
        found = await _bucket_entries(db, user_id, goal, range(seq, seq + 1), ENTRY_FIELDS)
        if not found:
            return None
        entry = found[0]
    return {"id": revision_id(user_id, goal, seq), "goal_id": str(goal), **entry}


# Bulk --------------------------------------------------------------------------------------


async def delete_goal_revisions(user_id: ObjectId, goal_id: object) -> int:
    """Delete a goal's whole history; returns how many revisions were deleted."""
    goal = to_object_id(goal_id)
    if goal is None:
        return 0
    db, seqs = get_db(), set()
    # The ring bounds a goal's documents to its head and BUCKET_SLOTS buckets: exact ids.
    # find_one_and_delete plans like a filtered query there (~0.3 s each): find, then delete.
    for slot in range(BUCKET_SLOTS):
        key = bucket_key(user_id, goal, slot)
        doc = await db.revisions.find_one({"_id": key}, {"revisions": 1})
        if doc is not None:
            seqs |= {entry["seq"] for entry in doc.get("revisions", {}).values()}
            await db.revisions.delete_one({"_id": key})
    head = await db.revision_heads.find_one({"_id": head_key(user_id, goal)}, {"seq": 1})
    if head is not None:
        seqs.add(head["seq"])
        await db.revision_heads.delete_one({"_id": head["_id"]})
    return len(seqs)


def _exported(entry: dict, goal: ObjectId, user_id: ObjectId) -> dict:
    return {
        "id": revision_id(user_id, goal, entry["seq"]),
        "goal_id": str(goal),
        "seq": entry["seq"],
        "kind": entry["kind"],
        "title": entry["title"],
        "content": entry["content"],
        "started_at": entry["started_at"].isoformat(),
        "saved_at": entry["saved_at"].isoformat(),
    }


async def export_revisions(user_id: ObjectId) -> list[dict]:
    """Every stored revision of the user, JSON-ready, by goal then oldest first."""
    db = get_db()
    found: dict[tuple[str, int], dict] = {}
    # Filters on user_id scan on the embedded store; an export is rare.
    async for doc in db.revisions.find({"user_id": user_id}):
        for entry in doc.get("revisions", {}).values():
            found[(str(doc["goal_id"]), entry["seq"])] = _exported(entry, doc["goal_id"], user_id)
    # After the buckets: where a crash left a revision in both, the head's copy is the newer.
    async for head in db.revision_heads.find({"user_id": user_id}):
        found[(str(head["goal_id"]), head["seq"])] = _exported(head, head["goal_id"], user_id)
    return [found[key] for key in sorted(found)]
