"""When milestones fall due, for the nudge: one document per due day and a directory of days.

A milestone with a due date is noted when it is added: in the day's document
(`_id` "day:YYYY-MM-DD", `due.<user>:<goal>:<milestone>` → the instant to nudge) and in the
directory (`_id` "days", `days.<day>` → the day's earliest instant). The scheduler's look is
then one read of the directory and one per day that has come, however many goals are
stored (on the embedded store any filter but an exact `_id` scans the collection). The
nudge checks the goal itself before it sends anything, so a milestone done, deleted or of a
deleted goal since is simply dropped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bson import ObjectId

from goalgetter.data.client import get_db

DIRECTORY = "days"
NUDGE_AT = time(9, 0)  # on the due day, in the person's zone: a morning reminder, not a verdict


@dataclass(frozen=True)
class DueMilestone:
    key: str
    user_id: ObjectId
    goal_id: str
    milestone_id: str
    at: datetime


def nudge_instant(day: str, zone: ZoneInfo) -> datetime | None:
    """When a milestone due on `day` ("YYYY-MM-DD") is nudged; None for no valid date."""
    try:
        return datetime.combine(date.fromisoformat(day), NUDGE_AT, zone).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def entry_key(user_id: ObjectId, goal_id: object, milestone_id: str) -> str:
    return f"{user_id}:{goal_id}:{milestone_id}"


async def register(entries: list[tuple[ObjectId, object, str, str, datetime]]) -> None:
    """Note milestones (user, goal, milestone id, due day "YYYY-MM-DD", nudge instant)."""
    db, earliest = get_db(), {}
    for user_id, goal_id, milestone_id, day, at in entries:
        await db.milestone_due.update_one(
            {"_id": f"day:{day}"},
            {"$set": {f"due.{entry_key(user_id, goal_id, milestone_id)}": at}},
            upsert=True,
        )
        earliest[day] = min(at, earliest.get(day, at))
    if earliest:
        # After the days: a directory that lists a day always finds it.
        await db.milestone_due.update_one(
            {"_id": DIRECTORY},
            {"$min": {f"days.{day}": at for day, at in earliest.items()}},
            upsert=True,
        )


async def due_by(now: datetime) -> dict[str, list[DueMilestone]]:
    """The milestones whose nudge instant has come, by day."""
    db = get_db()
    directory = await db.milestone_due.find_one({"_id": DIRECTORY}) or {}
    found: dict[str, list[DueMilestone]] = {}
    for day, earliest in sorted((directory.get("days") or {}).items()):
        if earliest.replace(tzinfo=UTC) > now:
            continue
        doc = await db.milestone_due.find_one({"_id": f"day:{day}"}) or {}
        for key, at in (doc.get("due") or {}).items():
            user, goal_id, milestone_id = [*key.split(":"), "", ""][:3]
            if at.replace(tzinfo=UTC) <= now and ObjectId.is_valid(user):
                entry = DueMilestone(key, ObjectId(user), goal_id, milestone_id, at)
                found.setdefault(day, []).append(entry)
        found.setdefault(day, [])
    return found


async def forget(day: str, keys: list[str]) -> None:
    """Drop handled entries; the whole day once none is left."""
    db = get_db()
    if keys:
        await db.milestone_due.update_one(
            {"_id": f"day:{day}"}, {"$unset": {f"due.{key}": "" for key in keys}}
        )
    doc = await db.milestone_due.find_one({"_id": f"day:{day}"}, {"due": 1})
    if not (doc or {}).get("due"):
        await db.milestone_due.delete_one({"_id": f"day:{day}"})
        await db.milestone_due.update_one({"_id": DIRECTORY}, {"$unset": {f"days.{day}": ""}})


async def forget_user(user_id: ObjectId) -> int:
    """Every entry of this user (account deletion); how many."""
    db, removed = get_db(), 0
    directory = await db.milestone_due.find_one({"_id": DIRECTORY}) or {}
    for day in directory.get("days") or {}:
        doc = await db.milestone_due.find_one({"_id": f"day:{day}"}, {"due": 1}) or {}
        mine = [key for key in doc.get("due") or {} if key.startswith(f"{user_id}:")]
        if mine:
            await forget(day, mine)
            removed += len(mine)
    return removed
