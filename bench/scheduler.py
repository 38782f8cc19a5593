"""Meetings on the embedded store at 10,000 tracking users (mongoeco SQLite over the wire).

Stored: 10,000 users in tracking, each with a weekly series (random weekday and quarter hour)
of 6 finished meetings (completed or missed) and 4 scheduled ones, each with its `due_at`.
Seeding batch-inserts documents built by the app's own pure functions
(meeting_state.new_state / advance / settle) through mongoeco's in-process client; measuring
goes over the wire through the app's functions, with an EmbeddedStore on that file.

Measured:
- the gate read on the send path: gate_view (user + series by exact `_id`) + coach_access,
  quiet and with a write to the series collection before each read;
- the send path's claims: mark_attended + claim_greeting (compare-and-set each);
- one scheduler tick with nothing due, and with ~1% of the series due;
- start_tracking at this size, and for comparison what the designs avoided: the scan
  `find({"state.next_due_at": {"$lte": now}})` after a write, a phase flip filtered on the
  phase, and insert_one for the series (start_tracking upserts on the bare `_id`).
Run `python -m bench.scheduler`; prints figures, writes bench/results/scheduler.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

from bson import ObjectId

from bench.persistence import free_port, machine, summary
from goalgetter import mail_delivery, scheduler
from goalgetter.data import client as db_client
from goalgetter.data import meeting_series, meetings
from goalgetter.data import meeting_state as ms
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.data.users import _new_user_doc
from goalgetter.domain.meetings import coach_access
from goalgetter.domain.recurrence import parse_schedule

DB_NAME = "goalgetter_bench_scheduler"
USERS = int(os.environ.get("BENCH_SCHEDULER_USERS", "10000"))
PAST, UPCOMING = ms.KEEP_FINISHED, ms.DEFAULT_UPCOMING  # a series as it settles
GATE_SAMPLES, CLAIM_SAMPLES, QUIET_TICKS, SCAN_SAMPLES, START_SAMPLES = 300, 40, 10, 3, 3
RESULTS_PATH = Path(__file__).parent / "results" / "scheduler.json"


def build(rng: random.Random, now: datetime, count: int = USERS) -> tuple[list[dict], list[dict]]:
    users, series = [], []
    for index in range(count):
        user_id = ObjectId()
        schedule = parse_schedule(
            cadence="weekly",
            weekday=rng.randrange(7),
            day_of_month=None,
            local_time=f"{rng.randrange(7, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}",
            timezone=rng.choice(("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")),
            duration_minutes=rng.choice((30, 45, 60)),
            anchor_after=now - timedelta(weeks=PAST),
        )
        state = ms.new_state(schedule, now=now - timedelta(weeks=PAST), upcoming=PAST)
        for meeting in state["meetings"]:
            if rng.random() < 0.7:
                meeting["attended_at"] = meeting["start"] + timedelta(minutes=2)
                meeting["notes"] = "Ran twice, slept better; next: keep the Sunday long run."
                meeting["recap"] = "- Ran twice\n- Slept better\n- Next: the Sunday long run"
        state["upcoming"] = UPCOMING
        ms.advance(state, now)
        ms.settle(state, now)
        user = {"_id": user_id, **_new_user_doc(f"b{index}@example.test", f"B {index}", "x")}
        user.update(phase="tracking", meeting_interval="weekly")
        user["meeting_schedule"] = state["schedule"]
        users.append(user)
        series.append({"_id": user_id, **meeting_series.new_series(user_id, state)})
    return users, series


async def seed(path: Path, users: list[dict], series: list[dict]) -> dict:
    from mongoeco import AsyncMongoClient
    from mongoeco.engines.sqlite import SQLiteEngine

    client = AsyncMongoClient(SQLiteEngine(str(path)), pymongo_profile="auto-installed")
    async with client:
        db = client[DB_NAME]
        # Before the users: built over 3,000 existing users, mongoeco takes ~1 min for this
        # unique index (10,000: many), while inserts keep an existing one at no visible cost.
        await db.users.create_index([("email", 1)], unique=True, name="email_unique")
        for name, docs in (("users", users), ("meeting_series", series)):
            for offset in range(0, len(docs), 500):
                await db[name].insert_many(docs[offset : offset + 500])
    meetings_stored = sum(len(d["state"][0]["meetings"]) for d in series)
    return {"users": len(users), "meetings": meetings_stored}


async def timed(samples: list[float], call: Callable[[], Awaitable[object]]) -> object:
    started = time.perf_counter()
    result = await call()
    samples.append(time.perf_counter() - started)
    return result


async def measure(series: list[dict], now: datetime) -> dict:
    rng, db = random.Random(5), db_client.get_db()
    samples: dict[str, list[float]] = {}
    notes: dict = {}

    def bucket(key: str) -> list[float]:
        if key not in samples:
            print(f"  measuring {key}", flush=True)
        return samples.setdefault(key, [])

    await meetings.gate_view(series[0]["_id"])  # connection set-up
    for index in range(GATE_SAMPLES):
        user_id = rng.choice(series)["_id"]
        phase, times = await timed(bucket("gate_read"), lambda u=user_id: meetings.gate_view(u))
        started = time.perf_counter()
        coach_access(phase, times, now)
        bucket("coach_access").append(time.perf_counter() - started)
        other, user_id = rng.choice(series)["_id"], rng.choice(series)["_id"]
        await db.meeting_series.update_one({"_id": other}, {"$set": {"x": index}})
        await timed(bucket("gate_read_after_write"), lambda u=user_id: meetings.gate_view(u))

    for doc in rng.sample(series, CLAIM_SAMPLES):
        state = doc["state"][0]
        meeting = next(m for m in state["meetings"] if m["status"] == "scheduled")
        at = meeting["start"] + timedelta(minutes=1)
        args = (doc["_id"], meeting["id"], at)
        await timed(bucket("mark_attended"), lambda a=args: meetings.mark_attended(*a))
        claimed = await timed(bucket("claim_greeting"), lambda a=args: meetings.claim_greeting(*a))
        notes.setdefault("claims_won", 0)
        notes["claims_won"] += claimed is True

    # Ahead of the seeding's clock: due instants behind it are reminders whose moment had
    # passed when their check-in was planned (skipped, not sent); ahead, they are sent.
    dues = sorted(
        d["state"][0]["next_due_at"] for d in series if d["state"][0]["next_due_at"] > now
    )
    quiet = dues[0] - timedelta(minutes=1)
    for _ in range(QUIET_TICKS):
        report = await timed(bucket("tick_none_due"), lambda: scheduler.tick(quiet))
    notes["tick_none_due_report"] = str(report)
    for rank in (USERS // 100, 2 * USERS // 100):
        report = await timed(bucket("tick_1pct_due"), lambda r=rank: scheduler.tick(dues[r - 1]))
        notes[f"tick_at_rank_{rank}"] = str(report)
        await mail_delivery.settled()
        await timed(bucket("tick_after_1pct"), lambda r=rank: scheduler.tick(dues[r - 1]))

    for index in range(SCAN_SAMPLES):
        await db.meeting_series.update_one({"_id": series[index]["_id"]}, {"$set": {"y": index}})
        await timed(
            bucket("scan_next_due_after_write"),
            lambda: db.meeting_series.find(
                {"state.next_due_at": {"$lte": dues[200]}}, {"_id": 1}
            ).to_list(),
        )
    schedule = ms.schedule_from_doc(series[0]["state"][0]["schedule"])
    for index in range(START_SAMPLES):
        user = {"_id": ObjectId(), **_new_user_doc(f"new{index}@example.test", "New", "x")}
        await timed(bucket("sign_up_insert_user"), lambda u=user: db.users.insert_one(u))
        await timed(
            bucket("start_tracking"),
            lambda u=user: meetings.start_tracking(u["_id"], schedule, now=now),
        )
        # What start_tracking avoids: a flip filtered on the phase (scans `users`) and
        # insert_one for the series (decodes the collection), against the upsert it uses.
        flip = {"_id": rng.choice(series)["_id"], "phase": "goal_setting"}
        await timed(
            bucket("  avoided: filtered flip"),
            lambda f=flip: db.users.find_one_and_update(f, {"$set": {"z": 1}}),
        )
        doc = {**series[index], "_id": ObjectId()}
        await timed(bucket("  avoided: insert_one"), lambda d=doc: db.meeting_series.insert_one(d))
        fields = {key: value for key, value in series[index].items() if key != "_id"}
        await timed(
            bucket("  part: series upsert"),
            lambda f=fields: db.meeting_series.update_one(
                {"_id": ObjectId()}, {"$setOnInsert": f}, upsert=True
            ),
        )
    notes["series_after"] = await db.meeting_series.estimated_document_count()
    await db_client.close_clients()
    return {"ops": {key: summary(values) for key, values in samples.items()}, "notes": notes}


def main() -> None:
    started = time.perf_counter()
    print(
        f"Meetings at {USERS:,} tracking users on the embedded store (mongoeco "
        f"{version('mongoeco')} SQLite over the wire, pymongo {version('pymongo')}).",
        flush=True,
    )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    users, series = build(random.Random(3), now)
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    results: dict = {
        "benchmark": "scheduler",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {"mongoeco": version("mongoeco"), "pymongo": version("pymongo")},
        "config": {"users": USERS, "past_meetings": PAST, "upcoming": UPCOMING},
    }
    with tempfile.TemporaryDirectory(prefix="bench-scheduler-") as workdir:
        path = Path(workdir) / "scheduler.sqlite"
        results["stored"] = asyncio.run(seed(path, users, series))
        results["seed_seconds"] = time.perf_counter() - started
        print(f"seeded at {results['seed_seconds']:.1f} s", flush=True)
        store = EmbeddedStore(free_port(), path)
        try:
            db_client.configure(store.ensure_running(), DB_NAME)

            async def run() -> dict:
                began = time.perf_counter()
                await ensure_indexes(db_client.get_db())  # as the app does at each start
                print(f"indexes in {time.perf_counter() - began:.1f} s", flush=True)
                return await measure(series, now)

            results.update(asyncio.run(run()))
        finally:
            store.stop()
    results["total_seconds"] = time.perf_counter() - started
    print(f"\n{'operation':<28}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for key, row in results["ops"].items():
        figures = "".join(f"{row[f]:>10.1f}" for f in ("p50_ms", "p95_ms", "max_ms"))
        print(f"{key:<28}{row['n']:>5}{figures}")
    for key, value in results["notes"].items():
        print(f"{key}: {value}")
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nTotal {results['total_seconds']:.1f} s. Figures written to {RESULTS_PATH}")


if __name__ == "__main__":
    main()
