"""A loopback OAuth 2 / OpenID Connect provider for tests: Google's and GitHub's sign-in.

A real HTTP server on 127.0.0.1 that the app's real clients (authlib over httpx) talk to:

- Google: the discovery document, the JWKS, the authorize endpoint, the token endpoint
  (authorization code with PKCE S256, refresh token), userinfo and revoke. ID tokens are
  RS256 JWTs it really signs with the key its JWKS publishes.
- GitHub: authorize, access token (errors answered as HTTP 200 with an `error`, as GitHub
  does), `/user` and `/user/emails` (primary and verified flags) under `api_url`.

Consent needs no page: the authorize endpoint answers at once with a redirect to the
client's redirect_uri, so a test follows it with httpx, and Chromium just navigates. Who
consents, and how the answer goes wrong, comes from `consent()` (the next authorization of
that provider) or else it is the account made last.

Other fakes built on this one (Google Calendar) add their routes with `add_routes()` and
authorise requests with `account_for(request)`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.anthropic_fake import free_port
from tests.polling import wait_until

GOOGLE_CLIENT = ("google-client-id.apps.example", "google-client-secret")
GITHUB_CLIENT = ("github-client-id", "github-client-secret")
# How an authorization can go wrong, chosen per consent.
FAULTS = (
    "deny",  # the person cancels: error=access_denied
    "wrong_key",  # the ID token is signed by a key the JWKS does not hold (same kid)
    "wrong_nonce",  # the ID token carries another nonce
    "expired",  # the ID token expired an hour ago
    "wrong_audience",  # the ID token was issued to another client
)
GITHUB_API_PATH = "/github-api"


@dataclass
class GoogleAccount:
    sub: str
    email: str
    email_verified: bool = True
    name: str = "Grace Google"


@dataclass
class GithubAccount:
    id: int
    login: str
    emails: list[dict]  # [{"email", "primary", "verified"}], as /user/emails answers
    name: str | None = "Gus GitHub"


@dataclass
class _Grant:
    provider: str
    account: GoogleAccount | GithubAccount
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    scope: str
    fault: str | None
    issued: float


@dataclass
class FakeOAuth:
    google_accounts: dict[str, GoogleAccount] = field(default_factory=dict)
    github_accounts: dict[int, GithubAccount] = field(default_factory=dict)
    down: bool = False  # every endpoint answers 503
    requests: list[dict] = field(default_factory=list)  # (path, form/query) of each request
    revoked: set[str] = field(default_factory=set)
    port: int = 0
    _consents: dict[str, list[tuple[object, str | None]]] = field(default_factory=dict)
    _codes: dict[str, _Grant] = field(default_factory=dict)
    _access: dict[str, _Grant] = field(default_factory=dict)
    _refresh: dict[str, _Grant] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "fake-1"}))
    _app: Starlette | None = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def settings_env(self) -> dict[str, str]:
        """The app's settings that point both providers here."""
        return {
            "GOOGLE_CLIENT_ID": GOOGLE_CLIENT[0],
            "GOOGLE_CLIENT_SECRET": GOOGLE_CLIENT[1],
            "GOOGLE_DISCOVERY_URL": self.discovery_url,
            "GITHUB_CLIENT_ID": GITHUB_CLIENT[0],
            "GITHUB_CLIENT_SECRET": GITHUB_CLIENT[1],
            "GITHUB_AUTHORIZE_URL": f"{self.url}/login/oauth/authorize",
            "GITHUB_TOKEN_URL": f"{self.url}/login/oauth/access_token",
            "GITHUB_API_URL": f"{self.url}{GITHUB_API_PATH}",
        }

    # --- what tests arrange ---------------------------------------------------------------

    def google_account(self, email: str, *, verified: bool = True, name: str = "Grace Google"):
        account = GoogleAccount(f"1{next(self._ids):020d}", email, verified, name)
        self.google_accounts[account.sub] = account
        return account

    def github_account(self, email: str, *, verified: bool = True, name: str | None = "Gus"):
        number = 5_000_000 + next(self._ids)
        emails = [
            {"email": f"{number}+noreply@users.noreply.github.com", "primary": False,
             "verified": True, "visibility": None},
            {"email": email, "primary": True, "verified": verified, "visibility": "private"},
        ]  # fmt: skip
        account = GithubAccount(number, f"user{number}", emails, name)
        self.github_accounts[number] = account
        return account

    def consent(self, provider: str, account=None, fault: str | None = None) -> None:
        """The next authorization at `provider` is given by `account`, going wrong as
        `fault` says (one of FAULTS)."""
        assert fault is None or fault in FAULTS, fault
        with self._lock:
            self._consents.setdefault(provider, []).append((account, fault))

    def reset(self) -> None:
        with self._lock:
            self._consents.clear()
            self.requests.clear()
            self.google_accounts.clear()
            self.github_accounts.clear()
            self.down = False

    def add_routes(self, *routes: Route) -> None:
        """More endpoints on this server (another provider API); works before or after
        start()."""
        self._app.router.routes.extend(routes)

    def account_for(self, request: Request) -> GoogleAccount | GithubAccount | None:
        """The account whose live access token the request carries (Bearer or GitHub's
        `token` scheme)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return None
        with self._lock:
            grant = self._access.get(token.strip())
        return None if grant is None or token.strip() in self.revoked else grant.account

    def signed_id_token(self, claims: dict, key: RSAKey | None = None) -> str:
        key = key or self._key
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)

    # --- the protocol ---------------------------------------------------------------------

    async def _discovery(self, _: Request) -> Response:
        base = self.url
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/o/oauth2/v2/auth",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/v1/userinfo",
                "revocation_endpoint": f"{base}/revoke",
                "jwks_uri": f"{base}/oauth2/v3/certs",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "code_challenge_methods_supported": ["plain", "S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
            }
        )

    async def _jwks(self, _: Request) -> Response:
        return JSONResponse(KeySet([self._key]).as_dict(private=False))

    async def _authorize(self, request: Request) -> Response:
        provider = "google" if request.url.path.startswith("/o/") else "github"
        query = request.query_params
        self.requests.append({"path": request.url.path, "params": dict(query)})
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        expected = GOOGLE_CLIENT if provider == "google" else GITHUB_CLIENT
        if client_id != expected[0] or not redirect_uri.startswith(("http://", "https://")):
            # A real provider shows its own error page: it never redirects to an unknown URI.
            return PlainTextResponse("invalid_client or redirect_uri", status_code=400)
        state = query.get("state", "")
        problem = self._authorize_problem(provider, query)
        account, fault = self._next_consent(provider)
        if problem or fault == "deny" or account is None:
            error = problem or "access_denied"
            return _back(redirect_uri, error=error, state=state)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(
                provider, account, client_id, redirect_uri, query["code_challenge"],
                query.get("nonce"), query.get("scope", ""), fault, time.time(),
            )  # fmt: skip
        return _back(redirect_uri, code=code, state=state)

    @staticmethod
    def _authorize_problem(provider: str, query) -> str:
        if provider == "google" and query.get("response_type") != "code":
            return "unsupported_response_type"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return "invalid_request"  # the app must always use PKCE S256
        if not query.get("state"):
            return "invalid_request"
        scopes = query.get("scope", "").split()
        if provider == "google" and ("openid" not in scopes or not query.get("nonce")):
            return "invalid_request"
        return ""

    def _next_consent(self, provider: str):
        with self._lock:
            queued = self._consents.get(provider) or []
            account, fault = queued.pop(0) if queued else (None, None)
        accounts = self.google_accounts if provider == "google" else self.github_accounts
        # Unless told otherwise, the account made last consents.
        return (account or next(reversed(accounts.values()), None), fault)

    async def _token(self, request: Request) -> Response:
        provider = "github" if request.url.path.startswith("/login/") else "google"
        form = dict(await request.form())
        self.requests.append({"path": request.url.path, "params": form})
        client = _client_credentials(request, form)
        expected = GOOGLE_CLIENT if provider == "google" else GITHUB_CLIENT
        if client != expected:
            return _token_error(provider, "invalid_client", 401)
        if form.get("grant_type") == "refresh_token" and provider == "google":
            return self._refresh_grant(form)
        if form.get("grant_type") != "authorization_code":
            return _token_error(provider, "unsupported_grant_type")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.provider != provider or time.time() - grant.issued > 600:
            return _token_error(provider, "invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _token_error(provider, "invalid_grant")
        if _s256(form.get("code_verifier", "")) != grant.challenge:
            return _token_error(provider, "invalid_grant")
        return JSONResponse(self._issue(grant))

    def _issue(self, grant: _Grant, *, with_refresh: bool = True) -> dict:
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access] = grant
        if grant.provider == "github":
            return {"access_token": access, "token_type": "bearer", "scope": grant.scope}
        answer = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": grant.scope,
            "id_token": self._id_token(grant),
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(24)
            with self._lock:
                self._refresh[refresh] = grant
            answer["refresh_token"] = refresh
        return answer

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        account, fault = grant.account, grant.fault
        claims = {
            "iss": self.url,
            "aud": "another-client" if fault == "wrong_audience" else grant.client_id,
            "azp": grant.client_id,
            "sub": account.sub,
            "email": account.email,
            "email_verified": account.email_verified,
            "name": account.name,
            "iat": now - 7200 if fault == "expired" else now,
            "exp": now - 3600 if fault == "expired" else now + 3600,
        }
        if grant.nonce is not None:
            claims["nonce"] = "not-the-nonce" if fault == "wrong_nonce" else grant.nonce
        key = None
        if fault == "wrong_key":
            key = RSAKey.generate_key(2048, {"kid": self._key.kid})
        return self.signed_id_token(claims, key)

    def _refresh_grant(self, form: dict) -> Response:
        token = form.get("refresh_token", "")
        with self._lock:
            grant = self._refresh.get(token)
        if grant is None or token in self.revoked:
            return _token_error("google", "invalid_grant")
        return JSONResponse(self._issue(grant, with_refresh=False))

    async def _revoke(self, request: Request) -> Response:
        form = dict(await request.form())
        token = form.get("token") or request.query_params.get("token", "")
        with self._lock:
            known = token in self._access or token in self._refresh
        if not known:
            return JSONResponse({"error": "invalid_token"}, status_code=400)
        self.revoked.add(token)
        return JSONResponse({})

    async def _userinfo(self, request: Request) -> Response:
        account = self.account_for(request)
        if not isinstance(account, GoogleAccount):
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse(
            {"sub": account.sub, "email": account.email,
             "email_verified": account.email_verified, "name": account.name}
        )  # fmt: skip

    async def _github_user(self, request: Request) -> Response:
        account = self.account_for(request)
        if not isinstance(account, GithubAccount):
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        public = next((e["email"] for e in account.emails if e["visibility"] == "public"), None)
        return JSONResponse(
            {"id": account.id, "login": account.login, "name": account.name, "email": public}
        )

    async def _github_emails(self, request: Request) -> Response:
        account = self.account_for(request)
        if not isinstance(account, GithubAccount):
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse(account.emails)

    def _routes(self) -> list[Route]:
        api = GITHUB_API_PATH
        return [
            Route("/.well-known/openid-configuration", self._discovery),
            Route("/oauth2/v3/certs", self._jwks),
            Route("/o/oauth2/v2/auth", self._authorize),
            Route("/token", self._token, methods=["POST"]),
            Route("/revoke", self._revoke, methods=["POST"]),
            Route("/v1/userinfo", self._userinfo),
            Route("/login/oauth/authorize", self._authorize),
            Route("/login/oauth/access_token", self._token, methods=["POST"]),
            Route(f"{api}/user", self._github_user),
            Route(f"{api}/user/emails", self._github_emails),
        ]

    async def _maybe_down(self, scope, receive, send) -> None:
        if self.down and scope["type"] == "http":
            await PlainTextResponse("Service Unavailable", status_code=503)(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def start(self) -> FakeOAuth:
        self.port = free_port()
        self._app = Starlette(routes=self._routes())
        config = uvicorn.Config(
            self._maybe_down, host="127.0.0.1", port=self.port, log_level="warning",
            lifespan="off", interface="asgi3",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until(lambda: self._server.started, timeout=10, what="fake OAuth server")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)


def _back(redirect_uri: str, **params: str) -> RedirectResponse:
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client_credentials(request: Request, form: dict) -> tuple[str, str]:
    """client_secret_basic or client_secret_post, as both providers accept."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        user, _, password = base64.b64decode(value).decode().partition(":")
        return unquote_plus(user), unquote_plus(password)
    return form.get("client_id", ""), form.get("client_secret", "")


def _token_error(provider: str, error: str, status: int = 400) -> JSONResponse:
    # GitHub answers token errors with 200 and an `error` field; Google with a 4xx.
    return JSONResponse(
        {"error": error, "error_description": error.replace("_", " ")},
        status_code=200 if provider == "github" else status,
    )
