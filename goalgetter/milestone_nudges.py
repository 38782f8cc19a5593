"""One nudge when a milestone's due day comes and it is not done (data/milestone_due).

Run from every scheduler tick; each nudge is one outbox mail whose key names the goal, the
milestone and the day, so a second process or a repeated pass queues it once. Nothing is
sent for a milestone done, removed or re-dated since, for a goal archived, completed or
deleted, or to someone who turned nudges off.
"""

from __future__ import annotations

from datetime import datetime

from goalgetter import mail_content, mail_delivery
from goalgetter.data import goals, milestone_due, outbox, users
from goalgetter.data.milestone_due import DueMilestone
from goalgetter.domain.timezones import first_zone
from goalgetter.settings import get_settings

NUDGED_PHASES = ("draft", "active")


async def nudge_due(now: datetime) -> int:
    """Queue the nudges due by `now`; how many were new."""
    queued = 0
    for day, due in (await milestone_due.due_by(now)).items():
        for entry in due:
            queued += await _nudge(entry, day, now)
        await milestone_due.forget(day, [entry.key for entry in due])
    if queued:
        mail_delivery.deliver_soon()
    return queued


async def _nudge(entry: DueMilestone, day: str, now: datetime) -> bool:
    goal = await goals.get_goal(entry.user_id, entry.goal_id)
    if goal is None or goal.get("phase") not in NUDGED_PHASES:
        return False
    milestones = (goal.get("metadata") or {}).get("milestones") or []
    milestone = next((m for m in milestones if m.get("id") == entry.milestone_id), None)
    if milestone is None or milestone.get("done") or milestone.get("due") != day:
        return False
    person = await users.get_user(entry.user_id)
    if person is None or not users.wants(person, "nudges"):
        return False
    zone = first_zone((person.get("settings") or {}).get("timezone"))
    message = mail_content.milestone_nudge(
        person["name"], person["email"], goal["title"], milestone["title"], day, zone,
        get_settings().public_url,
    )  # fmt: skip
    key = f"milestone-nudge:{entry.goal_id}:{entry.milestone_id}:{day}"
    return await outbox.enqueue(
        entry.user_id, key, mail_delivery.with_unsubscribe(message, entry.user_id), now
    )
