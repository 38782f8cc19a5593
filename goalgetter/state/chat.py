"""The coach chat: history, streaming replies, stop, retry and clear."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TypedDict

import reflex as rx

from goalgetter.coach import conversation
from goalgetter.coach.gate import CoachClosed, coach_gate
from goalgetter.coach.greeting import greet_once
from goalgetter.coach.llm import app_coach
from goalgetter.coach.quotas import QuotaReached
from goalgetter.data import chat_messages, proposals
from goalgetter.domain.meetings import CoachAccess
from goalgetter.domain.validation import ValidationError, check_chat_message
from goalgetter.observability import CoachReplyLog
from goalgetter.settings import get_settings
from goalgetter.state.checkins import CheckinState
from goalgetter.state.goals import GoalsState
from goalgetter.state.session import SessionState

SHOWN_HISTORY = 100
FAILED_TO_SAVE = "Your message could not be saved. Nothing was sent; try again."
COACH_CLOSED = "Your coach is available during your check-ins. Nothing was sent."
UNSENT = (FAILED_TO_SAVE, COACH_CLOSED)
BUSY = "Wait for the coach to finish (or press Stop) before sending."
PROPOSAL_MISSING = "That proposal is no longer in your chat."
# Longer than any real reply (the model call times out well before this).
STALE_REPLY_SECONDS = 600
# The page gets the growing reply at most this often; the full text always arrives at the end.
STREAM_PUSH_SECONDS = 0.05

# Stop signals of the replies running in this process, by generation id. A tab's events and
# its background reply are handled by the same backend process.
_LIVE_REPLIES: dict[str, asyncio.Event] = {}


async def end_live_replies(grace_seconds: float) -> int:
    """Shutting down: every reply under way here stops as if Stop was pressed (what arrived
    is stored, the flag cleared); waits for them at most `grace_seconds`. How many there
    were."""
    live = list(_LIVE_REPLIES.values())
    for stop in live:
        stop.set()
    deadline = time.monotonic() + grace_seconds
    # Once, at shutdown: a reply's end has no event of its own to wait on.
    while _LIVE_REPLIES and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    return len(live)


class ProposalRow(TypedDict):
    kind: str  # "added", "removed", "same", "gap"
    text: str


class ProposalCard(TypedDict):
    id: str
    label: str
    reason: str
    status: str  # domain/proposals.STATUSES, or "applying"
    note: str
    lines: list[ProposalRow]


class ChatMessage(TypedDict):
    id: str
    role: str
    content: str
    note: str
    proposals: list[ProposalCard]


def _note(meta: dict) -> str:
    return meta.get("error") or ("stopped" if meta.get("stopped") else "")


def proposal_card(proposal: dict) -> ProposalCard:
    return {
        "id": proposal["id"],
        "label": proposal.get("label", ""),
        "reason": proposal.get("reason", ""),
        "status": proposal.get("status", "pending"),
        "note": proposal.get("note", ""),
        "lines": [{"kind": line["kind"], "text": line["text"]} for line in proposal["lines"]],
    }


def _shown(message: dict) -> ChatMessage:
    meta = message.get("metadata") or {}
    return {
        "id": message["id"],
        "role": message["role"],
        "content": message["content"],
        "note": _note(meta),
        "proposals": [proposal_card(p) for p in meta.get("proposals") or []],
    }


class ChatState(SessionState):
    messages: list[ChatMessage] = []
    # The reply being written, kept apart so each token does not resend the whole history.
    streaming_id: str = ""
    streaming_text: str = ""
    is_generating: bool = False
    waiting_for_first_token: bool = False
    chat_error: str = ""
    chat_notice: str = ""  # while the coach retries: what is going on, and when it tries again
    can_retry: bool = False
    confirm_clear: bool = False
    # The coach's availability as last read; the send path checks it again itself.
    gate_open: bool = True
    gate_opens_at: str = ""  # ISO 8601 UTC, formatted in the page in the user's zone
    gate_closes_at: str = ""  # in a check-in: when the coach closes (ISO 8601 UTC)
    _gate_meeting: str = ""  # the check-in the gate is open for
    _generation_id: str = ""
    _generation_started: float = 0.0
    _pending_message: str = ""
    _pending_is_retry: bool = False
    _retry_message: str = ""

    @rx.var
    def coach_offline(self) -> bool:
        return get_settings().coach_is_offline

    @rx.event
    async def refresh_gate(self, _changed: str = ""):
        user_id = await self._signed_in_user_id()
        access = await coach_gate(user_id)
        changed = self._show_gate(access)
        if await greet_once(user_id, access):
            await self._show_history(user_id)
        # A check-in opened or ended with the page open: the check-in form follows.
        return CheckinState.load_checkins if changed else None

    def _show_gate(self, access: CoachAccess) -> bool:
        """Show `access`; True when the chat opened or closed, or went on to another
        check-in (two windows overlapping)."""
        meeting = access.meeting_id or ""
        changed = self.gate_open != access.open or self._gate_meeting != meeting
        self.gate_open, self._gate_meeting = access.open, meeting
        self.gate_opens_at = access.opens_at.isoformat() if access.opens_at else ""
        self.gate_closes_at = access.closes_at.isoformat() if access.closes_at else ""
        return changed

    @rx.event
    async def open_workspace(self):
        """The workspace's page load: the goals on the left, this chat on the right."""
        return await self._open_signed_in_page(GoalsState.load, ChatState.load_history)

    @rx.event
    async def load_history(self):
        user_id = await self._signed_in_user_id()
        access = await coach_gate(user_id)
        self._show_gate(access)
        await greet_once(user_id, access)
        await self._show_history(user_id)

    async def _show_history(self, user_id) -> None:
        history = await chat_messages.recent_messages(user_id, SHOWN_HISTORY)
        # A reload mid-reply: the reply being written shows in its own bubble, not twice; a
        # message sent while this was loading, not stored yet, stays at the end.
        unsaved = [m for m in self.messages if not m["id"]] if self.is_generating else []
        self.messages = [_shown(m) for m in history if m["id"] != self.streaming_id] + unsaved
        if self.is_generating and time.time() - self._generation_started > STALE_REPLY_SECONDS:
            self._end_generation()  # a reply cut off by a restart never cleared its flag

    @rx.event
    def submit(self, form_data: dict):
        if self.is_generating:
            self.chat_error = BUSY
            return None
        try:
            message = check_chat_message(str(form_data.get("message", "")))
        except ValidationError as error:
            self.chat_error = error.message
            return None
        self._begin(message, is_retry=False)
        self.messages.append(
            {"id": "", "role": "user", "content": message, "note": "", "proposals": []}
        )
        return [rx.set_value("chat-input", ""), ChatState.generate]

    @rx.event
    def retry(self):
        if self.is_generating or not self.can_retry or not self._retry_message:
            return None
        self._begin(self._retry_message, is_retry=True)
        return ChatState.generate

    def _begin(self, message: str, is_retry: bool) -> None:
        self.is_generating = self.waiting_for_first_token = True
        self.can_retry, self.chat_error = False, ""
        self._generation_id, self._generation_started = uuid.uuid4().hex, time.time()
        self._pending_message = self._retry_message = message
        self._pending_is_retry = is_retry

    def _end_generation(self) -> None:
        self.is_generating = self.waiting_for_first_token = False
        self.chat_notice = ""
        self.streaming_id = self.streaming_text = self._generation_id = ""

    @rx.event
    def stop(self):
        live = _LIVE_REPLIES.get(self._generation_id)
        if live is not None:
            live.set()
        elif self.is_generating and not self._pending_message:
            self._end_generation()  # nothing is running here any more (a restart)

    @rx.event(background=True)
    async def generate(self):
        # No arguments: what to send was checked and queued by submit/retry under the lock.
        async with self:
            message, is_retry = self._pending_message, self._pending_is_retry
            generation, self._pending_message = self._generation_id, ""
            if not message or not generation:
                return
            user_id = await self._signed_in_user_id()
            selected_id = (await self.get_state(GoalsState)).selected_id
        stop = _LIVE_REPLIES[generation] = asyncio.Event()
        outcome, failure, gate, unsent = None, "", None, ""
        timing = CoachReplyLog(generation, user_id)
        try:
            outcome = await conversation.send_and_reply(
                user_id,
                message,
                selected_id,
                coach=app_coach(interactive=True),
                stop=stop,
                retrying=is_retry,
                show=timing.timing_first_token(self._stream_to_page(generation)),
                notify=self._notice_to_page(generation),
                stored_as=self._stored_as(generation),
            )
        except conversation.MessageNotSaved:
            failure = FAILED_TO_SAVE
        except CoachClosed as closed:
            failure, gate = COACH_CLOSED, closed.access
        except QuotaReached as reached:
            failure = unsent = reached.message
        except Exception:
            failure = conversation.INTERNAL_ERROR
        finally:
            _LIVE_REPLIES.pop(generation, None)
            timing.ended(outcome, failure)
            async with self:
                if self._generation_id == generation:
                    self._finish(outcome, failure, not_sent=failure in UNSENT or bool(unsent))
                if gate is not None:
                    self._show_gate(gate)
        if failure in UNSENT or unsent:
            yield rx.set_value("chat-input", message)  # give the unsent text back

    def _stream_to_page(self, generation: str) -> conversation.ShowText:
        last_push = 0.0

        async def show(message_id: str, text: str) -> bool:
            nonlocal last_push
            if time.monotonic() - last_push < STREAM_PUSH_SECONDS:
                return True
            last_push = time.monotonic()
            async with self:
                # Signed out, or another user signed in on this tab: this reply is not theirs.
                if self._generation_id != generation:
                    return False
                self.waiting_for_first_token = False
                self.streaming_id, self.streaming_text = message_id, text
            return True

        return show

    def _notice_to_page(self, generation: str) -> conversation.ShowNotice:
        async def notify(notice: str) -> bool:
            async with self:
                if self._generation_id != generation:
                    return False
                self.chat_notice = notice
            return True

        return notify

    def _stored_as(self, generation: str) -> conversation.MessageStored:
        """The message on the page gets the id it was stored under: a reload while the reply
        is on its way then shows it once (from the history), not also as unsaved."""

        async def stored_as(message_id: str) -> None:
            async with self:
                if self._generation_id != generation:
                    return
                pending = [i for i, m in enumerate(self.messages) if not m["id"]]
                if pending:
                    at = pending[-1]
                    stored = {**self.messages[at], "id": message_id}
                    self.messages = [*self.messages[:at], stored, *self.messages[at + 1 :]]

        return stored_as

    def _finish(
        self, outcome: conversation.ReplyOutcome | None, failure: str, *, not_sent: bool
    ) -> None:
        if outcome is not None and outcome.ref is not None:
            reply: ChatMessage = {
                "id": outcome.message_id,
                "role": "assistant",
                "content": outcome.text,
                "note": _note(outcome.meta),
                "proposals": [proposal_card(p) for p in outcome.proposals],
            }
            kept = [m for m in self.messages if m["id"] != reply["id"]]
            self.messages = [*kept, reply]
        if not_sent and self.messages and not self.messages[-1]["id"]:
            self.messages.pop()
        error = failure or (outcome.error if outcome else "")
        self._end_generation()
        self.chat_error = error
        self.can_retry = bool(error) and not not_sent

    @rx.event
    async def accept_proposal(self, message_id: str, proposal_id: str):
        await self._decide(message_id, proposal_id, accept=True)

    @rx.event
    async def reject_proposal(self, message_id: str, proposal_id: str):
        await self._decide(message_id, proposal_id, accept=False)

    async def _decide(self, message_id: object, proposal_id: object, *, accept: bool) -> None:
        user_id = await self._signed_in_user_id()
        decision = await proposals.decide(user_id, str(message_id), str(proposal_id), accept=accept)
        if decision is None:
            self.chat_error = PROPOSAL_MISSING
            return
        card = proposal_card(decision.proposal)
        self.messages = [
            {**m, "proposals": [card if c["id"] == card["id"] else c for c in m["proposals"]]}
            if m["id"] == message_id
            else m
            for m in self.messages
        ]
        if decision.goal is not None:
            goals_state = await self.get_state(GoalsState)
            created = decision.proposal["kind"] == "new_goal"
            await goals_state.show_changed_goal(user_id, decision.goal, created=created)

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
        await chat_messages.clear_history(await self._signed_in_user_id())
        self.messages, self.chat_error, self.can_retry = [], "", False
