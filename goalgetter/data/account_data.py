"""Everything the app stores of one person, deleted together (the account's deletion).

A collection whose documents carry the person's `user_id` is listed in OWNED_BY_FIELD, one
keyed by their id in OWNED_BY_ID; those that keep the person inside shared documents (the
mail's pending list, the milestone nudges' due list) or need more than a delete have their own
functions. The deletion test walks every collection the app writes, so a new one that is
not listed here fails it.
"""

from __future__ import annotations

from bson import ObjectId

from goalgetter.data import (
    calendar_feeds,
    chat_messages,
    identities,
    milestone_due,
    oauth_flows,
    outbox,
    shares,
)
from goalgetter.data.client import get_db

OWNED_BY_FIELD = (
    "goals", "revisions", "revision_heads", "goal_templates", "meetings_archive",
)  # fmt: skip
OWNED_BY_ID = ("goal_lists", "meeting_series")


async def delete_owned(user_id: ObjectId) -> dict[str, int]:
    """Delete the person's documents everywhere but the account itself; counts by kind."""
    db = get_db()
    counts = {
        "chat_messages": await chat_messages.clear_history(user_id),
        "outbox": await outbox.delete_user_mail(user_id),
        "milestones_due": await milestone_due.forget_user(user_id),
        "shares": await shares.delete_user_shares(user_id),
        "calendar_feeds": await calendar_feeds.delete_user_feeds(user_id),
        "identities": await identities.delete_all_for_user(user_id),
        "oauth_flows": await oauth_flows.delete_for_user(user_id),
    }
    for name in OWNED_BY_FIELD:
        counts[name] = (await db[name].delete_many({"user_id": user_id})).deleted_count
    for name in OWNED_BY_ID:
        counts[name] = (await db[name].delete_one({"_id": user_id})).deleted_count
    return counts
