"""The users collection, and the email keys that find a user by email.

`email_keys` holds one document per account, whose `_id` is the normalised email: signing up
claims the key (the primary key refuses a second claim) and signing in reads it by exact
`_id`, so neither depends on how the store serves a secondary index, and a lookup of an
unknown email is a primary-key miss, not a scan. The unique index on `users.email` stays, as
the rule a real MongoDB enforces too.
"""

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
    db = get_db()
    doc = {"_id": ObjectId(), **_new_user_doc(email, name, password_hash)}
    try:
        await db.email_keys.insert_one({"_id": email, "user_id": doc["_id"]})
    except DuplicateKeyError as error:
        raise EmailTaken(email) from error
    try:
        await db.users.insert_one(doc)
    except BaseException as error:
        # The key must not outlive an account that was never made.
        await db.email_keys.delete_one({"_id": email, "user_id": doc["_id"]})
        if isinstance(error, DuplicateKeyError):  # an account older than its key
            raise EmailTaken(email) from error
        raise
    return doc


async def find_user_by_email(email: str) -> dict | None:
    """Sign-in only: the one lookup made before anyone is signed in."""
    key = await get_db().email_keys.find_one({"_id": email})
    return None if key is None else await get_db().users.find_one({"_id": key["user_id"]})


async def add_missing_email_keys() -> int:
    """Accounts made before email keys existed get theirs; once per database (a marker
    document says it ran). Returns how many keys were added."""
    db = get_db()
    if await db.migrations.find_one({"_id": "email_keys"}):
        return 0
    added = 0
    async for user in db.users.find({}, {"email": 1}):
        result = await db.email_keys.update_one(
            {"_id": user["email"]}, {"$setOnInsert": {"user_id": user["_id"]}}, upsert=True
        )
        added += result.upserted_id is not None
    await db.migrations.update_one(
        {"_id": "email_keys"}, {"$set": {"done_at": datetime.now(UTC)}}, upsert=True
    )
    return added


async def get_user(user_id: ObjectId | str) -> dict | None:
    oid = to_object_id(user_id)
    if oid is None:
        return None
    return await get_db().users.find_one({"_id": oid}, {"password_hash": 0})


async def get_users(user_ids: list[ObjectId]) -> dict[ObjectId, dict]:
    """Those of these users that exist (no password hash), in one read of their `_id`s."""
    found = get_db().users.find({"_id": {"$in": list(user_ids)}}, {"password_hash": 0})
    return {user["_id"]: user async for user in found}


def wants(user: dict, group: str) -> bool:
    """Whether the person wants this group of mail (domain/unsubscribe.GROUPS); yes until
    they say no."""
    return (user.get("notifications") or {}).get(group, True) is not False


async def set_notification(user_id: ObjectId, group: str, wanted: bool) -> bool:
    result = await get_db().users.update_one(
        {"_id": user_id}, {"$set": {f"notifications.{group}": bool(wanted)}}
    )
    return result.matched_count == 1


async def set_profile(user_id: ObjectId, name: str, timezone: str, meeting_duration: int) -> None:
    """The person's details from Settings (already checked)."""
    await get_db().users.update_one(
        {"_id": user_id},
        {
            "$set": {
                "name": name,
                "settings.timezone": timezone,
                "settings.meeting_duration": meeting_duration,
                "updated_at": datetime.now(UTC),
            }
        },
    )


async def stored_password_hash(user_id: ObjectId) -> str | None:
    """The argon2 hash (None for an account made through a provider that never set one)."""
    user = await get_db().users.find_one({"_id": user_id}, {"password_hash": 1})
    return (user or {}).get("password_hash")


async def set_password_hash(user_id: ObjectId, password_hash: str) -> None:
    await get_db().users.update_one(
        {"_id": user_id},
        {"$set": {"password_hash": password_hash, "updated_at": datetime.now(UTC)}},
    )


async def delete_user(user_id: ObjectId) -> bool:
    """The account itself and its email key: last of an account's deletion, so a deletion cut
    short can be run again by signing in."""
    db = get_db()
    user = await db.users.find_one({"_id": user_id}, {"email": 1})
    if user is None:
        return False
    await db.users.delete_one({"_id": user_id})
    await db.email_keys.delete_one({"_id": user["email"], "user_id": user_id})
    return True
