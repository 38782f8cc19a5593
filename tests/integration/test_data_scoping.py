"""The data layer against a real wire server: every user-id filter holds, buckets, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bson import ObjectId

from goalgetter.data import chat_messages, goals, sessions, users
from goalgetter.data.chat_messages import BUCKET_SIZE, MessageRef

SECRET = "s3cret-key-for-tests"
MALFORMED_IDS = ["", "nope", "<script>alert(1)</script>", None, "0" * 23, "z" * 24, {"$ne": 1}]


@pytest.fixture
async def two_users(db):
    """User A with a goal and a chat message; user B with its own, both real documents."""
    a = await users.create_user("a@example.com", "Ann", "hash-a")
    b = await users.create_user("b@example.com", "Bob", "hash-b")
    goal_a = await goals.create_goal(a["_id"], "Run a marathon", "42 km by October")
    goal_b = await goals.create_goal(b["_id"], "Learn Dutch", "B1 by June")
    ref_a = await chat_messages.append_message(a["_id"], "user", "A's private note")
    await chat_messages.append_message(b["_id"], "user", "B's message")
    return a["_id"], b["_id"], goal_a, goal_b, ref_a


async def _contents(user_id: ObjectId, limit: int = 1000) -> list[str]:
    return [m["content"] for m in await chat_messages.recent_messages(user_id, limit)]


# Goals ------------------------------------------------------------------------------------


async def test_other_user_cannot_get_update_or_delete_a_goal(two_users):
    a, b, goal_a, _, _ = two_users
    goal_id = goal_a["_id"]
    for given in (goal_id, str(goal_id)):
        assert await goals.get_goal(b, given) is None
        saved = await goals.save_text(b, given, base_version=None, title="Hacked", content="x")
        assert saved.status == "missing" and saved.goal is None
        for change in (
            goals.set_phase(b, given, "active"),
            goals.set_deadline(b, given, "2027-01-01"),
            goals.set_tags(b, given, ["pwned"]),
            goals.add_milestone(b, given, "pwned"),
            goals.set_milestone_done(b, given, "any", True),
            goals.remove_milestone(b, given, "any"),
        ):
            assert await change is None
        assert await goals.keep_as_revision(b, given, title="x", content="y") is False
        assert await goals.delete_goal(b, given) is False
    kept = await goals.get_goal(a, goal_id)
    assert (kept["title"], kept["content"], kept["version"], kept["phase"]) == (
        "Run a marathon",
        "42 km by October",
        1,
        "draft",
    )
    assert kept["metadata"] == {"deadline": None, "milestones": [], "tags": []}


async def test_owner_can_update_and_delete_a_goal(two_users):
    a, _, goal_a, _, _ = two_users
    saved = await goals.save_text(
        a, str(goal_a["_id"]), base_version=1, content="42 km by 1 October"
    )
    assert saved.status == "saved" and saved.goal["version"] == 2
    assert (await goals.get_goal(a, goal_a["_id"]))["content"] == "42 km by 1 October"
    nothing = await goals.save_text(a, goal_a["_id"], base_version=2)
    assert nothing.status == "missing"  # nothing to change
    assert await goals.delete_goal(a, goal_a["_id"]) is True
    assert await goals.get_goal(a, goal_a["_id"]) is None


async def test_goal_lists_hold_only_the_callers_goals(two_users):
    a, b, _, goal_b, _ = two_users
    await goals.create_goal(a, "Read 12 books")
    titles = [g["title"] for g in (await goals.list_goals(a)).goals]
    assert titles == ["Read 12 books", "Run a marathon"]
    assert [g["_id"] for g in (await goals.list_goals(b)).goals] == [goal_b["_id"]]
    with_content = await goals.goals_with_content(b)
    assert [g["content"] for g in with_content] == ["B1 by June"]
    assert (await goals.list_goals(ObjectId())).goals == []


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
async def test_malformed_goal_ids_are_refused(two_users, bad_id):
    a, _, goal_a, _, _ = two_users
    assert await goals.get_goal(a, bad_id) is None
    assert (await goals.save_text(a, bad_id, base_version=None, title="x")).status == "missing"
    assert await goals.set_phase(a, bad_id, "active") is None
    assert await goals.delete_goal(a, bad_id) is False
    assert (await goals.get_goal(a, goal_a["_id"]))["title"] == "Run a marathon"


async def test_ids_from_other_collections_are_not_goals(two_users):
    a, _, _, _, ref_a = two_users
    for foreign in (ref_a.bucket_id, a, str(ref_a.bucket_id)):
        assert await goals.get_goal(a, foreign) is None
        assert (await goals.save_text(a, foreign, base_version=None, title="x")).goal is None
        assert await goals.delete_goal(a, foreign) is False
    assert await _contents(a) == ["A's private note"]


# Chat messages ----------------------------------------------------------------------------


async def test_other_user_cannot_update_a_chat_message(two_users):
    a, b, _, _, ref_a = two_users
    parsed = MessageRef.parse(ref_a.message_id)
    for ref in (ref_a, parsed):
        assert await chat_messages.update_message(b, ref, "overwritten", {"x": 1}) is False
    [message] = await chat_messages.recent_messages(a, 10)
    assert (message["content"], message["metadata"]) == ("A's private note", {})


async def test_recent_messages_and_clear_history_are_per_user(two_users):
    a, b, _, _, _ = two_users
    await chat_messages.append_message(a, "assistant", "Coach to A")
    assert await _contents(a) == ["A's private note", "Coach to A"]
    assert await _contents(b) == ["B's message"]
    assert await chat_messages.clear_history(b) == 1
    assert await _contents(b) == []
    assert await _contents(a) == ["A's private note", "Coach to A"]
    assert await chat_messages.clear_history(ObjectId()) == 0


async def test_appends_spill_into_a_second_bucket_and_read_back_in_order(db):
    user = ObjectId()
    refs = [
        await chat_messages.append_message(user, "user", f"m{n}") for n in range(BUCKET_SIZE + 5)
    ]
    assert len({ref.bucket_id for ref in refs}) == 2
    assert [ref.index for ref in refs[BUCKET_SIZE - 1 : BUCKET_SIZE + 2]] == [BUCKET_SIZE - 1, 0, 1]
    counts = [b["count"] async for b in db.chat_messages.find({"user_id": user}).sort("started_at")]
    assert counts == [BUCKET_SIZE, 5]
    assert await _contents(user, 10) == [f"m{n}" for n in range(BUCKET_SIZE - 5, BUCKET_SIZE + 5)]
    assert await _contents(user, 3) == [f"m{n}" for n in range(BUCKET_SIZE + 2, BUCKET_SIZE + 5)]
    assert await _contents(user) == [f"m{n}" for n in range(BUCKET_SIZE + 5)]
    assert await chat_messages.recent_messages(user, 0) == []
    ids = [m["id"] for m in await chat_messages.recent_messages(user, 1000)]
    assert ids == [ref.message_id for ref in refs]


async def test_update_by_ref_changes_exactly_that_message(db):
    user = ObjectId()
    refs = [await chat_messages.append_message(user, "assistant", f"m{n}") for n in range(4)]
    ref = MessageRef.parse(refs[2].message_id)
    assert await chat_messages.update_message(user, ref, "edited", {"model": "m"}) is True
    messages = await chat_messages.recent_messages(user, 10)
    assert [m["content"] for m in messages] == ["m0", "m1", "edited", "m3"]
    assert [m["metadata"] for m in messages] == [{}, {}, {"model": "m"}, {}]
    assert await chat_messages.update_message(user, refs[1], "again") is True
    assert (await chat_messages.recent_messages(user, 10))[1]["metadata"] == {}
    past_the_end = MessageRef(refs[0].bucket_id, 4)
    assert await chat_messages.update_message(user, past_the_end, "ghost") is False
    assert len(await chat_messages.recent_messages(user, 10)) == 4


def test_message_ref_round_trips_and_rejects_junk():
    owner = ObjectId()
    ref = MessageRef(chat_messages.bucket_key(owner, 3), 7)
    assert MessageRef.parse(ref.message_id) == ref
    assert ref.owned_by(owner) and not ref.owned_by(ObjectId())
    oid = chat_messages.bucket_key(owner, 0)
    junk = [
        "",
        "nope",
        "<script>-1",
        oid,
        f"{oid}-",
        f"{oid}-x",
        f"{oid}--1",
        f"{oid}-1-2",
        f"{oid}-²",
        f"{oid}-١",
        f"{oid}- 1",
        f"-{oid}-1",
        f"{oid[:-1]}-1",
        f"{owner}-1",
        f"{owner}:12-1",
        f"{str(owner).upper()}:000001-1",
        None,
        f"{oid}-{BUCKET_SIZE}",
        f"{oid}-{10**20}",
    ]
    for message_id in junk:
        assert MessageRef.parse(message_id) is None, message_id


# Users and sessions -----------------------------------------------------------------------


async def test_duplicate_email_raises_email_taken(db):
    first = await users.create_user("same@example.com", "First", "h1")
    with pytest.raises(users.EmailTaken):
        await users.create_user("same@example.com", "Second", "h2")
    assert await db.users.count_documents({"email": "same@example.com"}) == 1
    found = await users.find_user_by_email("same@example.com")
    assert (found["_id"], found["name"]) == (first["_id"], "First")


async def test_get_user_hides_the_hash_and_refuses_bad_ids(two_users):
    a, _, goal_a, _, ref_a = two_users
    for given in (a, str(a)):
        user = await users.get_user(given)
        assert user["name"] == "Ann" and "password_hash" not in user
    for bad_id in [*MALFORMED_IDS, goal_a["_id"], ref_a.bucket_id, ObjectId()]:
        assert await users.get_user(bad_id) is None


async def _resolve(token: str, secret: str):
    return await sessions.user_id_for_key(sessions.session_key(token, secret))


async def test_session_create_resolve_delete(db):
    user = ObjectId()
    token = await sessions.create_session(user, SECRET, timedelta(days=1))
    assert await _resolve(token, SECRET) == user
    stored = await db.sessions.find_one({"user_id": user})
    assert token not in str(stored)  # only the HMAC is kept
    await sessions.delete_session(token, "another-key")  # wrong key: nothing deleted
    assert await _resolve(token, SECRET) == user
    await sessions.delete_session(token, SECRET)
    assert await _resolve(token, SECRET) is None


async def test_session_expired_wrong_key_or_junk_token_not_resolved(db):
    user = ObjectId()
    expired = await sessions.create_session(user, SECRET, timedelta(seconds=-1))
    assert await _resolve(expired, SECRET) is None
    live = await sessions.create_session(user, SECRET, timedelta(hours=1))
    assert await _resolve(live, "another-key") is None
    for junk in ("", "nope", live[:-1], "<script>"):
        assert await _resolve(junk, SECRET) is None
    # A key presented where a token belongs is hashed again and matches nothing.
    assert await _resolve(sessions.session_key(live, SECRET), SECRET) is None
    assert await sessions.user_id_for_key("") is None
    await sessions.delete_session("", SECRET)  # no-op, no exception
    assert await _resolve(live, SECRET) == user
