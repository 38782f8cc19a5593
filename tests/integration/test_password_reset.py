"""Forgotten passwords through the HTTP routes, on the real wire-protocol database: the same
answer for every email, the mail in the outbox, a token kept only as a hash, single use,
one hour, every session ended, rate limits (memory and a real redis-server), hostile input.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher

from goalgetter import accounts, password_reset, rate_limits
from goalgetter.data import password_resets, sessions
from goalgetter.password_reset_routes import (
    PASSWORD_RESET_ROUTES,
    RESETS_PER_EMAIL,
    RESETS_PER_IP,
    SENT,
)
from goalgetter.routes import SESSION_COOKIE, http_routes
from goalgetter.settings import get_settings
from tests.integration.test_auth_routes import PASSWORD, assert_signed_in, redirect

NEW_PASSWORD = "a brand new passphrase"
HOSTILE = '<script>alert("x")</script>'
T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Real argon2 at its lowest cost: these tests hash many passwords."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not-a-real-password"))


def client_from(ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=http_routes(*PASSWORD_RESET_ROUTES), client=(ip, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


@pytest.fixture
async def client(db):
    async with client_from() as http:
        yield http


def new_email(label: str = "person") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def new_ip() -> str:
    return f"203.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


@pytest.fixture
async def person(db) -> dict:
    return await accounts.sign_up("Rosa Reset", new_email("rosa"), PASSWORD)


async def reset_mails(db, user_id) -> list[dict]:
    found = db.outbox.find({"user_id": user_id, "kind": "password-reset"})
    return await found.sort("created_at", 1).to_list()


def link_token(mail: dict) -> str:
    [token] = re.findall(r"/reset/([A-Za-z0-9_-]+)", mail["text"])
    return token


async def ask(http, email: str, **headers) -> httpx.Response:
    return await http.post("/forgot", data={"email": email}, headers=headers)


async def token_for(http, db, person) -> str:
    assert redirect(await ask(http, person["email"]))[1] == {"sent": "1"}
    return link_token((await reset_mails(db, person["_id"]))[-1])


async def set_password(http, token: str, password: str = NEW_PASSWORD, **headers):
    return await http.post(f"/reset/{token}", data={"password": password}, headers=headers)


async def signs_in(email: str, password: str) -> bool:
    try:
        await accounts.sign_in(email, password)
    except Exception:
        return False
    return True


# --- asking for a link ---


async def test_known_and_unknown_emails_get_the_same_answer(client, db, person):
    known = await ask(client, person["email"])
    unknown = await ask(client, new_email("nobody"))

    assert (known.status_code, known.headers["location"]) == (303, "/forgot?sent=1")
    assert (unknown.status_code, unknown.headers["location"]) == (303, "/forgot?sent=1")
    assert known.content == unknown.content
    assert "set-cookie" not in known.headers and "set-cookie" not in unknown.headers
    page = await client.get("/forgot?sent=1")
    assert SENT in page.text and 'id="forgot-done"' in page.text
    # Only the known email got mail, and only one.
    assert await db.outbox.count_documents({"kind": "password-reset"}) == 1


async def test_the_mail_carries_a_link_whose_token_is_stored_only_as_a_hash(client, db, person):
    token = await token_for(client, db, person)

    [mail] = await reset_mails(db, person["_id"])
    assert mail["to"] == person["email"]
    assert f"{get_settings().public_url.rstrip('/')}/reset/{token}" in mail["text"]
    assert token in mail["html"]
    assert token not in mail["shown_text"]  # /outbox shows the mail without the link
    stored = await db.password_resets.find({}).to_list()
    assert len(stored) == 1 and token not in str(stored)
    assert stored[0]["user_id"] == person["_id"]
    assert stored[0]["expires_at"] - stored[0]["created_at"] == timedelta(hours=1)


async def test_an_email_in_another_case_with_spaces_reaches_the_account(client, db, person):
    await ask(client, f"  {person['email'].upper()} ")
    assert len(await reset_mails(db, person["_id"])) == 1


# --- using the link ---


async def test_the_link_shows_a_form_and_sets_the_password_and_signs_in(client, db, person):
    token = await token_for(client, db, person)
    form = await client.get(f"/reset/{token}")
    assert form.status_code == 200
    assert 'id="reset-password"' in form.text and 'id="reset-submit"' in form.text
    assert form.headers["referrer-policy"] == "origin"

    new_token = assert_signed_in(await set_password(client, token))

    assert await accounts.user_id_for_token(new_token) == person["_id"]
    assert await signs_in(person["email"], NEW_PASSWORD)
    assert not await signs_in(person["email"], PASSWORD)
    stored = await db.users.find_one({"_id": person["_id"]})
    assert stored["password_hash"].startswith("$argon2") and NEW_PASSWORD not in str(stored)


async def test_a_link_works_once(client, db, person):
    token = await token_for(client, db, person)
    assert_signed_in(await set_password(client, token))

    again = await set_password(client, token, "yet another password")
    assert again.status_code == 404 and 'id="reset-error"' in again.text
    assert "set-cookie" not in again.headers
    assert (await client.get(f"/reset/{token}")).status_code == 404
    assert await signs_in(person["email"], NEW_PASSWORD)


async def test_two_submits_at_once_set_the_password_only_once(client, db, person):
    token = await token_for(client, db, person)
    answers = await asyncio.gather(
        set_password(client, token, "first of the two"),
        set_password(client, token, "second of the two"),
    )
    assert sorted(answer.status_code for answer in answers) == [303, 404]
    winner = "first of the two" if answers[0].status_code == 303 else "second of the two"
    assert await signs_in(person["email"], winner)


async def test_using_a_link_ends_every_session_and_every_other_link(client, db, person):
    tokens = [await accounts.start_session(person["_id"], "Firefox") for _ in range(3)]
    first = await token_for(client, db, person)
    second = await token_for(client, db, person)

    new_session = assert_signed_in(
        await set_password(client, second, cookie=f"{SESSION_COOKIE}={tokens[0]}")
    )

    for token in tokens:
        assert await accounts.user_id_for_token(token) is None
    listed = await sessions.list_for_user(person["_id"])
    assert [s["_id"] for s in listed] == [accounts.session_key(new_session)]
    # The first mail's link no longer works either.
    assert (await set_password(client, first, "third password here")).status_code == 404
    assert await db.password_resets.count_documents({"user_id": person["_id"]}) == 0


async def test_a_password_against_the_rules_keeps_the_link(client, db, person):
    token = await token_for(client, db, person)
    for bad, code in [("short", "password_short"), ("p" * 100_000, "password_long")]:
        answer = await set_password(client, token, bad)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"?error={code}"
        page = await client.get(f"/reset/{token}?error={code}")
        assert 'id="reset-error"' in page.text and "reset-password" in page.text
    assert await signs_in(person["email"], PASSWORD)
    assert_signed_in(await set_password(client, token))


async def test_a_link_expires_after_an_hour(db, person):
    assert await password_reset.request_reset(person["email"], now=T0)
    token = link_token((await reset_mails(db, person["_id"]))[-1])

    assert await password_reset.link_works(token, now=T0 + timedelta(minutes=59))
    assert not await password_reset.link_works(token, now=T0 + timedelta(minutes=60))
    with pytest.raises(Exception, match="does not work any more"):
        await password_reset.reset_password(token, NEW_PASSWORD, now=T0 + timedelta(minutes=61))
    assert await signs_in(person["email"], PASSWORD)


async def test_an_expired_link_is_refused_by_the_routes(client, db, person):
    secret = get_settings().resolved_secret_key()
    stale = await password_resets.create(
        person["_id"], secret, now=datetime.now(UTC) - timedelta(minutes=61)
    )
    assert (await client.get(f"/reset/{stale}")).status_code == 404
    assert (await set_password(client, stale)).status_code == 404
    assert await signs_in(person["email"], PASSWORD)


async def test_an_account_made_through_a_provider_gets_its_first_password(client, db):
    person = await accounts.sign_up_through_provider("Gita Hub", new_email("gita"))
    assert not await signs_in(person["email"], NEW_PASSWORD)
    token = await token_for(client, db, person)
    assert_signed_in(await set_password(client, token))
    assert await signs_in(person["email"], NEW_PASSWORD)


async def test_a_deleted_account_is_not_brought_back(client, db, person):
    token = await token_for(client, db, person)
    await db.users.delete_one({"_id": person["_id"]})
    assert (await set_password(client, token)).status_code == 404
    assert await db.users.count_documents({}) == 0
    assert await db.sessions.count_documents({}) == 0


# --- hostile input ---


@pytest.mark.parametrize(
    "token",
    [HOSTILE, "x" * 10_000, "%00", "..%2F..%2Fetc", "ünïcødé", "' OR '1'='1", '{"$ne": 1}'],
    ids=["script", "10k", "nul", "dots", "unicode", "quote", "operator"],
)
async def test_hostile_tokens_are_a_plain_404(client, db, person, token):
    for answer in (await client.get(f"/reset/{token}"), await set_password(client, token)):
        assert answer.status_code == 404
        assert HOSTILE not in answer.text
        assert "set-cookie" not in answer.headers
    assert await signs_in(person["email"], PASSWORD)


@pytest.mark.parametrize(
    "email", [HOSTILE, "a" * 100_000 + "@example.com", "", "\x00@example.com", "x@y"]
)
async def test_hostile_emails_get_the_same_answer_and_send_nothing(client, db, person, email):
    answer = await ask(client, email)
    assert redirect(answer) == ("/forgot", {"sent": "1"})
    assert await db.outbox.count_documents({"kind": "password-reset"}) == 0


async def test_the_forgot_page_escapes_what_comes_back_in_its_url(client):
    page = await client.get("/forgot", params={"email": HOSTILE, "error": HOSTILE})
    assert HOSTILE not in page.text
    assert "&lt;script&gt;" in page.text
    assert "Something went wrong" in page.text  # an unknown code is never echoed


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_forms_posted_from_another_site_are_refused(client, db, person, origin):
    assert (await ask(client, person["email"], origin=origin)).status_code == 403
    assert await db.outbox.count_documents({"kind": "password-reset"}) == 0
    token = await token_for(client, db, person)
    assert (await set_password(client, token, origin=origin)).status_code == 403
    assert await password_reset.link_works(token)


# --- rate limits ---


@pytest.fixture(params=["memory", "redis"])
async def limited(request, monkeypatch):
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    settings = get_settings()
    monkeypatch.setattr(settings, "redis_url", url)
    monkeypatch.setattr(settings, "auth_rate_limits", True)
    await rate_limits.reset_limiter()
    yield
    await rate_limits.reset_limiter()


async def test_an_email_gets_three_links_an_hour_from_any_address(db, person, limited):
    for _ in range(RESETS_PER_EMAIL.amount):
        async with client_from(new_ip()) as http:
            assert redirect(await ask(http, person["email"]))[1] == {"sent": "1"}
    async with client_from(new_ip()) as http:
        refused = await ask(http, person["email"].upper())
        _, query = redirect(refused)
        assert query["error"] == "too_many_attempts"
        page = await http.get(refused.headers["location"])
        assert 'id="forgot-error"' in page.text and "Too many attempts" in page.text
        # Another email from the same address is not held up.
        assert redirect(await ask(http, new_email()))[1] == {"sent": "1"}
    assert len(await reset_mails(db, person["_id"])) == RESETS_PER_EMAIL.amount


async def test_unknown_emails_are_limited_like_known_ones(db, limited):
    nobody = new_email("nobody")
    async with client_from(new_ip()) as http:
        answers = [redirect(await ask(http, nobody))[1] for _ in range(RESETS_PER_EMAIL.amount + 1)]
    assert answers[-1]["error"] == "too_many_attempts"


async def test_one_address_may_ask_twenty_times_an_hour(db, limited):
    async with client_from(new_ip()) as http:
        for _ in range(RESETS_PER_IP.amount):
            assert redirect(await ask(http, new_email()))[1] == {"sent": "1"}
        assert redirect(await ask(http, new_email()))[1]["error"] == "too_many_attempts"
