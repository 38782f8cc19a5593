"""Fair use of the coach: over a budget, the chat says when it resets and nothing is stored or
sent to the model; counts are shared by every worker through Redis."""

from __future__ import annotations

import pytest
from bson import ObjectId

from goalgetter.coach.conversation import send_and_reply
from goalgetter.coach.quotas import CHARGED, CoachQuota, QuotaReached
from goalgetter.data import chat_messages, users
from goalgetter.rate_limits import build_storage
from goalgetter.settings import Settings
from tests.integration.test_conversation import claude, keep_going


async def send(user_id: ObjectId, fake, quota: CoachQuota, text: str = "Hello coach"):
    return await send_and_reply(user_id, text, "", coach=claude(fake), show=keep_going, quota=quota)


async def test_too_many_messages_in_a_minute_are_refused_before_anything_happens(ann, fake_claude):
    quota = CoachQuota(build_storage(Settings()), messages_per_minute=2, tokens_per_day=10**6)
    await send(ann, fake_claude, quota)
    await send(ann, fake_claude, quota)
    stored, asked = len(await chat_messages.recent_messages(ann, 50)), len(fake_claude.requests)
    with pytest.raises(QuotaReached) as reached:
        await send(ann, fake_claude, quota, "A third one")
    assert "ready again in" in reached.value.message and "Nothing was sent" in reached.value.message
    assert len(await chat_messages.recent_messages(ann, 50)) == stored == 4
    assert len(fake_claude.requests) == asked == 2
    # Another person's budget is their own.
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    assert (await send(bob, fake_claude, quota)).error == ""


async def test_the_days_tokens_are_counted_from_each_reply(ann, fake_claude):
    quota = CoachQuota(build_storage(Settings()), messages_per_minute=100, tokens_per_day=60)
    first = await send(ann, fake_claude, quota)
    usage = first.meta["usage"]
    charged = sum(usage[name] for name in CHARGED)
    assert usage["input_tokens"] < 60 <= charged  # this reply crossed the budget
    with pytest.raises(QuotaReached) as reached:
        await send(ann, fake_claude, quota, "Still there?")
    assert reached.value.message.startswith("You've used today's coaching")
    assert [m["content"] for m in await chat_messages.recent_messages(ann, 50)][
        -1
    ] != "Still there?"


async def test_workers_share_the_counts_through_redis(ann, fake_claude, redis_url):
    settings = Settings(redis_url=redis_url)
    first_worker = CoachQuota(build_storage(settings), messages_per_minute=1, tokens_per_day=10**6)
    second_worker = CoachQuota(build_storage(settings), messages_per_minute=1, tokens_per_day=10**6)
    await first_worker.windows.storage.reset()
    await send(ann, fake_claude, first_worker)
    with pytest.raises(QuotaReached):
        await send(ann, fake_claude, second_worker, "From the other worker")
    await first_worker.windows.storage.reset()
