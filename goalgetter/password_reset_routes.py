"""/forgot and /reset/<token>: plain server-rendered pages, not Reflex pages.

The reset token is in the page's URL: served from here it never reaches a websocket frame
or the state store (Reflex keeps each tab's router data there), the page loads nothing from
elsewhere, and a Referer carries only our origin. Setting the password ends in a full page
navigation that sets the new session's httpOnly cookie, like sign-in.

/forgot answers the same whether or not the email has an account, and does the lookup and
the mail after the answer is sent, so its timing says nothing either. It is rate limited per
client address and per email (goalgetter/rate_limits.py's storage: Redis or memory).
"""

from __future__ import annotations

import hashlib
from html import escape
from urllib.parse import urlencode

from limits import RateLimitItemPerHour
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from goalgetter import password_reset, rate_limits
from goalgetter.domain.validation import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    ValidationError,
    message_for,
    normalise_email,
)
from goalgetter.routes import _refuse_foreign_origin, _start_session, frontend_url
from goalgetter.unsubscribe_routes import plain_page

RESETS_PER_EMAIL = RateLimitItemPerHour(3, namespace="goalgetter")
RESETS_PER_IP = RateLimitItemPerHour(20, namespace="goalgetter")
SENT = "If an account exists for that email, we sent a link. It works once, for one hour."

_STYLE = (
    "<style>label{display:block;font-weight:500;margin:1rem 0 .3rem}"
    "input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;"
    "border:1px solid #bbb;border-radius:6px}"
    "button{margin-top:1rem;padding:.6rem 1rem;font-size:1rem;border:0;border-radius:6px;"
    "background:#c2410c;color:#fff;cursor:pointer}"  # white on it: 5.2:1 (WCAG AA)
    ".error{color:#c62828}.done{color:#2e7d32}</style>"
)


def _page(title: str, body: str, status: int = 200) -> Response:
    response = plain_page(title, _STYLE + body, status)
    # Not no-referrer: under it the browser posts the forms with `Origin: null`, which the
    # cross-site check refuses. `origin` still keeps the token's path to ourselves.
    response.headers["Referrer-Policy"] = "origin"
    return response


def _back_to_sign_in() -> str:
    return f'<p><a href="{escape(frontend_url("/login"))}">Back to sign in</a></p>'


def _email_digest(email: str) -> str | None:
    """The per-email budget's key: a digest of the address, so no address is stored."""
    try:
        return hashlib.sha256(normalise_email(email).encode()).hexdigest()
    except ValidationError:
        return None


async def _within_budget(request: Request, email: str) -> bool:
    storage = rate_limits.get_limiter().storage
    if storage is None:  # limits turned off (browser tests)
        return True
    windows = FixedWindowRateLimiter(storage)
    if not await windows.hit(RESETS_PER_IP, "password-reset", rate_limits.client_ip(request)):
        return False
    digest = _email_digest(email)
    return digest is None or await windows.hit(RESETS_PER_EMAIL, "password-reset", digest)


def _forgot_form(email: str = "", error: str = "") -> str:
    shown = f'<p class="error" id="forgot-error" role="alert">{escape(error)}</p>' if error else ""
    return (
        "<p>Enter the email of your account and we will send you a link to choose a new "
        f'password.</p>{shown}<form method="post" action="/forgot">'
        '<label for="forgot-email">Email</label>'
        f'<input id="forgot-email" name="email" type="email" required autocomplete="email" '
        f'maxlength="{MAX_EMAIL_LENGTH}" value="{escape(email)}">'
        '<button id="forgot-submit" type="submit">Send the link</button></form>'
        + _back_to_sign_in()
    )


async def forgot_page(request: Request) -> Response:
    query = request.query_params
    if query.get("sent"):
        done = f'<p class="done" id="forgot-done" role="status">{escape(SENT)}</p>'
        return _page("Check your email", done + _back_to_sign_in())
    error = message_for(query["error"]) if query.get("error") else ""
    return _page("Forgot your password?", _forgot_form(query.get("email", "")[:254], error))


def _to_forgot(**params: str) -> RedirectResponse:
    return RedirectResponse(f"/forgot?{urlencode(params)}", status_code=303)


async def ask_for_link(request: Request) -> Response:
    if refused := _refuse_foreign_origin(request):
        return refused
    email = str((await request.form()).get("email", ""))[: MAX_EMAIL_LENGTH * 4]
    if not await _within_budget(request, email):
        return _to_forgot(error=rate_limits.TOO_MANY_ATTEMPTS, email=email[:MAX_EMAIL_LENGTH])
    response = _to_forgot(sent="1")
    # After the answer: the visitor learns nothing from how long it took.
    response.background = BackgroundTask(password_reset.request_reset, email)
    return response


def _reset_form(error: str = "") -> str:
    shown = f'<p class="error" id="reset-error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f'{shown}<form method="post">'
        f'<label for="reset-password">New password (at least {MIN_PASSWORD_LENGTH} '
        'characters)</label><input id="reset-password" name="password" type="password" '
        f'required autocomplete="new-password" minlength="{MIN_PASSWORD_LENGTH}" '
        f'maxlength="{MAX_PASSWORD_LENGTH}">'
        '<button id="reset-submit" type="submit">Set the password and sign in</button>'
        "</form><p>This signs you out on every other device.</p>"
    )


def _link_unusable() -> Response:
    message = password_reset.RESET_MESSAGES[password_reset.LINK_UNUSABLE]
    body = (
        f'<p class="error" id="reset-error" role="alert">{escape(message)}</p>'
        f'<p><a href="/forgot" id="reset-ask-again">Send me a new link</a></p>'
    )
    return _page("This link does not work", body + _back_to_sign_in(), 404)


async def reset_page(request: Request) -> Response:
    token = request.path_params["token"]
    if request.method == "POST":
        return await _set_password(request, token)
    if not await password_reset.link_works(token):
        return _link_unusable()
    error = message_for(request.query_params["error"]) if "error" in request.query_params else ""
    return _page("Choose a new password", _reset_form(error))


async def _set_password(request: Request, token: str) -> Response:
    if refused := _refuse_foreign_origin(request):
        return refused
    password = str((await request.form()).get("password", ""))
    try:
        user_id = await password_reset.reset_password(token, password)
    except ValidationError as error:
        if error.field == "token":
            return _link_unusable()
        # The link still works: the form again, with why (never the password).
        return RedirectResponse(f"?{urlencode({'error': error.code})}", status_code=303)
    # Every session ended (this browser's too); a fresh one here, as after sign-in.
    return await _start_session(request, user_id)


PASSWORD_RESET_ROUTES = [
    Route("/forgot", forgot_page, methods=["GET"]),
    Route("/forgot", ask_for_link, methods=["POST"]),
    Route("/reset/{token}", reset_page, methods=["GET", "POST"]),
]
