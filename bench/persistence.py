"""Persistence cost of one coach send on the embedded store (mongoeco SQLite over the wire).

Three databases, each a SQLite file behind its own EmbeddedStore: "seeded" (50 users, 25,000
chat messages in day buckets, 2,000 goals; the measured user has 500 messages, 40 goals),
"own" (only the measured user and their own 500 messages and 40 goals) and "empty" (only the
measured user). Each runs the send path's real functions with no model: build_context,
append_message (user), append_message (assistant's first token), update_message (final
reply); plus build_context repeated with no write in between, send_and_reply with an instant
stub coach (cross-check), and a first message of the day (opens a new bucket: an insert).
Seeding batch-inserts pre-built documents, shaped as append_message and create_goal write
them, through mongoeco's in-process client (over the wire, insert_many inserts one by one,
each scanning the collection). Run `python -m bench.persistence`; prints a table, writes
bench/results/persistence.json, never asserts.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import socket
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

from bson import ObjectId

from goalgetter.coach.conversation import build_context, send_and_reply
from goalgetter.coach.llm import ReplyDone
from goalgetter.data import client as db_client
from goalgetter.data.chat_messages import (
    BUCKET_SIZE,
    append_message,
    bucket_key,
    update_message,
)
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.data.users import _new_user_doc

DB_NAME = "goalgetter_bench"
USERS, MESSAGES_PER_USER, GOALS_PER_USER, HISTORY_DAYS = 50, 500, 40, 20
ITERATIONS, WARMUP, CHECK_SAMPLES = 50, 2, 10  # sends (and new buckets); cross-check sends
BUDGET_SECONDS = 150.0  # per database: loops stop early past this (n then says so)
SCENARIOS = (("seeded", USERS, USERS), ("own", 1, 1), ("empty", 1, 0))  # users, with data
RESULTS_PATH = Path(__file__).parent / "results" / "persistence.json"
VOCABULARY = (
    "goal plan week habit run read write focus step progress review daily small win "
    "deadline milestone energy morning track measure coach reflect adjust keep start"
)
WORDS = VOCABULARY.split()
OPS = (
    ("build_context", "build_context (user, goals+content, last messages)"),
    ("build_context_again", "build_context again, no write in between"),
    ("append_user", "append_message: user message"),
    ("append_first_token", "append_message: assistant first token"),
    ("update_final", "update_message: final reply"),
    ("send_total", "whole send: the four above"),
    ("send_and_reply", "cross-check: send_and_reply, instant stub coach"),
    ("new_bucket", "append_message opening a new bucket (every 100)"),
)
KEYS = ("build_context", "append_user", "append_first_token", "update_final", "send_total",
        "build_context_again")  # fmt: skip
PERCENTILES = ("p50_ms", "p95_ms", "max_ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def text(rng: random.Random, low: int, high: int) -> str:
    words, size = [], rng.randint(low, high)
    while size > 0:
        words.append(rng.choice(WORDS))
        size -= len(words[-1]) + 1
    return " ".join(words).capitalize() + "."


def user_doc(index: int) -> dict:
    doc = _new_user_doc(f"bench{index}@example.test", f"Bench User {index}", "not-a-hash")
    return {"_id": ObjectId(), **doc}


def goal_docs(rng: random.Random, user_id: ObjectId, now: datetime) -> list[dict]:
    docs = []
    for index in range(GOALS_PER_USER):
        created = now - timedelta(days=rng.uniform(1, 120))
        docs.append(
            {
                "_id": ObjectId(),
                "user_id": user_id,
                "title": f"Goal {index}: {text(rng, 15, 50)}",
                "content": "\n\n".join(f"## Part {p}\n{text(rng, 200, 700)}" for p in range(3)),
                "phase": rng.choice(["draft", "active", "done"]),
                "template_type": "custom",
                "metadata": {"deadline": None, "milestones": [], "tags": []},
                "version": rng.randint(1, 20),
                "created_at": created,
                "updated_at": created + timedelta(days=rng.uniform(0, 1)),
            }
        )
    return docs


def bucket_docs(rng: random.Random, user_id: ObjectId, now: datetime) -> list[dict]:
    """Full buckets of past messages, shaped exactly as append_message leaves them."""
    per_day = MESSAGES_PER_USER // HISTORY_DAYS
    messages = []
    for days_ago in range(HISTORY_DAYS, 0, -1):
        start = (now - timedelta(days=days_ago)).replace(hour=8, minute=0, second=0)
        for index in range(per_day):
            user_turn = index % 2 == 0
            usage = {"input_tokens": rng.randint(800, 4000), "output_tokens": rng.randint(50, 400)}
            messages.append(
                {
                    "role": "user" if user_turn else "assistant",
                    "content": text(rng, 40, 400) if user_turn else text(rng, 200, 1500),
                    "timestamp": start + timedelta(minutes=2 * index),
                    "metadata": {} if user_turn else {"model": "claude-bench", "usage": usage},
                }
            )
    docs = []
    for sequence, offset in enumerate(range(0, len(messages), BUCKET_SIZE)):
        chunk = messages[offset : offset + BUCKET_SIZE]
        docs.append(
            {
                "_id": bucket_key(user_id, sequence),
                "count": len(chunk),
                "messages": chunk,
                "updated_at": chunk[-1]["timestamp"],
                "user_id": user_id,
                "sequence": sequence,
                "started_at": chunk[0]["timestamp"],
            }
        )
    return docs


async def seed(sqlite_path: Path, users: list[dict], with_data: int) -> dict[str, int]:
    """Batch-insert pre-built documents through mongoeco's in-process client."""
    from mongoeco import AsyncMongoClient
    from mongoeco.engines.sqlite import SQLiteEngine

    rng, now = random.Random(7), datetime.now(UTC)
    goals = [g for u in users[:with_data] for g in goal_docs(rng, u["_id"], now)]
    buckets = [b for u in users[:with_data] for b in bucket_docs(rng, u["_id"], now)]
    heads = [{"_id": u["_id"], "count": MESSAGES_PER_USER} for u in users[:with_data]]
    client = AsyncMongoClient(SQLiteEngine(str(sqlite_path)), pymongo_profile="auto-installed")
    async with client:
        db = client[DB_NAME]
        collections = (
            ("users", users),
            ("goals", goals),
            ("chat_messages", buckets),
            ("chat_heads", heads),
        )
        for name, docs in collections:
            for offset in range(0, len(docs), 500):  # insert_many([]) is an error
                await db[name].insert_many(docs[offset : offset + 500])
    messages = sum(b["count"] for b in buckets)
    return {"users": len(users), "goals": len(goals), "buckets": len(buckets), "messages": messages}


def machine() -> dict:
    """What ran the bench: Python, cores, and how fast this machine runs plain Python just
    now (the best of five passes of one fixed loop), so runs on different machines, or on a
    busy one, can be told apart."""
    passes = []
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number
        passes.append((time.perf_counter() - started) * 1000)
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "plain_python_loop_ms": round(min(passes), 1)}  # fmt: skip


def summary(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p95_ms": p95, "max_ms": ms[-1]}


class InstantCoach:
    """Streams a fixed reply at once: send_and_reply's own persistence, with no model."""

    def __init__(self, reply: str):
        self.tokens = reply.split(" ")

    async def reply(self, context):
        for token in self.tokens:
            yield token + " "
        yield ReplyDone(model="bench-instant", usage={"input_tokens": 1, "output_tokens": 1})


async def _noop_show(message_id: str, text_so_far: str) -> bool:
    return True


async def shape_matches(user_id: ObjectId) -> bool | None:
    """Keys and value types of a seeded bucket against the one append_message just wrote."""
    found = db_client.get_db().chat_messages.find({"user_id": user_id}).sort("started_at", -1)
    buckets = await found.limit(2).to_list()
    if len(buckets) < 2:
        return None

    def shape(doc: dict) -> dict:
        return {k: type(v).__name__ for k, v in doc.items() if k != "messages"} | {
            f"messages.{k}": type(v).__name__ for k, v in doc["messages"][0].items()
        }

    return shape(buckets[0]) == shape(buckets[1])


async def measure(user_id: ObjectId, others: list[ObjectId]) -> tuple[dict, dict]:
    rng, clock = random.Random(11), time.perf_counter
    samples: dict[str, list[float]] = {key: [] for key, _ in OPS}
    notes: dict = {"new_buckets_in_send_loop": 0}
    deadline = clock() + BUDGET_SECONDS
    await build_context(user_id, "warm-up", "")  # connection and first-query set-up
    # Seeded users have full buckets, so their next message opens a new one (an insert).
    for uid in [user_id, *others][:ITERATIONS]:
        started = clock()
        await append_message(uid, "user", text(rng, 40, 400))
        samples["new_bucket"].append(clock() - started)
    notes["seeded_bucket_shape_matches_app"] = await shape_matches(user_id)
    context = await build_context(user_id, "check", "")
    notes["context_seen"] = {"goals": len(context.goals), "history_turns": len(context.history)}
    for iteration in range(WARMUP + ITERATIONS):
        message, reply = text(rng, 40, 400), text(rng, 200, 1500)
        t0 = clock()
        await build_context(user_id, message, "")
        t1 = clock()
        await build_context(user_id, message, "")  # not part of the send: the no-write case
        t2 = clock()
        user_ref = await append_message(user_id, "user", message)
        t3 = clock()
        ref = await append_message(user_id, "assistant", reply[:6], {"streaming": True})
        t4 = clock()
        await update_message(user_id, ref, reply, {"model": "bench", "usage": {}})
        t5 = clock()
        notes["new_buckets_in_send_loop"] += (user_ref.index == 0) + (ref.index == 0)
        if iteration >= WARMUP:
            spans = (t1 - t0, t3 - t2, t4 - t3, t5 - t4, t5 - t0 - (t2 - t1), t2 - t1)
            for key, span in zip(KEYS, spans, strict=True):
                samples[key].append(span)
        if clock() > deadline:
            break
    for _ in range(CHECK_SAMPLES if clock() < deadline else 0):
        coach = InstantCoach(text(rng, 200, 1500))
        started = clock()
        await send_and_reply(user_id, text(rng, 40, 400), "", coach=coach, show=_noop_show)
        samples["send_and_reply"].append(clock() - started)
    notes["chat_buckets_after"] = await db_client.get_db().chat_messages.count_documents({})
    await db_client.close_clients()
    return {key: summary(values) for key, values in samples.items()}, notes


def run_scenario(workdir: Path, name: str, user_count: int, with_data: int) -> dict:
    sqlite_path, users = workdir / f"{name}.sqlite", [user_doc(i) for i in range(user_count)]
    started = time.perf_counter()
    result: dict = {"stored": asyncio.run(seed(sqlite_path, users, with_data))}
    result["seed_seconds"] = time.perf_counter() - started
    store = EmbeddedStore(free_port(), sqlite_path)
    try:
        started = time.perf_counter()
        db_client.configure(store.ensure_running(), DB_NAME)

        async def indexes() -> None:
            await ensure_indexes(db_client.get_db())  # as the app does at each start
            await db_client.close_clients()

        asyncio.run(indexes())
        result["start_and_index_seconds"] = time.perf_counter() - started
        others = [u["_id"] for u in users[1:]] or [ObjectId() for _ in range(ITERATIONS - 1)]
        started = time.perf_counter()
        result["ops"], result["notes"] = asyncio.run(measure(users[0]["_id"], others))
        result["measure_seconds"] = time.perf_counter() - started
    finally:
        store.stop()
    return result


def print_table(results: dict) -> None:
    print(f"\n{'operation':<52}{'db':>7}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for key, label in OPS:
        for name, scenario in results["scenarios"].items():
            row = scenario["ops"][key]
            figures = "".join(f"{row.get(f, float('nan')):>9.1f}" for f in PERCENTILES)
            print(f"{label:<52}{name:>7}{row['n']:>5}{figures}")
    print()
    for name, scenario in results["scenarios"].items():
        timings = ", ".join(
            f"{what} {scenario[f'{what}_seconds']:.1f} s"
            for what in ("seed", "start_and_index", "measure")
        )
        print(f"{name}: {json.dumps(scenario['stored'])}; {timings}")
        print(f"{name}: {json.dumps(scenario['notes'])}")


def main() -> None:
    started = time.perf_counter()
    print(
        f"Send-path persistence on the embedded store (mongoeco {version('mongoeco')} SQLite "
        f"over the wire, pymongo {version('pymongo')}); {ITERATIONS} sends per database "
        f"after {WARMUP} warm-up sends; bucket size {BUCKET_SIZE}.",
        flush=True,
    )
    results: dict = {
        "benchmark": "persistence",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {"mongoeco": version("mongoeco"), "pymongo": version("pymongo")},
        "config": {"users": USERS, "messages_per_user": MESSAGES_PER_USER,
                   "goals_per_user": GOALS_PER_USER, "history_days": HISTORY_DAYS,
                   "iterations": ITERATIONS, "warmup": WARMUP, "bucket_size": BUCKET_SIZE},
        "scenarios": {},
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-persistence-") as workdir:
        for name, user_count, with_data in SCENARIOS:
            results["scenarios"][name] = run_scenario(Path(workdir), name, user_count, with_data)
            print(f"{name}: done at {time.perf_counter() - started:.1f} s", flush=True)
    results["total_seconds"] = time.perf_counter() - started
    print_table(results)
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nTotal {results['total_seconds']:.1f} s. Figures written to {RESULTS_PATH}")


if __name__ == "__main__":
    main()
