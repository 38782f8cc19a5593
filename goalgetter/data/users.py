"""The users collection."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from goalgetter.data.client import get_db, to_object_id


class EmailTaken(Exception):
    pass


def _new_user_doc(email: str, name: str, password_hash: str) -> dict:
    now = datetime.now(UTC)
    return {
        "email": email,
        "name": name,
        "password_hash": password_hash,
        "phase": "goal_setting",
        "meeting_interval": None,
        # No zone until the user picks one: until then, the browser's zone is used.
        "settings": {"timezone": None, "meeting_duration": 30},
        "created_at": now,
        "updated_at": now,
    }


async def create_user(email: str, name: str, password_hash: str) -> dict:
    doc = _new_user_doc(email, name, password_hash)
    try:
        result = await get_db().users.insert_one(doc)
    except DuplicateKeyError as error:
        raise EmailTaken(email) from error
    doc["_id"] = result.inserted_id
    return doc


async def find_user_by_email(email: str) -> dict | None:
    """Sign-in only: the one lookup made before anyone is signed in."""
    return await get_db().users.find_one({"email": email})


async def get_user(user_id: ObjectId | str) -> dict | None:
    oid = to_object_id(user_id)
    if oid is None:
        return None
    return await get_db().users.find_one({"_id": oid}, {"password_hash": 0})
