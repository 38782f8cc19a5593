"""One exchange with the coach: save the user's message, stream the reply, save the reply.

Kept apart from Reflex so the persistence rules can be tested against a real database:
the user's message is saved before the model is called; the reply is saved on its first
token and updated when it ends; a failed or stopped stream keeps what arrived, marked.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bson import ObjectId

from goalgetter.coach.context import HISTORY_LIMIT, CoachContext, GoalText, Turn
from goalgetter.coach.llm import ClaudeCoach, CoachError, OfflineCoach, ReplyDone
from goalgetter.data import chat_messages, users
from goalgetter.data import goals as goals_data
from goalgetter.data.chat_messages import MessageRef

log = logging.getLogger(__name__)
INTERNAL_ERROR = "Something went wrong while the coach answered. What arrived is kept; retry."

# Called with (message id, text so far); returns False to stop the reply.
ShowText = Callable[[str, str], Awaitable[bool]]


class MessageNotSaved(Exception):
    """The user's message could not be stored, so the coach was not asked."""


@dataclass
class ReplyOutcome:
    text: str = ""
    ref: MessageRef | None = None
    meta: dict = field(default_factory=dict)

    @property
    def error(self) -> str:
        return self.meta.get("error", "")

    @property
    def message_id(self) -> str:
        return self.ref.message_id if self.ref else ""


def _turns_before(history: list[dict], retrying: bool) -> list[Turn]:
    turns = [m for m in history if not (m.get("metadata") or {}).get("error")]
    if retrying:
        # The message being retried is already stored: drop it and anything after it.
        while turns and turns[-1]["role"] != "user":
            turns.pop()
        turns = turns[:-1]
    return [Turn(m["role"], m["content"]) for m in turns[-HISTORY_LIMIT:]]


async def build_context(
    user_id: ObjectId, message: str, selected_goal_id: str, retrying: bool = False
) -> CoachContext:
    """Read fresh on every send: the user's phase, goals and recent history."""
    user = await users.get_user(user_id) or {}
    goals = await goals_data.goals_with_content(user_id)
    history = await chat_messages.recent_messages(user_id, HISTORY_LIMIT + 4)
    return CoachContext(
        user_name=user.get("name", ""),
        phase=user.get("phase", "goal_setting"),
        goals=tuple(
            GoalText(g.get("title", ""), g.get("content", ""), str(g["_id"]) == selected_goal_id)
            for g in goals
        ),
        history=tuple(_turns_before(history, retrying)),
        message=message,
    )


async def send_and_reply(
    user_id: ObjectId,
    message: str,
    selected_goal_id: str,
    *,
    coach: ClaudeCoach | OfflineCoach,
    show: ShowText,
    retrying: bool = False,
) -> ReplyOutcome:
    context = await build_context(user_id, message, selected_goal_id, retrying)
    if not retrying:
        try:
            await chat_messages.append_message(user_id, "user", message)
        except Exception as error:
            raise MessageNotSaved() from error
    outcome = ReplyOutcome()
    replies = coach.reply(context)
    try:
        async for chunk in replies:
            if isinstance(chunk, ReplyDone):
                outcome.meta = {"model": chunk.model, "usage": chunk.usage}
                continue
            outcome.text += chunk
            if outcome.ref is None:
                outcome.ref = await chat_messages.append_message(
                    user_id, "assistant", outcome.text, {"streaming": True}
                )
            if not await show(outcome.ref.message_id, outcome.text):
                outcome.meta = {"stopped": True}
                break
    except CoachError as error:
        outcome.meta = {"error": error.message, "error_kind": error.kind}
    except Exception:
        log.exception("The coach's reply failed")
        outcome.meta = {"error": INTERNAL_ERROR, "error_kind": "internal"}
    finally:
        await replies.aclose()
        if outcome.ref is not None:
            await chat_messages.update_message(user_id, outcome.ref, outcome.text, outcome.meta)
    return outcome
