"""The goal_templates collection: built-ins shared by everyone, custom ones per user.

Built-ins have fixed string ids ("builtin:smart") and `user_id: None`; they are seeded from
`domain.templates` at start and never deleted through this module. Custom templates have
ObjectIds and their owner's id, and every read or delete of one filters on both, so another
user's id finds nothing. Each public function takes the signed-in user's ObjectId.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from goalgetter.data.client import get_db, to_object_id
from goalgetter.domain.templates import (
    BUILTIN_TEMPLATES,
    TEMPLATE_TYPES,
    BuiltinTemplate,
    clean_fields,
    fields_from_content,
)
from goalgetter.domain.validation import (
    MAX_GOAL_CONTENT_LENGTH,
    ValidationError,
    check_goal_content,
    check_template_description,
    normalise_template_name,
)

BUILTIN_PREFIX = "builtin:"
MAX_OWN_TEMPLATES_LISTED = 200
SUMMARY_FIELDS = {"name": 1, "description": 1, "template_type": 1, "user_id": 1}
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]


def builtin_id(key: str) -> str:
    return f"{BUILTIN_PREFIX}{key}"


BUILTIN_IDS = tuple(builtin_id(template.key) for template in BUILTIN_TEMPLATES)


def _require_user(user_id: object) -> ObjectId:
    # A None user id would match the built-ins' `user_id: None` and create shared templates.
    if not isinstance(user_id, ObjectId):
        raise TypeError(f"Templates need the signed-in user's ObjectId, not {user_id!r}.")
    return user_id


def _query(user_id: ObjectId, template_id: object) -> dict | None:
    """The exact-_id filter for a template this user may read, or None when malformed."""
    if isinstance(template_id, str) and template_id.startswith(BUILTIN_PREFIX):
        return {"_id": template_id, "user_id": None, "is_active": True}
    oid = to_object_id(template_id) if isinstance(template_id, str | ObjectId) else None
    return None if oid is None else {"_id": oid, "user_id": user_id, "is_active": True}


def _summary(doc: dict) -> dict:
    return {
        "id": str(doc["_id"]),
        "name": doc["name"],
        "description": doc.get("description", ""),
        "template_type": doc.get("template_type", "custom"),
        "is_builtin": doc.get("user_id") is None,
    }


def _full(doc: dict) -> dict:
    return {
        **_summary(doc),
        "fields": list(doc.get("fields") or []),
        "template_content": doc.get("template_content", ""),
    }


# Seeding ----------------------------------------------------------------------------------


def _builtin_doc(template: BuiltinTemplate) -> dict:
    # No timestamps: a re-seed must leave byte-for-byte the same document.
    return {
        "_id": builtin_id(template.key),
        "key": template.key,
        "user_id": None,
        "name": template.name,
        "description": template.description,
        "template_type": template.template_type,
        "fields": list(template.fields),
        "template_content": template.template_content,
        "is_active": True,
    }


async def _upsert(db: AsyncDatabase, doc: dict) -> None:
    try:
        await db.goal_templates.replace_one({"_id": doc["_id"]}, doc, upsert=True)
    except DuplicateKeyError:
        # Another process inserted it between our lookup and insert; now it is there.
        await db.goal_templates.replace_one({"_id": doc["_id"]}, doc)


async def seed_templates(db: AsyncDatabase) -> None:
    """Make the stored built-ins match the code; safe to run on every start, concurrently."""
    for template in BUILTIN_TEMPLATES:
        await _upsert(db, _builtin_doc(template))
    # A built-in dropped from the code disappears from every list instead of lingering.
    await db.goal_templates.update_many(
        {"user_id": None, "_id": {"$nin": list(BUILTIN_IDS)}, "is_active": True},
        {"$set": {"is_active": False}},
    )


# Reading ----------------------------------------------------------------------------------


async def list_templates(user_id: ObjectId) -> list[dict]:
    """Built-ins (in code order), then this user's own templates, newest first; no content."""
    _require_user(user_id)
    # The built-ins from the code they are seeded from at every start: a `$in` on their ids
    # would scan every user's templates on the embedded store.
    builtins = [_builtin_doc(template) for template in BUILTIN_TEMPLATES]
    own = (
        await get_db()
        .goal_templates.find({"user_id": user_id, "is_active": True}, SUMMARY_FIELDS)
        .sort(NEWEST_FIRST)
        .limit(MAX_OWN_TEMPLATES_LISTED)
        .to_list()
    )
    return [_summary(doc) for doc in (*builtins, *own)]


async def get_template(user_id: ObjectId, template_id: str) -> dict | None:
    """A built-in or one of this user's templates, with content; None for anything else."""
    query = _query(_require_user(user_id), template_id)
    if query is None:
        return None
    doc = await get_db().goal_templates.find_one(query)
    return None if doc is None else _full(doc)


# Writing ----------------------------------------------------------------------------------


def _check_content(content: str) -> str:
    try:
        return check_goal_content(content)
    except ValidationError as error:
        # The goal wording ("A goal can hold…") would confuse someone saving a template.
        raise ValidationError(
            "template_content",
            error.code,
            f"A template can hold at most {MAX_GOAL_CONTENT_LENGTH:,} characters; "
            f"this one has {len(content):,}.",
        ) from None


async def create_template(
    user_id: ObjectId,
    *,
    name: str,
    description: str,
    content: str,
    template_type: str = "custom",
    fields: list[str] | None = None,
    now: datetime,
) -> dict:
    """Store a template for this user only (e.g. "Save as template"); raises ValidationError.

    `fields` defaults to the content's headings. Returns the same shape as `get_template`.
    """
    _require_user(user_id)
    if template_type not in TEMPLATE_TYPES:
        raise ValueError(f"Unknown template type {template_type!r}.")
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware (UTC).")
    content = _check_content(content or "")
    doc = {
        "user_id": user_id,
        "name": normalise_template_name(name),
        "description": check_template_description(description),
        "template_type": template_type,
        "fields": fields_from_content(content) if fields is None else clean_fields(fields),
        "template_content": content,
        "is_active": True,
        "created_at": now,
    }
    doc["_id"] = (await get_db().goal_templates.insert_one(doc)).inserted_id
    return _full(doc)


async def delete_template(user_id: ObjectId, template_id: str) -> bool:
    """Delete one of this user's templates; built-ins and other users' ids give False."""
    query = _query(_require_user(user_id), template_id)
    if query is None or query["user_id"] is None:
        return False
    del query["is_active"]
    return (await get_db().goal_templates.delete_one(query)).deleted_count == 1


# Export -----------------------------------------------------------------------------------


async def export_templates(user_id: ObjectId) -> list[dict]:
    """This user's own templates for "Download my data": str ids, ISO datetimes, oldest first."""
    cursor = get_db().goal_templates.find({"user_id": _require_user(user_id)})
    docs = await cursor.sort([("created_at", 1), ("_id", 1)]).to_list()
    return [
        {
            "id": str(doc["_id"]),
            "name": doc["name"],
            "description": doc.get("description", ""),
            "template_type": doc.get("template_type", "custom"),
            "fields": list(doc.get("fields") or []),
            "template_content": doc.get("template_content", ""),
            "is_active": bool(doc.get("is_active", True)),
            "created_at": doc["created_at"].isoformat() if doc.get("created_at") else None,
        }
        for doc in docs
    ]
