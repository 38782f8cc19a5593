"""The embedded store's engine side by side: mongoeco's SQLite engine as released, and with the
fixes of goalgetter/data/store_patches.py, over the wire with pymongo, at 1k / 5k / 20k
documents in one collection (50 owners, a single-field index on `user_id`, a unique index on
`email`). "After a write": an untimed update by `_id` just before the timed read, as happens
on every hot path. Each size is filled once by a patched server (over the wire an unpatched
insert decodes the whole collection) and copied for each engine, so both read the same file.

Run: python -m bench.store_engines [runs] [sizes, e.g. 1000,5000]
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bson import ObjectId
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from bench._app import percentile, report
from goalgetter.data import store_indexes
from goalgetter.data.embedded_store import EmbeddedStore
from tests.fakes.anthropic_fake import free_port

RUNS = 30
SIZES = (1_000, 5_000, 20_000)
OWNERS = [ObjectId() for _ in range(50)]
RESULTS = Path(__file__).resolve().parent / "results"


def _doc(number: int) -> dict:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    return {
        "_id": ObjectId(),
        "user_id": OWNERS[number % len(OWNERS)],
        "email": f"person{number}@example.com",
        "title": f"goal {number}",
        "content": "Run 5 km three times a week by June 2027. " * 6,
        "metadata": {"deadline": None, "milestones": [], "tags": ["health"]},
        "updated_at": at,
    }


def _fill(path: Path, size: int) -> None:
    store = EmbeddedStore(free_port(), path, patched=True)
    client = MongoClient(store.ensure_running())
    try:
        goals = client.bench.goals
        goals.create_index("user_id", name="user")
        goals.create_index("email", unique=True, name="email_unique")
        for start in range(0, size, 500):
            goals.insert_many([_doc(n) for n in range(start, min(size, start + 500))])
    finally:
        client.close()
        store.stop()


def _timed(operation) -> float:
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


def _refused(operation) -> None:
    try:
        operation()
    except DuplicateKeyError:
        return
    raise AssertionError("a duplicate was accepted")


def _measure(goals, size: int, runs: int) -> dict[str, list[float]]:
    existing = [d["_id"] for d in goals.find({}, {"_id": 1}).limit(50)]
    samples: dict[str, list[float]] = {}

    def add(name: str, operation, after_write: bool = False, number: int = 0) -> None:
        if after_write:
            goals.update_one({"_id": existing[number % 50]}, {"$set": {"touched": number}})
        samples.setdefault(name, []).append(_timed(operation))

    for n in range(runs):
        owner = OWNERS[n % len(OWNERS)]
        add("insert_one", lambda n=n: goals.insert_one(_doc(size + n)))
        add(
            "duplicate _id refused",
            lambda: _refused(lambda: goals.insert_one({"_id": existing[0]})),
        )
        add("duplicate email refused", lambda: _refused(lambda: goals.insert_one(_doc(1))))
        add("find_one missing _id", lambda: goals.find_one({"_id": ObjectId()}))
        add(
            "upsert that creates",
            lambda n=n: goals.update_one(
                {"_id": ObjectId()}, {"$set": {"email": f"new{n}@example.com"}}, upsert=True
            ),
        )
        add(
            "find_one by email",
            lambda n=n: goals.find_one({"email": f"person{n}@example.com"}),
            True,
            n,
        )
        add("find_one by user_id", lambda o=owner: goals.find_one({"user_id": o}), True, n)
        add(
            "find by user_id, sort, 10",
            lambda o=owner: goals.find({"user_id": o}).sort("updated_at", -1).limit(10).to_list(),
            True,
            n,
        )
        add("count by user_id", lambda o=owner: goals.count_documents({"user_id": o}), True, n)
        add(
            "update_one by _id",
            lambda n=n: goals.update_one({"_id": existing[n % 50]}, {"$inc": {"v": 1}}),
        )
    return samples


def _indexes_as_released(path: Path) -> None:
    """Fix 12 undone on a copy filled by the patched store: each index over the whole table,
    as the released engine builds it."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        narrowed = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND instr(sql, ?) > 0",
            (store_indexes.NAMESPACE,),
        ).fetchall()
        for name, sql in narrowed:
            conn.execute(f'DROP INDEX "{name}"')
            conn.execute(sql.split(store_indexes.NAMESPACE)[0])
        conn.commit()


def _engine_figures(template: Path, size: int, patched: bool, runs: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "store.sqlite"
        for suffix in ("", "-wal"):
            if Path(f"{template}{suffix}").exists():
                shutil.copyfile(f"{template}{suffix}", f"{path}{suffix}")
        if not patched:
            _indexes_as_released(path)
        store = EmbeddedStore(free_port(), path, patched=patched)
        client = MongoClient(store.ensure_running())
        try:
            goals = client.bench.goals
            goals.find_one({"user_id": OWNERS[0]})  # first-use work (catalog, connection)
            return _measure(goals, size, runs)
        finally:
            client.close()
            store.stop()


def main(runs: int = RUNS, sizes: tuple[int, ...] = SIZES) -> dict:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for size in sizes:
            template = Path(workdir) / f"template-{size}.sqlite"
            _fill(template, size)
            for patched in (False, True):
                engine = "patched" if patched else "released"
                for name, values in _engine_figures(template, size, patched, runs).items():
                    figures[f"{name} | {size} | {engine} p50"] = statistics.median(values)
                    figures[f"{name} | {size} | {engine} p95"] = percentile(values, 0.95)
    _print_table(figures, sizes)
    return report("Embedded store engines (ms)", figures, RESULTS / "store_engines.json")


def _print_table(figures: dict[str, float], sizes: tuple[int, ...]) -> None:
    names = list(dict.fromkeys(key.split(" | ")[0] for key in figures))
    columns = [(size, engine) for size in sizes for engine in ("released", "patched")]
    print(
        "p50 ms".ljust(28)
        + "".join(f"{size // 1000}k {engine}".rjust(14) for size, engine in columns)
    )
    for name in names:
        cells = [figures[f"{name} | {size} | {engine} p50"] for size, engine in columns]
        print(name.ljust(28) + "".join(f"{cell:14.1f}" for cell in cells))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else RUNS,
        tuple(int(s) for s in sys.argv[2].split(",")) if len(sys.argv) > 2 else SIZES,
    )
