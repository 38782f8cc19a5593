"""The loopback OAuth provider's parts that sign-in does not use but Google Calendar will:
the refresh token grant, revocation, and routes added by another module. Driven by
authlib's own client, as the app's code would."""

from __future__ import annotations

import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.oauth_fake import GOOGLE_CLIENT, FakeOAuth


@pytest.fixture
def fake():
    server = FakeOAuth().start()
    yield server
    server.stop()


async def google_tokens(fake: FakeOAuth) -> dict:
    """Authorize with PKCE and exchange the code, asking for offline access."""
    fake.google_account("cal@example.com")
    redirect_uri = "http://localhost:8000/auth/google/callback"
    async with AsyncOAuth2Client(
        *GOOGLE_CLIENT, scope="openid email", code_challenge_method="S256"
    ) as client:
        verifier = "v" * 64
        url, _ = client.create_authorization_url(
            f"{fake.url}/o/oauth2/v2/auth", redirect_uri=redirect_uri, nonce="n1",
            code_verifier=verifier, access_type="offline",
        )  # fmt: skip
        async with httpx2.AsyncClient() as browser:
            back = (await browser.get(url)).headers["location"]
        return await client.fetch_token(
            f"{fake.url}/token", authorization_response=back, redirect_uri=redirect_uri,
            code_verifier=verifier,
        )  # fmt: skip


async def test_refresh_then_revoke(fake):
    tokens = await google_tokens(fake)
    assert tokens["refresh_token"] and tokens["id_token"].count(".") == 2
    async with AsyncOAuth2Client(*GOOGLE_CLIENT, token=tokens) as client:
        fresh = await client.refresh_token(f"{fake.url}/token")
        assert fresh["access_token"] != tokens["access_token"]
        revoked = await client.post(f"{fake.url}/revoke", data={"token": tokens["refresh_token"]})
        assert revoked.status_code == 200
        with pytest.raises(OAuthError, match="invalid_grant"):
            await client.refresh_token(f"{fake.url}/token", tokens["refresh_token"])


async def test_another_module_adds_an_api_authorised_by_the_tokens(fake):
    async def calendars(request: Request):
        account = fake.account_for(request)
        if account is None:
            return JSONResponse({"error": "unauthenticated"}, status_code=401)
        return JSONResponse({"items": [{"id": account.email, "primary": True}]})

    fake.add_routes(Route("/calendar/v3/users/me/calendarList", calendars))
    tokens = await google_tokens(fake)
    url = f"{fake.url}/calendar/v3/users/me/calendarList"
    async with httpx2.AsyncClient() as http:
        anonymous = await http.get(url)
        signed = await http.get(url, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert anonymous.status_code == 401
    assert signed.json()["items"][0]["id"] == "cal@example.com"
