"""Is the coach open for this user now? The one rule (domain/meetings.coach_access) applied
to a fresh read of the user's phase and meetings: never to what a page or a state believes.

The send path keeps what the gate read (the user, the meeting series) for the coach's
context: the same two exact-`_id` reads, not repeated for the name and the check-in brief."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data import meeting_state as ms
from goalgetter.data import meetings as meetings_data
from goalgetter.domain.meetings import CoachAccess, coach_access


class CoachClosed(Exception):
    """A message was sent outside a meeting window in tracking; nothing was stored."""

    def __init__(self, access: CoachAccess):
        super().__init__("The coach is closed now.")
        self.access = access


@dataclass(frozen=True)
class GateView:
    access: CoachAccess
    user: dict
    series: dict | None  # the meeting series' state, in tracking

    @property
    def in_check_in(self) -> bool:
        """The send is in a check-in's window, with the series that holds it."""
        return bool(self.access.meeting_id) and self.series is not None


async def read_gate(user_id: ObjectId, now: datetime | None = None) -> GateView:
    """LookupError when the user does not exist (never an open gate by mistake)."""
    user, series = await meetings_data.user_and_series(user_id)
    meetings = ms.meeting_times(series) if series else []
    access = coach_access(user.get("phase") or "goal_setting", meetings, now or datetime.now(UTC))
    return GateView(access, user, series)


async def coach_gate(user_id: ObjectId, now: datetime | None = None) -> CoachAccess:
    return (await read_gate(user_id, now)).access
