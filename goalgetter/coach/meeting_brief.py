"""What the coach is told in a check-in: which meeting, when it ends and when the next one is
(in the person's zone), time since the last one, each goal's latest check-in and the last
meeting's notes.

From a series already read (the send path's gate read it) or read here; either way every
meeting counts, archived ones too: the number and the latest check-ins must not stop growing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bson import ObjectId

from goalgetter.data import meetings as meetings_data
from goalgetter.data.client import get_db
from goalgetter.data.meeting_series import read_archive
from goalgetter.domain.checkins import CONFIDENCE_LABELS
from goalgetter.domain.meetings import WINDOW_AFTER
from goalgetter.domain.timezones import UTC_ZONE, first_zone


def _since(then: datetime, now: datetime) -> str:
    days = (now - then).days
    return "today" if days < 1 else f"{days} day{'s' if days != 1 else ''} ago"


async def meeting_brief(
    user_id: ObjectId, meeting_id: str, goal_titles: dict[str, str], now: datetime
) -> str:
    series = await meetings_data.series(user_id)
    if series is None:
        return ""
    return await series_brief(user_id, series, meeting_id, goal_titles, now)


async def series_brief(
    user_id: ObjectId, series: dict, meeting_id: str, goal_titles: dict[str, str], now: datetime
) -> str:
    """meeting_brief from the series' state as read (the archive years it lists are read)."""
    archived = await series_archive(user_id, series)
    return brief_from(series, archived, meeting_id, goal_titles, now)


async def series_archive(user_id: ObjectId, series: dict) -> list[dict]:
    """The archived meetings a brief of this series counts (none read when it has none)."""
    return await read_archive(get_db(), user_id, series["archive_years"])


def brief_from(
    series: dict,
    archived: list[dict],
    meeting_id: str,
    goal_titles: dict[str, str],
    now: datetime,
) -> str:
    """series_brief from the series and its archive (series_archive), both already read."""
    seen = {m["id"] for m in series["meetings"]}
    # A meeting in both places (a crash mid-archive): the series' copy is the current one.
    meetings = [*series["meetings"], *(m for m in archived if m["id"] not in seen)]
    zone = first_zone(series["schedule"].get("timezone"))
    return brief_text(meetings, meeting_id, goal_titles, now, zone)


def _local(instant: datetime, zone: ZoneInfo) -> str:
    """'Tuesday 12 January at 18:00': how the person reads it in their zone."""
    local = instant.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def _in(then: datetime, now: datetime) -> str:
    days = (then - now).days
    if days >= 1:
        return f"in {days} day{'s' if days != 1 else ''}"
    hours = max(1, round((then - now).total_seconds() / 3600))
    return f"in {hours} hour{'s' if hours != 1 else ''}"


def timing_lines(meetings: list[dict], meeting_id: str, now: datetime, zone: ZoneInfo) -> list[str]:
    """When this check-in ends and when the next one is, so the coach never promises a talk
    the gate will not open for ("see you tomorrow" with the next one in two weeks)."""
    lines = []
    current = next((m for m in meetings if m["id"] == meeting_id), None)
    if current is not None:
        lines.append(
            f"It runs until {_local(current['end'], zone)}; this chat stays open until "
            f"{_local(current['end'] + WINDOW_AFTER, zone)} ({zone.key} time)."
        )
    later = [m for m in meetings if m["status"] == "scheduled" and m["start"] > now]
    later = [m for m in later if m["id"] != meeting_id]
    if later:
        after = min(later, key=lambda m: m["start"])
        lines.append(
            f"The next check-in is {_local(after['start'], zone)} ({_in(after['start'], now)}); "
            "you cannot talk with them before then, so never suggest an earlier talk."
        )
    else:
        lines.append("No later check-in is planned yet; do not promise one.")
    return lines


def brief_text(
    meetings: list[dict],
    meeting_id: str,
    goal_titles: dict[str, str],
    now: datetime,
    zone: ZoneInfo = UTC_ZONE,
) -> str:
    meetings = sorted(meetings, key=lambda m: m["start"])
    held = [m for m in meetings if m["status"] == "completed" and m["id"] != meeting_id]
    number = len(held) + 1
    lines = [f"This is check-in number {number}.", *timing_lines(meetings, meeting_id, now, zone)]
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
