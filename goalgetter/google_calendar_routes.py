"""Connecting Google Calendar from Settings: /integrations/google-calendar/connect and
/integrations/google-calendar/callback.

The same shape as provider sign-in (goalgetter/oauth_routes.py): the flow kept on the
server (PKCE verifier, who asked, single use: goalgetter/data/oauth_flows.py), tied to the
browser by a short-lived httpOnly cookie holding its `state`. Only a signed-in person can
start one, and the callback stores the grant only for the person still signed in on that
browser. The refresh token is stored encrypted (goalgetter/data/calendar_links.py); the
first sync runs beside the answer, which is a 303 back to /settings with the outcome
(`calendar=` connected, cancelled, not_granted, failed, unavailable), shown there.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime

import reflex as rx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from goalgetter import accounts, calendar_sync
from goalgetter.data import calendar_links, oauth_flows
from goalgetter.integrations import google_calendar
from goalgetter.integrations.oauth_clients import ProviderRefused, ProviderUnavailable
from goalgetter.routes import SESSION_COOKIE, frontend_url
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)
PREFIX = "/integrations/google-calendar"
STATE_COOKIE = "gg_calendar_state"
FLOW_KIND = "calendar"


def callback_url() -> str:
    """The redirect URI registered at Google: the backend's public address."""
    return f"{rx.config.get_config().api_url.rstrip('/')}{PREFIX}/callback"


def _to_settings(outcome: str, *, forget_state: bool = True) -> RedirectResponse:
    response = RedirectResponse(frontend_url("/settings", calendar=outcome), status_code=303)
    if forget_state:
        response.delete_cookie(STATE_COOKIE, path=f"{PREFIX}/", httponly=True)
    return response


async def _signed_in(request: Request):
    return await accounts.user_id_for_token(request.cookies.get(SESSION_COOKIE, ""))


async def connect(request: Request) -> Response:
    settings = get_settings()
    user_id = await _signed_in(request)
    if user_id is None:
        return RedirectResponse(frontend_url("/login"), status_code=303)
    if not google_calendar.configured(settings):
        return _to_settings("unavailable", forget_state=False)
    redirect_uri = callback_url()
    try:
        authorization = await google_calendar.authorization_request(settings, redirect_uri)
    except (ProviderUnavailable, ProviderRefused) as error:
        log.warning("Could not start connecting Google Calendar: %s", error)
        return _to_settings("unavailable", forget_state=False)
    state = authorization["state"]
    flow = {
        "provider": "google-calendar",
        "verifier": authorization["code_verifier"],
        "redirect_uri": redirect_uri,
        "user_id": user_id,
    }
    secret = settings.resolved_secret_key()
    await oauth_flows.save(FLOW_KIND, state, secret, flow, oauth_flows.FLOW_LIFETIME)
    response = RedirectResponse(authorization["url"], status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(oauth_flows.FLOW_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",  # sent on Google's top-level redirect back
        secure=settings.cookie_secure,
        path=f"{PREFIX}/",
    )
    return response


async def _take_flow(request: Request) -> dict | None:
    """This browser's flow, consumed; None unless the state matches its cookie and the
    server still holds it."""
    state = request.query_params.get("state", "")
    cookie = request.cookies.get(STATE_COOKIE, "")
    if not state or not hmac.compare_digest(state.encode(), cookie.encode()):
        return None
    flow = await oauth_flows.take(FLOW_KIND, state, get_settings().resolved_secret_key())
    return flow if flow is not None and flow.get("provider") == "google-calendar" else None


async def callback(request: Request) -> Response:
    settings = get_settings()
    if not google_calendar.configured(settings):
        return _to_settings("unavailable")
    flow = await _take_flow(request)
    if flow is None:
        return _to_settings("failed", forget_state=False)
    user_id = await _signed_in(request)
    if user_id is None or user_id != flow["user_id"]:
        return _to_settings("failed")  # signed out, or someone else, since the start
    if request.query_params.get("error"):
        cancelled = request.query_params["error"] == "access_denied"
        return _to_settings("cancelled" if cancelled else "failed")
    try:
        refresh_token, account = await google_calendar.exchange(
            settings,
            code=request.query_params.get("code", ""),
            redirect_uri=flow["redirect_uri"],
            verifier=flow["verifier"],
        )
    except ProviderUnavailable as error:
        log.warning("Google Calendar connection: Google unavailable: %s", error)
        return _to_settings("unavailable")
    except google_calendar.CalendarNotGranted:
        return _to_settings("not_granted")
    except ProviderRefused as error:
        log.warning("Google Calendar connection refused: %s", error)
        return _to_settings("failed")
    secret, before = settings.resolved_secret_key(), await calendar_links.get(user_id)
    now = datetime.now(UTC)
    await calendar_links.connect(user_id, account, refresh_token, secret, now, before)
    if before is not None and before["status"] == "connected" and before["account"] != account:
        calendar_sync.retire_soon(user_id, before)  # another Google account than before
    calendar_sync.push_soon(user_id)
    return _to_settings("connected")


GOOGLE_CALENDAR_ROUTES = [
    Route(f"{PREFIX}/connect", connect, methods=["GET"]),
    Route(f"{PREFIX}/callback", callback, methods=["GET"]),
]
