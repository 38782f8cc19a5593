"""Brute-force limits on sign-in and sign-up, through the HTTP routes, on both storages:
this process's memory (REDIS_URL unset) and a real redis-server (`redis_url`).

No test waits for a window to pass: each one uses its own client address and emails, and
the limiter is rebuilt (its counts wiped) around every test.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from types import SimpleNamespace

import httpx
import limits.aio.storage.memory
import pytest
import redis
from argon2 import PasswordHasher

from goalgetter import accounts, rate_limits
from goalgetter.rate_limits import (
    FAILED_SIGN_INS_PER_EMAIL,
    SIGN_IN_ATTEMPTS_PER_IP,
    SIGN_UPS_PER_IP,
)
from goalgetter.routes import http_routes
from goalgetter.settings import get_settings
from tests.integration.test_auth_routes import PASSWORD, assert_signed_in, redirect

WRONG = "not the password"
_addresses = itertools.count(1)


class _CountingHasher:
    """The real PasswordHasher, counting the argon2 work it is asked for."""

    def __init__(self, hasher):
        self._hasher = hasher
        self.hashes = 0
        self.verifies = 0

    def hash(self, password):
        self.hashes += 1
        return self._hasher.hash(password)

    def verify(self, password_hash, password):
        self.verifies += 1
        return self._hasher.verify(password_hash, password)


@pytest.fixture(params=["memory", "redis"])
async def storage(request, monkeypatch):
    """The limiter as the app builds it from its settings, over each storage in turn."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    settings = get_settings()
    monkeypatch.setattr(settings, "redis_url", url)
    monkeypatch.setattr(settings, "auth_rate_limits", True)
    await rate_limits.reset_limiter()
    yield request.param
    await rate_limits.reset_limiter()


@pytest.fixture(autouse=True)
def argon2(monkeypatch) -> _CountingHasher:
    """Real argon2 at its lowest cost (these tests run hundreds of checks), counted."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    counter = _CountingHasher(cheap)
    monkeypatch.setattr(accounts, "_hasher", counter)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not-a-real-password"))
    return counter


def new_ip() -> str:
    """A client address no other test (or run, on the shared redis-server) has used."""
    return f"198.51.{next(_addresses) % 250}.{uuid.uuid4().int % 250 + 1}"


def new_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def client_from(ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=http_routes(), client=(ip, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


async def sign_up(http, email, name="Rate Tester", password=PASSWORD):
    form = {"name": name, "email": email, "password": password}
    return await http.post("/auth/signup", data=form)


async def sign_in(http, email, password=PASSWORD):
    return await http.post("/auth/login", data={"email": email, "password": password})


def error_of(response: httpx.Response, page: str) -> str:
    target, query = redirect(response)
    assert target.endswith(page), target
    assert "set-cookie" not in response.headers
    return query["error"]


async def new_account(email: str) -> None:
    """An account made behind the routes' back, so no sign-up is counted."""
    await accounts.sign_up("Rate Tester", email, PASSWORD)


# --- per email: failed sign-ins ---


async def test_the_sixth_failure_for_an_email_is_refused_even_with_the_right_password(
    db, storage, argon2
):
    email, other = new_email("target"), new_email("bystander")
    await new_account(email)
    await new_account(other)

    async with client_from(new_ip()) as http:
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount):
            assert error_of(await sign_in(http, email, WRONG), "/login") == "wrong_credentials"
        checked = argon2.verifies

        refused = await sign_in(http, email)  # the right password, too late
        assert error_of(refused, "/login") == "too_many_attempts"
        _, query = redirect(refused)
        assert query["email"] == email
        assert argon2.verifies == checked, "a refused sign-in must not reach argon2"

        # In another case, with spaces: the same account, still refused.
        assert error_of(await sign_in(http, f"  {email.upper()} "), "/login") == (
            "too_many_attempts"
        )
        # Another email, from the same address, is unaffected.
        assert_signed_in(await sign_in(http, other))

    # The limit follows the email, not the address it is tried from.
    async with client_from(new_ip()) as http:
        assert error_of(await sign_in(http, email), "/login") == "too_many_attempts"


async def test_successful_sign_ins_do_not_count_as_failures(db, storage):
    email = new_email("regular")
    await new_account(email)

    async with client_from(new_ip()) as http:
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount + 3):
            assert_signed_in(await sign_in(http, email))
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount - 1):
            assert error_of(await sign_in(http, email, WRONG), "/login") == "wrong_credentials"
        assert_signed_in(await sign_in(http, email))
        # A success does not wipe the failures before it either: this is the fifth.
        assert error_of(await sign_in(http, email, WRONG), "/login") == "wrong_credentials"
        assert error_of(await sign_in(http, email), "/login") == "too_many_attempts"


async def test_input_errors_do_not_count_as_failures(db, storage):
    email = new_email("typo")
    await new_account(email)

    async with client_from(new_ip()) as http:
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount + 1):
            assert error_of(await sign_in(http, email, ""), "/login") == "password_missing"
        assert_signed_in(await sign_in(http, email))


async def test_parallel_guesses_cannot_outrun_the_per_email_limit(db, storage, argon2):
    """All sent at once, from many addresses: only the budget's worth reach argon2."""
    argon2._hasher = PasswordHasher()  # full cost: the checks overlap, as in production
    email = new_email("parallel")
    await new_account(email)
    clients = [client_from(new_ip()) for _ in range(12)]
    try:
        responses = await asyncio.gather(*(sign_in(http, email, WRONG) for http in clients))
    finally:
        for http in clients:
            await http.aclose()

    errors = sorted(error_of(response, "/login") for response in responses)
    budget = FAILED_SIGN_INS_PER_EMAIL.amount
    assert errors == ["too_many_attempts"] * (12 - budget) + ["wrong_credentials"] * budget
    assert argon2.verifies == budget


async def test_the_lockout_lasts_fifteen_minutes_not_forever(db, storage):
    email = new_email("window")
    await new_account(email)
    async with client_from(new_ip()) as http:
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount + 2):
            await sign_in(http, email, WRONG)

    windows = rate_limits.get_limiter()._windows
    key = ("sign-in-failures", rate_limits._email_key(email))
    stats = await windows.get_window_stats(FAILED_SIGN_INS_PER_EMAIL, *key)
    assert stats.remaining == 0
    # Refused attempts do not push the end of the window further out.
    assert 14 * 60 < stats.reset_time - time.time() <= 15 * 60


async def test_the_lockout_ends_when_the_window_does(db, monkeypatch):
    """In-process storage, on a clock the test moves: no waiting."""
    now = [time.time()]
    monkeypatch.setattr(limits.aio.storage.memory, "time", SimpleNamespace(time=lambda: now[0]))
    monkeypatch.setattr(get_settings(), "redis_url", "")
    monkeypatch.setattr(get_settings(), "auth_rate_limits", True)
    email = new_email("later")
    await new_account(email)

    async with client_from(new_ip()) as http:
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount):
            await sign_in(http, email, WRONG)
        now[0] += 14 * 60
        assert error_of(await sign_in(http, email), "/login") == "too_many_attempts"
        now[0] += 60 + 1
        assert_signed_in(await sign_in(http, email))


# --- per client address: sign-in attempts ---


async def test_one_address_gets_thirty_sign_in_attempts_whatever_the_emails(db, storage, argon2):
    ip = new_ip()
    async with client_from(ip) as http:
        for number in range(SIGN_IN_ATTEMPTS_PER_IP.amount):
            response = await sign_in(http, new_email(f"spray{number}"), WRONG)
            assert error_of(response, "/login") == "wrong_credentials"
        checked = argon2.verifies

        fresh = new_email("fresh")
        await new_account(fresh)
        assert error_of(await sign_in(http, fresh), "/login") == "too_many_attempts"
        assert argon2.verifies == checked

    async with client_from(new_ip()) as http:  # another address is unaffected
        assert_signed_in(await sign_in(http, fresh))


async def test_successful_sign_ins_count_against_the_address(db, storage):
    email = new_email("busy")
    await new_account(email)
    async with client_from(new_ip()) as http:
        for _ in range(SIGN_IN_ATTEMPTS_PER_IP.amount):
            assert_signed_in(await sign_in(http, email))
        assert error_of(await sign_in(http, email), "/login") == "too_many_attempts"


# --- per client address: sign-ups ---


async def test_one_address_gets_ten_sign_ups_an_hour(db, storage, argon2):
    ip = new_ip()
    async with client_from(ip) as http:
        for number in range(SIGN_UPS_PER_IP.amount):
            assert_signed_in(await sign_up(http, new_email(f"signup{number}")))
        hashed = argon2.hashes

        last = new_email("one-too-many")
        refused = await sign_up(http, last, name="Eleventh")
        assert error_of(refused, "/signup") == "too_many_attempts"
        _, query = redirect(refused)
        assert query == {"error": "too_many_attempts", "name": "Eleventh", "email": last}
        assert argon2.hashes == hashed, "a refused sign-up must not reach argon2"
        assert await db.users.count_documents({"email": last}) == 0

    async with client_from(new_ip()) as http:
        assert_signed_in(await sign_up(http, last))


async def test_sign_up_attempts_with_input_errors_count_too(db, storage):
    async with client_from(new_ip()) as http:
        for _ in range(SIGN_UPS_PER_IP.amount):
            assert error_of(await sign_up(http, "not-an-email"), "/signup") == "email_invalid"
        assert error_of(await sign_up(http, new_email("late")), "/signup") == ("too_many_attempts")


# --- storage ---


async def test_the_storage_follows_redis_url(db, storage, redis_url):
    email = new_email("stored")
    async with client_from(new_ip()) as http:
        await sign_in(http, email, WRONG)

    limiter = rate_limits.get_limiter()
    if storage == "memory":
        assert type(limiter.storage).__name__ == "MemoryStorage"
        return
    assert type(limiter.storage).__name__ == "RedisStorage"
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("LIMITS:*")]
    assert any("sign-in-failures" in key for key in keys), keys
    # The counts are keyed by a digest: no email address is stored in Redis.
    assert not any("@" in key or email.split("@")[0] in key for key in keys), keys


async def test_turned_off_nothing_is_counted(db, monkeypatch):
    monkeypatch.setattr(get_settings(), "auth_rate_limits", False)
    await rate_limits.reset_limiter()
    email = new_email("unlimited")
    await new_account(email)
    async with client_from(new_ip()) as http:
        for _ in range(SIGN_UPS_PER_IP.amount + 1):
            assert_signed_in(await sign_up(http, new_email("many")))
        for _ in range(FAILED_SIGN_INS_PER_EMAIL.amount + 1):
            await sign_in(http, email, WRONG)
        assert_signed_in(await sign_in(http, email))
