"""Plain HTTP routes beside Reflex: sign-in forms, sign-out and /health.

Sign-up and sign-in are rate limited (goalgetter/rate_limits.py): over a budget, the form
comes back with `too_many_attempts` and no password is hashed or checked.

Sign-in and sign-out are full page navigations because Reflex reads cookies once, when the
websocket connects: the session cookie is set here, httpOnly, and never reaches page scripts.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from goalgetter import accounts, provider_sign_in, rate_limits
from goalgetter.data.client import database_answers
from goalgetter.domain.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, ValidationError
from goalgetter.settings import get_settings
from goalgetter.urls import origin_of, served_from_one_origin

SESSION_COOKIE = "gg_session"


def frontend_url(path: str, **params: str) -> str:
    """A page's URL: relative when pages and backend share an origin (any host name works),
    else on deploy_url (dev: the pages are on another port)."""
    base = "" if served_from_one_origin() else (rx.config.get_config().deploy_url or "")
    base = base.rstrip("/")
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}{path}{query}"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _start_session(request: Request, user_id) -> RedirectResponse:
    # Signing in over an older session (another account, say) ends that one on the server too.
    await accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    user_agent = request.headers.get("user-agent", "")
    return _signed_in_response(await accounts.start_session(user_id, user_agent))


def _signed_in_response(token: str) -> RedirectResponse:
    settings = get_settings()
    response = _see_other(frontend_url("/workspace"))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86_400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


def _refuse_foreign_origin(request: Request) -> Response | None:
    """Login CSRF: a form posted from another site carries that site's Origin; refuse it.

    Ours: the configured deploy_url and api_url, and the request's own origin (its scheme
    and Host header), so the app works under any host name (127.0.0.1, a LAN name).
    No Origin header at all (curl, scripts, tests) is allowed; `null` is refused.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return None
    config = rx.config.get_config()
    own = {origin_of(config.deploy_url), origin_of(config.api_url)}
    if host := request.headers.get("host"):
        own.add(origin_of(f"{request.url.scheme}://{host}"))
    own.discard(None)
    if origin_of(origin.strip().rstrip("/")) in own:
        return None
    return PlainTextResponse("Cross-site form submission refused.", status_code=403)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(form.get(key, "")) for key in ("name", "email", "password")}


async def signup(request: Request) -> Response:
    if refused := _refuse_foreign_origin(request):
        return refused
    fields = await _form(request)
    try:
        await rate_limits.check_sign_up(request)
        user = await accounts.sign_up(fields["name"], fields["email"], fields["password"])
    except ValidationError as error:
        kept = {
            "name": fields["name"][:MAX_NAME_LENGTH],
            "email": fields["email"][:MAX_EMAIL_LENGTH],
        }
        return _see_other(frontend_url("/signup", error=error.code, **kept))
    return await _start_session(request, user["_id"])


async def login(request: Request) -> Response:
    if refused := _refuse_foreign_origin(request):
        return refused
    fields = await _form(request)
    try:
        async with rate_limits.sign_in_attempt(request, fields["email"]):
            user = await accounts.sign_in(fields["email"], fields["password"])
    except ValidationError as error:
        return _see_other(
            frontend_url("/login", error=error.code, email=fields["email"][:MAX_EMAIL_LENGTH])
        )
    response = await _start_session(request, user["_id"])
    if pending_link := request.cookies.get(provider_sign_in.LINK_COOKIE):
        # A provider account waited for this account to prove itself: now it may link.
        await provider_sign_in.link_after_password(pending_link, user["_id"])
        response.delete_cookie(
            provider_sign_in.LINK_COOKIE, path=provider_sign_in.LINK_COOKIE_PATH, httponly=True
        )
    return response


async def logout(request: Request) -> Response:
    if refused := _refuse_foreign_origin(request):
        return refused
    await accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    # After an account's deletion the sign-in page says so (a flag, never text from the URL).
    said = {"deleted": "1"} if request.query_params.get("deleted") else {"signed_out": "1"}
    response = _see_other(frontend_url("/login", **said))
    response.delete_cookie(SESSION_COOKIE, path="/", samesite="lax", httponly=True)
    return response


async def health(_: Request) -> JSONResponse:
    database_ok = await database_answers()
    return JSONResponse(
        {"status": "ok" if database_ok else "degraded", "database": database_ok},
        status_code=200 if database_ok else 503,
    )


def http_routes(*extra: Route) -> Starlette:
    """Our routes beside Reflex's: sign-in, sign-out, /health, and `extra` (downloads)."""
    return Starlette(
        routes=[
            *extra,
            Route("/auth/signup", signup, methods=["POST"]),
            Route("/auth/login", login, methods=["POST"]),
            Route("/auth/logout", logout, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )
