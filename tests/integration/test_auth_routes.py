"""The plain HTTP routes beside Reflex: sign-up, sign-in, sign-out, /health and login CSRF.

Driven through Starlette with httpx on the real wire-protocol database (`db`).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from email.utils import parsedate_to_datetime
from http.cookies import Morsel, SimpleCookie
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest
import reflex as rx

from goalgetter import accounts
from goalgetter.data import client as db_client
from goalgetter.domain.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from goalgetter.routes import SESSION_COOKIE, http_routes
from goalgetter.settings import get_settings
from tests.fakes.anthropic_fake import free_port

BASE = "http://localhost:8000"
DEPLOY = (rx.config.get_config().deploy_url or "").rstrip("/")
PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
async def client(db):
    transport = httpx.ASGITransport(app=http_routes())
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def signup(http, name="Ada Lovelace", email="ada@example.com", password=PASSWORD, **headers):
    form = {"name": name, "email": email, "password": password}
    return await http.post("/auth/signup", data=form, headers=headers)


async def login(http, email="ada@example.com", password=PASSWORD, **headers):
    return await http.post(
        "/auth/login", data={"email": email, "password": password}, headers=headers
    )


def redirect(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The 303's target (absolute or relative) without its query, and the query as a dict."""
    assert response.status_code == 303, response.text
    parts = urlsplit(response.headers["location"])
    query = {
        key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def session_cookie(response: httpx.Response) -> Morsel:
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    cookie = SimpleCookie(headers[0])
    assert SESSION_COOKIE in cookie, headers
    return cookie[SESSION_COOKIE]


def assert_signed_in(response: httpx.Response, base: str = DEPLOY) -> str:
    """A 303 to the workspace (on `base`) carrying the session cookie; returns the token."""
    target, query = redirect(response)
    assert (target, query) == (f"{base}/workspace", {})
    morsel = session_cookie(response)
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == get_settings().session_days * 86_400
    assert len(morsel.value) >= 32
    return morsel.value


def assert_signed_out(response: httpx.Response, base: str = DEPLOY) -> None:
    """A 303 to the sign-in page that deletes the session cookie."""
    target, query = redirect(response)
    assert (target, query) == (f"{base}/login", {"signed_out": "1"})
    assert session_cookie(response).value in ("", '""')


# --- sign-up ---


async def test_signup_sets_httponly_cookie_and_stores_an_argon2_hash(client, db):
    token = assert_signed_in(await signup(client, email="  Ada@Example.com "))

    user = await db.users.find_one({"email": "ada@example.com"})
    assert user is not None and user["name"] == "Ada Lovelace"
    assert user["password_hash"].startswith("$argon2")
    assert PASSWORD not in str(user)
    assert await accounts.user_id_for_token(token) == user["_id"]


async def test_session_store_keeps_only_an_hmac_of_the_token(client, db):
    token = assert_signed_in(await signup(client))

    stored = await db.sessions.find({}).to_list()
    assert len(stored) == 1
    assert token not in str(stored)
    secret = get_settings().resolved_secret_key()
    expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    assert stored[0]["_id"] == expected
    assert stored[0]["expires_at"] > stored[0]["created_at"]


async def test_a_password_of_exactly_eight_characters_is_accepted(client):
    assert_signed_in(await signup(client, password="12345678"))


@pytest.mark.parametrize(
    ("name", "email", "password", "code"),
    [
        ("Ada", "not-an-email", PASSWORD, "email_invalid"),
        ("Ada", "ada@example", PASSWORD, "email_invalid"),
        ("Ada", "", PASSWORD, "email_missing"),
        ("Ada", "ada@example.com", "seven77", "password_short"),
        ("Ada", "ada@example.com", "", "password_short"),
        ("   ", "ada@example.com", PASSWORD, "name_missing"),
        ("x" * 100_000, "ada@example.com", PASSWORD, "name_long"),
        ("Ada", "a" * 100_000 + "@example.com", PASSWORD, "email_invalid"),
        ("Ada", "ada@example.com", "p" * 100_000, "password_long"),
    ],
    ids=[
        "bad-email", "no-tld", "no-email", "short-password", "no-password", "blank-name",
        "100kb-name", "100kb-email", "100kb-password",
    ],
)  # fmt: skip
async def test_signup_errors_go_back_to_the_form_keeping_name_and_email(
    client, db, name, email, password, code
):
    response = await signup(client, name=name, email=email, password=password)

    target, query = redirect(response)
    assert target == f"{DEPLOY}/signup"
    assert query.pop("error") == code
    # Kept for the form, cut to the longest valid value; the password never travels back.
    assert query == {"name": name[:MAX_NAME_LENGTH], "email": email[:MAX_EMAIL_LENGTH]}
    if password:
        assert password not in response.headers["location"]
    assert "set-cookie" not in response.headers
    assert await db.users.count_documents({}) == 0


async def test_duplicate_email_is_refused_whatever_its_case(client, db):
    assert_signed_in(await signup(client, email="A@B.com"))

    response = await signup(client, name="Impostor", email="a@b.com", password="another password")

    target, query = redirect(response)
    assert target == f"{DEPLOY}/signup"
    assert query == {"error": "email_taken", "name": "Impostor", "email": "a@b.com"}
    assert "set-cookie" not in response.headers
    assert [u["name"] async for u in db.users.find({})] == ["Ada Lovelace"]


async def test_hostile_name_is_stored_and_sent_back_as_plain_text(client, db):
    target, query = redirect(await signup(client, name=HOSTILE, password="short"))
    assert target == f"{DEPLOY}/signup"
    assert query["name"] == HOSTILE

    token = assert_signed_in(await signup(client, name=HOSTILE))
    user = await db.users.find_one({"_id": await accounts.user_id_for_token(token)})
    assert user["name"] == HOSTILE


# --- sign-in ---


async def test_login_with_the_right_password_starts_a_new_session(client, db):
    first = assert_signed_in(await signup(client))

    second = assert_signed_in(await login(client))

    assert second != first
    user = await db.users.find_one({"email": "ada@example.com"})
    assert await accounts.user_id_for_token(second) == user["_id"]
    # The browser sent its older session along: signing in again ended it.
    assert await accounts.user_id_for_token(first) is None
    assert await db.sessions.count_documents({"user_id": user["_id"]}) == 1


async def test_login_accepts_the_email_in_another_case_with_spaces(client):
    assert_signed_in(await signup(client))
    assert_signed_in(await login(client, email="  ADA@Example.COM  "))


async def test_wrong_password_and_unknown_email_look_the_same(client):
    assert_signed_in(await signup(client))

    wrong = await login(client, password="not the password")
    unknown = await login(client, email="nobody@example.com")

    for response, email in ((wrong, "ada@example.com"), (unknown, "nobody@example.com")):
        target, query = redirect(response)
        assert target == f"{DEPLOY}/login"
        assert query == {"error": "wrong_credentials", "email": email}
        assert "set-cookie" not in response.headers


async def test_login_without_a_password_asks_for_one(client):
    assert_signed_in(await signup(client))
    _, query = redirect(await login(client, password=""))
    assert query["error"] == "password_missing"


# --- sign-out ---


async def test_logout_deletes_the_cookie_and_the_server_side_session(client, db):
    token = assert_signed_in(await signup(client))
    assert client.cookies.get(SESSION_COOKIE) == token  # the jar sends it, like a browser

    response = await client.post("/auth/logout")

    target, query = redirect(response)
    assert (target, query) == (f"{DEPLOY}/login", {"signed_out": "1"})
    morsel = session_cookie(response)
    assert morsel.value in ("", '""')
    assert morsel["path"] == "/"
    expired = morsel["max-age"] == "0" or (
        morsel["expires"] and parsedate_to_datetime(morsel["expires"]).timestamp() < time.time()
    )
    assert expired, response.headers["set-cookie"]
    assert await accounts.user_id_for_token(token) is None
    assert await db.sessions.count_documents({}) == 0


async def test_logout_without_a_cookie_still_signs_out(client):
    target, query = redirect(await client.post("/auth/logout"))
    assert (target, query) == (f"{DEPLOY}/login", {"signed_out": "1"})


async def test_logout_is_post_only(client, db):
    """A GET (a link, an <img> on another site) must not end the session."""
    token = assert_signed_in(await signup(client))

    response = await client.get("/auth/logout")

    assert response.status_code == 405
    assert "set-cookie" not in response.headers
    assert await accounts.user_id_for_token(token) is not None


# --- health ---


async def test_health_reports_the_database(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


async def test_health_is_degraded_when_the_database_does_not_answer(client, db, mongo_uri):
    unreachable = (
        f"mongodb://127.0.0.1:{free_port()}/?directConnection=true&serverSelectionTimeoutMS=300"
    )
    db_client.configure(unreachable, db.name)
    try:
        started = time.monotonic()
        response = await client.get("/health")
        elapsed = time.monotonic() - started
    finally:
        await db_client.close_clients()
        db_client.configure(mongo_uri, db.name)

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": False}
    assert elapsed < 3, f"the URI's serverSelectionTimeoutMS was ignored ({elapsed:.1f} s)"
    assert (await client.get("/health")).json()["database"] is True


# --- login CSRF: the Origin header ---


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost:9999"])
async def test_signup_and_login_from_a_foreign_origin_are_refused(client, db, origin):
    refused_signup = await signup(client, origin=origin)
    assert refused_signup.status_code == 403
    assert "refused" in refused_signup.text.lower()
    assert "set-cookie" not in refused_signup.headers
    assert await db.users.count_documents({}) == 0

    assert_signed_in(await signup(client))
    refused_login = await login(client, origin=origin)
    assert refused_login.status_code == 403
    assert "set-cookie" not in refused_login.headers
    assert await db.sessions.count_documents({}) == 1  # only the sign-up's


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost:9999"])
async def test_logout_from_a_foreign_origin_is_refused(client, db, origin):
    token = assert_signed_in(await signup(client))

    refused = await client.post("/auth/logout", headers={"origin": origin})

    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers
    assert await accounts.user_id_for_token(token) is not None
    assert_signed_out(await client.post("/auth/logout", headers={"origin": _origin(DEPLOY)}))
    assert await accounts.user_id_for_token(token) is None


@pytest.mark.parametrize(
    "origin",
    [_origin(DEPLOY), _origin(rx.config.get_config().api_url), _origin(DEPLOY).upper(), None],
    ids=["deploy-url", "api-url", "upper-case", "no-origin"],
)
async def test_signup_and_login_from_the_app_or_without_origin_are_accepted(client, origin):
    headers = {"origin": origin} if origin else {}
    assert_signed_in(await signup(client, **headers))
    assert_signed_in(await login(client, **headers))


# --- argon2 off the event loop ---


class _HasherSpy:
    """Wraps the real PasswordHasher and notes which thread ran each call, and on what hash."""

    def __init__(self, hasher):
        self._hasher = hasher
        self.calls: list[tuple[str, int, str]] = []

    def hash(self, password):
        self.calls.append(("hash", threading.get_ident(), ""))
        return self._hasher.hash(password)

    def verify(self, password_hash, password):
        self.calls.append(("verify", threading.get_ident(), password_hash))
        return self._hasher.verify(password_hash, password)


async def test_password_hashing_and_checking_run_off_the_event_loop(client, monkeypatch):
    spy = _HasherSpy(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", spy)
    loop_thread = threading.get_ident()

    assert_signed_in(await signup(client))
    assert_signed_in(await login(client))
    redirect(await login(client, password="not the password"))
    redirect(await login(client, email="nobody@example.com"))

    assert [call[0] for call in spy.calls] == ["hash", "verify", "verify", "verify"]
    assert all(thread != loop_thread for _, thread, _ in spy.calls), spy.calls
    # An unknown email is still checked, against the dummy hash: both failures take as long.
    assert spy.calls[-1][2] == accounts._DUMMY_HASH
    assert spy.calls[1][2] != accounts._DUMMY_HASH


# --- any host name: relative URLs on one origin, the request's own origin accepted ---


@pytest.fixture
def one_origin(monkeypatch):
    """Production: pages and backend on one port (monkeypatch restores the config)."""
    config = rx.config.get_config()
    monkeypatch.setattr(config, "api_url", "http://localhost:3000")
    monkeypatch.setattr(config, "deploy_url", "http://localhost:3000/")
    return config


async def test_on_one_origin_redirects_are_relative(client, one_origin):
    assert_signed_in(await signup(client), base="")
    assert_signed_in(await login(client), base="")
    target, query = redirect(await login(client, password="not the password"))
    assert (target, query) == ("/login", {"error": "wrong_credentials", "email": "ada@example.com"})
    target, _ = redirect(await signup(client, password="short"))
    assert target == "/signup"
    assert_signed_out(await client.post("/auth/logout"), base="")


@pytest.mark.parametrize(
    ("api_url", "deploy_url"),
    [
        ("http://localhost:8000", "http://localhost:3000"),
        ("https://api.example.com", "https://app.example.com"),
        ("https://app.example.com", "http://app.example.com"),
    ],
    ids=["other-port", "other-host", "other-scheme"],
)
async def test_on_two_origins_redirects_go_to_the_deploy_url(
    client, monkeypatch, api_url, deploy_url
):
    config = rx.config.get_config()
    monkeypatch.setattr(config, "api_url", api_url)
    monkeypatch.setattr(config, "deploy_url", deploy_url)
    assert_signed_in(await signup(client), base=deploy_url)
    assert_signed_out(await client.post("/auth/logout"), base=deploy_url)


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://goalgetter.lan:3000", "http://GoalGetter.lan:3000"),
        ("https://goals.example.org", "https://goals.example.org"),
        ("https://goals.example.org", "https://goals.example.org:443"),
        ("http://[::1]:3000", "http://[::1]:3000"),
    ],
    ids=["loopback-ip", "lan-name", "https-default-port", "explicit-default-port", "ipv6"],
)
async def test_the_requests_own_origin_is_accepted(db, base_url, origin):
    transport = httpx.ASGITransport(app=http_routes())
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        headers = {"origin": origin}
        assert_signed_in(await signup(http, **headers))
        assert_signed_in(await login(http, **headers))
        assert_signed_out(await http.post("/auth/logout", headers=headers))


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        "https://evil.example",
        "http://127.0.0.1:8001",  # another port on the same host
        "https://127.0.0.1:8000",  # another scheme
        "http://127.0.0.1.evil.example:8000",
    ],
)
async def test_origins_other_than_the_requests_own_are_still_refused(db, origin):
    transport = httpx.ASGITransport(app=http_routes())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        for response in (
            await signup(http, origin=origin),
            await login(http, origin=origin),
            await http.post("/auth/logout", headers={"origin": origin}),
        ):
            assert response.status_code == 403
            assert "set-cookie" not in response.headers
        assert await db.users.count_documents({}) == 0
