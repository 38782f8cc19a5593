"""Sessions on the embedded store, among many people's sessions: what Settings' list costs
(one list document, then each session by exact `_id`), what a sign-in's session write costs
with its list entry, what each event's session check costs, and, for comparison, the
filter by `user_id` the list document avoids (no index on it: the store would scan).

Run `python -m bench.sessions_list [people]`; prints figures.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bson import ObjectId

from bench.persistence import free_port
from goalgetter.data import client as db_client
from goalgetter.data import sessions
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes

PEOPLE, SESSIONS_EACH, RUNS = 500, 4, 40
SECRET = "bench-" + "s" * 42
LIFETIME = timedelta(days=30)


async def _timed(step) -> float:
    started = time.perf_counter()
    await step()
    return (time.perf_counter() - started) * 1000


async def measure(people: int) -> dict[str, list[float]]:
    db = db_client.get_db()
    await ensure_indexes(db)
    for _ in range(people):
        user_id = ObjectId()
        for _ in range(SESSIONS_EACH):
            await sessions.create_session(user_id, SECRET, LIFETIME, "Firefox")
    person = ObjectId()
    keys = [
        sessions.session_key(await sessions.create_session(person, SECRET, LIFETIME), SECRET)
        for _ in range(SESSIONS_EACH)
    ]
    samples: dict[str, list[float]] = {
        "list (list document + each by _id)": [],
        "filter by user_id (avoided)": [],
        "event's session check": [],
        "sign-in's session write": [],
    }
    for _ in range(RUNS):
        samples["list (list document + each by _id)"].append(
            await _timed(lambda: sessions.list_for_user(person))
        )
        samples["filter by user_id (avoided)"].append(
            await _timed(lambda: db.sessions.find({"user_id": person}).to_list())
        )
        samples["event's session check"].append(
            await _timed(lambda: sessions.user_id_for_key(keys[0]))
        )
        samples["sign-in's session write"].append(
            await _timed(lambda: sessions.create_session(ObjectId(), SECRET, LIFETIME, "x"))
        )
        await _sign_in_parts(db, samples)
    return samples


async def _sign_in_parts(db, samples: dict[str, list[float]]) -> None:
    """The two writes of a first sign-in, apart: its list entry, and the session itself."""
    newcomer, key = ObjectId(), ObjectId().binary.hex()
    listed = await _timed(
        lambda: db.user_sessions.update_one(
            {"_id": newcomer}, {"$set": {f"keys.{key}": 1}}, upsert=True
        )
    )
    inserted = await _timed(
        lambda: db.sessions.insert_one({"_id": key, "user_id": newcomer, "expires_at": None})
    )
    samples.setdefault("  of which the list entry", []).append(listed)
    samples.setdefault("  of which the session insert", []).append(inserted)


def main(people: int = PEOPLE) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as workdir:
        store = EmbeddedStore(free_port(), Path(workdir) / "sessions.sqlite")
        try:
            db_client.configure(store.ensure_running(), "goalgetter_bench_sessions")

            async def run():
                try:
                    return await measure(people)
                finally:
                    await db_client.close_clients()

            samples = asyncio.run(run())
        finally:
            store.stop()
    figures = {}
    total = people * SESSIONS_EACH
    for case, values in samples.items():
        ordered = sorted(values)
        p50, p95 = statistics.median(values), ordered[round(0.95 * (len(ordered) - 1))]
        figures[case] = {"p50_ms": p50, "p95_ms": p95}
        print(f"{total} sessions stored, {case}: p50 {p50:.1f}  p95 {p95:.1f} ms")
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
