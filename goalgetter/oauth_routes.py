"""Sign in with Google or GitHub: /auth/<provider>/start and /auth/<provider>/callback.

Start records the flow on the server (goalgetter/data/oauth_flows.py: PKCE verifier, nonce,
redirect URI, single-use) and sends the browser to the provider with a short-lived httpOnly
cookie holding the flow's `state`. The callback needs both: the cookie ties the answer to
the browser that started it (so nobody can make a visitor finish the attacker's sign-in),
and the server record is deleted as it is read (so a replayed callback finds nothing).

The callback ends like password sign-in: the same server-side session and cookie, and a
full page navigation to /workspace. Every failure lands on /login with a code that
AuthFormState shows in `auth-error`, and creates nothing. Nothing slow runs here: the
welcome mail of a new account is only queued.
"""

from __future__ import annotations

import hmac
import logging

import reflex as rx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from goalgetter import accounts, provider_sign_in, rate_limits
from goalgetter.data import oauth_flows
from goalgetter.domain.oauth_linking import PROVIDERS, Outcome
from goalgetter.domain.validation import ValidationError
from goalgetter.integrations import oauth_clients
from goalgetter.integrations.oauth_clients import ProviderRefused, ProviderUnavailable
from goalgetter.routes import SESSION_COOKIE, _start_session, frontend_url
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)
STATE_COOKIE_PATH = "/auth/"


def state_cookie(provider: str) -> str:
    # One per provider: starting GitHub in one tab does not spoil Google in another.
    return f"gg_oauth_state_{provider}"


def callback_url(provider: str) -> str:
    """The redirect URI registered at the provider: the backend's public address."""
    return f"{rx.config.get_config().api_url.rstrip('/')}/auth/{provider}/callback"


def _configured(provider: str) -> bool:
    return provider in oauth_clients.configured_providers(get_settings())


def _to_login(code: str, provider: str | None, **params: str) -> RedirectResponse:
    """To /login with the error's code; the provider's state cookie is deleted when its
    flow is over (`provider` given)."""
    response = RedirectResponse(frontend_url("/login", error=code, **params), status_code=303)
    if provider is not None:
        response.delete_cookie(state_cookie(provider), path=STATE_COOKIE_PATH, httponly=True)
    return response


async def _count_sign_in_attempt(request: Request) -> None:
    """A start counts against the address's sign-in budget (each stores a flow), like a
    password attempt; ValidationError once over it."""
    async with rate_limits.sign_in_attempt(request, ""):
        pass


async def start(request: Request) -> Response:
    provider = request.path_params["provider"]
    if provider not in PROVIDERS or not _configured(provider):
        return _to_login("oauth_unavailable", None)
    try:
        await _count_sign_in_attempt(request)
    except ValidationError as error:
        return _to_login(error.code, None)
    settings = get_settings()
    # ?link=1 from Settings: link to the signed-in person instead of signing in.
    linking_user_id = None
    if request.query_params.get("link"):
        linking_user_id = await accounts.user_id_for_token(request.cookies.get(SESSION_COOKIE, ""))
    redirect_uri = callback_url(provider)
    try:
        authorization = await oauth_clients.authorization_request(provider, settings, redirect_uri)
    except (ProviderUnavailable, ProviderRefused) as error:
        log.warning("Could not start %s sign-in: %s", provider, error)
        return _to_login("oauth_provider_down", provider)
    flow = {
        "provider": provider,
        "verifier": authorization["code_verifier"],
        "nonce": authorization.get("nonce"),
        "redirect_uri": redirect_uri,
        "linking_user_id": linking_user_id,
    }
    secret = settings.resolved_secret_key()
    state = authorization["state"]
    await oauth_flows.save("flow", state, secret, flow, oauth_flows.FLOW_LIFETIME)
    response = RedirectResponse(authorization["url"], status_code=303)
    response.set_cookie(
        state_cookie(provider),
        state,
        max_age=int(oauth_flows.FLOW_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back, not on sub-requests
        secure=settings.cookie_secure,
        path=STATE_COOKIE_PATH,
    )
    return response


async def _take_flow(request: Request, provider: str) -> dict | None:
    """The flow this callback finishes, consumed; None unless the state matches this
    browser's cookie and the server still holds it (not used, not expired)."""
    state = request.query_params.get("state", "")
    cookie = request.cookies.get(state_cookie(provider), "")
    if not state or not hmac.compare_digest(state.encode(), cookie.encode()):
        return None
    flow = await oauth_flows.take("flow", state, get_settings().resolved_secret_key())
    return flow if flow is not None and flow["provider"] == provider else None


async def callback(request: Request) -> Response:
    provider = request.path_params["provider"]
    if provider not in PROVIDERS or not _configured(provider):
        return _to_login("oauth_unavailable", None)
    flow = await _take_flow(request, provider)
    if flow is None:
        # Not this browser's flow: the one it may have under way stays usable.
        return _to_login("oauth_state", None)
    query = request.query_params
    if query.get("error"):
        return _to_login(
            "oauth_cancelled" if query["error"] == "access_denied" else "oauth_failed", provider
        )
    try:
        profile = await oauth_clients.fetch_profile(
            provider,
            get_settings(),
            code=query.get("code", ""),
            redirect_uri=flow["redirect_uri"],
            verifier=flow["verifier"],
            nonce=flow.get("nonce"),
        )
    except ProviderUnavailable as error:
        log.warning("%s sign-in: provider unavailable: %s", provider, error)
        return _to_login("oauth_provider_down", provider)
    except ProviderRefused as error:
        log.warning("%s sign-in: answer refused: %s", provider, error)
        return _to_login("oauth_failed", provider)
    return await _finish(request, provider, profile, flow.get("linking_user_id"))


async def _finish(request: Request, provider: str, profile, linking_user_id) -> Response:
    if linking_user_id is not None:
        # The link was asked for by a signed-in person: still the one signed in here?
        current = await accounts.user_id_for_token(request.cookies.get(SESSION_COOKIE, ""))
        if current != linking_user_id:
            return _to_login("oauth_state", provider)
    decision = await provider_sign_in.resolve(profile, linking_user_id)
    if decision.outcome is Outcome.REFUSE:
        return _to_login(decision.error, provider)
    if decision.outcome is Outcome.NEEDS_PASSWORD:
        return await _ask_for_password(provider, profile, decision.user_id)
    if decision.outcome is Outcome.LINK:
        response = RedirectResponse(frontend_url("/settings", linked=provider), status_code=303)
    else:
        response = await _start_session(request, decision.user_id)
    response.delete_cookie(state_cookie(provider), path=STATE_COOKIE_PATH, httponly=True)
    return response


async def _ask_for_password(provider: str, profile, user_id) -> Response:
    token = await provider_sign_in.hold_for_password(profile, user_id)
    email = provider_sign_in.usable_email(profile)
    response = _to_login("oauth_link_password", provider, email=email)
    response.set_cookie(
        provider_sign_in.LINK_COOKIE,
        token,
        max_age=int(oauth_flows.PENDING_LINK_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        path=provider_sign_in.LINK_COOKIE_PATH,
    )
    return response


OAUTH_ROUTES = [
    Route("/auth/{provider}/start", start, methods=["GET"]),
    Route("/auth/{provider}/callback", callback, methods=["GET"]),
]
