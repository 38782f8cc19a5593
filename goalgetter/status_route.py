"""GET /status: what an operator checks first, behind the admin token (STATUS_TOKEN).

`Authorization: Bearer <STATUS_TOKEN>`; without a token configured (or one shorter than
MIN_TOKEN_CHARS) the route answers 404 as if it did not exist; a wrong token gets 401. The
answer: versions, the database's and Redis's round trips, this worker's scheduler (its last
tick and lag), the mail still due to leave, the coach's mode, and the product's health
figures from the counters document (goalgetter/data/counters.py) — reads of a few documents,
never a scan, so it is cheap to poll.
"""

from __future__ import annotations

import hmac
import platform
import time
from datetime import UTC, datetime
from importlib import metadata

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from goalgetter import scheduler_service
from goalgetter.data import counters, outbox
from goalgetter.data.client import get_db
from goalgetter.settings import get_settings

MIN_TOKEN_CHARS = 16
_HEADERS = {"Cache-Control": "no-store"}


def _versions() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"

    named = {name: version(name) for name in ("reflex", "pymongo", "redis", "anthropic")}
    return {"python": platform.python_version(), **named}


async def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        await check()
        ok, error = True, None
    except Exception as failure:
        ok, error = False, type(failure).__name__
    took = round((time.perf_counter() - started) * 1000, 2)
    return {"ok": ok, "round_trip_ms": took, **({"error": error} if error else {})}


async def _database() -> dict:
    return await _timed(lambda: get_db().command("ping"))


async def _redis() -> dict:
    url = get_settings().redis_url
    if not url:
        return {"configured": False}
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return {"configured": True, **await _timed(client.ping)}
    finally:
        await client.aclose()


async def _outbox(now: datetime) -> dict:
    sending = bool(get_settings().resend_api_key)
    try:
        due = len(await outbox.due_ids(now))
    except Exception as failure:
        return {"sending": sending, "error": type(failure).__name__}
    return {"sending": sending, "due_now": due}


async def _product() -> dict:
    try:
        return counters.health_figures(await counters.product_counts())
    except Exception as failure:
        return {"error": type(failure).__name__}


def _coach() -> dict:
    settings = get_settings()
    if settings.coach_is_offline:
        return {"mode": "offline"}
    return {"mode": "claude", "model": settings.anthropic_model}


def _authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


async def status(request: Request) -> Response:
    token = get_settings().status_token
    if len(token) < MIN_TOKEN_CHARS:
        return PlainTextResponse("Not Found", status_code=404)
    if not _authorised(request, token):
        return PlainTextResponse(
            "A valid admin token is needed.",
            status_code=401,
            headers={**_HEADERS, "WWW-Authenticate": "Bearer"},
        )
    now = datetime.now(UTC)
    running = scheduler_service.running_scheduler
    database = await _database()
    body = {
        "checked_at": now.isoformat(),
        "versions": _versions(),
        "database": {"embedded": get_settings().uses_embedded_store, **database},
        "redis": await _redis(),
        "scheduler": running.status(now) if running else {"running": False},
        "outbox": await _outbox(now),
        "coach": _coach(),
        "product": await _product(),
    }
    return JSONResponse(body, status_code=200 if database["ok"] else 503, headers=_HEADERS)


STATUS_ROUTES = [Route("/status", status, methods=["GET"])]
