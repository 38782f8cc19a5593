"""The goals collection. Every function filters on the owner's user id."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument

from goalgetter.data.client import get_db, to_object_id

LIST_FIELDS = {"title": 1, "phase": 1, "updated_at": 1}


def _owned(user_id: ObjectId, goal_id: object) -> dict | None:
    oid = to_object_id(goal_id)
    return None if oid is None else {"_id": oid, "user_id": user_id}


async def list_goals(user_id: ObjectId, limit: int = 200) -> list[dict]:
    cursor = get_db().goals.find({"user_id": user_id}, LIST_FIELDS)
    return await cursor.sort("updated_at", DESCENDING).limit(limit).to_list()


async def goals_with_content(user_id: ObjectId, limit: int = 50) -> list[dict]:
    cursor = get_db().goals.find({"user_id": user_id}, {**LIST_FIELDS, "content": 1})
    return await cursor.sort("updated_at", DESCENDING).limit(limit).to_list()


async def create_goal(user_id: ObjectId, title: str, content: str = "") -> dict:
    now = datetime.now(UTC)
    doc = {
        "user_id": user_id,
        "title": title,
        "content": content,
        "phase": "draft",
        "template_type": "custom",
        "metadata": {"deadline": None, "milestones": [], "tags": []},
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    doc["_id"] = (await get_db().goals.insert_one(doc)).inserted_id
    return doc


async def get_goal(user_id: ObjectId, goal_id: object) -> dict | None:
    query = _owned(user_id, goal_id)
    return None if query is None else await get_db().goals.find_one(query)


async def update_goal(
    user_id: ObjectId, goal_id: object, *, title: str | None = None, content: str | None = None
) -> dict | None:
    """Apply the given fields; returns the saved goal, or None when it is not this user's."""
    query = _owned(user_id, goal_id)
    changes = {k: v for k, v in (("title", title), ("content", content)) if v is not None}
    if query is None or not changes:
        return None
    return await get_db().goals.find_one_and_update(
        query,
        {"$set": {**changes, "updated_at": datetime.now(UTC)}, "$inc": {"version": 1}},
        projection={"content": 0},
        return_document=ReturnDocument.AFTER,
    )


async def delete_goal(user_id: ObjectId, goal_id: object) -> bool:
    query = _owned(user_id, goal_id)
    if query is None:
        return False
    return (await get_db().goals.delete_one(query)).deleted_count == 1
