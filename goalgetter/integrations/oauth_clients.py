"""Google (OpenID Connect) and GitHub sign-in clients, built with authlib from settings.

Both use the authorization code flow with `state` and PKCE (S256); Google adds a `nonce`
and its ID token is verified here: signature against the provider's JWKS, issuer, audience
(our client id), expiry and nonce. GitHub has no ID token: its person is `/user`, and the
email is the primary one from `/user/emails`, verified or not as GitHub says.

Failures come out as two kinds, because the person is told different things:
ProviderUnavailable (unreachable, 5xx, timed out: try again later) and ProviderRefused
(an answer that does not check out: nothing of it is trusted).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError

from goalgetter.settings import Settings

# Long enough for a slow provider, short enough that a hung one does not hold a sign-in.
PROVIDER_TIMEOUT_SECONDS = 8.0
GOOGLE_SCOPE = "openid email profile"
GITHUB_SCOPE = "read:user user:email"


class ProviderUnavailable(Exception):
    pass


class ProviderRefused(Exception):
    pass


@dataclass(frozen=True)
class ProviderProfile:
    provider: str
    subject: str  # the provider's stable id for the person
    email: str
    email_verified: bool
    name: str


def configured_providers(settings: Settings) -> tuple[str, ...]:
    """The providers whose client id and secret are both set, in the order shown."""
    pairs = {
        "google": (settings.google_client_id, settings.google_client_secret),
        "github": (settings.github_client_id, settings.github_client_secret),
    }
    return tuple(name for name, (client_id, secret) in pairs.items() if client_id and secret)


def client_for(provider: str, settings: Settings) -> StarletteOAuth2App:
    if provider == "google":
        return _google(
            settings.google_client_id, settings.google_client_secret, settings.google_discovery_url
        )
    return _github(
        settings.github_client_id,
        settings.github_client_secret,
        settings.github_authorize_url,
        settings.github_token_url,
    )


@functools.cache
def _tls_context():
    """The HTTP clients' default TLS settings, built once: authlib opens a new HTTP client
    for every exchange, and building this each time took ~45 ms of a sign-in's callback."""
    return httpx2.create_ssl_context()


# One client per configuration: authlib keeps Google's discovery document and JWKS on it,
# so only the first sign-in of a process fetches them (and the JWKS again on an unknown key).
@functools.lru_cache(maxsize=4)
def _google(client_id: str, secret: str, discovery_url: str) -> StarletteOAuth2App:
    return OAuth().register(
        "google",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=discovery_url,
        client_kwargs={
            "scope": GOOGLE_SCOPE,
            "code_challenge_method": "S256",
            "timeout": PROVIDER_TIMEOUT_SECONDS,
            "verify": _tls_context(),
        },
    )


@functools.lru_cache(maxsize=4)
def _github(client_id: str, secret: str, authorize_url: str, token_url: str):
    return OAuth().register(
        "github",
        client_id=client_id,
        client_secret=secret,
        authorize_url=authorize_url,
        access_token_url=token_url,
        client_kwargs={
            "scope": GITHUB_SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post",
            "timeout": PROVIDER_TIMEOUT_SECONDS,
            "verify": _tls_context(),
        },
    )


async def authorization_request(provider: str, settings: Settings, redirect_uri: str) -> dict:
    """{"url", "state", "code_verifier", and for Google "nonce"}: where to send the browser
    and what the callback must check."""
    with _provider_errors():
        return await client_for(provider, settings).create_authorization_url(redirect_uri)


async def fetch_profile(
    provider: str, settings: Settings, *, code: str, redirect_uri: str, verifier: str, nonce
) -> ProviderProfile:
    """Exchange the code (with the PKCE verifier) and read who the person is."""
    client = client_for(provider, settings)
    with _provider_errors():
        token = await client.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=verifier
        )
        if provider == "google":
            return await _google_profile(client, token, nonce)
        return await _github_profile(client, token, settings.github_api_url.rstrip("/"))


async def _google_profile(client: StarletteOAuth2App, token: dict, nonce: str):
    if not nonce or "id_token" not in token:
        raise ProviderRefused("no ID token")
    metadata = await client.load_server_metadata()
    # authlib checks the nonce, signature and expiry; the issuer and audience are required
    # here too (authlib alone accepts another audience when `azp` names us).
    claims = await client.parse_id_token(
        token,
        nonce,
        claims_options={
            "iss": {"essential": True, "value": metadata.get("issuer")},
            "aud": {"essential": True, "value": client.client_id},
            "exp": {"essential": True},
        },
    )
    return ProviderProfile(
        "google",
        str(claims["sub"]),
        str(claims.get("email") or ""),
        claims.get("email_verified") is True,
        str(claims.get("name") or ""),
    )


async def _github_profile(client: StarletteOAuth2App, token: dict, api: str):
    headers = {"Accept": "application/vnd.github+json"}
    user_response, emails_response = await asyncio.gather(
        client.get(f"{api}/user", token=token, headers=headers),
        client.get(f"{api}/user/emails", token=token, headers=headers),
    )
    for response in (user_response, emails_response):
        response.raise_for_status()
    user, emails = user_response.json(), emails_response.json()
    primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), {})
    return ProviderProfile(
        "github",
        str(user["id"]),
        str(primary.get("email") or ""),
        primary.get("verified") is True,
        str(user.get("name") or user.get("login") or ""),
    )


@contextlib.contextmanager
def _provider_errors():
    """Turns what a provider exchange can raise into the two failures callers handle."""
    try:
        yield
    except httpx2.HTTPStatusError as error:
        failure = ProviderUnavailable if error.response.status_code >= 500 else ProviderRefused
        raise failure(str(error)) from error
    except (httpx2.TransportError, TimeoutError) as error:
        raise ProviderUnavailable(str(error)) from error
    except (OAuthError, JoseError, KeyError, ValueError, TypeError) as error:
        raise ProviderRefused(str(error)) from error
