"""Is the coach open for this user now? The one rule (domain/meetings.coach_access) applied
to a fresh read of the user's phase and meetings: never to what a page or a state believes."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data import meetings as meetings_data
from goalgetter.domain.meetings import CoachAccess, coach_access


class CoachClosed(Exception):
    """A message was sent outside a meeting window in tracking; nothing was stored."""

    def __init__(self, access: CoachAccess):
        super().__init__("The coach is closed now.")
        self.access = access


async def coach_gate(user_id: ObjectId, now: datetime | None = None) -> CoachAccess:
    phase, meetings = await meetings_data.gate_view(user_id)
    return coach_access(phase, meetings, now or datetime.now(UTC))
