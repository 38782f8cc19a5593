"""Check-ins: a goal's progress and confidence recorded in a check-in meeting, stored in
that meeting (data/meetings), and read back per goal for the chart and the PDF."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from goalgetter.data import goals, meetings
from goalgetter.domain.meetings import window
from goalgetter.domain.validation import ValidationError


async def record_checkin(
    user_id: ObjectId, meeting_id: object, goal_id: str, checkin: dict, *, now: datetime
) -> dict | None:
    """One goal's check-in in a meeting whose window is open (again: replaces it); the user
    counts as having come."""
    if await goals.get_goal(user_id, goal_id) is None:
        return None

    def edit(state: dict, meeting: dict) -> dict:
        opens, closes = window(meeting["start"], meeting["end"])
        if meeting["status"] == "cancelled" or not opens <= now < closes:
            raise ValidationError(
                "meeting", "meeting_closed", "Check-ins are recorded during a check-in meeting."
            )
        meeting.setdefault("checkins", {})[goal_id] = {**checkin, "at": now}
        if meeting["attended_at"] is None:  # a check-in is showing up, chat or not
            meeting["attended_at"] = now
        return dict(meeting)

    return await meetings.edit_meeting(user_id, meeting_id, now, edit)


async def goal_progress(user_id: ObjectId, goal_id: str) -> list[dict]:
    """The goal's check-ins over the meetings, oldest first: {start, progress, confidence,
    note}."""
    return (await checkins_by_goal(user_id)).get(goal_id, [])


async def checkins_by_goal(user_id: ObjectId) -> dict[str, list[dict]]:
    """Every check-in of the user's goals, by goal id, each goal's oldest first."""
    upcoming, past = await meetings.list_meetings(user_id, past_limit=None)
    return group_by_goal([*upcoming, *past])


def group_by_goal(meeting_list: list[dict]) -> dict[str, list[dict]]:
    """The check-ins recorded in these meetings, by goal id, each goal's oldest first."""
    by_goal: dict[str, list[dict]] = {}
    for meeting in sorted(meeting_list, key=lambda m: m["start"]):
        for goal_id, checkin in (meeting.get("checkins") or {}).items():
            by_goal.setdefault(goal_id, []).append({"start": meeting["start"], **checkin})
    return by_goal
