"""Cost of goal revision history on the embedded store (mongoeco SQLite over the wire).

One SQLite database holding 50 users x 40 goals = 2,000 goals with their histories: most
goals at 50 revisions (the newest in its head, 49 in two buckets), and 20 of the measured
user's goals past the cap at 151 revisions (100 kept; the next one trims the oldest and
takes over a slot of the bucket ring). Texts are 1-4 KB of
words, like bench/persistence.py's goals. Seeding batch-inserts pre-built documents shaped as
record_revision writes them, through mongoeco's in-process client (over the wire every
insert scans its collection); `notes.shape_matches_app` checks that shape afterwards.

Measured, through the app's functions over the wire: record_revision as the save path meets
it (a new revision into an existing bucket, coalesced saves, a new revision opening a
bucket, a new revision at the cap, an unchanged save, a goal's first revision), then the
history panel's list and get, and the rare bulk operations (export, delete a goal's history).
Run `python -m bench.revisions`; prints a table, never asserts.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

from bson import ObjectId
from pymongo import ASCENDING

from bench.persistence import free_port, text
from goalgetter.data import client as db_client
from goalgetter.data import revisions
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.revisions import BUCKET_SLOTS, REVISIONS_PER_BUCKET, bucket_key, head_key
from goalgetter.domain.revisions import text_digest

DB_NAME = "goalgetter_bench_revisions"
# A multiple of REVISIONS_PER_BUCKET, so the second new revision opens a bucket; full goals
# are one past a bucket's start, so their next revision takes over a used slot of the ring.
USERS, GOALS_PER_USER, FULL_GOALS = 50, 40, 20
REVISIONS_PER_GOAL, FULL_REVISIONS = 2 * REVISIONS_PER_BUCKET, 6 * REVISIONS_PER_BUCKET + 1
NEW_GOALS = 20
OPS = (
    ("new_in_bucket", "record: new revision, bucket exists"),
    ("coalesce", "record: coalesced save (autosave)"),
    ("new_bucket", "record: new revision opening a bucket (insert)"),
    ("new_at_cap", "record: new revision at the cap (slot reuse, trim)"),
    ("skip", "record: save with unchanged text"),
    ("first", "record: a goal's first revision (head insert)"),
    ("list", "list_revisions (50 kept)"),
    ("list_full", "list_revisions (100 kept)"),
    ("get_head", "get_revision: the newest"),
    ("get_bucket", "get_revision: an older one"),
    ("export", "export_revisions (one user, 40 goals)"),
    ("delete", "delete_goal_revisions"),
)


def goal_text(rng: random.Random) -> tuple[str, str]:
    title = text(rng, 15, 50)
    return title, "\n\n".join(f"## Part {p}\n{text(rng, 300, 1300)}" for p in range(3))


def history(user_id: ObjectId, goal_id: ObjectId, count: int, rng: random.Random, start: datetime):
    """A goal's head and bucket documents, as `count` calls of record_revision leave them."""
    title, content = goal_text(rng)
    kept_from, entries = max(0, count - 100), {}
    for seq in range(kept_from, count):
        content = content[: rng.randint(len(content) // 2, len(content))] + text(rng, 20, 200)
        at = start + seq * timedelta(minutes=10)
        entries[seq] = {"seq": seq, "kind": "edit", "title": title, "content": content,
                        "size": len(content), "started_at": at,
                        "saved_at": at + timedelta(seconds=40)}  # fmt: skip
    newest = entries[count - 1]
    head = {"_id": head_key(user_id, goal_id), **newest, "user_id": user_id, "goal_id": goal_id,
            "digest": text_digest(newest["title"], newest["content"])}  # fmt: skip
    slots: dict[int, dict] = {}
    for seq in range(count - 1):  # every revision ever closed, for the slots it opened
        number = seq // REVISIONS_PER_BUCKET
        slot = number % BUCKET_SLOTS
        identity = {"user_id": user_id, "goal_id": goal_id, "slot": slot}
        doc = slots.setdefault(
            slot, {"_id": bucket_key(user_id, goal_id, slot), "revisions": {}, **identity}
        )
        doc["bucket"] = number
        if seq >= kept_from:
            doc["revisions"][f"s{seq:06d}"] = entries[seq]
    return head, list(slots.values())


def goal_doc(user_id: ObjectId, goal_id: ObjectId, head: dict) -> dict:
    """The goal itself, shaped as goals.create_goal writes it (its first revision reads it)."""
    return {"_id": goal_id, "user_id": user_id, "title": head["title"], "content": head["content"],
            "phase": "draft", "template_type": "custom",
            "metadata": {"deadline": None, "milestones": [], "tags": []},
            "version": head["seq"] + 1, "created_at": head["started_at"],
            "updated_at": head["saved_at"]}  # fmt: skip


async def seed(path: Path, plan: list[tuple[ObjectId, ObjectId, int]]) -> dict[str, int]:
    from mongoeco import AsyncMongoClient
    from mongoeco.engines.sqlite import SQLiteEngine

    rng, start = random.Random(7), datetime.now(UTC) - timedelta(days=60)
    goals, heads, buckets = [], [], []
    for user_id, goal_id, count in plan:
        head, goal_buckets = history(user_id, goal_id, count, rng, start)
        goals.append(goal_doc(user_id, goal_id, head))
        heads.append(head)
        buckets += goal_buckets
    client = AsyncMongoClient(SQLiteEngine(str(path)), pymongo_profile="auto-installed")
    async with client:
        db = client[DB_NAME]
        for name, docs in (("goals", goals), ("revision_heads", heads), ("revisions", buckets)):
            for offset in range(0, len(docs), 500):
                await db[name].insert_many(docs[offset : offset + 500])
    size = sum(len(e["content"]) for b in buckets for e in b["revisions"].values())
    size += sum(len(h["content"]) for h in heads)
    return {"goals": len(heads), "buckets": len(buckets), "text_mb": round(size / 1e6, 1),
            "revisions": sum(len(b["revisions"]) for b in buckets) + len(heads)}  # fmt: skip


def summary(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p95_ms": p95, "max_ms": ms[-1]}


async def timed(samples: list[float], call: Callable[[], Awaitable[object]]) -> object:
    started = time.perf_counter()
    result = await call()
    samples.append(time.perf_counter() - started)
    return result


async def shape_matches(user_id: ObjectId, seeded_goal: ObjectId, fresh_goal: ObjectId) -> bool:
    """Keys and value types of seeded documents against ones record_revision wrote."""
    db = db_client.get_db()

    def shape(doc: dict | None) -> dict:
        doc = doc or {}
        entry = next(iter(doc.get("revisions", {}).values()), {})
        outer = {k: type(v).__name__ for k, v in doc.items() if k != "revisions"}
        return outer | {f"revisions.*.{k}": type(v).__name__ for k, v in entry.items()}

    pairs = (
        (db.revision_heads, head_key(user_id, seeded_goal), head_key(user_id, fresh_goal)),
        (db.revisions, bucket_key(user_id, seeded_goal, 0), bucket_key(user_id, fresh_goal, 0)),
    )
    for collection, seeded, fresh in pairs:
        found = [await collection.find_one({"_id": key}) for key in (seeded, fresh)]
        if None in found or shape(found[0]) != shape(found[1]):
            return False
    return True


async def measure(
    user_id: ObjectId, goals: list[ObjectId], full: list[ObjectId]
) -> tuple[dict, dict]:
    rng, now = random.Random(11), datetime.now(UTC)
    samples: dict[str, list[float]] = {key: [] for key, _ in OPS}
    ids: dict[str, set[str]] = {key: set() for key, _ in OPS}

    async def save(key: str, goal: ObjectId, at: datetime, content: str | None = None) -> str:
        body = content if content is not None else goal_text(rng)[1]
        rid = await timed(
            samples[key],
            lambda: revisions.record_revision(user_id, goal, title="T", content=body, now=at),
        )
        ids[key].add(rid)
        return body

    await revisions.list_revisions(user_id, goals[0])  # connection set-up
    for goal in goals:  # the seeded newest moves into its bucket, which exists
        await save("new_in_bucket", goal, now)
    for step in range(1, 4):
        for goal in goals:
            await save("coalesce", goal, now + step * timedelta(seconds=20))
    later, bodies = now + timedelta(minutes=3), {}
    buckets_before = await db_client.get_db().revisions.count_documents({"user_id": user_id})
    for goal in goals:  # the revision started above moves into a bucket of its own
        bodies[goal] = await save("new_bucket", goal, later)
    buckets_after = await db_client.get_db().revisions.count_documents({"user_id": user_id})
    for goal in goals:
        await save("skip", goal, later + timedelta(seconds=5), bodies[goal])
    for goal in full:
        await save("new_at_cap", goal, now)
    fresh, blank = [], {"title": "T", "content": "", "seq": 0, "started_at": now, "saved_at": now}
    for _ in range(NEW_GOALS):  # as goals.create_goal does: the goal (untimed), then its first
        goal = goal_doc(user_id, ObjectId(), blank)
        fresh.append((await db_client.get_db().goals.insert_one(goal)).inserted_id)
    for goal in fresh:
        await save("first", goal, now)
    for goal in fresh[:1]:  # gives it a bucket 0 to compare shapes with; not timed
        await revisions.record_revision(user_id, goal, title="T", content="x", now=later)
    for goal in goals:
        listed = await timed(samples["list"], lambda g=goal: revisions.list_revisions(user_id, g))
        for key, row in (("get_head", listed[0]), ("get_bucket", listed[-1])):
            await timed(samples[key], lambda r=row["id"]: revisions.get_revision(user_id, r))
    for goal in full:
        await timed(samples["list_full"], lambda g=goal: revisions.list_revisions(user_id, g))
    notes = {
        "shape_matches_app": await shape_matches(user_id, goals[0], fresh[0]),
        "buckets_opened_by_new_bucket_round": buckets_after - buckets_before,
        "revision_ids_per_op": {key: len(found) for key, found in ids.items() if found},
        "listed_after": len(await revisions.list_revisions(user_id, goals[0])),
        "listed_full_after": len(await revisions.list_revisions(user_id, full[0])),
    }
    for _ in range(3):
        exported = await timed(samples["export"], lambda: revisions.export_revisions(user_id))
    notes["exported_revisions"] = len(exported)
    deleted = [
        await timed(samples["delete"], lambda g=goal: revisions.delete_goal_revisions(user_id, g))
        for goal in goals[:5]
    ]
    notes["deleted_per_goal"] = deleted
    await db_client.close_clients()
    return {key: summary(values) for key, values in samples.items() if values}, notes


async def create_indexes() -> None:
    """The indexes proposed for goalgetter/data/indexes.py (export filters on user_id)."""
    db = db_client.get_db()
    await db.revision_heads.create_index([("user_id", ASCENDING)], name="user")
    await db.revisions.create_index([("user_id", ASCENDING)], name="user")
    await db_client.close_clients()


def main() -> None:
    started = time.perf_counter()
    print(
        f"Revision history on the embedded store (mongoeco {version('mongoeco')} SQLite over "
        f"the wire, pymongo {version('pymongo')}); {USERS * GOALS_PER_USER} goals.",
        flush=True,
    )
    users = [ObjectId() for _ in range(USERS)]
    plan = [(u, ObjectId(), REVISIONS_PER_GOAL) for u in users for _ in range(GOALS_PER_USER)]
    for index in range(GOALS_PER_USER - FULL_GOALS, GOALS_PER_USER):  # the measured user's
        plan[index] = (users[0], plan[index][1], FULL_REVISIONS)
    measured = [g for u, g, count in plan if u == users[0] and count == REVISIONS_PER_GOAL]
    full = [g for u, g, count in plan if u == users[0] and count == FULL_REVISIONS]
    with tempfile.TemporaryDirectory(prefix="bench-revisions-") as workdir:
        path = Path(workdir) / "revisions.sqlite"
        stored = asyncio.run(seed(path, plan))
        seeded_at = time.perf_counter()
        store = EmbeddedStore(free_port(), path)
        try:
            db_client.configure(store.ensure_running(), DB_NAME)
            asyncio.run(create_indexes())
            ops, notes = asyncio.run(measure(users[0], measured, full))
        finally:
            store.stop()
    print(f"\n{'operation':<52}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for key, label in OPS:
        row = ops.get(key)
        if row:
            figures = "".join(f"{row[f]:>9.1f}" for f in ("p50_ms", "p95_ms", "max_ms"))
            print(f"{label:<52}{row['n']:>5}{figures}")
    print(f"\nstored: {stored}; seeded in {seeded_at - started:.1f} s")
    print(f"notes: {notes}")
    print(f"Total {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
