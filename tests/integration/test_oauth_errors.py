"""Provider sign-in going wrong: each failure lands on /login with its message and creates
nothing (no user, link, session or mail). Against the loopback OAuth/OIDC fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from goalgetter.domain.oauth_linking import MESSAGES
from goalgetter.settings import get_settings
from tests.fakes.anthropic_fake import free_port
from tests.integration import test_oauth as oauth_flow
from tests.integration.test_oauth import (
    NOTHING,
    assert_refused,
    assert_signed_in,
    authorize,
    counts,
    sign_in_with,
)

# The same fixtures: the fake provider, both providers configured, the app's routes.
oauth_server, provider, app = oauth_flow.oauth_server, oauth_flow.provider, oauth_flow.app

ID_TOKEN_FAULTS = ("wrong_key", "wrong_nonce", "expired", "wrong_audience")


def with_query(path: str, **changes: str) -> str:
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | changes
    return f"{parts.path}?{urlencode(query)}"


@pytest.mark.parametrize("fault", ID_TOKEN_FAULTS)
async def test_an_id_token_that_does_not_check_out_signs_nobody_in(app, provider, db, fault):
    provider.google_account("grace@example.com")
    provider.consent("google", fault=fault)
    assert_refused(await sign_in_with(app, "google"), "oauth_failed")
    assert await counts(db) == NOTHING
    # The same person, with a sound token, gets in.
    assert_signed_in(await sign_in_with(app, "google"))


@pytest.mark.parametrize("provider_name", ["google", "github"])
async def test_cancelling_at_the_provider(app, provider, db, provider_name):
    provider.google_account("grace@example.com")
    provider.github_account("gus@example.com")
    provider.consent(provider_name, fault="deny")
    assert_refused(await sign_in_with(app, provider_name), "oauth_cancelled")
    assert await counts(db) == NOTHING


async def test_a_replayed_callback_fails_even_with_the_state_cookie(app, provider, db):
    provider.google_account("grace@example.com")
    callback = await authorize(app, "google")
    state_cookie = app.cookies.get("gg_oauth_state_google")
    assert_signed_in(await app.get(callback))
    before = await counts(db)

    assert_refused(await app.get(callback), "oauth_state")  # the browser again: cookie gone
    app.cookies.set("gg_oauth_state_google", state_cookie, path="/auth/")
    assert_refused(await app.get(callback), "oauth_state")  # a copied cookie: flow used
    assert await counts(db) == before


async def test_a_state_that_is_not_this_browsers_is_refused(app, provider, db):
    provider.google_account("grace@example.com")
    callback = await authorize(app, "google")
    assert_refused(await app.get(with_query(callback, state="forged")), "oauth_state")
    # The real state in another browser (no cookie): refused too, and the flow stays
    # unused for its own browser.
    async with httpx.AsyncClient(transport=app._transport, base_url=str(app.base_url)) as other:
        assert_refused(await other.get(callback), "oauth_state")
    assert await counts(db) == NOTHING
    assert_signed_in(await app.get(callback))


async def test_a_flow_older_than_ten_minutes_is_refused(app, provider, db):
    provider.google_account("grace@example.com")
    callback = await authorize(app, "google")
    past = datetime.now(UTC) - timedelta(seconds=1)
    assert (await db.oauth_flows.update_many({}, {"$set": {"expires_at": past}})).modified_count
    assert_refused(await app.get(callback), "oauth_state")
    assert await counts(db) == NOTHING


async def test_a_code_that_was_tampered_with_is_refused_by_the_provider(app, provider, db):
    provider.google_account("grace@example.com")
    callback = await authorize(app, "google")
    assert_refused(await app.get(with_query(callback, code="guessed")), "oauth_failed")
    assert await counts(db) == NOTHING


async def test_provider_down_at_the_token_exchange(app, provider, db):
    provider.github_account("gus@example.com")
    callback = await authorize(app, "github")
    provider.down = True
    assert_refused(await app.get(callback), "oauth_provider_down")
    assert await counts(db) == NOTHING


async def test_provider_unreachable_at_the_start(app, provider, db, monkeypatch):
    monkeypatch.setenv(
        "GOOGLE_DISCOVERY_URL", f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    )
    get_settings.cache_clear()
    assert_refused(await app.get("/auth/google/start"), "oauth_provider_down")
    assert await db.oauth_flows.count_documents({}) == 0


async def test_unconfigured_or_unknown_providers(app, provider, db, monkeypatch):
    assert_refused(await app.get("/auth/myspace/start"), "oauth_unavailable")
    assert_refused(await app.get("/auth/myspace/callback?code=x&state=y"), "oauth_unavailable")
    monkeypatch.setenv("GITHUB_CLIENT_SECRET", "")
    get_settings.cache_clear()
    assert_refused(await app.get("/auth/github/start"), "oauth_unavailable")
    assert_refused(await app.get("/auth/github/callback?code=x&state=y"), "oauth_unavailable")
    assert await counts(db) == NOTHING


@pytest.mark.parametrize(
    "query",
    ["", "?state=", "?code=x", "?error=access_denied", "?state=%00%ff&code=<script>",
     "?state=" + "a" * 10_000],
)  # fmt: skip
async def test_hostile_callbacks_create_nothing(app, provider, db, query):
    await app.get("/auth/google/start")  # a state cookie exists: none of these match it
    assert_refused(await app.get(f"/auth/google/callback{query}"), "oauth_state")
    assert await counts(db) == NOTHING


async def test_starts_count_against_the_addresss_sign_in_budget(app, provider, db):
    for _ in range(30):
        assert (await app.get("/auth/google/start")).status_code == 303
    assert_refused(await app.get("/auth/github/start"), "too_many_attempts")
    assert await db.oauth_flows.count_documents({}) == 30


def test_every_code_the_routes_send_has_a_message():
    for code in ("oauth_unavailable", "oauth_cancelled", "oauth_state", "oauth_provider_down",
                 "oauth_failed", "oauth_unverified_email", "oauth_link_password",
                 "oauth_linked_elsewhere", "oauth_in_use"):  # fmt: skip
        assert MESSAGES[code].endswith(".")
