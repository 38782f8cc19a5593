"""When each meeting series next needs the scheduler: a timing wheel read by exact `_id` only.

Why not `find({"next_due_at": {"$lte": now}})` on the series: on the embedded store a filter on
any field but an exact `_id` scans the collection after every write and decodes every
document to do it. With 10,000 series stored that query took 1.2 s on a top-level field and
3-7 s on `state.next_due_at` (even 10,000 tiny `{_id, at}` documents took ~0.5 s), and the
store serves from one event loop, so every user's request would stall that long every 30 s.
A tick with nothing due costs 3.9-9.1 ms (p50, python -m bench.scale), most of it this read.

Layout, in the `meeting_due` collection:

- slot documents, `_id` "slot:<YYYY-MM-DDTHH:MM>" for each 15-minute UTC slot: `due` maps
  "<user id>@<epoch ms>" → the instant that user's series is due;
- one `directory` document whose `slots` map lists every slot document that exists, so the
  tick reads the directory and then, in one query of their `_id`s, only slots that have
  begun and exist (on the released engine a read that finds nothing cost a scan). Its
  values are `true`: a slot's start is its name, and every tick reads the directory, where
  667 datetimes (10,000 series) took 4.7 ms to read over the wire against 2.5 ms for as
  many plain values. (Directories written before hold each slot's start as its value; only
  the names are read.)

Writers register (user, instant) *before* they write the series (goalgetter/data/meetings.py),
so a crash in between leaves at worst an extra entry, which the tick visits, finds not due
and drops. Entries are keyed by their instant, so forgetting one never removes a newer one for
the same user. An entry goes into the slot of max(instant, now): never into a slot older than
the writer's clock, so the tick may delete a slot SLOT_GRACE after it ends without losing a
concurrent registration (this assumes the processes' clocks agree within SLOT_GRACE).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from goalgetter.data.field_writes import FieldsWrite, in_parts, set_fields

SLOT = timedelta(minutes=15)
SLOT_GRACE = timedelta(minutes=2)
DIRECTORY = "directory"
SLOT_NAME = "%Y-%m-%dT%H:%M"  # UTC; names sort as their starts do
READ_AT_ONCE = 200  # slots read in one query


@dataclass
class DueSlot:
    key: str
    start: datetime
    entries: dict[str, tuple[ObjectId, datetime]] = field(default_factory=dict)


def slot_start(instant: datetime) -> datetime:
    seconds = int(SLOT.total_seconds())
    return datetime.fromtimestamp(int(instant.timestamp()) // seconds * seconds, UTC)


def slot_name(start: datetime) -> str:
    return start.strftime(SLOT_NAME)


def start_of(name: str) -> datetime:
    return datetime.strptime(name, SLOT_NAME).replace(tzinfo=UTC)


def entry_key(user_id: ObjectId, instant: datetime) -> str:
    return f"{user_id}@{round(instant.timestamp() * 1000)}"


async def register(
    db: AsyncDatabase,
    entries: Iterable[tuple[ObjectId, datetime]],
    now: datetime,
    *,
    listed: set[str] = frozenset(),
) -> None:
    """Note that each user's series is due at its instant: one bulk write for the slots,
    plus one for the directory when a slot is new. `listed`: slot names the caller saw in
    the directory; those exist (a slot is listed after it is written and deleted only once
    it has ended, never where a registration goes), so they are written without an upsert
    (field_writes.set_fields)."""
    by_slot: dict[datetime, dict[str, datetime]] = {}
    for user_id, instant in entries:
        start = slot_start(max(instant, now))
        by_slot.setdefault(start, {})[f"due.{entry_key(user_id, instant)}"] = instant
    writes = [
        FieldsWrite(
            f"slot:{slot_name(start)}", fields, {"start": start}, slot_name(start) in listed
        )
        for start, fields in by_slot.items()
    ]
    all_found = await set_fields(db.meeting_due, writes)
    new = [s for s in by_slot if not all_found or slot_name(s) not in listed]
    # The slot first: a tick that sees it listed then always finds it.
    for part in in_parts({f"slots.{slot_name(start)}": True for start in new}):
        await db.meeting_due.update_one({"_id": DIRECTORY}, {"$set": part}, upsert=True)


async def due_slots(db: AsyncDatabase, now: datetime) -> list[DueSlot]:
    """The slots that have begun by `now`, each with all its entries, oldest first."""
    return (await wheel(db, now))[0]


async def wheel(db: AsyncDatabase, now: datetime) -> tuple[list[DueSlot], set[str]]:
    """`due_slots`, and the names of every slot the directory lists."""
    directory = await db.meeting_due.find_one({"_id": DIRECTORY})
    listed = (directory or {}).get("slots", {})
    # Names sort as their starts do, and a start is a whole minute: a slot has begun by
    # `now` when its name is at most now's minute (parsing all 672 names of a week took a
    # tick 3.3-4.6 ms).
    latest = slot_name(now.astimezone(UTC))
    begun = sorted(name for name in listed if name <= latest)
    found = {}
    for offset in range(0, len(begun), READ_AT_ONCE):  # an `_id` list: store fix 11
        keys = [f"slot:{name}" for name in begun[offset : offset + READ_AT_ONCE]]
        found |= {doc["_id"]: doc async for doc in db.meeting_due.find({"_id": {"$in": keys}})}
    slots = []
    for name in begun:
        slot = DueSlot(name, start_of(name))
        for key, instant in found.get(f"slot:{name}", {}).get("due", {}).items():
            user, _, _ = key.partition("@")
            if ObjectId.is_valid(user):
                slot.entries[key] = (ObjectId(user), instant.astimezone(UTC))
        slots.append(slot)
    return slots, set(listed)


async def forget(
    db: AsyncDatabase, handled: dict[str, tuple[DueSlot, set[str]]], now: datetime
) -> int:
    """Remove the handled entries of each slot (slot name → (slot, handled keys)); a whole
    slot once all its entries are handled and it ended SLOT_GRACE ago (no writer registers
    there any more). One directory write for all the slots removed. Returns how many."""
    removed, writes = [], []
    for slot, keys in handled.values():
        if not keys and slot.entries:
            continue
        finished = slot.start + SLOT + SLOT_GRACE <= now
        if finished and keys >= set(slot.entries):
            writes.append(DeleteOne({"_id": f"slot:{slot.key}"}))
            removed.append(slot.key)
        elif keys:
            writes += [
                UpdateOne({"_id": f"slot:{slot.key}"}, {"$unset": part})
                for part in in_parts({f"due.{key}": "" for key in keys})
            ]
    if writes:  # one bulk write for every slot the tick touched
        await db.meeting_due.bulk_write(writes, ordered=False)
    # After the slots: a directory naming a deleted slot costs a read that finds nothing.
    for part in in_parts({f"slots.{key}": "" for key in removed}):
        await db.meeting_due.update_one({"_id": DIRECTORY}, {"$unset": part})
    return len(removed)


async def forget_user(db: AsyncDatabase, user_id: ObjectId) -> int:
    """Remove every entry of this user from the wheel (account deletion); how many."""
    directory = await db.meeting_due.find_one({"_id": DIRECTORY}) or {}
    prefix, removed = f"{user_id}@", 0
    for name in directory.get("slots", {}):
        doc = await db.meeting_due.find_one({"_id": f"slot:{name}"}, {"due": 1}) or {}
        mine = [key for key in doc.get("due", {}) if key.startswith(prefix)]
        for part in in_parts({f"due.{key}": "" for key in mine}):
            await db.meeting_due.update_one({"_id": f"slot:{name}"}, {"$unset": part})
        removed += len(mine)
    return removed
