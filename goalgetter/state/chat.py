"""The coach chat: history, streaming replies, stop, retry and clear."""

from __future__ import annotations

import functools
import time
from typing import TypedDict

import reflex as rx

from goalgetter.coach import conversation
from goalgetter.coach.llm import ClaudeCoach, OfflineCoach, make_coach
from goalgetter.data import chat_messages
from goalgetter.domain.validation import ValidationError, check_chat_message
from goalgetter.settings import get_settings
from goalgetter.state.session import SessionState

SHOWN_HISTORY = 100
# Longer than any real reply (the model call times out well before this).
STALE_REPLY_SECONDS = 600
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


class ChatState(SessionState):
    messages: list[ChatMessage] = []
    is_generating: bool = False
    waiting_for_first_token: bool = False
    chat_error: str = ""
    can_retry: bool = False
    confirm_clear: bool = False
    _stop_requested: bool = False
    _retry_message: str = ""
    _generation_started: float = 0.0

    @rx.var
    def coach_offline(self) -> bool:
        return get_settings().coach_is_offline

    @rx.event
    async def load_history(self):
        history = await chat_messages.recent_messages(self.signed_in_user_id(), SHOWN_HISTORY)
        self.messages = [_shown(m) for m in history]
        if self.is_generating and time.time() - self._generation_started > STALE_REPLY_SECONDS:
            # A reply cut off by a restart of the backend never cleared its flag.
            self.is_generating = self.waiting_for_first_token = False

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
        self._generation_started = time.time()

    @rx.event
    def stop(self):
        self._stop_requested = True

    @rx.event(background=True)
    async def generate(self, message: str, retrying: bool):
        outcome, failure = None, ""
        try:
            async with self:
                user_id = self.signed_in_user_id()
                selected_id = (await self.get_state(_goals_state())).selected_id
            outcome = await conversation.send_and_reply(
                user_id, message, selected_id, coach=coach(), show=self._show, retrying=retrying
            )
        except conversation.MessageNotSaved:
            failure = FAILED_TO_SAVE
        except Exception:
            failure = conversation.INTERNAL_ERROR
        finally:
            async with self:
                self._finish(outcome, failure)
        if failure == FAILED_TO_SAVE:
            yield rx.set_value("chat-input", message)  # give the unsent text back

    async def _show(self, message_id: str, text: str) -> bool:
        async with self:
            if self._stop_requested:
                return False
            self._show_reply(message_id, text)
            return True

    def _show_reply(self, message_id: str, text: str) -> None:
        self.waiting_for_first_token = False
        last = self.messages[-1] if self.messages else None
        if last is not None and last["id"] == message_id:
            self.messages[-1] = {**last, "content": text}
        else:
            self.messages.append(
                {"id": message_id, "role": "assistant", "content": text, "note": ""}
            )

    def _finish(self, outcome: conversation.ReplyOutcome | None, failure: str) -> None:
        if outcome is not None and outcome.ref is not None:
            self._show_reply(outcome.message_id, outcome.text)
            note = outcome.error or ("stopped" if outcome.meta.get("stopped") else "")
            self.messages[-1] = {**self.messages[-1], "note": note}
        if failure == FAILED_TO_SAVE and self.messages and not self.messages[-1]["id"]:
            self.messages.pop()
        error = failure or (outcome.error if outcome else "")
        self.is_generating = self.waiting_for_first_token = self._stop_requested = False
        self.chat_error = error
        self.can_retry = bool(error) and failure != FAILED_TO_SAVE

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
