"""Storage of one user's meeting series: a compare-and-set on one document, and the archive.

`meeting_series`, `_id` = the user's ObjectId (also in `user_id`): the series' whole state
(goalgetter/data/meeting_state.py: schedule, upcoming and recent meetings, next_due_at, rev)
sits in `state`, a one-element array, and every write is

    update_one({"_id": user, "state.rev": rev}, {"$set": {"state.0": new, "due_at": due}})

(or, as `changes` works out, `{"state.0.meetings.2.status": ...}` and the other fields that
changed), a compare-and-set on the revision that was read: it applies only if nobody wrote
in between, `modified_count` says whether it did, and the loser re-reads and re-plans
(`mutate`). The revision is in the filter, so a write that lost writes nothing at all, not
even `due_at` beside the state (when it stood only in an array filter, `state.$[s]` with
`[{"s.rev": rev}]`, a stale write still set `due_at` and counted as applied, and two ticks
reported the same transition). The paths name the array's one element by its position: an
array filter made the embedded store match the element and resolve the paths again for each
statement, a fifth of a compare-and-set's cost (2.6 -> 2.1 ms a statement in a bulk write
of 40 at 1,000 series). So every transition (scheduled → active → completed/missed, a reschedule, a
cancel, a greeting claim) is applied exactly once even with two processes running the
scheduler, and derived fields (next_due_at, the rolled-forward meetings) are always written
together with what they derive from.

When the scheduler next needs a series is its top-level `due_at` (the state's next_due_at;
absent when nothing is due), indexed, and written by the same compare-and-set as the state,
so the two never disagree, even across a crash. The tick reads `{"due_at": {"$lte": now}}`
(`due_states`): an index range on MongoDB, and on the embedded store too (store fix 19: its
released plan read every row, 148 ms at 10,000 series however few were due). A series whose
write failed keeps its `due_at`, so the next tick finds it again.

The tick writes a chunk of series at once (`write_plans`): their compare-and-sets in one
bulk write, which says how many applied but not which, so each also puts the batch's id in
the state's `write_ids` (the newest RECENT_WRITE_IDS), read back only when some lost.

On the embedded store a filter naming the `_id` and a field inside the array reads that one
row (store fixes 18 and 22; the released engine decoded every series to test it, 116 ms a
statement at 1,000 series), so the compare-and-set costs what an update by `_id` costs; on a
real MongoDB the same statement is just as atomic. A read that finds nothing scans on the
released engine, so every read here names an `_id` that exists.

Archive: finished meetings beyond the newest KEEP_FINISHED move to `meetings_archive`, one
bucket per user and year (`_id` "<user id>:<year>", `meetings` keyed "m<meeting id>"), listed
in the state's `archive_years`. One document per archived meeting would be an insert per user
and week, and inserts decode the whole collection; a bucket is inserted once a year, then
updated. The copy is written before the compare-and-set that drops the meeting from the
series, keyed by meeting id (idempotent): a crash or a lost race leaves at worst a meeting in
both places, and readers take the series' copy.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db
from goalgetter.data.field_writes import FieldsWrite, set_fields
from goalgetter.data.tree_copy import document_copy

MAX_ATTEMPTS = 10
DUE_AT_ONCE = 2000  # due series one tick reads; more (a long downtime) wait for the next
MAX_CHANGED_FIELDS = 40  # more: the whole state is written
RECENT_WRITE_IDS = 8
NOT_FOUND = object()  # a change's result: "no such meeting here", write nothing
_MEETING_ID = re.compile(r"[0-9a-f]{8}")


class SeriesBusy(RuntimeError):
    """The series kept changing under us (MAX_ATTEMPTS compare-and-sets lost in a row)."""


@dataclass
class Applied:
    """The outcome of `mutate`: the state now, the change's result, and what was written."""

    state: dict
    result: Any = None
    written: bool = False
    created: int = 0
    archived: int = 0
    conflicts: int = 0


def check_now(now: datetime) -> None:
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("`now` must be a timezone-aware datetime (UTC).")


def parse_meeting_id(meeting_id: object) -> str | None:
    return meeting_id if isinstance(meeting_id, str) and _MEETING_ID.fullmatch(meeting_id) else None


async def read_state(db: AsyncDatabase, user_id: ObjectId) -> dict | None:
    doc = await db.meeting_series.find_one({"_id": user_id})
    return ms.from_stored(doc["state"][0]) if doc else None


async def read_states(db: AsyncDatabase, user_ids: list[ObjectId]) -> dict[ObjectId, dict]:
    """The series of these users that exist, in one read: an `_id` list is primary-key
    lookups on the embedded store too (store fix 11), and the `_id` index on MongoDB."""
    found = db.meeting_series.find({"_id": {"$in": list(user_ids)}})
    return {doc["_id"]: ms.from_stored(doc["state"][0]) async for doc in found}


async def due_states(db: AsyncDatabase, now: datetime) -> dict[ObjectId, dict]:
    """The series due by `now` (at most DUE_AT_ONCE), in one read of the `due_at` index."""
    found = db.meeting_series.find({"due_at": {"$lte": now}}, limit=DUE_AT_ONCE)
    return {doc["_id"]: ms.from_stored(doc["state"][0]) async for doc in found}


async def add_missing_due_at() -> int:
    """Series stored before `due_at` existed get theirs, and the due wheel that came before
    it is dropped; once per database (a marker document says it ran). Returns how many."""
    db = get_db()
    if await db.migrations.find_one({"_id": "series_due_at"}):
        return 0
    added = 0
    async for doc in db.meeting_series.find({"due_at": {"$exists": False}}):
        due = doc["state"][0].get("next_due_at")
        if due is not None:  # unless a compare-and-set set it meanwhile
            where = {"_id": doc["_id"], "due_at": {"$exists": False}}
            added += (
                await db.meeting_series.update_one(where, {"$set": {"due_at": due}})
            ).modified_count
    await db.drop_collection("meeting_due")
    await db.migrations.update_one(
        {"_id": "series_due_at"}, {"$set": {"done_at": datetime.now(UTC)}}, upsert=True
    )
    return added


def new_series(user_id: ObjectId, state: dict) -> dict:
    """A series document (without its `_id`) holding `state`."""
    due = state["next_due_at"]
    return {"user_id": user_id, "state": [state], **({"due_at": due} if due is not None else {})}


@dataclass
class Plan:
    """A change worked out on a copy of a state read at revision `base["rev"]`."""

    base: dict
    draft: dict
    result: Any
    created: int
    archived: list[dict]

    @property
    def unchanged(self) -> bool:
        return self.result is NOT_FOUND or self.draft == self.base


def plan(state: dict, change: Callable[[dict], Any], now: datetime) -> Plan:
    """`change` and then `settle` on a copy of `state` (see `mutate`)."""
    draft = document_copy(state)
    result = change(draft)
    if result is NOT_FOUND:
        return Plan(state, draft, result, 0, [])
    created, archived = ms.settle(draft, now)
    return Plan(state, draft, result, created, archived)


async def archive(
    db: AsyncDatabase, user_id: ObjectId, meetings: list[dict], stored_years: list[int]
) -> None:
    """Copy finished meetings into their year buckets (idempotent: set by meeting id);
    `stored_years`: the state's `archive_years`, buckets that exist."""
    await archive_many(db, {user_id: (meetings, stored_years)})


async def archive_many(
    db: AsyncDatabase, by_user: dict[ObjectId, tuple[list[dict], list[int]]]
) -> None:
    """`archive` for several users at once, in one bulk write."""
    writes = []
    for user_id, (meetings, stored_years) in by_user.items():
        by_year: dict[int, dict] = {}
        for meeting in meetings:
            by_year.setdefault(meeting["start"].year, {})[f"meetings.m{meeting['id']}"] = meeting
        for year, fields in by_year.items():
            bucket = {"user_id": user_id, "year": year}
            writes.append(FieldsWrite(f"{user_id}:{year}", fields, bucket, year in stored_years))
    await set_fields(db.meetings_archive, writes)


async def mutate(
    user_id: ObjectId,
    change: Callable[[dict], Any],
    *,
    now: datetime,
) -> Applied | None:
    """Apply `change` and then `settle` as one compare-and-set, re-read and retried when
    another writer got in first. `change` edits the state it is given in place and returns a
    result (NOT_FOUND: give up, write nothing); it may raise ValidationError. None when the
    user has no series."""
    check_now(now)
    db = get_db()
    for attempt in range(MAX_ATTEMPTS):
        current = await read_state(db, user_id)
        if current is None:
            return None
        planned = plan(current, change, now)
        if planned.unchanged:
            return Applied(current, planned.result, conflicts=attempt)
        if planned.archived:
            await archive(db, user_id, planned.archived, current["archive_years"])
        where, update = _compare_and_set(user_id, planned, now)
        written = await db.meeting_series.update_one(where, update)
        if written.modified_count == 1:
            return _written(planned, conflicts=attempt)
    raise SeriesBusy(f"the meeting series of {user_id} kept changing")


async def write_plans(
    db: AsyncDatabase, plans: dict[ObjectId, Plan], now: datetime
) -> dict[ObjectId, Applied]:
    """Each plan's compare-and-set (the one `mutate` makes first), all in one bulk write,
    after one bulk write of what they archive; the ones that applied. The others lost to
    another writer: `mutate` re-reads and re-plans them. A bulk write says how many writes
    applied, not which, so each also puts the batch's id in the series' `write_ids`, read
    back only when some did not apply (a series keeps RECENT_WRITE_IDS of them: no other
    writer removes one, so it is there however many write after). A plan that changes
    nothing is not written."""
    plans = {u: p for u, p in plans.items() if not p.unchanged}
    if not plans:
        return {}
    batch = secrets.token_hex(8)
    await archive_many(
        db, {u: (p.archived, p.base["archive_years"]) for u, p in plans.items() if p.archived}
    )
    writes = []
    for user_id, planned in plans.items():
        writes.append(UpdateOne(*_compare_and_set(user_id, planned, now, batch)))
    try:
        result = await db.meeting_series.bulk_write(writes, ordered=False)
        every = result.modified_count == len(writes)
    except BulkWriteError:  # some failed, and any of the others may have applied
        every = False
    if every:
        won = set(plans)
    else:
        stored = await read_states(db, list(plans))
        won = {u for u, state in stored.items() if batch in state.get("write_ids", ())}
    return {user_id: _written(plans[user_id]) for user_id in won}


def _compare_and_set(
    user_id: ObjectId, planned: Plan, now: datetime, batch: str | None = None
) -> tuple[dict, dict]:
    """The update that turns the stored state into the plan's draft if it is still at the
    revision the plan was made on: filter and update."""
    current, draft = planned.base, planned.draft
    draft["updated_at"], draft["rev"] = now, current["rev"] + 1
    if batch is not None:
        draft["write_ids"] = [batch, *current.get("write_ids", [])][:RECENT_WRITE_IDS]
    changed = changes(current, draft)
    fields = {"state.0": draft} if changed is None else {
        f"state.0.{path}": value for path, value in changed.items()
    }  # fmt: skip
    # `due_at` follows next_due_at in the same write (absent when nothing is due: a date
    # range on the embedded store reads the index only while the field holds dates alone).
    update: dict = {"$set": fields}
    if draft["next_due_at"] is None:
        update["$unset"] = {"due_at": ""}
    else:
        fields["due_at"] = draft["next_due_at"]
    return {"_id": user_id, "state.rev": current["rev"]}, update


def _written(planned: Plan, conflicts: int = 0) -> Applied:
    return Applied(
        planned.draft, planned.result, True, planned.created, len(planned.archived), conflicts
    )


def changes(current: dict, draft: dict) -> dict | None:
    """The fields to set that turn `current` into `draft` (each meeting's changed fields by
    its index while the meetings are the same ones in the same order); None when only the
    whole state will do (a field removed, or too many changed). Writing what changed, not
    the whole state, spares the store encoding a series per write; the compare-and-set on
    `rev` guarantees the stored state is `current`, so the result is `draft` exactly."""
    if current.keys() - draft.keys():
        return None
    fields: dict[str, Any] = {}
    for key, value in draft.items():
        if key in current and current[key] == value:
            continue
        before = current.get("meetings") if key == "meetings" else None
        if before is None or [m["id"] for m in before] != [m["id"] for m in value]:
            fields[key] = value
            continue
        for index, (old, new) in enumerate(zip(before, value, strict=True)):
            if old.keys() - new.keys():
                return None
            fields |= {
                f"meetings.{index}.{name}": field
                for name, field in new.items()
                if name not in old or old[name] != field
            }
    return fields if len(fields) <= MAX_CHANGED_FIELDS else None


async def read_archive(db: AsyncDatabase, user_id: ObjectId, years: list[int]) -> list[dict]:
    """The archived meetings in these year buckets (all listed in the state, so all exist)."""
    found = []
    for year in years:
        doc = await db.meetings_archive.find_one({"_id": f"{user_id}:{year}"})
        found += [ms.meeting_from_stored(m) for m in (doc or {}).get("meetings", {}).values()]
    return found


async def set_archived_recap(
    db: AsyncDatabase, user_id: ObjectId, years: list[int], meeting_id: str, recap: str
) -> bool:
    key = f"meetings.m{meeting_id}"
    for year in years:
        bucket = {"_id": f"{user_id}:{year}"}
        doc = await db.meetings_archive.find_one(bucket, {key: 1})
        if (doc or {}).get("meetings", {}).get(f"m{meeting_id}"):
            await db.meetings_archive.update_one(bucket, {"$set": {f"{key}.recap": recap}})
            return True
    return False
