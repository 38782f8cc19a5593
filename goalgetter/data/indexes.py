"""Indexes created at start-up; create_index is idempotent."""

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

# A person's documents listed newest first: (collection, sort field, index name).
BY_USER_NEWEST = (
    ("goals", "updated_at", "user_updated"),
    ("chat_messages", "started_at", "user_timestamp"),
    ("goal_templates", "created_at", "user_created"),
    ("outbox", "created_at", "user_created"),  # /outbox
)
# Filtered by person only in bulk: exports, deleting a goal's history, a password reset,
# Settings' linked providers, account deletion. Everything else reads an exact _id.
BY_USER = (
    "revision_heads", "revisions", "shares", "identities", "password_resets",
    "meetings_archive", "calendar_feeds", "oauth_flows",
)  # fmt: skip
EXPIRING = ("sessions", "oauth_flows", "password_resets")


async def ensure_indexes(db: AsyncDatabase) -> None:
    await db.users.create_index([("email", ASCENDING)], unique=True, name="email_unique")
    for collection, newest, name in BY_USER_NEWEST:
        await db[collection].create_index([("user_id", ASCENDING), (newest, DESCENDING)], name=name)
    for collection in BY_USER:
        await db[collection].create_index([("user_id", ASCENDING)], name="user")
    for collection in EXPIRING:
        await db[collection].create_index("expires_at", expireAfterSeconds=0, name="expires_ttl")
    # The scheduler's one query: the series due by its clock (meeting_series.due_states),
    # read from the index's leading field. Compound, because the embedded store keeps a
    # side table of entries for each single-field index, rewritten with every document it
    # covers: ~1 ms more per compare-and-set of a series.
    await db.meeting_series.create_index([("due_at", ASCENDING), ("_id", ASCENDING)], name="due")
    # Account deletion also drops the sign-in flows a person started to link a provider.
    await db.oauth_flows.create_index([("linking_user_id", ASCENDING)], name="linking_user")
