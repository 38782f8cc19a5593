"""Server-side sign-in sessions. The browser holds only an opaque token; we store its HMAC."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from goalgetter.data.client import get_db


def _token_hash(token: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


async def create_session(user_id: ObjectId, secret_key: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await get_db().sessions.insert_one(
        {
            "token_hash": _token_hash(token, secret_key),
            "user_id": user_id,
            "created_at": now,
            "expires_at": now + lifetime,
        }
    )
    return token


async def user_id_for_token(token: str, secret_key: str) -> ObjectId | None:
    if not token:
        return None
    session = await get_db().sessions.find_one(
        {"token_hash": _token_hash(token, secret_key), "expires_at": {"$gt": datetime.now(UTC)}}
    )
    return session["user_id"] if session else None


async def delete_session(token: str, secret_key: str) -> None:
    if token:
        await get_db().sessions.delete_one({"token_hash": _token_hash(token, secret_key)})
