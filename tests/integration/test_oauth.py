"""Sign in with Google and GitHub against the loopback OAuth/OIDC fake: the app's real
authlib clients over real HTTP, the routes through Starlette, the wire-protocol database.

The "browser" is two httpx clients: one on the app (keeping its cookies), one following the
app's redirect to the fake's authorize endpoint, whose consent answers at once.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import httpx
import pytest

from goalgetter import accounts
from goalgetter.data import identities, oauth_flows
from goalgetter.oauth_routes import OAUTH_ROUTES
from goalgetter.routes import SESSION_COOKIE, http_routes
from goalgetter.settings import get_settings
from tests.fakes.oauth_fake import FakeOAuth
from tests.integration.test_auth_routes import (
    BASE,
    DEPLOY,
    PASSWORD,
    login,
    redirect,
    signup,
)

COLLECTIONS = ("users", "email_keys", "identities", "sessions", "outbox")


@pytest.fixture(scope="module")
def oauth_server():
    fake = FakeOAuth().start()
    yield fake
    fake.stop()


@pytest.fixture
def provider(oauth_server, monkeypatch):
    """Both providers configured and pointed at the fake."""
    oauth_server.reset()
    for name, value in {**oauth_server.settings_env(), "SECRET_KEY": "s" * 48}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield oauth_server
    oauth_server.reset()
    get_settings.cache_clear()


@pytest.fixture
async def app(db, provider):
    transport = httpx.ASGITransport(app=http_routes(*OAUTH_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def authorize(app: httpx.AsyncClient, provider: str, query: str = "") -> str:
    """Start at the app, consent at the fake; the callback path the provider sends back."""
    start = await app.get(f"/auth/{provider}/start{query}")
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as outside:
        consent = await outside.get(start.headers["location"])
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == BASE
    return f"{back.path}?{back.query}"


async def sign_in_with(app: httpx.AsyncClient, provider: str, query: str = ""):
    return await app.get(await authorize(app, provider, query))


def set_cookies(response: httpx.Response) -> dict[str, object]:
    jar = {}
    for header in response.headers.get_list("set-cookie"):
        jar.update(SimpleCookie(header))
    return jar


def assert_signed_in(response: httpx.Response) -> str:
    """A 303 to the workspace with the httpOnly session cookie (the same as password sign-in)
    and every OAuth cookie deleted; returns the session token."""
    target, query = redirect(response)
    assert (target, query) == (f"{DEPLOY}/workspace", {})
    cookies = set_cookies(response)
    session = cookies.pop(SESSION_COOKIE)
    assert session["httponly"] is True and session["samesite"].lower() == "lax"
    assert int(session["max-age"]) == get_settings().session_days * 86_400
    assert all(int(c["max-age"]) == 0 for c in cookies.values()), cookies
    return session.value


def assert_refused(response: httpx.Response, code: str) -> None:
    target, query = redirect(response)
    assert (target, query.get("error")) == (f"{DEPLOY}/login", code)
    assert not any(h.startswith(SESSION_COOKIE) for h in response.headers.get_list("set-cookie"))


async def counts(db) -> dict[str, int]:
    return {name: await db[name].count_documents({}) for name in COLLECTIONS}


NOTHING = dict.fromkeys(COLLECTIONS, 0)


# --- happy paths ---


async def test_google_makes_an_account_without_a_password_and_signs_it_in(app, provider, db):
    account = provider.google_account("Grace@Example.com", name="Grace Hopper")
    token = assert_signed_in(await sign_in_with(app, "google"))

    user = await db.users.find_one({"email": "grace@example.com"})
    assert user["name"] == "Grace Hopper" and not user.get("password_hash")
    assert await accounts.user_id_for_token(token) == user["_id"]
    assert await identities.linked_user_id("google", account.sub) == user["_id"]
    assert await db.outbox.find_one({"_id": f"welcome:{user['_id']}"})  # queued, not sent
    # The request the provider saw: code flow, PKCE S256, a nonce, our exact callback.
    [asked] = [r["params"] for r in provider.requests if r["path"] == "/o/oauth2/v2/auth"]
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["nonce"] and asked["state"] and "openid" in asked["scope"].split()
    assert asked["redirect_uri"] == f"{BASE}/auth/google/callback"
    assert await db.oauth_flows.count_documents({}) == 0  # used up


async def test_a_linked_google_account_signs_in_the_same_person_again(app, provider, db):
    provider.google_account("grace@example.com")
    first = assert_signed_in(await sign_in_with(app, "google"))
    app.cookies.clear()
    second = assert_signed_in(await sign_in_with(app, "google"))
    assert first != second
    assert await accounts.user_id_for_token(first) == await accounts.user_id_for_token(second)
    assert await db.users.count_documents({}) == 1


async def test_github_uses_the_primary_verified_email(app, provider, db):
    account = provider.github_account("gus@example.com", name=None)
    token = assert_signed_in(await sign_in_with(app, "github"))

    user = await db.users.find_one({"_id": await accounts.user_id_for_token(token)})
    assert user["email"] == "gus@example.com"  # not the verified no-reply address
    assert user["name"] == account.login  # no display name at GitHub: the login
    assert await identities.linked_user_id("github", str(account.id)) == user["_id"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [("  Ada \n  King  ", "Ada King"), ("x" * 5000, "x" * 100), ("   ", "ada.k"),
     ("<script>alert(1)</script>", "<script>alert(1)</script>")],
)  # fmt: skip
async def test_the_providers_name_is_tidied_not_refused(app, provider, db, given, kept):
    provider.google_account("Ada.K@example.com", name=given)
    assert_signed_in(await sign_in_with(app, "google"))
    assert (await db.users.find_one({"email": "ada.k@example.com"}))["name"] == kept


async def test_password_sign_in_refuses_an_account_made_through_a_provider(app, provider, db):
    provider.google_account("grace@example.com")
    assert_signed_in(await sign_in_with(app, "google"))
    for password in (PASSWORD, "", "x" * 2000):
        target, query = redirect(await login(app, "grace@example.com", password))
        assert target == f"{DEPLOY}/login"
        assert query["error"] == ("password_missing" if not password else "wrong_credentials")


# --- an existing account: linked only after it proves itself ---


async def test_an_existing_email_links_only_after_the_password(app, provider, db):
    assert_signed_in(await signup(app, email="ada@example.com"))
    ada = (await db.users.find_one({"email": "ada@example.com"}))["_id"]
    app.cookies.clear()
    account = provider.google_account("ada@example.com")

    response = await sign_in_with(app, "google")
    target, query = redirect(response)
    assert target == f"{DEPLOY}/login"
    assert query == {"error": "oauth_link_password", "email": "ada@example.com"}
    assert not any(h.startswith(SESSION_COOKIE) for h in response.headers.get_list("set-cookie"))
    assert await identities.linked_user_id("google", account.sub) is None

    token = assert_signed_in_keeping_link(await login(app, "ada@example.com"))
    assert await accounts.user_id_for_token(token) == ada
    assert await identities.linked_user_id("google", account.sub) == ada
    app.cookies.clear()
    again = assert_signed_in(await sign_in_with(app, "google"))  # now straight in
    assert await accounts.user_id_for_token(again) == ada
    assert await db.users.count_documents({}) == 1


def assert_signed_in_keeping_link(response: httpx.Response) -> str:
    """Signed in, and the pending link's cookie deleted along the way."""
    assert "gg_oauth_link" in set_cookies(response)
    return assert_signed_in(response)


async def test_a_pending_link_never_goes_to_another_account(app, provider, db):
    assert_signed_in(await signup(app, email="ada@example.com"))
    assert_signed_in(await signup(app, name="Bob", email="bob@example.com"))
    app.cookies.clear()
    account = provider.google_account("ada@example.com")
    redirect(await sign_in_with(app, "google"))  # waits for Ada's password
    assert_signed_in_keeping_link(await login(app, "bob@example.com"))  # Bob signs in instead
    assert await identities.linked_user_id("google", account.sub) is None
    app.cookies.clear()
    await login(app, "ada@example.com")  # later, without the link cookie: nothing to link
    assert await identities.linked_user_id("google", account.sub) is None


async def test_a_wrong_password_keeps_the_link_waiting(app, provider, db):
    assert_signed_in(await signup(app, email="ada@example.com"))
    app.cookies.clear()
    account = provider.google_account("ada@example.com")
    await sign_in_with(app, "google")
    _, query = redirect(await login(app, "ada@example.com", "wrong password!"))
    assert query["error"] == "wrong_credentials"
    assert await identities.linked_user_id("google", account.sub) is None
    assert_signed_in_keeping_link(await login(app, "ada@example.com"))
    assert await identities.linked_user_id("google", account.sub) is not None


async def test_an_account_made_through_github_is_not_taken_by_google(app, provider, db):
    provider.github_account("sam@example.com")
    assert_signed_in(await sign_in_with(app, "github"))
    app.cookies.clear()
    before = await counts(db)
    provider.google_account("sam@example.com")
    assert_refused(await sign_in_with(app, "google"), "oauth_linked_elsewhere")
    assert await counts(db) == before


@pytest.mark.parametrize("provider_name", ["google", "github"])
async def test_an_unverified_email_never_links_or_creates(app, provider, db, provider_name):
    assert_signed_in(await signup(app, email="ada@example.com"))
    app.cookies.clear()
    before = await counts(db)
    if provider_name == "google":
        provider.google_account("ada@example.com", verified=False)
    else:
        provider.github_account("ada@example.com", verified=False)
    assert_refused(await sign_in_with(app, provider_name), "oauth_unverified_email")
    assert await counts(db) == before


# --- linking from Settings (?link=1, signed in) ---


async def test_a_signed_in_person_links_github_and_lists_unlinks_it(app, provider, db):
    token = assert_signed_in(await signup(app, email="ada@example.com"))
    ada = await accounts.user_id_for_token(token)
    account = provider.github_account("ada.elsewhere@example.com")

    target, query = redirect(await sign_in_with(app, "github", "?link=1"))
    assert (target, query) == (f"{DEPLOY}/settings", {"linked": "github"})
    assert await accounts.user_id_for_token(token) == ada  # same session kept
    [linked] = await identities.list_for_user(ada)
    assert (linked["provider"], linked["subject"]) == ("github", str(account.id))
    assert await identities.list_for_user(account.id) == []  # scoped to the user asked for

    bob = (await accounts.sign_up("Bob", "bob@example.com", PASSWORD))["_id"]
    assert not await identities.unlink(bob, "github", str(account.id))  # not Bob's
    assert await identities.unlink(ada, "github", str(account.id))
    assert await identities.list_for_user(ada) == []


async def test_linking_a_provider_account_that_belongs_to_someone_else_is_refused(
    app, provider, db
):
    provider.github_account("gus@example.com")
    assert_signed_in(await sign_in_with(app, "github"))  # Gus's account holds it
    app.cookies.clear()
    assert_signed_in(await signup(app, email="ada@example.com"))
    assert_refused(await sign_in_with(app, "github", "?link=1"), "oauth_in_use")


async def test_delete_all_identities_of_a_user_leaves_others(db):
    ada = (await accounts.sign_up("Ada", "ada@example.com", PASSWORD))["_id"]
    bob = (await accounts.sign_up("Bob", "bob@example.com", PASSWORD))["_id"]
    assert await identities.link(ada, "google", "1", "ada@example.com")
    assert await identities.link(ada, "github", "2", "ada@example.com")
    assert await identities.link(bob, "google", "3", "bob@example.com")
    assert not await identities.link(bob, "google", "1", "bob@example.com")  # Ada's
    assert await identities.delete_all_for_user(ada) == 2
    assert [i["_id"] for i in await identities.list_for_user(bob)] == ["google:3"]


async def test_deleting_a_users_pending_links(app, provider, db):
    assert_signed_in(await signup(app, email="ada@example.com"))
    ada = (await db.users.find_one({"email": "ada@example.com"}))["_id"]
    app.cookies.clear()
    provider.google_account("ada@example.com")
    await sign_in_with(app, "google")  # a link waiting for Ada's password
    await app.get("/auth/github/start")  # someone else's flow under way
    assert await oauth_flows.delete_for_user(ada) == 1
    assert await db.oauth_flows.count_documents({}) == 1
    assert_signed_in(await login(app, "ada@example.com"))  # the link is gone with it
    assert await db.identities.count_documents({}) == 0
