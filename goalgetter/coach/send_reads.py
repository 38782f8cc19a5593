"""What a send reads at once, once the gate is open: the person's message stored (with the
history and memory that come back with it), the goals, and in a check-in the archived
meetings its brief counts. None of them waits for another, so a check-in's archive adds no
round trip before the model is called."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bson import ObjectId

from goalgetter.coach.context import HISTORY_LIMIT
from goalgetter.coach.gate import GateView
from goalgetter.coach.meeting_brief import series_archive
from goalgetter.data import chat_messages
from goalgetter.data import goals as goals_data


@dataclass(frozen=True)
class SendReads:
    """What a send reads at once, after the gate: the stored message with the history and
    memory, the goals, and (in a check-in) the archived meetings its brief counts."""

    stored: tuple[list[dict], dict]
    goals: list[dict] | BaseException
    archived: list[dict] | BaseException

    @classmethod
    async def read(cls, user_id: ObjectId, gate: GateView, message: str, retrying: bool):
        """Raises what storing the message raised (nothing was sent); the other reads' errors
        wait for check(), as the message is stored by then."""
        archive = series_archive(user_id, gate.series) if gate.in_check_in else _nothing()
        stored, goals, archived = await asyncio.gather(
            _store_message(user_id, message, retrying),
            goals_data.goals_with_content(user_id),
            archive,
            return_exceptions=True,
        )
        if isinstance(stored, BaseException):
            raise stored
        return cls(stored, goals, archived)

    def check(self) -> None:
        for read in (self.goals, self.archived):
            if isinstance(read, BaseException):
                raise read


async def _nothing() -> list:
    return []


async def _store_message(
    user_id: ObjectId, message: str, retrying: bool
) -> tuple[list[dict], dict]:
    """The user's last messages, this one stored last (a retry's is already), and the memory
    of the ones before them."""
    if retrying:
        return await chat_messages.recent_with_memory(user_id, HISTORY_LIMIT + 4)
    _, stored, kept = await chat_messages.append_and_recent(
        user_id, "user", message, HISTORY_LIMIT + 4
    )
    return stored, kept
