"""Provider accounts (Google, GitHub) linked to users.

One document per provider account, whose `_id` is `"<provider>:<subject>"` (the provider's
stable id: Google's `sub`, GitHub's numeric user id, never an email or a login name that can
change hands). A sign-in reads it by that exact `_id`, which stays fast on the embedded
store; the primary key also makes a provider account belong to one user at most.

No provider token is kept: sign-in needs none after the callback, so there is nothing to
leak or to revoke later.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from goalgetter.data.client import get_db


def identity_key(provider: str, subject: str) -> str:
    return f"{provider}:{subject}"


async def linked_user_id(provider: str, subject: str) -> ObjectId | None:
    """Whom this provider account signs in (None: it is linked to nobody)."""
    identity = await get_db().identities.find_one(
        {"_id": identity_key(provider, subject)}, {"user_id": 1}
    )
    return None if identity is None else identity["user_id"]


async def link(
    user_id: ObjectId, provider: str, subject: str, email: str, now: datetime | None = None
) -> bool:
    """Link the provider account to the user; False if it already belongs to someone else
    (linking it to its own user again is a no-op that answers True)."""
    now = now or datetime.now(UTC)
    try:
        await get_db().identities.insert_one(
            {
                "_id": identity_key(provider, subject),
                "user_id": user_id,
                "provider": provider,
                "subject": subject,
                "email": email,
                "linked_at": now,
                "last_used_at": now,
            }
        )
    except DuplicateKeyError:
        return await linked_user_id(provider, subject) == user_id
    return True


async def mark_used(
    user_id: ObjectId, provider: str, subject: str, email: str, now: datetime | None = None
) -> None:
    """A sign-in through this provider account: when, and the email it reported then."""
    await get_db().identities.update_one(
        {"_id": identity_key(provider, subject), "user_id": user_id},
        {"$set": {"last_used_at": now or datetime.now(UTC), "email": email}},
    )


async def list_for_user(user_id: ObjectId) -> list[dict]:
    """The user's linked provider accounts, oldest link first (for Settings)."""
    cursor = get_db().identities.find(
        {"user_id": user_id},
        {"provider": 1, "subject": 1, "email": 1, "linked_at": 1, "last_used_at": 1},
    )
    return sorted([doc async for doc in cursor], key=lambda doc: doc["linked_at"])


async def unlink(user_id: ObjectId, provider: str, subject: str) -> bool:
    """Remove one of the user's links (only theirs: the filter names the user). Whether the
    user keeps another way in is the caller's rule."""
    result = await get_db().identities.delete_one(
        {"_id": identity_key(provider, subject), "user_id": user_id}
    )
    return result.deleted_count == 1


async def delete_all_for_user(user_id: ObjectId) -> int:
    """Every link of the user (account deletion)."""
    return (await get_db().identities.delete_many({"user_id": user_id})).deleted_count
