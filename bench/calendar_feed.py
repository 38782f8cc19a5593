"""The calendar feed's server time for a person with 100 check-ins (a weekly series, 100
planned ahead), through the real route over the embedded store. Run
`python -m bench.calendar_feed`; prints figures."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from starlette.applications import Starlette

from bench.persistence import free_port
from goalgetter.calendar_routes import CALENDAR_ROUTES
from goalgetter.data import calendar_feeds, users
from goalgetter.data import client as db_client
from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.domain.recurrence import parse_schedule

CHECK_INS, RUNS, WARMUP = 100, 50, 3


async def seed() -> str:
    user = await users.create_user("feed-bench@example.test", "Feed Bench", "x")
    now = datetime.now(UTC)
    schedule = parse_schedule(
        cadence="weekly", weekday=2, day_of_month=None, local_time="18:30",
        timezone="Europe/Berlin", duration_minutes=45, anchor_after=now + timedelta(days=1),
    )  # fmt: skip
    state = ms.new_state(schedule, now=now, upcoming=CHECK_INS)
    doc = {"_id": user["_id"], "user_id": user["_id"], "state": [state]}
    await get_db().meeting_series.insert_one(doc)
    return await calendar_feeds.feed_token(user["_id"], "bench-secret-" + "x" * 40)


async def measure() -> list[float]:
    token = await seed()
    transport = httpx.ASGITransport(app=Starlette(routes=CALENDAR_ROUTES))
    samples = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for number in range(RUNS + WARMUP):
            started = time.perf_counter()
            response = await client.get(f"/calendar/{token}.ics")
            spent = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or response.text.count("BEGIN:VEVENT") != CHECK_INS:
                raise RuntimeError(f"the feed answered {response.status_code}")
            if number >= WARMUP:
                samples.append(spent)
    return samples


def main() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as workdir:
        store = EmbeddedStore(free_port(), Path(workdir) / "feed.sqlite")
        try:
            db_client.configure(store.ensure_running(), "goalgetter_bench_feed")

            async def run():
                try:
                    return await measure()
                finally:
                    await db_client.close_clients()

            samples = asyncio.run(run())
        finally:
            store.stop()
    ordered = sorted(samples)
    figures = {
        "p50_ms": statistics.median(samples),
        "p95_ms": ordered[round(0.95 * (len(ordered) - 1))],
    }
    p50, p95 = figures["p50_ms"], figures["p95_ms"]
    print(f"calendar feed, {CHECK_INS} check-ins: p50 {p50:.1f}  p95 {p95:.1f} ms")
    return figures


if __name__ == "__main__":
    main()
