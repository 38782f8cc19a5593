"""Downloads: a goal or all active goals as PDF, and everything of a user as JSON.

Plain GET routes so the browser's own download handling (file name, progress, saving on a
phone) applies. The user comes from the httpOnly session cookie, as in every other route.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bson import ObjectId
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from goalgetter import accounts
from goalgetter.data import (
    chat_messages,
    checkins,
    goals,
    meetings,
    revisions,
    templates,
    users,
)
from goalgetter.domain.timezones import first_zone
from goalgetter.integrations.pdf import goals_pdf, pdf_filename
from goalgetter.routes import SESSION_COOKIE

log = logging.getLogger(__name__)

NOT_SIGNED_IN = PlainTextResponse("Sign in to download your goals.", status_code=401)


def user_timezone(user: dict, requested: str | None) -> ZoneInfo:
    """The user's saved timezone, else the browser's (passed as ?tz=), else UTC."""
    return first_zone((user.get("settings") or {}).get("timezone"), requested)


def jsonable(value: object) -> object:
    """Mongo documents as JSON: ids as strings, datetimes in ISO 8601 (UTC)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def content_disposition(filename: str, unicode_filename: str = "") -> str:
    """RFC 6266: `filename` (ASCII, for every client) and, only when it says more, the
    Unicode name as RFC 5987 `filename*`, which browsers prefer. Both must already be safe
    names (`pdf_filename`); the ASCII one needs no escaping inside the quotes."""
    header = f'attachment; filename="{filename}"'
    if unicode_filename and unicode_filename != filename:
        header += f"; filename*=UTF-8''{quote(unicode_filename, safe='')}"
    return header


def _download(body: bytes, filename: str, media_type: str, unicode_filename: str = "") -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename, unicode_filename),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _signed_in_user(request: Request) -> dict | None:
    user_id = await accounts.user_id_for_token(request.cookies.get(SESSION_COOKIE, ""))
    return await users.get_user(user_id) if user_id else None


async def _pdf(goal_list: list[dict], user: dict, request: Request, name: str) -> Response:
    tz = user_timezone(user, request.query_params.get("tz"))
    # Only tracking users have meetings (and a miss is a scan on the embedded store).
    tracking = user.get("phase") == "tracking"
    by_goal = await checkins.checkins_by_goal(user["_id"]) if tracking else {}
    body = await asyncio.to_thread(
        goals_pdf, goal_list, exported_at=datetime.now(UTC), tz=tz, checkins=by_goal
    )
    unicode_name = pdf_filename(name, ascii_only=False)
    return _download(body, pdf_filename(name), "application/pdf", unicode_name)


async def goal_pdf(request: Request) -> Response:
    user = await _signed_in_user(request)
    if user is None:
        return NOT_SIGNED_IN
    goal = await goals.get_goal(user["_id"], request.path_params["goal_id"])
    if goal is None:
        return PlainTextResponse("That goal does not exist.", status_code=404)
    return await _pdf([goal], user, request, goal["title"])


async def active_goals_pdf(request: Request) -> Response:
    user = await _signed_in_user(request)
    if user is None:
        return NOT_SIGNED_IN
    active = await goals.goals_with_content(user["_id"], limit=500, phases=("active",))
    return await _pdf(active, user, request, "goals")


async def my_data(request: Request) -> Response:
    user = await _signed_in_user(request)
    if user is None:
        return NOT_SIGNED_IN
    user_id = user["_id"]
    export = {
        "exported_at": datetime.now(UTC),
        "account": {"name": user["name"], "email": user["email"]},
        "goals": await goals.export_goals(user_id),
        "revisions": await revisions.export_revisions(user_id),
        "templates": await templates.export_templates(user_id),
        "chat_messages": await chat_messages.export_messages(user_id),
        "meetings": await meetings.export_meetings(user_id),
    }
    body = json.dumps(jsonable(export), ensure_ascii=False, indent=2).encode()
    return _download(body, "goalgetter-my-data.json", "application/json")


@contextlib.asynccontextmanager
async def pdf_lifespan():
    """The PDF's fonts read in a thread at start-up, while the app takes its first requests."""
    warming = asyncio.ensure_future(asyncio.to_thread(_warm_up_quietly))
    try:
        yield
    finally:
        warming.cancel()


def warm_up() -> None:
    """One small export in every face: what a process reads once (each face's coverage, the
    parsed face, its prepared subset) is then read at start-up, not by the first person who
    exports (~0.8 s)."""
    goal = {"title": "Warm-up", "content": "Plain, *italic*, **bold** and ***both***."}
    goals_pdf([goal], exported_at=datetime.now(UTC), tz=ZoneInfo("UTC"))


def _warm_up_quietly() -> None:
    try:
        warm_up()
    except Exception:
        # An export says what is wrong (a missing font's package, say) when it is asked for.
        log.exception("The PDF export could not be prepared at start-up")


EXPORT_ROUTES = [
    Route("/export/goal/{goal_id}.pdf", goal_pdf, methods=["GET"]),
    Route("/export/goals.pdf", active_goals_pdf, methods=["GET"]),
    Route("/export/my-data.json", my_data, methods=["GET"]),
]
