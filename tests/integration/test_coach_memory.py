"""The coach remembers beyond the last ten messages: a running summary, written in the
background after a reply and sent with every prompt."""

from __future__ import annotations

import asyncio

from bson import ObjectId

from goalgetter.coach import memory
from goalgetter.coach.context import HISTORY_LIMIT
from goalgetter.coach.conversation import send_and_reply
from goalgetter.coach.memory import SUMMARY_BATCH, SUMMARY_INSTRUCTIONS, remember
from goalgetter.coach.offline import OfflineCoach
from goalgetter.data import chat_messages
from tests.fakes.anthropic_fake import system_text
from tests.integration.test_conversation import claude, keep_going

EARLY_FACT = "I run 3 times a week because my knees feel better since March."


async def chat(user_id: ObjectId, turns: int) -> None:
    await chat_messages.append_message(user_id, "user", EARLY_FACT)
    for n in range(turns - 1):
        role = ("assistant", "user")[n % 2]
        await chat_messages.append_message(user_id, role, "Sounds fine" + "!" * n)


async def test_the_offline_memory_keeps_the_persons_facts_once_enough_left_the_window(ann):
    await chat(ann, HISTORY_LIMIT + SUMMARY_BATCH - 1)
    assert not await remember(ann, OfflineCoach())  # not enough has left the window yet
    await chat_messages.append_message(ann, "assistant", "Tell me more.")
    assert await remember(ann, OfflineCoach())
    kept = (await chat_messages.read_head(ann))["memory"]
    assert kept["through"] == SUMMARY_BATCH
    assert kept["summary"] == f"- They said: {EARLY_FACT}"  # small talk is left out
    assert not await remember(ann, OfflineCoach())  # nothing new since


async def test_a_summary_never_goes_backwards(ann):
    await chat(ann, 3)
    assert await chat_messages.save_memory(ann, "newer", 20)
    assert not await chat_messages.save_memory(ann, "older", 12)
    assert (await chat_messages.read_head(ann))["memory"] == {"summary": "newer", "through": 20}


async def test_claude_writes_the_summary_and_the_next_prompt_carries_it(ann, fake_claude):
    await chat(ann, HISTORY_LIMIT + SUMMARY_BATCH)
    coach = claude(fake_claude)
    assert await remember(ann, coach)
    [asked] = fake_claude.background_requests
    assert asked["body"]["system"] == SUMMARY_INSTRUCTIONS and not asked["body"].get("stream")
    assert EARLY_FACT in asked["body"]["messages"][0]["content"]
    summary = (await chat_messages.read_head(ann))["memory"]["summary"]
    assert summary.startswith("Coach here!")  # the fake's answer, kept as the memory
    await send_and_reply(ann, "What did I tell you?", "", coach=coach, show=keep_going)
    prompt = system_text(fake_claude.requests[-1]["body"])
    assert f"<memory>\n{summary}\n</memory>" in prompt
    assert EARLY_FACT not in str(fake_claude.requests[-1]["body"]["messages"])  # out of window


class SlowSummariser(OfflineCoach):
    """Writes its summary only when allowed to: the reply must not wait for it."""

    def __init__(self):
        super().__init__(token_delay_seconds=0)
        self.offline = False
        self.allowed = asyncio.Event()

    async def complete(self, system: str, prompt: str, max_tokens: int = 600) -> str:
        await self.allowed.wait()
        return "- remembered"


async def test_the_reply_never_waits_for_the_summary(ann):
    await chat(ann, HISTORY_LIMIT + SUMMARY_BATCH)
    coach = SlowSummariser()
    outcome = await send_and_reply(ann, "Hello again", "", coach=coach, show=keep_going)
    assert outcome.error == "" and outcome.text
    assert (await chat_messages.read_head(ann))["memory"]["summary"] == ""  # still being written
    coach.allowed.set()
    await memory.settled()  # the background task finishes on its own
    assert (await chat_messages.read_head(ann))["memory"]["summary"] == "- remembered"
