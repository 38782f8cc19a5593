"""The goals collection. Every function filters on the owner's user id.

Text (title, content) carries a `version`: a save names the version it was based on and is
refused when the goal has moved on since (another tab, another device), so nothing is
silently overwritten. Every saved text keeps a revision (goalgetter/data/revisions.py).
Phase, deadline, milestones and tags are single-field updates that never clobber the text,
so they do not take part in the version check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument

from goalgetter.data import counters, goal_lists, milestone_due, revisions, users
from goalgetter.data.client import get_db, to_object_id
from goalgetter.data.conditional import set_when, when
from goalgetter.data.goal_lists import OPEN_PHASES
from goalgetter.domain.phases import check_move
from goalgetter.domain.timezones import first_zone
from goalgetter.domain.validation import MAX_MILESTONES_PER_GOAL, ValidationError

PAGE_SIZE = 20
LIST_FIELDS = {"title": 1, "phase": 1, "updated_at": 1, "metadata": 1}


@dataclass(frozen=True)
class GoalPage:
    goals: list[dict]
    has_more: bool
    tags: list[str]


@dataclass(frozen=True)
class SaveOutcome:
    """`saved` with the new goal, `conflict` with the goal as it is now, or `missing`."""

    status: str
    goal: dict | None = None


def _owned(user_id: ObjectId, goal_id: object) -> dict | None:
    oid = to_object_id(goal_id)
    return None if oid is None else {"_id": oid, "user_id": user_id}


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


async def list_goals(
    user_id: ObjectId,
    *,
    phase: str = "",
    tag: str = "",
    search: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> GoalPage:
    """One page of goals, newest change first, and every tag of the user's goals: one read
    of the user's goal list (goalgetter/data/goal_lists.py)."""
    rows = await goal_lists.entries(user_id)
    found = [row for row in rows if goal_lists.matches(row, phase=phase, tag=tag, search=search)]
    start = max(offset, 0)
    return GoalPage(
        found[start : start + limit], len(found) > start + limit, goal_lists.tags_of(rows)
    )


async def mend_list_entry(user_id: ObjectId, goal_id: str, goal: dict | None) -> None:
    """The list's entry of `goal_id` made to agree with `goal` as just read (None: gone)."""
    oid = to_object_id(goal_id)
    if goal is not None:
        await goal_lists.put(user_id, [goal])
    elif oid is not None:
        await goal_lists.drop(user_id, oid)


async def goals_with_content(
    user_id: ObjectId, limit: int = 50, phases: tuple[str, ...] = OPEN_PHASES
) -> list[dict]:
    query = {"user_id": user_id, "phase": {"$in": list(phases)}}
    fields = {**LIST_FIELDS, "content": 1, "template_type": 1, "version": 1}
    cursor = get_db().goals.find(query, fields)
    return await cursor.sort("updated_at", DESCENDING).limit(limit).to_list()


async def create_goal(
    user_id: ObjectId,
    title: str,
    content: str = "",
    *,
    template_type: str = "custom",
    now: datetime | None = None,
) -> dict:
    now = _now(now)
    doc = {
        "user_id": user_id,
        "title": title,
        "content": content,
        "phase": "draft",
        "template_type": template_type,
        "metadata": {"deadline": None, "milestones": [], "tags": []},
        "version": 1,
        "save_token": "",
        "list_rev": 0,
        "created_at": now,
        "updated_at": now,
        "_id": ObjectId(),
    }
    await goal_lists.put(user_id, [doc])  # first: a crash then leaves no goal unlisted
    try:
        await get_db().goals.insert_one(doc)
    except BaseException:
        await goal_lists.drop(user_id, doc["_id"])
        raise
    await revisions.record_revision(
        user_id, doc["_id"], title=title, content=content, now=now, kind="created"
    )
    return doc


async def get_goal(user_id: ObjectId, goal_id: object) -> dict | None:
    query = _owned(user_id, goal_id)
    return None if query is None else await get_db().goals.find_one(query)


async def save_text(
    user_id: ObjectId,
    goal_id: object,
    *,
    base_version: int | None,
    title: str | None = None,
    content: str | None = None,
    now: datetime | None = None,
    kind: str = "edit",
) -> SaveOutcome:
    """Save title and/or content if the goal is this user's and still at `base_version`
    (None: any version); otherwise nothing changes and the outcome says why."""
    oid = to_object_id(goal_id)
    changes = {k: v for k, v in (("title", title), ("content", content)) if v is not None}
    if oid is None or not changes:
        return SaveOutcome("missing")
    now, token = _now(now), secrets.token_hex(8)
    saved = await get_db().goals.find_one_and_update(
        {"_id": oid},
        _conditional_save(user_id, base_version, {**changes, "updated_at": now}, token),
        return_document=ReturnDocument.AFTER,
    )
    if saved is None or saved.get("user_id") != user_id:
        return SaveOutcome("missing")
    if saved.get("save_token") != token:
        return SaveOutcome("conflict", saved)
    await goal_lists.put(user_id, [saved])
    await revisions.record_revision(
        user_id, oid, title=saved["title"], content=saved["content"], now=now, kind=kind
    )
    return SaveOutcome("saved", saved)


def _conditional_save(
    user_id: ObjectId, base_version: int | None, changes: dict, token: str
) -> list[dict]:
    """An update pipeline that applies `changes` only to the owner's goal at `base_version`
    (filtered on the bare `_id`: data/conditional). The token tells this save's result from
    an equal-looking one."""
    checks = [{"$eq": ["$user_id", user_id]}]
    if base_version is not None:
        checks.append({"$eq": ["$version", base_version]})
    applies = {"$and": checks}
    fields = set_when(applies, changes)
    fields["version"] = when(applies, {"$add": ["$version", 1]}, "version")
    fields["save_token"] = when(applies, {"$literal": token}, "save_token")
    fields["list_rev"] = when(applies, {"$add": [{"$ifNull": ["$list_rev", 0]}, 1]}, "list_rev")
    return [{"$set": fields}]


async def keep_as_revision(user_id: ObjectId, goal_id: object, *, title: str, content: str) -> bool:
    """Keep text that lost a version conflict in the goal's history, without saving it."""
    goal = await get_goal(user_id, goal_id)
    if goal is None:
        return False
    await revisions.record_revision(
        user_id, goal["_id"], title=title, content=content, now=_now(None), kind="conflict"
    )
    return True


async def _update(user_id: ObjectId, goal_id: object, update: dict, **extra) -> dict | None:
    query = _owned(user_id, goal_id)
    if query is None:
        return None
    update.setdefault("$set", {})["updated_at"] = datetime.now(UTC)
    update["$inc"] = {"list_rev": 1}
    changed = await get_db().goals.find_one_and_update(
        {**query, **extra},
        update,
        projection={"content": 0},
        return_document=ReturnDocument.AFTER,
    )
    if changed is not None:
        await goal_lists.put(user_id, [changed])
    return changed


async def set_phase(user_id: ObjectId, goal_id: object, target: str) -> dict | None:
    """Move the goal to `target`; ValidationError names the moves that are allowed."""
    goal = await get_goal(user_id, goal_id)
    if goal is None:
        return None
    check_move(goal["phase"], target)
    # Conditional on the phase read above, so two tabs cannot both move it.
    moved = await _update(user_id, goal_id, {"$set": {"phase": target}}, phase=goal["phase"])
    if moved is None:
        raise ValidationError("phase", "phase_changed", "The phase just changed elsewhere.")
    if target != goal["phase"]:
        await _count_move(user_id, target)
    return moved


async def _count_move(user_id: ObjectId, target: str) -> None:
    if target == "completed":
        await counters.count(goals_completed=1)
    elif target == "active":
        await counters.count_goal_set_once(user_id)


async def set_deadline(user_id: ObjectId, goal_id: object, deadline: str | None) -> dict | None:
    return await _update(user_id, goal_id, {"$set": {"metadata.deadline": deadline}})


async def set_tags(user_id: ObjectId, goal_id: object, tags: list[str]) -> dict | None:
    return await _update(user_id, goal_id, {"$set": {"metadata.tags": tags}})


async def add_milestone(
    user_id: ObjectId, goal_id: object, title: str, due: str | None = None
) -> dict | None:
    return await add_milestones(user_id, goal_id, [{"title": title, "due": due}])


async def add_milestones(user_id: ObjectId, goal_id: object, items: list[dict]) -> dict | None:
    """Add milestones ({title, due}) in one write, all or none (ValidationError when they
    would not fit under MAX_MILESTONES_PER_GOAL)."""
    added = [
        {"id": secrets.token_hex(6), "title": item["title"], "due": item["due"], "done": False}
        for item in items
    ]
    room = {f"metadata.milestones.{MAX_MILESTONES_PER_GOAL - len(added)}": {"$exists": False}}
    update = {"$push": {"metadata.milestones": {"$each": added}}}
    changed = await _update(user_id, goal_id, update, **room)
    if changed is None and await get_goal(user_id, goal_id) is not None:
        raise ValidationError("milestone", "milestones_many")
    if changed is not None:
        await _note_due_milestones(user_id, changed["_id"], [m for m in added if m["due"]])
    return changed


async def _note_due_milestones(user_id: ObjectId, goal_id: ObjectId, dated: list[dict]) -> None:
    """Milestones with a due date get a nudge that morning (data/milestone_due)."""
    if not dated:
        return
    person = await users.get_user(user_id) or {}
    zone = first_zone((person.get("settings") or {}).get("timezone"))
    entries = [
        (user_id, goal_id, m["id"], m["due"], at)
        for m in dated
        if (at := milestone_due.nudge_instant(m["due"], zone)) is not None
    ]
    await milestone_due.register(entries)


async def set_milestone_done(
    user_id: ObjectId, goal_id: object, milestone_id: str, done: bool
) -> dict | None:
    return await _update(
        user_id,
        goal_id,
        {"$set": {"metadata.milestones.$.done": bool(done)}},
        **{"metadata.milestones.id": str(milestone_id)},
    )


async def remove_milestone(user_id: ObjectId, goal_id: object, milestone_id: str) -> dict | None:
    return await _update(
        user_id, goal_id, {"$pull": {"metadata.milestones": {"id": str(milestone_id)}}}
    )


async def delete_goal(user_id: ObjectId, goal_id: object) -> bool:
    query = _owned(user_id, goal_id)
    if query is None:
        return False
    deleted = (await get_db().goals.delete_one(query)).deleted_count == 1
    await goal_lists.drop(user_id, query["_id"])  # also an entry a crash left behind
    if deleted:
        await revisions.delete_goal_revisions(user_id, query["_id"])
    return deleted


async def export_goals(user_id: ObjectId) -> list[dict]:
    cursor = get_db().goals.find({"user_id": user_id}, {"save_token": 0})
    return await cursor.sort("created_at", 1).to_list()


async def claim_smart_grading(
    user_id: ObjectId, goal_id: object, now: datetime, every: timedelta
) -> tuple[dict | None, datetime | None]:
    """(the goal as stored now, to be graded) when no grading of it was asked for within
    `every` (this claim then counts as the ask); else (None, when the next may be asked).
    (None, None) when the goal is not the user's. One write, whoever else is asking."""
    oid = to_object_id(goal_id)
    if oid is None:
        return None, None
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored: milliseconds
    last = {"$ifNull": ["$smart_asked_at", datetime(2000, 1, 1, tzinfo=UTC)]}
    due = {"$and": [{"$eq": ["$user_id", user_id]}, {"$lte": [last, now - every]}]}
    token = secrets.token_hex(8)  # tells this claim from another one made at the same instant
    claim = {"smart_asked_at": now, "smart_ask_token": token}
    goal = await get_db().goals.find_one_and_update(
        {"_id": oid},
        [{"$set": set_when(due, claim)}],
        return_document=ReturnDocument.AFTER,
    )
    if goal is None or goal.get("user_id") != user_id:
        return None, None
    asked = goal["smart_asked_at"].replace(tzinfo=UTC)
    return (goal, None) if goal["smart_ask_token"] == token else (None, asked + every)


async def store_smart_grade(
    user_id: ObjectId, goal_id: object, version: int, letters: dict, now: datetime
) -> None:
    """Keep the verdicts on the goal's `version` (shown only while the goal is at it)."""
    query = _owned(user_id, goal_id)
    if query is not None:
        grade = {"version": version, "letters": letters, "graded_at": now}
        await get_db().goals.update_one(query, {"$set": {"smart_grade": grade}})
