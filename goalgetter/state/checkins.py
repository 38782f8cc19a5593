"""Check-ins of the open goal: record one during a meeting, and its progress over meetings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

import reflex as rx

from goalgetter.coach.gate import coach_gate
from goalgetter.data import checkins as checkins_data
from goalgetter.domain.checkins import CONFIDENCE_LABELS, parse_checkin
from goalgetter.domain.validation import ValidationError
from goalgetter.state.goals import GoalsState

MEETING_GONE = "This check-in is over; the next one opens on its own."


class ProgressPoint(TypedDict):
    when: str
    progress: int
    confidence: str


class CheckinState(GoalsState):
    # The meeting whose window is open now ("" outside one): check-ins go there.
    checkin_meeting: str = ""
    progress_points: list[ProgressPoint] = []
    checkin_error: str = ""
    checkin_saved: bool = False

    @rx.event
    async def load_checkins(self):
        """On showing a goal: is a meeting open for check-ins, and the goal's progress so far."""
        user_id = await self._signed_in_user_id()
        access = await coach_gate(user_id)
        self.checkin_meeting = access.meeting_id or "" if access.reason == "meeting" else ""
        zone = self._display_zone()
        self.progress_points = [
            {
                "when": point["start"].astimezone(zone).strftime("%d %b"),
                "progress": point["progress"],
                "confidence": CONFIDENCE_LABELS[point["confidence"]],
            }
            for point in await checkins_data.goal_progress(user_id, self.selected_id)
        ]
        self.checkin_error, self.checkin_saved = "", False

    @rx.event
    async def save_checkin(self, form: dict):
        try:
            checkin = parse_checkin(form.get("progress"), form.get("confidence"), form.get("note"))
            saved = await checkins_data.record_checkin(
                await self._signed_in_user_id(),
                self.checkin_meeting,
                self.selected_id,
                checkin,
                now=datetime.now(UTC),
            )
        except ValidationError as error:
            self.checkin_error = error.message
            return
        if saved is None:
            self.checkin_error = MEETING_GONE
            return
        await self.load_checkins()
        self.checkin_saved = True
