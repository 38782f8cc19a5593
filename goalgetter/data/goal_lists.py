"""Each user's goal list in one document: what the list, its filters, its title search and
its tag menu need, read by exact `_id` (the user's id).

Why: on the embedded store a title search (`$regex`) cannot use an index and decodes every
goal of every user, and the tag menu (`distinct`) decodes every goal of the user, content
included: 126 ms and 40 ms for a user with 500 goals among 1,000 users, growing with the
crowd (bench/scale.py). One document of a few hundred bytes per goal costs one read.

`goals.g<goal id>` holds {title, phase, updated_at, deadline, tags, rev}. The goals
collection stays the truth; goalgetter/data/goals.py writes an entry after each change of a
goal, from the goal as that change left it. `rev` is the goal's `list_rev`, raised by every
change, so of two racing writers the older entry never replaces the newer one. A new goal's
entry is written before the goal itself, so a crash leaves at worst an entry without a goal
(the list drops it when it is opened), never a goal missing from its list; an entry left
behind by a crash after a change is put right when that goal is opened or next changed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data.client import get_db

OPEN_PHASES = ("draft", "active", "completed")  # the list's default: all but the archive
SOURCE_FIELDS = {"title": 1, "phase": 1, "updated_at": 1, "metadata": 1, "list_rev": 1}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key(goal_id: ObjectId) -> str:
    # A prefix: a field name made of digits alone could be read as an array position.
    return f"g{goal_id}"


def entry(goal: dict) -> dict:
    """The list's copy of a goal (as stored, or as an update returned it)."""
    meta = goal.get("metadata") or {}
    return {
        "title": goal.get("title") or "",
        "phase": goal.get("phase") or "draft",
        "updated_at": goal.get("updated_at") or _EPOCH,
        "deadline": meta.get("deadline"),
        "tags": list(meta.get("tags") or []),
        "rev": int(goal.get("list_rev") or 0),
    }


def document(user_id: ObjectId, goals: list[dict]) -> dict:
    """A whole list document, for bulk loads of goals made elsewhere."""
    return {"_id": user_id, "goals": {_key(goal["_id"]): entry(goal) for goal in goals}}


def _unless_older(goal_id: ObjectId, new: dict) -> dict:
    path = f"goals.{_key(goal_id)}"
    not_older = {"$lte": [{"$ifNull": [f"${path}.rev", -1]}, new["rev"]]}
    return {path: {"$cond": [not_older, {"$literal": new}, f"${path}"]}}


async def put(user_id: ObjectId, goals: list[dict]) -> None:
    """Write the entries of `goals` (all the user's), each only over an older one."""
    if not goals:
        return
    fields: dict = {}
    for goal in goals:
        fields |= _unless_older(goal["_id"], entry(goal))
    await get_db().goal_lists.update_one({"_id": user_id}, [{"$set": fields}], upsert=True)


async def drop(user_id: ObjectId, goal_id: ObjectId) -> None:
    await get_db().goal_lists.update_one(
        {"_id": user_id}, {"$unset": {f"goals.{_key(goal_id)}": ""}}
    )


async def rebuild(user_id: ObjectId) -> None:
    """Every goal of the user into the list (after a change of many goals at once)."""
    found = get_db().goals.find({"user_id": user_id}, SOURCE_FIELDS)
    await put(user_id, await found.to_list())


async def add_missing_lists() -> int:
    """Goals stored before the lists existed get their entries; once per database (a
    marker document says it ran). Returns how many users' lists were written."""
    db = get_db()
    if await db.migrations.find_one({"_id": "goal_lists"}):
        return 0
    by_user: dict[ObjectId, list[dict]] = {}
    async for goal in db.goals.find({}, {**SOURCE_FIELDS, "user_id": 1}):
        by_user.setdefault(goal["user_id"], []).append(goal)
    for user_id, goals in by_user.items():
        await put(user_id, goals)
    await db.migrations.update_one(
        {"_id": "goal_lists"}, {"$set": {"done_at": datetime.now(UTC)}}, upsert=True
    )
    return len(by_user)


async def entries(user_id: ObjectId) -> list[dict]:
    """The user's goals as list rows (`_id`, title, phase, updated_at, metadata), newest
    change first."""
    doc = await get_db().goal_lists.find_one({"_id": user_id}) or {}
    rows = [
        {
            "_id": ObjectId(key[1:]),
            "title": item["title"],
            "phase": item["phase"],
            "updated_at": item["updated_at"],
            "metadata": {"deadline": item.get("deadline"), "tags": item.get("tags") or []},
        }
        for key, item in (doc.get("goals") or {}).items()
    ]
    rows.sort(key=lambda row: (row["updated_at"], row["_id"]), reverse=True)
    return rows


def matches(row: dict, *, phase: str = "", tag: str = "", search: str = "") -> bool:
    """The list's filters: `phase` "" or "open" (all but the archive), "all", or one phase;
    a tag; a case-insensitive part of the title."""
    if phase in ("", "open"):
        if row["phase"] not in OPEN_PHASES:
            return False
    elif phase != "all" and row["phase"] != phase:
        return False
    if tag and tag not in row["metadata"]["tags"]:
        return False
    term = search.strip()
    return not term or re.search(re.escape(term), row["title"], re.IGNORECASE) is not None


def tags_of(rows: list[dict]) -> list[str]:
    tags = {str(tag) for row in rows for tag in row["metadata"]["tags"]}
    return sorted(tags, key=str.casefold)
