"""A stored message comes back with the history before it: the same messages, in the same
order and with the same ids, as reading them afterwards would give."""

from __future__ import annotations

import pytest

from goalgetter.data import chat_messages, users


@pytest.fixture
async def user(db):
    return (await users.create_user("hana@example.com", "Hana", "hash"))["_id"]


@pytest.mark.parametrize("limit", [1, 4, 7])
async def test_append_and_recent_gives_what_recent_messages_reads(user, monkeypatch, limit):
    # Small buckets, so the history crosses from one bucket into the ones before it.
    monkeypatch.setattr(chat_messages, "BUCKET_SIZE", 3)
    for n in range(11):
        role = ("user", "assistant")[n % 2]
        ref, recent, _ = await chat_messages.append_and_recent(user, role, f"message {n}", limit)
        assert recent == await chat_messages.recent_messages(user, limit)
        assert recent[-1]["id"] == ref.message_id
        assert (recent[-1]["role"], recent[-1]["content"]) == (role, f"message {n}")
        assert [m["content"] for m in recent] == [f"message {k}" for k in range(n + 1)][-limit:]


async def test_the_reference_returned_updates_the_message_stored(user):
    await chat_messages.append_message(user, "user", "Hi")
    ref, _, _ = await chat_messages.append_and_recent(user, "assistant", "Hel", 5)
    assert await chat_messages.update_message(user, ref, "Hello!", {"model": "m"})
    [_, reply] = await chat_messages.recent_messages(user, 5)
    assert (reply["id"], reply["content"], reply["metadata"]) == (
        ref.message_id,
        "Hello!",
        {"model": "m"},
    )
