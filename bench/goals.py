"""The goal list and the save path on the embedded store (mongoeco SQLite over the wire).

Stored: the measured user's 500 goals (tags, phases, milestones, 0.5-2 KB of text) and 1,500
goals of 10 other users, with each user's goal list (built as bench.scale builds them).
Measured with the app's real functions:
- the list's first page (20 of the default "open goals" filter), and with a tag and a search;
- opening a goal (get_goal);
- a save round trip: save_text with its version check plus the revision it records, both a
  save that joins the last revision and one that starts a new revision.
Run `python -m bench.goals`; prints a table, writes bench/results/goals.json, never asserts.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bson import ObjectId

from bench._scale_seed import PHASES, goal_doc, list_documents
from bench.persistence import free_port, summary
from goalgetter.data import client as db_client
from goalgetter.data import goals
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes

DB_NAME = "goalgetter_bench_goals"
OWN_GOALS, OTHER_USERS, OTHER_GOALS_EACH = 500, 10, 150
ITERATIONS = 40
RESULTS_PATH = Path(__file__).parent / "results" / "goals.json"


async def seed(sqlite_path: Path) -> ObjectId:
    """Batch-insert through mongoeco's in-process client (over the wire, each insert scans)."""
    from mongoeco import AsyncMongoClient
    from mongoeco.engines.sqlite import SQLiteEngine

    rng, now, own = random.Random(5), datetime.now(UTC), ObjectId()
    docs = [goal_doc(rng, own, i, now, rng.choice(PHASES)) for i in range(OWN_GOALS)]
    for _ in range(OTHER_USERS):
        other = ObjectId()
        docs += [goal_doc(rng, other, i, now, rng.choice(PHASES)) for i in range(OTHER_GOALS_EACH)]
    rng.shuffle(docs)
    client = AsyncMongoClient(SQLiteEngine(str(sqlite_path)), pymongo_profile="auto-installed")
    async with client:
        for name, batch in (("goals", docs), ("goal_lists", list_documents(docs))):
            for offset in range(0, len(batch), 500):
                await client[DB_NAME][name].insert_many(batch[offset : offset + 500])
    return own


async def timed(samples: list[float], call: Callable[[], Awaitable[object]]) -> object:
    started = time.perf_counter()
    result = await call()
    samples.append(time.perf_counter() - started)
    return result


async def measure(user_id: ObjectId) -> dict[str, dict]:
    await ensure_indexes(db_client.get_db())
    samples: dict[str, list[float]] = {
        k: [] for k in ("first_page", "tag_page", "search_page", "open", "save_join", "save_new")
    }
    page = await goals.list_goals(user_id)
    ids = [g["_id"] for g in page.goals]
    for i in range(ITERATIONS):
        await timed(samples["first_page"], lambda: goals.list_goals(user_id))
        await timed(samples["tag_page"], lambda: goals.list_goals(user_id, tag="Health"))
        await timed(samples["search_page"], lambda: goals.list_goals(user_id, search="goal 1"))
        goal_id = ids[i % len(ids)]
        goal = await timed(samples["open"], lambda g=goal_id: goals.get_goal(user_id, g))
        # The first save of a goal starts a revision; the next, seconds later, joins it.
        for key in ("save_new", "save_join"):
            outcome = await timed(
                samples[key],
                lambda g=goal: goals.save_text(
                    user_id, g["_id"], base_version=g["version"], content=g["content"] + " more"
                ),
            )
            goal = outcome.goal
    return {key: summary(values) for key, values in samples.items()}


async def run(sqlite_path: Path) -> dict:
    user_id = await seed(sqlite_path)
    store = EmbeddedStore(free_port(), sqlite_path)
    try:
        db_client.configure(await asyncio.to_thread(store.ensure_running), DB_NAME)
        try:
            return await measure(user_id)
        finally:
            await db_client.close_clients()
    finally:
        await asyncio.to_thread(store.stop)


def main() -> None:
    print(
        f"Goals on the embedded store: {OWN_GOALS} goals of the measured user, "
        f"{OTHER_USERS * OTHER_GOALS_EACH} of others; {ITERATIONS} rounds.",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-goals-") as workdir:
        figures = asyncio.run(run(Path(workdir) / "goals.sqlite"))
    for name, row in figures.items():
        print(
            f"{name:<14} n={row['n']:<3} p50 {row['p50_ms']:7.1f} ms  "
            f"p95 {row['p95_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms"
        )
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
