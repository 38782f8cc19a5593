"""Indexes created at start-up; create_index is idempotent."""

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase


async def ensure_indexes(db: AsyncDatabase) -> None:
    await db.users.create_index([("email", ASCENDING)], unique=True, name="email_unique")
    await db.sessions.create_index("expires_at", expireAfterSeconds=0, name="expires_ttl")
    await db.goals.create_index(
        [("user_id", ASCENDING), ("updated_at", DESCENDING)], name="user_updated"
    )
    await db.chat_messages.create_index(
        [("user_id", ASCENDING), ("started_at", DESCENDING)], name="user_timestamp"
    )
    await db.goal_templates.create_index(
        [("user_id", ASCENDING), ("created_at", DESCENDING)], name="user_created"
    )
    # Only the bulk operations (export, deleting a goal's history) filter revisions by user.
    await db.revision_heads.create_index([("user_id", ASCENDING)], name="user")
    await db.revisions.create_index([("user_id", ASCENDING)], name="user")
    await db.shares.create_index([("user_id", ASCENDING)], name="user")
    # Settings lists a person's linked providers; sign-in reads them by exact _id.
    await db.identities.create_index([("user_id", ASCENDING)], name="user")
    await db.oauth_flows.create_index("expires_at", expireAfterSeconds=0, name="expires_ttl")
    await db.password_resets.create_index("expires_at", expireAfterSeconds=0, name="expires_ttl")
    # A reset and account deletion drop every token of the person.
    await db.password_resets.create_index([("user_id", ASCENDING)], name="user")
    # /outbox lists a person's newest mail; account deletion drops it all.
    await db.outbox.create_index(
        [("user_id", ASCENDING), ("created_at", DESCENDING)], name="user_created"
    )
    # Only account deletion filters these by person (everything else reads an exact _id).
    await db.meetings_archive.create_index([("user_id", ASCENDING)], name="user")
    await db.calendar_feeds.create_index([("user_id", ASCENDING)], name="user")
    await db.oauth_flows.create_index([("user_id", ASCENDING)], name="user")
    await db.oauth_flows.create_index([("linking_user_id", ASCENDING)], name="linking_user")
