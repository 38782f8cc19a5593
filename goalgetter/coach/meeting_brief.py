"""What the coach is told in a check-in: which meeting, time since the last one, each goal's
latest check-in and the last meeting's notes.

From a series already read (the send path's gate read it) or read here; either way every
meeting counts, archived ones too: the number and the latest check-ins must not stop growing."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from goalgetter.data import meetings as meetings_data
from goalgetter.data.client import get_db
from goalgetter.data.meeting_series import read_archive
from goalgetter.domain.checkins import CONFIDENCE_LABELS


def _since(then: datetime, now: datetime) -> str:
    days = (now - then).days
    return "today" if days < 1 else f"{days} day{'s' if days != 1 else ''} ago"


async def meeting_brief(
    user_id: ObjectId, meeting_id: str, goal_titles: dict[str, str], now: datetime
) -> str:
    upcoming, past = await meetings_data.list_meetings(user_id, now=now, past_limit=None)
    return brief_text([*upcoming, *past], meeting_id, goal_titles, now)


async def series_brief(
    user_id: ObjectId, series: dict, meeting_id: str, goal_titles: dict[str, str], now: datetime
) -> str:
    """meeting_brief from the series' state as read (the archive years it lists are read)."""
    seen = {m["id"] for m in series["meetings"]}
    archived = await read_archive(get_db(), user_id, series["archive_years"])
    # A meeting in both places (a crash mid-archive): the series' copy is the current one.
    meetings = [*series["meetings"], *(m for m in archived if m["id"] not in seen)]
    return brief_text(meetings, meeting_id, goal_titles, now)


def brief_text(
    meetings: list[dict], meeting_id: str, goal_titles: dict[str, str], now: datetime
) -> str:
    meetings = sorted(meetings, key=lambda m: m["start"])
    held = [m for m in meetings if m["status"] == "completed" and m["id"] != meeting_id]
    number = len(held) + 1
    lines = [f"This is check-in number {number}."]
    if held:
        last = held[-1]
        lines.append(f"The last one was {_since(last['start'], now)}.")
        if last.get("notes"):
            lines.append(f"Notes from it:\n<notes>\n{last['notes'][:2000]}\n</notes>")
    latest: dict[str, dict] = {}
    for meeting in meetings:
        latest.update(meeting.get("checkins") or {})
    for goal_id, checkin in latest.items():
        title = goal_titles.get(goal_id)
        if title:
            confidence = CONFIDENCE_LABELS.get(checkin["confidence"], checkin["confidence"])
            note = f" ({checkin['note'][:300]})" if checkin.get("note") else ""
            lines.append(f"Latest check-in on {title}: {checkin['progress']}%, {confidence}{note}.")
    return "\n".join(lines)
