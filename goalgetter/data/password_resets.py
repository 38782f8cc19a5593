"""Password reset tokens: single-use, valid one hour, kept only as an HMAC.

The link in the mail holds the token; `_id` here is its HMAC under the secret key, so this
collection alone resets nobody's password. Taking a token deletes it in the same atomic step,
so a link works once even when clicked twice at the same moment. Using one also drops every
other token of the person: an older mail's link cannot undo the new password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from goalgetter.data.client import get_db

LIFETIME = timedelta(hours=1)
# A token is 43 URL-safe characters; anything much longer in a URL is not one of ours.
MAX_TOKEN_LENGTH = 100


def _record_id(token: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), f"reset:{token}".encode(), hashlib.sha256).hexdigest()


async def create(user_id: ObjectId, secret_key: str, now: datetime | None = None) -> str:
    """A new token for the person (earlier ones stay valid until used or expired)."""
    token = secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    await get_db().password_resets.insert_one(
        {
            "_id": _record_id(token, secret_key),
            "user_id": user_id,
            "created_at": now,
            "expires_at": now + LIFETIME,
        }
    )
    return token


def _usable_token(token: str) -> bool:
    return 0 < len(token) <= MAX_TOKEN_LENGTH


async def peek(token: str, secret_key: str, now: datetime | None = None) -> ObjectId | None:
    """Whose token this is, if it is still usable; nothing is used up (the form's GET)."""
    if not _usable_token(token):
        return None
    record = await get_db().password_resets.find_one({"_id": _record_id(token, secret_key)})
    if record is None or record["expires_at"] <= (now or datetime.now(UTC)):
        return None
    return record["user_id"]


async def take(token: str, secret_key: str, now: datetime | None = None) -> ObjectId | None:
    """The token's person, the token deleted as it is read (None: unknown, used, expired)."""
    if not _usable_token(token):
        return None
    record = await get_db().password_resets.find_one_and_delete(
        {"_id": _record_id(token, secret_key)}
    )
    # The TTL index sweeps expired tokens eventually; until then, refuse them here.
    if record is None or record["expires_at"] <= (now or datetime.now(UTC)):
        return None
    return record["user_id"]


async def delete_all_for_user(user_id: ObjectId) -> int:
    """After a reset (no older link may work) and for account deletion. The collection
    holds only the last hour's tokens, so filtering by user stays cheap."""
    result = await get_db().password_resets.delete_many({"user_id": user_id})
    return result.deleted_count
