"""The stored world of bench.scale: N tracking users, each with 2 goals (and their first
revision), 25 chat messages, a signed-in session and a weekly check-in series; one user with
500 goals and one with 10 active goals for the PDF.

Documents are built by the app's own functions (the user document, session keys, bucket and
revision keys, the meeting series' pure state functions) and batch-inserted through
mongoeco's in-process client with the store's fixes applied, on a file that an EmbeddedStore
then serves over the wire. The app makes its indexes on the empty file first (bench.scale):
building one over thousands of stored documents takes mongoeco minutes.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bson import ObjectId

from bench.persistence import text
from bench.scheduler import build as build_tracking_users
from goalgetter.data import goal_lists
from goalgetter.data.chat_messages import bucket_key
from goalgetter.data.revisions import head_key
from goalgetter.data.sessions import session_key
from goalgetter.domain.revisions import text_digest

GOALS_EACH, MESSAGES_EACH, BIG_USER_GOALS, PDF_GOALS = 2, 25, 500, 10
SIGNED_IN_KEPT = 400  # tokens kept for the measured sessions; the rest are only stored
TAGS = ("Health", "Career", "Money", "Family", "Learning")
PHASES = ("draft", "active", "active", "completed", "archived")


@dataclass
class World:
    """What the measurements need to know about the stored data."""

    users: list[dict]
    series: list[dict]
    tokens: dict[ObjectId, str] = field(default_factory=dict)
    big_user: ObjectId | None = None
    pdf_user: ObjectId | None = None
    stored: dict[str, int] = field(default_factory=dict)


def goal_doc(rng: random.Random, user_id: ObjectId, index: int, now: datetime, phase: str) -> dict:
    changed = now - timedelta(minutes=rng.randrange(60 * 24 * 90))
    return {
        "_id": ObjectId(),
        "user_id": user_id,
        "title": f"Goal {index}: {text(rng, 20, 60)}",
        "content": "\n\n".join(f"## Part {p}\n{text(rng, 150, 600)}" for p in range(3)),
        "phase": phase,
        "template_type": rng.choice(("smart", "okr", "custom")),
        "metadata": {
            "deadline": "2027-06-30",
            "milestones": [
                {"id": f"m{index}-{i}", "title": text(rng, 10, 30), "due": None, "done": False}
                for i in range(rng.randint(0, 4))
            ],
            "tags": rng.sample(TAGS, rng.randint(0, 2)),
        },
        "version": 1,
        "save_token": "",
        "list_rev": 0,
        "created_at": changed,
        "updated_at": changed,
    }


def list_documents(goals: list[dict]) -> list[dict]:
    """Each owner's goal list document (goalgetter/data/goal_lists.py) for goals loaded in bulk."""
    by_user: dict[ObjectId, list[dict]] = {}
    for goal in goals:
        by_user.setdefault(goal["user_id"], []).append(goal)
    return [goal_lists.document(user_id, owned) for user_id, owned in by_user.items()]


def revision_head(goal: dict) -> dict:
    title, content, at = goal["title"], goal["content"], goal["updated_at"]
    return {
        "_id": head_key(goal["user_id"], goal["_id"]),
        "user_id": goal["user_id"],
        "goal_id": goal["_id"],
        "seq": 0,
        "kind": "created",
        "title": title,
        "content": content,
        "size": len(content),
        "saved_at": at,
        "started_at": at,
        "digest": text_digest(title, content),
    }


def chat_bucket(rng: random.Random, user_id: ObjectId, now: datetime) -> dict:
    start = now - timedelta(days=rng.randint(1, 30))
    messages = [
        {
            "role": "user" if index % 2 == 0 else "assistant",
            "content": text(rng, 40, 300) if index % 2 == 0 else text(rng, 200, 1000),
            "timestamp": start + timedelta(minutes=index),
            "metadata": {},
        }
        for index in range(MESSAGES_EACH)
    ]
    return {
        "_id": bucket_key(user_id, 0),
        "count": MESSAGES_EACH,
        "messages": messages,
        "updated_at": messages[-1]["timestamp"],
        "user_id": user_id,
        "sequence": 0,
        "started_at": start,
    }


def session_doc(user_id: ObjectId, token: str, secret: str, now: datetime) -> dict:
    key = session_key(token, secret)
    expires = now + timedelta(days=30)
    return {"_id": key, "user_id": user_id, "created_at": now, "expires_at": expires}


def build(count: int, now: datetime, password_hash: str, secret: str) -> tuple[World, dict]:
    """The world and, per collection, the documents to insert."""
    rng = random.Random(count)
    users, series = build_tracking_users(rng, now, count)
    world = World(users=users, series=series)
    docs: dict[str, list[dict]] = {name: [] for name in (
        "users", "email_keys", "sessions", "goals", "revision_heads", "chat_messages",
        "chat_heads")}  # fmt: skip
    for index, user in enumerate(users):
        user["email"] = f"scale{index}@example.test"
        user["password_hash"] = password_hash
        user["settings"]["timezone"] = user["meeting_schedule"]["timezone"]
        uid = user["_id"]
        docs["email_keys"].append({"_id": user["email"], "user_id": uid})
        token = secrets.token_urlsafe(32)
        docs["sessions"].append(session_doc(uid, token, secret, now))
        if index < SIGNED_IN_KEPT:
            world.tokens[uid] = token
        docs["goals"] += [goal_doc(rng, uid, i, now, "active") for i in range(GOALS_EACH)]
        docs["chat_messages"].append(chat_bucket(rng, uid, now))
        docs["chat_heads"].append({"_id": uid, "count": MESSAGES_EACH})
    world.big_user, world.pdf_user = users[0]["_id"], users[1]["_id"]
    docs["goals"] += [
        goal_doc(rng, world.big_user, i, now, rng.choice(PHASES)) for i in range(BIG_USER_GOALS)
    ]
    docs["goals"] += [goal_doc(rng, world.pdf_user, i, now, "active") for i in range(PDF_GOALS)]
    docs["revision_heads"] = [revision_head(goal) for goal in docs["goals"]]
    docs["goal_lists"] = list_documents(docs["goals"])
    docs["users"] = users
    docs["meeting_series"] = series
    return world, docs


async def seed(path: Path, db_name: str, docs: dict[str, list[dict]]) -> dict[str, int]:
    from mongoeco import AsyncMongoClient
    from mongoeco.engines.sqlite import SQLiteEngine

    from goalgetter.data import store_patches

    store_patches.apply()  # without them each insert decodes the whole collection
    client = AsyncMongoClient(SQLiteEngine(str(path)), pymongo_profile="auto-installed")
    async with client:
        db = client[db_name]
        for name, batch in docs.items():
            for offset in range(0, len(batch), 500):
                await db[name].insert_many(batch[offset : offset + 500])
    return {name: len(batch) for name, batch in docs.items()}
