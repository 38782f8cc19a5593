"""The private calendar feed: a URL any calendar app can subscribe to.

The token is derived from the app's secret key, the user and the feed's version (so the
settings page can show the same URL again), and only its SHA-256 is stored, as the `_id`
of a `calendar_feeds` document naming the user. Rotating bumps the version and removes the
old hash: the old URL answers 404 at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from bson import ObjectId
from pymongo import ReturnDocument

from goalgetter.data.client import get_db


def _token(secret_key: str, user_id: ObjectId, version: int) -> str:
    digest = hmac.new(secret_key.encode(), f"feed:{user_id}:{version}".encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def feed_token(user_id: ObjectId, secret_key: str) -> str:
    """The user's feed token (the feed is made on first use)."""
    user = await get_db().users.find_one({"_id": user_id}, {"calendar_feed": 1}) or {}
    version = (user.get("calendar_feed") or {}).get("version")
    if version is None:
        return await rotate(user_id, secret_key)
    return _token(secret_key, user_id, version)


async def rotate(user_id: ObjectId, secret_key: str) -> str:
    """A new feed URL; the old one stops working."""
    db = get_db()
    user = await db.users.find_one_and_update(
        {"_id": user_id},
        {"$inc": {"calendar_feed.version": 1}},
        projection={"calendar_feed": 1},
        return_document=ReturnDocument.AFTER,
    )
    version = user["calendar_feed"]["version"]
    token = _token(secret_key, user_id, version)
    await db.calendar_feeds.insert_one(
        {"_id": _hash(token), "user_id": user_id, "created_at": datetime.now(UTC)}
    )
    if version > 1:
        await db.calendar_feeds.delete_one({"_id": _hash(_token(secret_key, user_id, version - 1))})
    return token


async def feed_owner(token: str) -> ObjectId | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    wanted = _hash(token)
    feed = await get_db().calendar_feeds.find_one({"_id": wanted})
    if feed is None or not hmac.compare_digest(feed["_id"], wanted):
        return None
    return feed["user_id"]


async def delete_user_feeds(user_id: ObjectId) -> int:
    return (await get_db().calendar_feeds.delete_many({"user_id": user_id})).deleted_count
