"""Server-side sign-in sessions. The browser holds only an opaque token; we store its HMAC,
as the session's `_id` (an exact-`_id` lookup stays fast on the embedded store)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from goalgetter.data.client import get_db


def session_key(token: str, secret_key: str) -> str:
    """The session's `_id`: what the server keeps of a token, and all a websocket sees."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


async def create_session(user_id: ObjectId, secret_key: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await get_db().sessions.insert_one(
        {
            "_id": session_key(token, secret_key),
            "user_id": user_id,
            "created_at": now,
            "expires_at": now + lifetime,
        }
    )
    return token


async def user_id_for_key(key: str) -> ObjectId | None:
    if not key:
        return None
    session = await get_db().sessions.find_one({"_id": key})
    # The TTL index removes expired sessions eventually; until then, refuse them here.
    if session is None or session["expires_at"] <= datetime.now(UTC):
        return None
    return session["user_id"]


async def delete_session(token: str, secret_key: str) -> None:
    if token:
        await get_db().sessions.delete_one({"_id": session_key(token, secret_key)})
