"""Goal revision history: every saved title/content change, at most the last 100 per goal.

When a save joins the last revision or starts one is decided in goalgetter/domain/revisions.py.

Layout: two collections, every key beginning with the owner's user id.

- `revision_heads`, one document per goal, `_id` "<user id>:<goal id>": the goal's newest
  revision in full (seq, kind, title, content, size, started_at, saved_at), its text's
  `digest`, and `user_id`/`goal_id` for export;
- `revisions`, bucket documents holding the older ones in a map keyed "s<seq>"
  (`revisions.s000042`). Bucket n holds seqs [25n, 25n + 25) and lives in slot
  n % BUCKET_SLOTS, `_id` "<user id>:<goal id>:b<slot>": the kept revisions span at most 5
  buckets, so a goal's 5 slot documents are reused in a ring (a slot is taken over only when
  all it held is past the cap).

A revision id is "<user id>:<goal id>:<seq, 6 digits>"; seq counts from 0 per goal.

Why, measured on the embedded store (mongoeco 4.11, SQLite, over the wire; bench/revisions.py):

- any filter beyond an exact `_id` scans the collection after each write (85 ms at 2,000
  documents, 520 ms at 10,000), even `{"_id": k, "seq": 5}`, and so do `_id` `$in` lists
  (~300 ms at 20,000) and exact-`_id` reads or deletes that find nothing (~0.2-0.4 s on a
  large collection). So every read and write here names one `_id` that exists, with no
  conditional update; the keys to touch are worked out from the head;
- an insert decodes every document of its collection (0.6-1.3 s with 100,000 revisions
  stored), while an update by `_id` takes a few ms (~23 ms for 1 MB). With the newest
  revision in the head, a coalesced save (the autosave) is one read and one update of one
  small document; the ring caps a goal's bucket inserts at 5 in its whole life (at its 2nd,
  27th, 52nd, 77th and 102nd revisions), after which its buckets are only updated (slots
  are deleted only with the whole history).

Save path: unchanged text, 1 read; coalesce, 1 read + 1 update; new revision, 1 read + 2
updates (+1 to trim once past 100); a goal's first revision also reads its goal document and
inserts the head. Only export filters (on `user_id`): rare, and allowed to scan.

Consistency without conditional writes: a new revision first copies the head's revision into
its bucket, then overwrites the head; both set whole entries by key, so they are idempotent.
A crash between them leaves the same revision in both places (readers take the head's); a
crash before the trim leaves an extra old entry that readers ignore. Two saves of one goal
racing (two tabs within milliseconds, each past goals.save_text's version check) end with the
later one's text, without corrupting the history. A save racing the goal's deletion does not
bring the history back: a first revision needs the goal to exist, and a head that vanished
mid-save is not recreated.

Scoping: keys begin with the caller's user id, ids from outside are parsed and checked
against it before any read, and a first revision needs a goal of this user, so another
user's ids reach nothing and create nothing.
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
# Slot n % BUCKET_SLOTS is taken over by bucket n once bucket n - BUCKET_SLOTS is wholly past
# the cap, which needs (BUCKET_SLOTS - 1) * REVISIONS_PER_BUCKET >= MAX - 1: 5 slots here.
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


def _slot(seq: int) -> int:
    return seq // REVISIONS_PER_BUCKET % BUCKET_SLOTS


def _entry_key(seq: int) -> str:
    # A letter first: an all-digit path segment would read as an array index.
    return f"s{seq:06d}"


def _slots_in_use(newest: int) -> range:
    """Slots holding something when the head is at `newest` (revisions 0..newest-1 closed)."""
    return range(min(BUCKET_SLOTS, -(-newest // REVISIONS_PER_BUCKET)))


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


def _last(head: dict) -> LastRevision:
    return LastRevision(head["kind"], head["started_at"], head["digest"])


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
) -> str | None:
    """Keep a goal's just-saved text as a revision; the id of the revision now holding it.

    None, with nothing stored, when the goal is not this user's or is gone (deleted while
    this save was on its way). Raises ValueError on a malformed goal id, an unknown kind or a
    naive `now`.
    """
    goal = _goal_oid(goal_id)
    check_kind(kind)
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware (UTC).")
    db, key, digest = get_db(), head_key(user_id, goal), text_digest(title, content)
    head = await db.revision_heads.find_one({"_id": key})
    if head is None and not await _goal_is_users(db, user_id, goal):
        return None
    step = "new" if head is None else plan_revision(_last(head), kind=kind, digest=digest, now=now)
    if step == "skip":
        return revision_id(user_id, goal, head["seq"])
    text = {"title": title, "content": content, "size": len(content), "saved_at": now}
    if step == "coalesce":
        done = await db.revision_heads.update_one(
            {"_id": key}, {"$set": {**text, "digest": digest}}
        )
        return revision_id(user_id, goal, head["seq"]) if done.matched_count else None
    seq = 0 if head is None else head["seq"] + 1
    if head is not None:
        await _keep_in_bucket(db, user_id, goal, _entry(head))
    fields = {"seq": seq, "kind": kind, **text, "started_at": now, "digest": digest}
    done = await db.revision_heads.update_one(
        {"_id": key},
        {"$set": fields, "$setOnInsert": {"user_id": user_id, "goal_id": goal}},
        upsert=head is None,
    )
    if head is not None and done.matched_count == 0:
        return None
    if seq >= MAX_REVISIONS_PER_GOAL:
        await _drop(db, user_id, goal, seq - MAX_REVISIONS_PER_GOAL)
    return revision_id(user_id, goal, seq)


async def _goal_is_users(db: AsyncDatabase, user_id: ObjectId, goal: ObjectId) -> bool:
    # By `_id` alone (a filter on user_id would scan); the owner is compared here.
    found = await db.goals.find_one({"_id": goal}, {"user_id": 1})
    return found is not None and found.get("user_id") == user_id


async def _keep_in_bucket(
    db: AsyncDatabase, user_id: ObjectId, goal: ObjectId, entry: dict
) -> None:
    seq = entry["seq"]
    key, bucket = bucket_key(user_id, goal, _slot(seq)), seq // REVISIONS_PER_BUCKET
    update: dict = {"bucket": bucket}
    if seq % REVISIONS_PER_BUCKET == 0:
        # The bucket takes over its slot: whatever the slot held is past the cap.
        update["revisions"] = {_entry_key(seq): entry}
    else:
        update[f"revisions.{_entry_key(seq)}"] = entry
    # A slot's first use goes straight to the insert. Otherwise a plain update (an upsert
    # costs more); the upsert below then only runs if a crash lost the slot's first write.
    if seq % REVISIONS_PER_BUCKET != 0 or bucket >= BUCKET_SLOTS:
        updated = await db.revisions.update_one({"_id": key}, {"$set": update})
        if updated.matched_count:
            return
    identity = {"user_id": user_id, "goal_id": goal, "slot": _slot(seq)}
    await db.revisions.update_one(
        {"_id": key}, {"$set": update, "$setOnInsert": identity}, upsert=True
    )


async def _drop(db: AsyncDatabase, user_id: ObjectId, goal: ObjectId, seq: int) -> None:
    """Remove revision `seq`, the one just past the cap."""
    await db.revisions.update_one(
        {"_id": bucket_key(user_id, goal, _slot(seq))},
        {"$unset": {f"revisions.{_entry_key(seq)}": ""}},
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
    """The stored entries of `seqs` (all in one bucket), with only `fields`."""
    if not seqs:
        return []
    keys = [_entry_key(seq) for seq in seqs]
    projection = {f"revisions.{key}.{field}": 1 for key in keys for field in fields}
    doc = await db.revisions.find_one(
        {"_id": bucket_key(user_id, goal, _slot(seqs[0]))}, projection
    )
    stored = (doc or {}).get("revisions", {})
    # Only complete entries: anything else was not written by this module.
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
    db = get_db()
    head = await db.revision_heads.find_one({"_id": head_key(user_id, goal)}, {"seq": 1})
    if head is None:
        return 0
    # The head first: a save racing this deletion then finds no history to continue.
    await db.revision_heads.delete_one({"_id": head["_id"]})
    seqs = {head["seq"]}
    for slot in _slots_in_use(head["seq"]):
        key = bucket_key(user_id, goal, slot)
        doc = await db.revisions.find_one({"_id": key}, {"revisions": 1})
        if doc is not None:
            seqs |= {entry["seq"] for entry in doc.get("revisions", {}).values()}
            await db.revisions.delete_one({"_id": key})
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
    """The user's revisions as list and get show them, JSON-ready, by goal then oldest first."""
    db = get_db()
    # Filters on user_id scan on the embedded store; an export is rare.
    heads = {head["goal_id"]: head async for head in db.revision_heads.find({"user_id": user_id})}
    found = {(str(g), head["seq"]): _exported(head, g, user_id) for g, head in heads.items()}
    async for doc in db.revisions.find({"user_id": user_id}):
        for entry in _kept(doc, heads.get(doc["goal_id"])):
            # setdefault: where a crash left a revision in both, the head's copy is newer.
            found.setdefault(
                (str(doc["goal_id"]), entry["seq"]), _exported(entry, doc["goal_id"], user_id)
            )
    return [found[key] for key in sorted(found)]


def _kept(bucket: dict, head: dict | None) -> list[dict]:
    """A bucket's entries inside its goal's window; none without a head (a deleted history)."""
    if head is None:
        return []
    oldest = oldest_kept_seq(head["seq"])
    return [e for e in bucket.get("revisions", {}).values() if oldest <= e["seq"] < head["seq"]]
