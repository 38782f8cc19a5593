"""Server-side sign-in sessions. The browser holds only an opaque token; we store its HMAC,
as the session's `_id` (an exact-`_id` lookup stays fast on the embedded store).

Each person's sessions are listed in one `user_sessions` document (`_id` = the user id,
`keys`: session key → when it started), so Settings reads one document and then each
session by its `_id`; on the embedded store any other filter scans every session of every
person. A key is listed before its session is written: a crash in between leaves a key that
names nothing, dropped at the next listing, never a session that no listing shows.

Every query here addresses documents by exact `_id` and checks the owner in code: the
embedded store serves only a bare `_id` equality as a primary-key lookup.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from goalgetter.data.client import get_db

# How stale "last seen" may get: a tab's events read the session anyway, but write to it at
# most this often.
TOUCH_EVERY = timedelta(minutes=5)
# A listed key whose session is missing may be one being created right now (listed first).
_CREATION_GRACE = timedelta(minutes=1)


def session_key(token: str, secret_key: str) -> str:
    """The session's `_id`: what the server keeps of a token, and all a websocket sees."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def public_id(key: str) -> str:
    """What a page may hold to name a session (to revoke it): not the key itself."""
    return hashlib.sha256(f"session:{key}".encode()).hexdigest()[:20]


async def create_session(
    user_id: ObjectId,
    secret_key: str,
    lifetime: timedelta,
    user_agent: str = "",
    now: datetime | None = None,
) -> str:
    token = secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    key = session_key(token, secret_key)
    db = get_db()
    await db.user_sessions.update_one({"_id": user_id}, {"$set": {f"keys.{key}": now}}, upsert=True)
    await db.sessions.insert_one(
        {
            "_id": key,
            "user_id": user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + lifetime,
            "user_agent": user_agent,
        }
    )
    return token


def _live(session: dict | None, now: datetime) -> bool:
    return session is not None and session["expires_at"] > now


async def user_id_for_key(key: str, now: datetime | None = None) -> ObjectId | None:
    """The session's person, or None; marks the session seen (at most every TOUCH_EVERY)."""
    if not key:
        return None
    now = now or datetime.now(UTC)
    session = await get_db().sessions.find_one({"_id": key})
    # The TTL index removes expired sessions eventually; until then, refuse them here.
    if not _live(session, now):
        return None
    if session.get("last_seen_at", session["created_at"]) <= now - TOUCH_EVERY:
        await get_db().sessions.update_one({"_id": key}, {"$set": {"last_seen_at": now}})
    return session["user_id"]


async def _unlist(user_id: ObjectId, keys: list[str]) -> None:
    if keys:
        await get_db().user_sessions.update_one(
            {"_id": user_id}, {"$unset": {f"keys.{key}": "" for key in keys}}
        )


async def _listed(user_id: ObjectId) -> dict[str, datetime]:
    index = await get_db().user_sessions.find_one({"_id": user_id}) or {}
    return index.get("keys") or {}


async def list_for_user(user_id: ObjectId, now: datetime | None = None) -> list[dict]:
    """The person's live sessions, newest first; keys of ended sessions leave the list."""
    now = now or datetime.now(UTC)
    listed = await _listed(user_id)
    db = get_db()
    found = await asyncio.gather(*(db.sessions.find_one({"_id": key}) for key in listed))
    live, ended = [], []
    for (key, started), session in zip(listed.items(), found, strict=True):
        if session is not None and session["user_id"] != user_id:
            ended.append(key)  # never shown to anyone but its owner
        elif _live(session, now):
            live.append(session)
        elif session is not None or started.replace(tzinfo=UTC) <= now - _CREATION_GRACE:
            ended.append(key)
    await _unlist(user_id, ended)
    return sorted(live, key=lambda s: s["created_at"], reverse=True)


async def delete_session(token: str, secret_key: str) -> None:
    if token:
        await delete_by_key(session_key(token, secret_key))


async def delete_by_key(key: str, user_id: ObjectId | None = None) -> bool:
    """End the session `key` (only if it is `user_id`'s, when given); whether it ended."""
    db = get_db()
    session = await db.sessions.find_one({"_id": key})
    if session is None or (user_id is not None and session["user_id"] != user_id):
        return False
    deleted = (await db.sessions.delete_one({"_id": key})).deleted_count == 1
    await _unlist(session["user_id"], [key])
    return deleted


async def end_all_for_user(user_id: ObjectId, except_key: str | None = None) -> int:
    """End every session of the person but `except_key` (a password change keeps the tab
    that made it); how many ended."""
    keys = [key for key in await _listed(user_id) if key != except_key]
    # Each ended session leaves the list; a listed key with no session yet may be a sign-in
    # finishing now, and stays listed (a listing drops it if it never appears).
    ended = await asyncio.gather(*(delete_by_key(key, user_id) for key in keys))
    return sum(ended)


async def delete_all_for_user(user_id: ObjectId) -> int:
    """Account deletion: every session of the person, and their list."""
    ended = await end_all_for_user(user_id)
    await get_db().user_sessions.delete_one({"_id": user_id})
    return ended


async def add_missing_session_lists() -> int:
    """Sessions started before per-person lists existed get listed; once per database (a
    marker document says it ran). Returns how many were added."""
    db = get_db()
    if await db.migrations.find_one({"_id": "user_sessions"}):
        return 0
    added = 0
    async for session in db.sessions.find({}, {"user_id": 1, "created_at": 1}):
        await db.user_sessions.update_one(
            {"_id": session["user_id"]},
            {"$set": {f"keys.{session['_id']}": session["created_at"]}},
            upsert=True,
        )
        added += 1
    await db.migrations.update_one(
        {"_id": "user_sessions"}, {"$set": {"done_at": datetime.now(UTC)}}, upsert=True
    )
    return added
