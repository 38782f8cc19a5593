"""The calendar feed: a private URL serving the check-ins as iCalendar; rotating it ends the
old URL at once; the token is stored only as a hash."""

from __future__ import annotations

from datetime import timedelta

import httpx
from icalendar import Calendar
from starlette.applications import Starlette

from goalgetter.calendar_routes import CALENDAR_ROUTES
from goalgetter.data import calendar_feeds, meetings
from goalgetter.data.client import get_db
from tests.integration.test_reminders import FIRST, T0, start

SECRET = "feed-test-secret-" + "x" * 32


async def get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=Starlette(routes=CALENDAR_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://calendar") as client:
        return await client.get(path)


async def test_the_feed_serves_the_check_ins_and_rotation_ends_the_old_url(ann):
    state = await start(ann)
    token = await calendar_feeds.feed_token(ann, SECRET)
    assert await calendar_feeds.feed_token(ann, SECRET) == token  # shown again, the same
    stored = await get_db().calendar_feeds.find({"user_id": ann}).to_list()
    assert len(stored) == 1 and stored[0]["_id"] != token and token not in str(stored)
    response = await get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.text).walk("VEVENT")
    planned = [m for m in state["meetings"] if m["status"] == "scheduled"]
    assert [str(e["uid"]) for e in events] == [f"{m['id']}@goalgetter" for m in planned]
    assert events[0].decoded("dtstart") == FIRST
    cancelled = await meetings.cancel(ann, planned[1]["id"], now=T0 + timedelta(hours=1))
    after = Calendar.from_ical((await get(f"/calendar/{token}.ics")).text).walk("VEVENT")
    assert f"{cancelled['id']}@goalgetter" not in [str(e["uid"]) for e in after]

    new = await calendar_feeds.rotate(ann, SECRET)
    assert new != token
    assert (await get(f"/calendar/{token}.ics")).status_code == 404
    assert (await get(f"/calendar/{new}.ics")).status_code == 200
    assert (await get("/calendar/" + "A" * 43 + ".ics")).status_code == 404
