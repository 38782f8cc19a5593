"""A Google Calendar poll pass: PEOPLE connected people (four check-ins each, in their
calendar already), every one due, read with their sync token (the loopback Google over real
HTTP, the embedded store), first with nothing changed in Google, then with one person in a
hundred having moved a check-in (a reschedule, its event rewritten). Run
`python -m bench.calendar_sync`; prints figures."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.persistence import free_port
from goalgetter import calendar_sync
from goalgetter.data import calendar_links, meetings
from goalgetter.data import client as db_client
from goalgetter.data.client import get_db
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.google_calendar_routes import GOOGLE_CALENDAR_ROUTES
from goalgetter.routes import http_routes
from goalgetter.settings import get_settings
from tests.fakes.google_calendar_fake import FakeGoogleCalendar
from tests.fakes.oauth_fake import FakeOAuth

PEOPLE, PASSES = 100, 5
APP = "http://localhost:8000"


async def connect_one(google: FakeGoogleCalendar, outside: httpx.AsyncClient, number: int):
    email = f"cal-{number}@example.test"
    google.oauth.google_account(email)
    transport = httpx.ASGITransport(app=http_routes(*GOOGLE_CALENDAR_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url=APP) as app:
        form = {"name": f"Cal {number}", "email": email, "password": "bench password 1"}
        await app.post("/auth/signup", data=form)
        user_id = (await get_db().users.find_one({"email": email}))["_id"]
        schedule = parse_schedule(
            cadence="weekly", weekday=number % 7, day_of_month=None, local_time="18:30",
            timezone="Europe/Berlin", duration_minutes=45,
            anchor_after=datetime.now(UTC) + timedelta(days=1),
        )  # fmt: skip
        await meetings.start_tracking(user_id, schedule, now=datetime.now(UTC))
        start = await app.get("/integrations/google-calendar/connect")
        back = urlsplit((await outside.get(start.headers["location"])).headers["location"])
        await app.get(f"{back.path}?{back.query}")
    return user_id, email


async def timed_pass(now: datetime) -> tuple[float, list]:
    started = time.perf_counter()
    reports = await calendar_sync.poll_due(now)
    return (time.perf_counter() - started) * 1000, reports


async def measure(google: FakeGoogleCalendar) -> dict[str, list[float]]:
    await ensure_indexes(get_db())
    people = []
    async with httpx.AsyncClient() as outside:
        for number in range(PEOPLE):
            people.append(await connect_one(google, outside, number))
    await calendar_sync.finish_pending()
    if len(google.events(people[0][1])) != 4:
        raise RuntimeError("the check-ins did not reach the calendar")
    figures: dict[str, list[float]] = {"nothing changed": [], "1% moved in Google": []}
    now = datetime.now(UTC)
    for number in range(PASSES):
        now += timedelta(seconds=get_settings().google_calendar_poll_seconds + 1)
        spent, reports = await timed_pass(now)
        if len(reports) != PEOPLE or any(r is None or r.problem for r in reports):
            raise RuntimeError("a sync failed")
        figures["nothing changed"].append(spent)
        for user_id, email in [people[number * 17 % PEOPLE]]:  # one in a hundred
            link = await calendar_links.get(user_id)
            state = await meetings.series(user_id)
            second = [m for m in state["meetings"] if m["status"] == "scheduled"][1]
            moved = second["start"] + timedelta(hours=2)
            event_id = link["events"][second["id"]]["event_id"]
            google.person_moves(email, event_id, moved, moved + timedelta(minutes=45))
        now += timedelta(seconds=get_settings().google_calendar_poll_seconds + 1)
        spent, reports = await timed_pass(now)
        if sum(r.moved for r in reports) != 1:
            raise RuntimeError("the move in Google was not applied")
        figures["1% moved in Google"].append(spent)
    return figures


def main() -> dict:
    oauth = FakeOAuth().start()
    google = FakeGoogleCalendar(oauth).install()
    saved = dict(os.environ)
    bench_env = {"SECRET_KEY": "bench-" + "k" * 42, "AUTH_RATE_LIMITS": "false"}
    os.environ.update({**google.settings_env(), **bench_env})
    get_settings.cache_clear()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-gcal-") as workdir:
            store = EmbeddedStore(free_port(), Path(workdir) / "gcal.sqlite")
            try:
                db_client.configure(store.ensure_running(), "goalgetter_bench_gcal")

                async def run():
                    try:
                        return await measure(google)
                    finally:
                        await db_client.close_clients()

                samples = asyncio.run(run())
            finally:
                store.stop()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        oauth.stop()
    figures = {}
    for case, values in samples.items():
        p50, worst = statistics.median(values), max(values)
        figures[case] = {"p50_ms": p50, "max_ms": worst, "per_person_ms": p50 / PEOPLE}
        print(
            f"Google Calendar poll pass, {PEOPLE} people, {case}: p50 {p50:.0f} ms "
            f"(max {worst:.0f}; {p50 / PEOPLE:.1f} ms a person)"
        )
    return figures


if __name__ == "__main__":
    main()
