"""The websocket sees a session key, never the session token.

Reflex reads the session cookie from the websocket handshake and keeps the handshake's
headers inside each tab's stored state (on disk, or in Redis). So before Reflex sees a
handshake, the token in our cookie is replaced by its key: the HMAC the sessions collection is
keyed by. A copy of the state store then holds no token; a key presented as a cookie is
hashed again on the way in and matches no session.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from goalgetter import accounts
from goalgetter.routes import SESSION_COOKIE


def session_key_from_cookie(cookie_header: str | None) -> str:
    """The session key a handshake carries after `hide_session_token` (Starlette's parser, as
    the HTTP routes use: a stray cookie it cannot parse is skipped rather than hiding ours)."""
    return cookie_parser(cookie_header or "").get(SESSION_COOKIE, "")


def _with_session_key(cookie_header: str) -> str:
    cookies = cookie_parser(cookie_header)
    if SESSION_COOKIE in cookies:
        cookies[SESSION_COOKIE] = accounts.session_key(cookies[SESSION_COOKIE])
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def hide_session_token(scope: Scope) -> Scope:
    """`scope` with every Cookie header's session token replaced by its key."""
    headers = [
        (name, _with_session_key(value.decode("latin-1")).encode("latin-1"))
        if name.lower() == b"cookie"
        else (name, value)
        for name, value in scope.get("headers", [])
    ]
    return {**scope, "headers": headers}


def _reaches_reflex_events(scope: Scope) -> bool:
    # Reflex's event socket is the app's only websocket; with polling configured it is HTTP.
    return scope["type"] == "websocket" or (
        scope["type"] == "http" and "/_event" in scope.get("path", "")
    )


def websocket_sees_session_keys(app: ASGIApp) -> Callable:
    """Wraps the backend so that Reflex's event connections carry keys, not tokens."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if _reaches_reflex_events(scope):
            scope = hide_session_token(scope)
        await app(scope, receive, send)

    return wrapped
