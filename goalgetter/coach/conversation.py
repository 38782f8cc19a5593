"""One exchange with the coach: save the user's message, stream the reply, save the reply.

Kept apart from Reflex so the persistence rules can be tested against a real database:
the gate is checked before anything is stored; the user's message is saved before the model
is called; the reply is saved on its first token and updated when it ends; a failed or
stopped stream keeps what arrived, marked.

Each store round trip before the first token costs milliseconds on the embedded store, so a
send reads nothing twice: the gate's reads (the user, the meeting series) give the name,
phase and check-in brief, the history comes back with the stored message, the goals and a
check-in's archived meetings are read alongside it (send_reads.py), and the attendance
claim (a read and a write) waits until the reply is under way. bench/scale.py's "coach send
to first token" measures this path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.coach.context import HISTORY_LIMIT, CoachContext, GoalText, Turn
from goalgetter.coach.gate import CoachClosed, GateView, read_gate
from goalgetter.coach.llm import ClaudeCoach, CoachError, OfflineCoach
from goalgetter.coach.meeting_brief import brief_from, meeting_brief
from goalgetter.coach.memory import remember_later
from goalgetter.coach.quotas import CoachQuota, QuotaReached, get_quota
from goalgetter.coach.reply import ProposalMade, ReplyDone, ReplyRetrying
from goalgetter.coach.send_reads import SendReads
from goalgetter.data import chat_messages, users
from goalgetter.data import goals as goals_data
from goalgetter.data import meeting_state as ms
from goalgetter.data import meetings as meetings_data
from goalgetter.data.chat_messages import MessageRef
from goalgetter.domain.proposals import outcome_note

log = logging.getLogger(__name__)
CHECKPOINT_SECONDS = 3.0
INTERNAL_ERROR = "Something went wrong while the coach answered. What arrived is kept; retry."

# Called with (message id, text so far); returns False to stop the reply.
ShowText = Callable[[str, str], Awaitable[bool]]
# Called with a notice while the coach is retrying ("" once text flows again); False: stop.
ShowNotice = Callable[[str], Awaitable[bool]]
# Called with the id the person's message was stored under.
MessageStored = Callable[[str], Awaitable[None]]


def retry_notice(retrying: ReplyRetrying) -> str:
    seconds = max(1, round(retrying.wait_seconds))
    if retrying.kind in ("connection", "timeout"):
        return f"Can't reach the coach right now — trying again in {seconds} s."
    return f"The coach is busy — trying again in {seconds} s."


class MessageNotSaved(Exception):
    """The user's message could not be stored, so the coach was not asked."""


@dataclass
class ReplyOutcome:
    text: str = ""
    ref: MessageRef | None = None
    meta: dict = field(default_factory=dict)
    proposals: list[dict] = field(default_factory=list)

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
    return [Turn(m["role"], _with_outcomes(m)) for m in turns[-HISTORY_LIMIT:]]


def _with_outcomes(message: dict) -> str:
    """A coach's message as the coach hears it again: with what became of its proposals."""
    proposals = (message.get("metadata") or {}).get("proposals") or []
    notes = [outcome_note(p) for p in proposals]
    return "\n".join([message["content"], *notes]) if notes else message["content"]


async def build_context(
    user_id: ObjectId,
    message: str,
    selected_goal_id: str,
    meeting_id: str = "",
    *,
    history: tuple[Turn, ...] | None = None,
) -> CoachContext:
    """Read fresh: the user's phase, goals and recent history (a send builds the same from
    what it has read already: _send_context). The message being answered is already stored;
    it is left out of the history and sent as the new turn.
    `history`: the turns to send instead (a recap: the whole check-in, `message` not stored)."""
    user = await users.get_user(user_id) or {}
    goals = await goals_data.goals_with_content(user_id)
    remembered = ""
    if history is None:
        stored, kept = await chat_messages.recent_with_memory(user_id, HISTORY_LIMIT + 4)
        history, remembered = tuple(_turns_before(stored, retrying=True)), kept["summary"]
    now, titles = datetime.now(UTC), _titles(goals)
    brief = await meeting_brief(user_id, meeting_id, titles, now) if meeting_id else ""
    return _context(user, goals, selected_goal_id, history, message, brief, remembered)


def _titles(goals: list[dict]) -> dict[str, str]:
    return {str(g["_id"]): g["title"] for g in goals}


def _context(
    user: dict,
    goals: list[dict],
    selected_goal_id: str,
    history: tuple[Turn, ...],
    message: str,
    meeting: str,
    memory: str = "",
) -> CoachContext:
    return CoachContext(
        user_name=user.get("name", ""),
        phase=user.get("phase", "goal_setting"),
        goals=tuple(GoalText.from_goal(g, str(g["_id"]) == selected_goal_id) for g in goals),
        history=history,
        history_limit=max(HISTORY_LIMIT, len(history)),
        message=message,
        meeting=meeting,
        memory=memory,
    )


def _send_context(
    gate: GateView,
    read: SendReads,
    message: str,
    selected_goal_id: str,
) -> CoachContext:
    """build_context from what the send has read already: the gate's user and series, and
    the goals, the archive, the history and memory read alongside the stored message."""
    stored, kept = read.stored
    history = tuple(_turns_before(stored, retrying=True))
    brief = ""
    meeting_id = gate.access.meeting_id
    if gate.in_check_in:
        now = datetime.now(UTC)
        brief = brief_from(gate.series, read.archived, meeting_id, _titles(read.goals), now)
    return _context(
        gate.user, read.goals, selected_goal_id, history, message, brief, kept["summary"]
    )


class _Attendance:
    """They came: the meeting completes rather than being marked missed. Claimed once the
    reply is under way (its first token shown, or its end if none came), so the claim's
    write never holds up the first token; one already made is not made again."""

    def __init__(self, user_id: ObjectId, gate: GateView, now: datetime | None):
        meeting_id = gate.access.meeting_id
        meeting = ms.find(gate.series, meeting_id) if gate.in_check_in else None
        self.due = meeting is not None and meeting.get("attended_at") is None
        self.user_id, self.meeting_id, self.now = user_id, meeting_id, now or datetime.now(UTC)
        self.claim: asyncio.Future | None = None

    def start(self) -> None:
        if self.due and self.claim is None:
            self.claim = asyncio.ensure_future(self._claim())

    async def finish(self) -> None:
        self.start()
        if self.claim is not None:
            await self.claim

    async def _claim(self) -> None:
        try:
            await meetings_data.mark_attended(self.user_id, self.meeting_id, self.now)
        except Exception:
            # The message is stored and answered all the same; the next send claims again.
            log.exception("Could not record attendance of check-in %s", self.meeting_id)


class ReplyStopped(Exception):
    pass


async def _until_stopped(replies, stop: asyncio.Event):
    """The coach's chunks until `stop` is set: Stop must work before the first token too."""
    stop_wait = asyncio.ensure_future(stop.wait())
    try:
        while True:
            next_chunk = asyncio.ensure_future(anext(replies))
            await asyncio.wait({next_chunk, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            if not next_chunk.done():
                next_chunk.cancel()
                await asyncio.wait({next_chunk})
                raise ReplyStopped()
            try:
                yield next_chunk.result()
            except StopAsyncIteration:
                return
    finally:
        stop_wait.cancel()


async def send_and_reply(
    user_id: ObjectId,
    message: str,
    selected_goal_id: str,
    *,
    coach: ClaudeCoach | OfflineCoach,
    show: ShowText,
    stop: asyncio.Event | None = None,
    retrying: bool = False,
    now: datetime | None = None,
    notify: ShowNotice | None = None,
    stored_as: MessageStored | None = None,
    quota: CoachQuota | None = None,
) -> ReplyOutcome:
    """`retrying`: the message is already stored (a retry after a failed reply).

    CoachClosed, with nothing stored, when the user is tracking and no meeting window is
    open at `now`: checked here, on every send, so no page state or direct call gets past.
    In a check-in the meeting is claimed as attended before this returns; a failed claim is
    logged, not raised, as the message is stored by then (the next send claims again)."""
    try:
        gate = await read_gate(user_id, now)
        if not gate.access.open:
            raise CoachClosed(gate.access)
        quota = quota or get_quota()
        await quota.admit(user_id)
        read = await SendReads.read(user_id, gate, message, retrying)
        if stored_as is not None and not retrying:
            await stored_as(read.stored[0][-1]["id"])
    except (CoachClosed, QuotaReached):
        raise
    except Exception as error:
        if retrying:
            raise
        # Whatever failed before the message was stored, nothing was sent: say so, and let
        # the page give the text back (a retry would answer a message that is not there).
        raise MessageNotSaved() from error
    attendance = _Attendance(user_id, gate, now)
    try:
        read.check()
        context = _send_context(gate, read, message, selected_goal_id)
        shown = _Shown(show, notify)
        outcome = await _reply(user_id, context, coach, shown, stop, attendance.start)
        await _charge(quota, user_id, outcome)
        if outcome.ref is not None:
            remember_later(user_id, coach)
        return outcome
    finally:
        await attendance.finish()


async def _charge(quota: CoachQuota, user_id: ObjectId, outcome: ReplyOutcome) -> None:
    try:
        await quota.charge(user_id, outcome.meta.get("usage") or {})
    except Exception:
        # The reply is stored and shown; a count that could not be written is not its fault.
        log.exception("Could not count the coach's tokens for %s", user_id)


@dataclass
class _Shown:
    """Where the reply shows: its text, and a notice while the coach retries."""

    text: ShowText
    notice: ShowNotice | None = None
    noticed: bool = False

    async def retrying(self, retrying: ReplyRetrying) -> bool:
        self.noticed = True
        return True if self.notice is None else await self.notice(retry_notice(retrying))

    async def reply(self, message_id: str, text: str) -> bool:
        if self.noticed and self.notice is not None:
            self.noticed = False
            if not await self.notice(""):
                return False
        return await self.text(message_id, text)


async def _reply(
    user_id: ObjectId,
    context: CoachContext,
    coach: ClaudeCoach | OfflineCoach,
    show: _Shown,
    stop: asyncio.Event | None,
    under_way: Callable[[], None],
) -> ReplyOutcome:
    outcome, checkpoint = ReplyOutcome(), time.monotonic()
    replies = coach.reply(context)
    try:
        async with contextlib.aclosing(_until_stopped(replies, stop or asyncio.Event())) as chunks:
            async for chunk in chunks:
                if isinstance(chunk, ReplyDone):
                    outcome.meta = {"model": chunk.model, "usage": chunk.usage}
                    continue
                if isinstance(chunk, ReplyRetrying):
                    if not await show.retrying(chunk):
                        raise ReplyStopped()
                    continue
                if isinstance(chunk, ProposalMade):
                    outcome.proposals.append(chunk.proposal)
                else:
                    outcome.text += chunk
                if outcome.ref is None:
                    outcome.ref = await chat_messages.append_message(
                        user_id, "assistant", outcome.text, _kept(outcome, {"streaming": True})
                    )
                elif (
                    isinstance(chunk, ProposalMade)
                    or time.monotonic() - checkpoint > CHECKPOINT_SECONDS
                ):
                    # A crash mid-reply then loses seconds of text, not the whole reply, and
                    # never a proposal already shown.
                    meta = _kept(outcome, {"streaming": True})
                    await chat_messages.update_message(user_id, outcome.ref, outcome.text, meta)
                    checkpoint = time.monotonic()
                if not await show.reply(outcome.ref.message_id, outcome.text):
                    raise ReplyStopped()
                under_way()
    except ReplyStopped:
        outcome.meta = {"stopped": True}
    except CoachError as error:
        outcome.meta = {"error": error.message, "error_kind": error.kind}
    except Exception:
        log.exception("The coach's reply failed")
        outcome.meta = {"error": INTERNAL_ERROR, "error_kind": "internal"}
    finally:
        await replies.aclose()
        if outcome.ref is not None:
            outcome.meta = _kept(outcome, outcome.meta)
            await chat_messages.update_message(user_id, outcome.ref, outcome.text, outcome.meta)
    return outcome


def _kept(outcome: ReplyOutcome, meta: dict) -> dict:
    """The message's metadata with the proposals made so far."""
    return {**meta, "proposals": outcome.proposals} if outcome.proposals else meta
