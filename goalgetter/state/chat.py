"""The coach chat: history, streaming replies, stop, retry and clear."""

from __future__ import annotations

import functools
from typing import TypedDict

import reflex as rx
from bson import ObjectId

from goalgetter.coach.context import HISTORY_LIMIT, CoachContext, GoalText, Turn
from goalgetter.coach.llm import ClaudeCoach, CoachError, OfflineCoach, ReplyDone, make_coach
from goalgetter.data import chat_messages, users
from goalgetter.data import goals as goals_data
from goalgetter.domain.validation import ValidationError, check_chat_message
from goalgetter.settings import get_settings
from goalgetter.state.session import SessionState

SHOWN_HISTORY = 100
FAILED_TO_SAVE = "Your message could not be saved. Nothing was sent; try again."


class ChatMessage(TypedDict):
    id: str
    role: str
    content: str
    note: str


@functools.cache
def coach() -> ClaudeCoach | OfflineCoach:
    return make_coach(get_settings())


def _shown(message: dict) -> ChatMessage:
    meta = message.get("metadata") or {}
    note = meta.get("error") or ("stopped" if meta.get("stopped") else "")
    return {
        "id": message["id"],
        "role": message["role"],
        "content": message["content"],
        "note": note,
    }


def _turns_before_retry(history: list[dict], retrying: bool) -> list[Turn]:
    turns = [m for m in history if not (m.get("metadata") or {}).get("error")]
    if retrying:
        while turns and turns[-1]["role"] != "user":
            turns.pop()
        turns = turns[:-1]
    return [Turn(m["role"], m["content"]) for m in turns[-HISTORY_LIMIT:]]


async def build_context(user_id: ObjectId, message: str, selected_id: str, retrying: bool):
    """Fresh on every send: the user's phase, goals and recent history from the database."""
    user = await users.get_user(user_id) or {}
    goals = await goals_data.goals_with_content(user_id)
    history = await chat_messages.recent_messages(user_id, HISTORY_LIMIT + 4)
    return CoachContext(
        user_name=user.get("name", ""),
        phase=user.get("phase", "goal_setting"),
        goals=tuple(
            GoalText(g.get("title", ""), g.get("content", ""), str(g["_id"]) == selected_id)
            for g in goals
        ),
        history=tuple(_turns_before_retry(history, retrying)),
        message=message,
    )


class ChatState(SessionState):
    messages: list[ChatMessage] = []
    is_generating: bool = False
    waiting_for_first_token: bool = False
    chat_error: str = ""
    can_retry: bool = False
    confirm_clear: bool = False
    _stop_requested: bool = False
    _retry_message: str = ""

    @rx.var
    def coach_offline(self) -> bool:
        return get_settings().coach_is_offline

    @rx.event
    async def load_history(self):
        history = await chat_messages.recent_messages(self.signed_in_user_id(), SHOWN_HISTORY)
        self.messages = [_shown(m) for m in history]

    @rx.event
    def submit(self, form_data: dict):
        if self.is_generating:
            self.chat_error = "Wait for the coach to finish (or press Stop) before sending."
            return None
        try:
            message = check_chat_message(str(form_data.get("message", "")))
        except ValidationError as error:
            self.chat_error = error.message
            return None
        self._start(message)
        self.messages.append({"id": "", "role": "user", "content": message, "note": ""})
        return [rx.set_value("chat-input", ""), ChatState.generate(message, False)]

    @rx.event
    def retry(self):
        if self.is_generating or not self._retry_message:
            return None
        self._start(self._retry_message)
        return ChatState.generate(self._retry_message, True)

    def _start(self, message: str) -> None:
        self.is_generating = self.waiting_for_first_token = True
        self._stop_requested = self.can_retry = False
        self.chat_error, self._retry_message = "", message

    @rx.event
    def stop(self):
        self._stop_requested = True

    @rx.event(background=True)
    async def generate(self, message: str, retrying: bool):
        reply, reply_ref, meta, user_id = "", None, {}, None
        try:
            async with self:
                user_id = self.signed_in_user_id()
                goals_state = await self.get_state(_goals_state())
                selected_id = goals_state.selected_id
            context = await build_context(user_id, message, selected_id, retrying)
            if not retrying:
                try:
                    await chat_messages.append_message(user_id, "user", message)
                except Exception:
                    async with self:
                        self.messages.pop()
                        self.chat_error = FAILED_TO_SAVE
                        self.can_retry = False
                    return
            replies = coach().reply(context)
            async for chunk in replies:
                if isinstance(chunk, ReplyDone):
                    meta = {"model": chunk.model, "usage": chunk.usage}
                    continue
                reply += chunk
                if reply_ref is None:
                    reply_ref = await chat_messages.append_message(
                        user_id, "assistant", reply, {"streaming": True}
                    )
                async with self:
                    if self._stop_requested:
                        meta = {"stopped": True}
                        await replies.aclose()
                        break
                    self._show_reply(reply_ref.message_id, reply)
        except CoachError as error:
            meta = {"error": error.message, "error_kind": error.kind}
        except Exception:
            meta = {
                "error": "Something went wrong while the coach answered.",
                "error_kind": "internal",
            }
        finally:
            await self._finish(user_id, reply_ref, reply, meta)

    def _show_reply(self, message_id: str, text: str) -> None:
        self.waiting_for_first_token = False
        last = self.messages[-1] if self.messages else None
        if last is not None and last["id"] == message_id:
            last["content"] = text
            self.messages[-1] = last
        else:
            self.messages.append(
                {"id": message_id, "role": "assistant", "content": text, "note": ""}
            )

    async def _finish(self, user_id, reply_ref, reply: str, meta: dict) -> None:
        error = meta.get("error", "")
        if user_id is not None and reply_ref is not None:
            await chat_messages.update_message(user_id, reply_ref, reply, meta)
        async with self:
            if reply_ref is not None:
                self._show_reply(reply_ref.message_id, reply)
                self.messages[-1]["note"] = error or ("stopped" if meta.get("stopped") else "")
            self.is_generating = self.waiting_for_first_token = False
            self._stop_requested = False
            self.chat_error, self.can_retry = error, bool(error)

    @rx.event
    def ask_clear(self):
        self.confirm_clear = True

    @rx.event
    def cancel_clear(self):
        self.confirm_clear = False

    @rx.event
    async def confirm_clear_history(self):
        self.confirm_clear = False
        if self.is_generating:
            self.chat_error = "Wait for the reply to finish before clearing the history."
            return
        await chat_messages.clear_history(self.signed_in_user_id())
        self.messages, self.chat_error, self.can_retry = [], "", False


def _goals_state():
    from goalgetter.state.goals import GoalsState

    return GoalsState
