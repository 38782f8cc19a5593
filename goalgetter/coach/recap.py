"""The recap of a finished check-in: 3-6 bullets on progress and commitments, by the coach.

Claude writes it from the check-in's whole conversation (every message in its chat window)
and its check-ins; the offline coach (or a reply that is not a bullet list) builds it from
the check-ins alone.
"""

from __future__ import annotations

import logging

from bson import ObjectId

from goalgetter import mail_delivery, partner_digest
from goalgetter.coach.context import Turn
from goalgetter.coach.conversation import build_context
from goalgetter.coach.llm import ClaudeCoach, OfflineCoach, app_coach
from goalgetter.data import chat_messages
from goalgetter.data import goals as goals_data
from goalgetter.data import meetings as meetings_data
from goalgetter.domain.checkins import CONFIDENCE_LABELS
from goalgetter.domain.meetings import window

log = logging.getLogger(__name__)
MIN_BULLETS, MAX_BULLETS = 3, 6
RECAP_HISTORY = 40  # messages of the check-in the coach reads for its recap
RECAP_REQUEST = (
    "The check-in has ended. Write its recap for the person's records: 3 to 6 markdown "
    "bullet points (lines starting with '- '), covering the progress on each goal and the "
    "commitments for next time, in your voice. Only the bullets, nothing else."
)


def offline_recap(meeting: dict, goal_titles: dict[str, str]) -> str:
    bullets = []
    for goal_id, checkin in (meeting.get("checkins") or {}).items():
        title = goal_titles.get(goal_id, "A goal")
        confidence = CONFIDENCE_LABELS.get(checkin["confidence"], checkin["confidence"]).lower()
        note = f": {checkin['note']}" if checkin.get("note") else ""
        bullets.append(f"- **{title}**: {checkin['progress']}%, {confidence}{note}")
    bullets = bullets[: MAX_BULLETS - 2]
    if not bullets:
        bullets.append("- No check-ins were recorded in this meeting.")
    bullets.append("- Next time: bring your numbers for every goal, and one win to celebrate.")
    if len(bullets) < MIN_BULLETS:
        bullets.append("- Between now and then: one small action a day keeps momentum.")
    return "\n".join(bullets)


def _bullets(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(("- ", "* "))]
    if len(lines) < MIN_BULLETS:
        return None
    return "\n".join("- " + line[2:].strip() for line in lines[:MAX_BULLETS])


async def meeting_turns(user_id: ObjectId, meeting: dict) -> tuple[Turn, ...]:
    """The conversation held in the meeting's chat window (the last RECAP_HISTORY messages
    at most); failed replies, and a reply still being written at the close, left out."""
    opens, closes = window(meeting["start"], meeting["end"])
    messages = await chat_messages.recent_messages(user_id, RECAP_HISTORY)
    return tuple(
        Turn(m["role"], m["content"])
        for m in messages
        if opens <= m["timestamp"] < closes and _whole(m.get("metadata") or {})
    )


def _whole(meta: dict) -> bool:
    return not meta.get("error") and not meta.get("streaming")


async def _claude_recap(coach: ClaudeCoach, user_id: ObjectId, meeting: dict) -> str | None:
    turns = await meeting_turns(user_id, meeting)
    context = await build_context(user_id, RECAP_REQUEST, "", meeting["id"], history=turns)
    text = "".join([chunk async for chunk in coach.reply(context) if isinstance(chunk, str)])
    return _bullets(text)


async def write_recap(
    user_id: ObjectId, meeting: dict, *, coach: ClaudeCoach | OfflineCoach | None = None
) -> str:
    """Write the meeting's recap and store it; returns it. Never raises for a model error:
    the check-ins' recap is stored instead."""
    coach = coach or app_coach()
    shown = await goals_data.goals_with_content(user_id, limit=50)
    titles = {str(goal["_id"]): goal["title"] for goal in shown}
    recap = None
    if not coach.offline:
        try:
            recap = await _claude_recap(coach, user_id, meeting)
        except Exception:
            log.exception("The coach could not write the recap of %s", meeting["id"])
    recap = recap or offline_recap(meeting, titles)
    await meetings_data.set_recap(user_id, meeting["id"], recap)
    try:
        await mail_delivery.send_recap(user_id, meeting, recap)
    except Exception:
        # The recap is stored and shown in the app; the mail is a courtesy.
        log.exception("Could not queue the recap mail of %s", meeting["id"])
    try:
        await partner_digest.send_digests(user_id, meeting, recap)
    except Exception:
        log.exception("Could not queue the partners' digests of %s", meeting["id"])
    return recap
