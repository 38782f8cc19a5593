"""The shared page's server time: a share of 20 goals with check-in progress (50 check-ins
each) and the latest recap, rendered by the real route over the embedded store.

Seeds one tracking user with 20 active goals (1-2 KB of markdown, 4 milestones each) and a
weekly series of 50 completed check-ins recording every goal. Times GET /s/<token> (read the
share, the goals, the check-ins, render) and the PDF of the same, through the app's routes.
Run `python -m bench.share_page`; prints figures.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from starlette.applications import Starlette

from bench.persistence import free_port
from goalgetter import shared_routes
from goalgetter.data import client as db_client
from goalgetter.data import goals, shares, users
from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.domain.recurrence import parse_schedule

GOALS, CHECKINS, RUNS, WARMUP = 20, 50, 50, 3


async def seed(rng: random.Random) -> str:
    await ensure_indexes(get_db())
    user = await users.create_user("partner-bench@example.test", "Bench Person", "x")
    user_id, now = user["_id"], datetime.now(UTC)
    goal_ids = []
    for number in range(GOALS):
        body = "\n".join(f"- **Step {n}**: run {rng.randint(3, 15)} km" for n in range(40))
        goal = await goals.create_goal(user_id, f"Goal {number}", body)
        await goals.set_phase(user_id, goal["_id"], "active")
        for step in range(4):
            await goals.add_milestone(user_id, goal["_id"], f"Milestone {step}", "2027-06-01")
        goal_ids.append(str(goal["_id"]))
    start = now - timedelta(weeks=CHECKINS + 1)
    schedule = parse_schedule(
        cadence="weekly", weekday=1, day_of_month=None, local_time="18:00",
        timezone="Europe/Berlin", duration_minutes=45, anchor_after=start,
    )  # fmt: skip
    state = ms.new_state(schedule, now=start, upcoming=CHECKINS)
    for week, meeting in enumerate(state["meetings"]):
        meeting.update(status="completed", attended_at=meeting["start"], recap="- Ran\n- Slept")
        meeting["checkins"] = {
            gid: {"progress": min(100, 2 * week), "confidence": "on_track", "note": "", "at": now}
            for gid in goal_ids
        }
    await get_db().meeting_series.insert_one({"_id": user_id, "user_id": user_id, "state": [state]})
    await get_db().users.update_one({"_id": user_id}, {"$set": {"phase": "tracking"}})
    token, _ = await shares.create_share(user_id, goal_ids=goal_ids, include_progress=True)
    return token


async def measure() -> dict[str, list[float]]:
    token = await seed(random.Random(3))
    app = Starlette(routes=shared_routes.SHARE_ROUTES)
    transport = httpx.ASGITransport(app=app)
    samples: dict[str, list[float]] = {"page": [], "pdf": []}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for number in range(RUNS + WARMUP):
            for name, path in (("page", f"/s/{token}"), ("pdf", f"/s/{token}/goals.pdf")):
                shared_routes.reset_share_limits()  # one address, far past a person's views
                started = time.perf_counter()
                response = await client.get(path)
                spent = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                if number >= WARMUP:
                    samples[name].append(spent)
    return samples


def main() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-share-") as workdir:
        store = EmbeddedStore(free_port(), Path(workdir) / "share.sqlite")
        try:
            db_client.configure(store.ensure_running(), "goalgetter_bench_share")

            async def run():
                try:
                    return await measure()
                finally:
                    await db_client.close_clients()

            samples = asyncio.run(run())
        finally:
            store.stop()
    figures = {}
    for name, values in samples.items():
        ordered = sorted(values)
        figures[name] = {
            "p50_ms": statistics.median(values),
            "p95_ms": ordered[round(0.95 * (len(ordered) - 1))],
        }
        print(
            f"shared {name:<5} ({GOALS} goals, {CHECKINS} check-ins each)  "
            f"p50 {figures[name]['p50_ms']:6.1f}  p95 {figures[name]['p95_ms']:6.1f} ms"
        )
    return figures


if __name__ == "__main__":
    main()
