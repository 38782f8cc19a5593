"""A person's sessions: listed from their own list document (each session read by exact
`_id`), with the device and "last seen" (written at most every five minutes), ended one by
one, all but one, or all; on the real wire-protocol database, through real pymongo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from goalgetter import accounts
from goalgetter.data import sessions
from goalgetter.routes import http_routes
from goalgetter.settings import get_settings
from goalgetter.state.sessions_list import session_row
from tests.integration.command_log import watching
from tests.integration.test_auth_routes import PASSWORD, assert_signed_in

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
T0 = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
LIFETIME = timedelta(days=30)


def secret() -> str:
    return get_settings().resolved_secret_key()


async def start(user_id, user_agent: str = FIREFOX, now: datetime = T0) -> str:
    """A session's key (what the websocket sees)."""
    token = await sessions.create_session(user_id, secret(), LIFETIME, user_agent, now)
    return sessions.session_key(token, secret())


@pytest.fixture
async def bea(db):
    return (await accounts.sign_up("Bea Both", "bea@example.com", PASSWORD))["_id"]


async def keys_of(user_id, now: datetime = T0) -> list[str]:
    return [s["_id"] for s in await sessions.list_for_user(user_id, now)]


async def test_sign_in_records_the_device_and_lists_only_the_persons_sessions(db, bea, ann):
    transport = httpx.ASGITransport(app=http_routes())
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as http:
        form = {"email": "bea@example.com", "password": PASSWORD}
        token = assert_signed_in(
            await http.post("/auth/login", data=form, headers={"user-agent": IPHONE})
        )
    await start(ann)

    [listed] = await sessions.list_for_user(bea)
    row = session_row(listed, accounts.session_key(token))
    assert (row["device"], row["current"]) == ("Mobile Safari on iPhone", True)
    assert row["created"] == row["last_seen"]
    assert row["id"] != listed["_id"] and token not in str(row)
    assert session_row(listed, "another key")["current"] is False


async def test_listing_reads_one_list_and_each_session_by_its_exact_id(db, bea, ann, mongo_uri):
    """The embedded store scans the whole collection for any filter but a bare `_id`."""
    mine = [await start(bea, now=T0 + timedelta(minutes=i)) for i in range(3)]
    await start(ann)
    async with watching(mongo_uri) as commands:
        listed = await keys_of(bea, T0 + timedelta(hours=1))

    assert listed == mine[::-1]  # newest first
    first, *reads = commands.filters
    assert first == ("user_sessions", {"_id": bea})
    assert sorted(reads, key=str) == sorted((("sessions", {"_id": k}) for k in mine), key=str)


async def test_last_seen_is_written_at_most_every_five_minutes(db, bea):
    key = await start(bea)

    async def last_seen():
        return (await db.sessions.find_one({"_id": key}))["last_seen_at"]

    assert await sessions.user_id_for_key(key, T0 + timedelta(minutes=4)) == bea
    assert await last_seen() == T0
    assert await sessions.user_id_for_key(key, T0 + timedelta(minutes=6)) == bea
    assert await last_seen() == T0 + timedelta(minutes=6)
    assert await sessions.user_id_for_key(key, T0 + timedelta(minutes=9)) == bea
    assert await last_seen() == T0 + timedelta(minutes=6)


async def test_an_expired_session_is_neither_accepted_nor_listed(db, bea):
    key = await start(bea)
    later = T0 + LIFETIME
    assert await sessions.user_id_for_key(key, later) is None
    assert await keys_of(bea, later) == []
    assert await db.user_sessions.find_one({"_id": bea}) == {"_id": bea, "keys": {}}


async def test_a_key_listed_a_moment_ago_is_kept_until_its_session_appears(db, bea):
    """Creation lists the key first: a listing in between must not drop it."""
    now = datetime.now(UTC)
    await db.user_sessions.update_one({"_id": bea}, {"$set": {"keys.k-new": now}}, upsert=True)
    await db.user_sessions.update_one(
        {"_id": bea}, {"$set": {"keys.k-gone": now - timedelta(minutes=5)}}
    )
    assert await keys_of(bea, now) == []
    listed = (await db.user_sessions.find_one({"_id": bea}))["keys"]
    assert list(listed) == ["k-new"]


async def test_signing_out_takes_the_session_off_the_list(db, bea):
    token = await accounts.start_session(bea, FIREFOX)
    await accounts.end_session(token)
    assert await keys_of(bea, datetime.now(UTC)) == []
    assert (await db.user_sessions.find_one({"_id": bea}))["keys"] == {}


async def test_revoking_ends_only_the_persons_own_session(db, bea, ann):
    bea_key, ann_key = await start(bea), await start(ann)

    assert not await sessions.delete_by_key(ann_key, bea)  # not hers
    assert await sessions.user_id_for_key(ann_key, T0) == ann
    assert await sessions.delete_by_key(bea_key, bea)
    assert await sessions.user_id_for_key(bea_key, T0) is None
    assert not await sessions.delete_by_key(bea_key, bea)  # already ended


async def test_ending_all_but_one_keeps_that_one_and_others_people(db, bea, ann):
    keep, *others = [await start(bea) for _ in range(3)]
    ann_key = await start(ann)

    assert await sessions.end_all_for_user(bea, except_key=keep) == 2
    assert await keys_of(bea) == [keep]
    for key in others:
        assert await sessions.user_id_for_key(key, T0) is None
    assert await sessions.user_id_for_key(ann_key, T0) == ann

    assert await sessions.end_all_for_user(bea) == 1
    assert await keys_of(bea) == []


async def test_delete_all_for_user_leaves_nothing_of_that_person(db, bea, ann):
    for _ in range(2):
        await start(bea)
    ann_key = await start(ann)

    await sessions.delete_all_for_user(bea)

    assert await db.sessions.count_documents({"user_id": bea}) == 0
    assert await db.user_sessions.count_documents({"_id": bea}) == 0
    assert await keys_of(ann) == [ann_key]


async def test_sessions_from_before_the_lists_are_listed_once(db, bea):
    old = {"_id": "old-key", "user_id": bea, "created_at": T0, "expires_at": T0 + LIFETIME}
    await db.sessions.insert_one(old)

    assert await sessions.add_missing_session_lists() == 1
    assert await sessions.add_missing_session_lists() == 0
    [listed] = await sessions.list_for_user(bea, T0)
    assert session_row(listed, "")["last_seen"] == session_row(listed, "")["created"]
    assert session_row(listed, "")["device"] == "Unknown device"
    assert await sessions.end_all_for_user(bea) == 1


async def test_a_session_cookie_of_one_person_cannot_revoke_anothers(db, bea, ann):
    """The row ids a page holds are not keys: a key from anywhere matches no row id."""
    ann_key = await start(ann)
    row = session_row(await db.sessions.find_one({"_id": ann_key}), "")
    assert not await sessions.delete_by_key(row["id"], bea)
    assert not await sessions.delete_by_key(row["id"], ann)
    assert await sessions.user_id_for_key(ann_key, T0) == ann
