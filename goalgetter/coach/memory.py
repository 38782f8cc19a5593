"""The coach's memory beyond the last ten messages: a short running summary per person.

Only the last HISTORY_LIMIT messages go to the model as turns. What falls out of that window
is folded into a summary kept on the person's chat head (chat_messages.save_memory) and sent
with every reply's prompt, so a reason or a number said forty messages ago still counts.
The summary is written in the background after a reply (never on the send path), once
SUMMARY_BATCH messages have left the window since the last one: by Claude when configured,
else extractively, keeping the person's own sentences that state a number, a date, a
reason, a plan or an obstacle.
"""

from __future__ import annotations

import logging
import re

from bson import ObjectId

from goalgetter.background import BackgroundTasks
from goalgetter.coach.context import HISTORY_LIMIT
from goalgetter.data import chat_messages

log = logging.getLogger(__name__)
SUMMARY_BATCH = 6  # messages out of the window before the summary catches up
MAX_SUMMARY_CHARS = 1_500
MAX_LINE_CHARS = 220
SUMMARY_INSTRUCTIONS = (
    "You keep the running memory of a goal-coaching conversation. Update the summary with "
    "the new messages. Keep what a coach must remember: the person's goals, numbers, dates, "
    "reasons, plans, obstacles, commitments and how they feel about them; drop small talk. "
    f"Plain short lines starting with '- ', at most {MAX_SUMMARY_CHARS} characters in all. "
    "Answer with the summary only."
)
# What makes one of the person's sentences worth keeping without a model.
_WORTH_KEEPING = re.compile(
    r"\d|\b(because|so that|so i can|since|by|until|before|every|each|daily|weekly|plan|"
    r"will|want|need|can't|cannot|never|always|afraid|worried|hard|struggle|tried)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_tasks = BackgroundTasks()


def extractive_summary(previous: str, messages: list[dict]) -> str:
    """The offline memory: the earlier summary's lines, then the person's sentences that
    carry a fact, newest kept when it grows too long."""
    lines = [line for line in previous.splitlines() if line.strip()]
    for message in messages:
        if message.get("role") != "user":
            continue
        for sentence in _SENTENCE.findall(message.get("content", "")):
            sentence = " ".join(sentence.split())
            if len(sentence) >= 12 and _WORTH_KEEPING.search(sentence):
                line = f"- They said: {sentence[:MAX_LINE_CHARS]}"
                if line not in lines:
                    lines.append(line)
    while lines and len("\n".join(lines)) > MAX_SUMMARY_CHARS:
        lines.pop(0)
    return "\n".join(lines)


def _transcript(messages: list[dict]) -> str:
    said = {"user": "Person", "assistant": "Coach"}
    return "\n".join(
        f"{said.get(m.get('role'), 'Note')}: {m.get('content', '')[:2000]}" for m in messages
    )


async def _summarise(coach, previous: str, messages: list[dict]) -> str:
    if getattr(coach, "offline", True):
        return extractive_summary(previous, messages)
    prompt = (
        f"Summary so far:\n{previous or '(none yet)'}\n\nNew messages:\n{_transcript(messages)}"
    )
    summary = await coach.complete(SUMMARY_INSTRUCTIONS, prompt)
    return summary.strip()[:MAX_SUMMARY_CHARS] or previous


async def remember(user_id: ObjectId, coach) -> bool:
    """Fold the messages that left the window into the summary, when enough have; whether
    a new summary was stored."""
    head = await chat_messages.read_head(user_id)
    kept = head["memory"]
    upto = head["count"] - HISTORY_LIMIT
    if upto - kept["through"] < SUMMARY_BATCH:
        return False
    messages = await chat_messages.messages_between(user_id, kept["through"], upto)
    summary = await _summarise(coach, kept["summary"], messages)
    return await chat_messages.save_memory(user_id, summary, upto)


def remember_later(user_id: ObjectId, coach) -> None:
    """remember() as a task of its own: the reply that triggered it never waits for it."""
    _tasks.start(_remember_quietly(user_id, coach))


async def settled() -> None:
    """Wait for the summaries being written (benches and tests: the next reply's cost alone)."""
    await _tasks.settled()


async def _remember_quietly(user_id: ObjectId, coach) -> None:
    try:
        await remember(user_id, coach)
    except Exception:
        # The next reply tries again; the conversation goes on without it meanwhile.
        log.exception("Could not update the coach's memory of %s", user_id)
