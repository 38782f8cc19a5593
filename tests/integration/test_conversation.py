"""send_and_reply end to end: real ClaudeCoach against the fake, real chat_messages on mongoeco."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from bson import ObjectId

from goalgetter.coach.conversation import INTERNAL_ERROR, send_and_reply
from goalgetter.coach.llm import ClaudeCoach, OfflineCoach, coach_error
from goalgetter.data import chat_messages, goals, users
from goalgetter.settings import Settings
from tests.fakes.anthropic_fake import FakeAnthropic, reply_tokens, system_text

MODEL = "claude-test-model"
MESSAGE = "Help me sharpen my marathon goal"


def claude(fake: FakeAnthropic, timeout: float = 10.0) -> ClaudeCoach:
    return ClaudeCoach(
        Settings(
            anthropic_api_key="test-key",
            anthropic_base_url=fake.url,
            anthropic_model=MODEL,
            anthropic_max_retries=0,
            anthropic_timeout_seconds=timeout,
        )
    )


async def keep_going(message_id: str, text: str) -> bool:
    return True


async def saved(user_id: ObjectId) -> list[dict]:
    return await chat_messages.recent_messages(user_id, 1000)


def sent_messages(fake: FakeAnthropic) -> list[dict]:
    return fake.requests[-1]["body"]["messages"]


class WatchedCoach:
    """The real coach, plus a look at the database at the moment the model is called."""

    def __init__(self, inner, user_id: ObjectId):
        self.inner, self.user_id, self.seen = inner, user_id, None

    async def reply(self, context):
        self.seen = await saved(self.user_id)
        async for item in self.inner.reply(context):
            yield item


@pytest.fixture
async def user(db) -> ObjectId:
    return (await users.create_user("ann@example.com", "Ann", "hash"))["_id"]


async def test_normal_reply_saved_complete_after_the_user_message(user, fake_claude):
    coach = WatchedCoach(claude(fake_claude), user)
    at_first_token: list[list[dict]] = []

    async def show(message_id: str, text: str) -> bool:
        if not at_first_token:
            at_first_token.append(await saved(user))
        return True

    outcome = await send_and_reply(user, MESSAGE, "", coach=coach, show=show)
    assert [(m["role"], m["content"]) for m in coach.seen] == [("user", MESSAGE)]
    [[question, streaming]] = at_first_token
    assert question["content"] == MESSAGE
    assert (streaming["role"], streaming["metadata"]) == ("assistant", {"streaming": True})
    expected = "".join(reply_tokens(MESSAGE))
    assert (outcome.text, outcome.error) == (expected, "")
    [_, reply] = await saved(user)
    assert (reply["id"], reply["role"], reply["content"]) == (
        outcome.message_id,
        "assistant",
        expected,
    )
    usage = reply["metadata"]["usage"]
    assert reply["metadata"]["model"] == MODEL and set(reply["metadata"]) == {"model", "usage"}
    assert usage["input_tokens"] == 42 and usage["output_tokens"] == len(reply_tokens(MESSAGE))
    assert "cache_read_input_tokens" in usage and "cache_creation_input_tokens" in usage


@pytest.mark.parametrize(
    ("scenario", "kind"),
    [
        ("unauthorized", "auth"),
        ("rate_limited", "rate_limit"),
        ("overloaded", "overloaded"),
        ("hang", "timeout"),
    ],
)
async def test_failed_call_keeps_the_user_message_and_saves_no_reply(
    user, fake_claude, scenario, kind
):
    saved_hang = fake_claude.hang_seconds
    fake_claude.hang_seconds = 5
    fake_claude.queue(scenario)
    try:
        outcome = await send_and_reply(
            user, MESSAGE, "", coach=claude(fake_claude, 0.5), show=keep_going
        )
    finally:
        fake_claude.hang_seconds = saved_hang
    assert outcome.error == coach_error(kind).message and outcome.meta["error_kind"] == kind
    assert (outcome.text, outcome.ref) == ("", None)
    assert [(m["role"], m["content"]) for m in await saved(user)] == [("user", MESSAGE)]
    assert len(fake_claude.requests) == 1


async def test_midstream_error_keeps_the_partial_reply_marked(user, fake_claude):
    fake_claude.queue("midstream_error")
    outcome = await send_and_reply(user, MESSAGE, "", coach=claude(fake_claude), show=keep_going)
    partial = "".join(reply_tokens(MESSAGE)[:3])
    assert outcome.text == partial and outcome.meta["error_kind"] == "overloaded"
    [question, reply] = await saved(user)
    assert question["content"] == MESSAGE
    assert (reply["id"], reply["content"]) == (outcome.message_id, partial)
    assert reply["metadata"] == {
        "error": coach_error("overloaded").message,
        "error_kind": "overloaded",
    }


async def test_stall_mid_reply_keeps_the_partial_reply_as_a_timeout(user, fake_claude):
    fake_claude.token_delay = 3
    outcome = await send_and_reply(
        user, MESSAGE, "", coach=claude(fake_claude, 0.5), show=keep_going
    )
    assert outcome.meta["error_kind"] == "timeout"
    [_, reply] = await saved(user)
    assert reply["content"] == reply_tokens(MESSAGE)[0]
    assert reply["metadata"]["error_kind"] == "timeout"


@pytest.mark.parametrize("coach_kind", ["claude", "offline"])
async def test_stop_keeps_the_partial_reply_marked_stopped(user, fake_claude, coach_kind):
    coach = claude(fake_claude) if coach_kind == "claude" else OfflineCoach(token_delay_seconds=0)
    shown: list[str] = []

    async def stop_after_two(message_id: str, text: str) -> bool:
        shown.append(text)
        return len(shown) < 2

    outcome = await send_and_reply(user, MESSAGE, "", coach=coach, show=stop_after_two)
    assert outcome.meta == {"stopped": True} and outcome.text == shown[-1]
    [_, reply] = await saved(user)
    assert (reply["content"], reply["metadata"]) == (shown[-1], {"stopped": True})
    assert len(reply["content"].split()) == 2


async def test_offline_coach_reply_is_saved_with_its_model(user):
    await goals.create_goal(user, "Run a marathon", "Finish 42 km")
    outcome = await send_and_reply(
        user, MESSAGE, "", coach=OfflineCoach(token_delay_seconds=0), show=keep_going
    )
    [question, reply] = await saved(user)
    assert question["content"] == MESSAGE
    assert '"Run a marathon"' in reply["content"] and reply["content"] == outcome.text
    assert reply["metadata"] == {"model": "offline-coach", "usage": {}}


async def test_retry_does_not_save_or_send_the_message_twice(user, fake_claude):
    await chat_messages.append_message(user, "user", "Earlier question")
    await chat_messages.append_message(user, "assistant", "Earlier answer")
    fake_claude.queue("midstream_error")
    failed = await send_and_reply(user, MESSAGE, "", coach=claude(fake_claude), show=keep_going)
    assert failed.error

    outcome = await send_and_reply(
        user, MESSAGE, "", coach=claude(fake_claude), show=keep_going, retrying=True
    )
    assert outcome.error == ""
    contents = [m["content"] for m in await saved(user)]
    assert contents == ["Earlier question", "Earlier answer", MESSAGE, failed.text, outcome.text]
    messages = sent_messages(fake_claude)
    assert messages == [
        {"role": "user", "content": "Earlier question"},
        {"role": "assistant", "content": "Earlier answer"},
        {"role": "user", "content": MESSAGE},
    ]


async def test_retry_after_a_failed_call_sends_the_message_once(user, fake_claude):
    fake_claude.queue("overloaded")
    await send_and_reply(user, MESSAGE, "", coach=claude(fake_claude), show=keep_going)
    await send_and_reply(
        user, MESSAGE, "", coach=claude(fake_claude), show=keep_going, retrying=True
    )
    assert [m["content"] for m in await saved(user)].count(MESSAGE) == 1
    assert sent_messages(fake_claude) == [{"role": "user", "content": MESSAGE}]


async def test_context_has_own_goals_and_only_the_last_ten_messages(user, fake_claude):
    other = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    marathon = await goals.create_goal(user, "Run a marathon", "42 km by October")
    await goals.create_goal(user, "Read 12 books", "One a month")
    await goals.create_goal(other, "Bob's secret goal", "Bob's private plan")
    await chat_messages.append_message(other, "user", "Bob's private chat")
    for n in range(14):
        await chat_messages.append_message(user, ("user", "assistant")[n % 2], f"history {n}")

    await send_and_reply(
        user, MESSAGE, str(marathon["_id"]), coach=claude(fake_claude), show=keep_going
    )
    body = fake_claude.requests[-1]["body"]
    system = system_text(body)
    assert "Name: Ann" in system
    heading = f"### Run a marathon (goal_id: {marathon['_id']}) (open in their editor now)"
    assert f"{heading}\nPhase: draft\n42 km by October" in system
    assert "### Read 12 books (goal_id: " in system and "\nPhase: draft\nOne a month" in system
    assert "Bob" not in system and "secret" not in system
    contents = [m["content"] for m in body["messages"]]
    assert contents == [f"history {n}" for n in range(4, 14)] + [MESSAGE]
    assert "Bob" not in str(body["messages"])


async def test_stop_before_the_first_token_ends_the_wait_and_keeps_the_question(user, fake_claude):
    fake_claude.first_token_delay = 30.0  # the model would keep us waiting
    stop = asyncio.Event()

    class StopWhenAsked:
        async def reply(self, context):
            stop.set()  # the user presses Stop while the request is in flight
            async for item in claude(fake_claude).reply(context):
                yield item

    outcome = await asyncio.wait_for(
        send_and_reply(user, MESSAGE, "", coach=StopWhenAsked(), show=keep_going, stop=stop),
        timeout=10,
    )
    assert outcome.meta == {"stopped": True} and outcome.ref is None
    assert [(m["role"], m["content"]) for m in await saved(user)] == [("user", MESSAGE)]


async def test_question_is_kept_and_retry_works_when_the_prompt_cannot_be_built(
    user, db, fake_claude
):
    # A goal document whose content is not text: building the prompt fails.
    await db.goals.insert_one(
        {
            "user_id": user,
            "title": "Broken",
            "content": {"x": 1},
            "phase": "draft",
            "updated_at": datetime.now(UTC),
        }
    )
    first = await send_and_reply(user, MESSAGE, "", coach=claude(fake_claude), show=keep_going)
    assert first.error == INTERNAL_ERROR and fake_claude.requests == []
    assert [(m["role"], m["content"]) for m in await saved(user)] == [("user", MESSAGE)]
    await db.goals.delete_many({"user_id": user})
    outcome = await send_and_reply(
        user, MESSAGE, "", coach=claude(fake_claude), show=keep_going, retrying=True
    )
    assert outcome.error == ""
    assert [m["content"] for m in sent_messages(fake_claude)] == [MESSAGE]
    assert [m["role"] for m in await saved(user)] == ["user", "assistant"]
