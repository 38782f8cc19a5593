"""/calendar/<token>.ics: the person's check-ins as a feed for their calendar app.

Past 30 days and everything planned, with the same UIDs as the invitations, so a calendar
that got both shows each check-in once. An unknown or rotated token answers 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from goalgetter.data import calendar_feeds, meetings
from goalgetter.domain.timezones import first_zone
from goalgetter.integrations import ics
from goalgetter.settings import get_settings

PAST = timedelta(days=30)


async def calendar_feed(request: Request) -> Response:
    user_id = await calendar_feeds.feed_owner(request.path_params["token"])
    if user_id is None:
        return PlainTextResponse("No such calendar.", status_code=404)
    now = datetime.now(UTC)
    state = await meetings.series(user_id)
    shown = [] if state is None else [
        m for m in state["meetings"] if m["status"] != "cancelled" and m["end"] >= now - PAST
    ]  # fmt: skip
    zone = first_zone(state["schedule"].get("timezone") if state else None)
    link = f"{get_settings().public_url.rstrip('/')}/meetings"
    body = ics.feed(shown, zone, link=link, stamp=now, name="GoalGetter check-ins")
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


CALENDAR_ROUTES = [Route("/calendar/{token}.ics", calendar_feed, methods=["GET"])]
