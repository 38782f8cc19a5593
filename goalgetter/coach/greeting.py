"""The coach's greeting when someone first opens the chat inside a check-in window.

Written from what is known, with no model call: it appears the moment the chat opens, and a
slow or absent model cannot hold it up. Claimed once per meeting (greeted_at), so two tabs
or a reload never greet twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data import chat_messages, goals, users
from goalgetter.data import meetings as meetings_data
from goalgetter.domain.meetings import CoachAccess


def greeting_text(first_name: str, goal_titles: list[str]) -> str:
    if goal_titles:
        listed = "\n".join(f"- **{title}**" for title in goal_titles[:8])
        ask = (
            f"Here is what you committed to:\n\n{listed}\n\nFor each one: where are you, in "
            "percent? Are you on track, at risk or off track? Record it in the check-in on "
            "the left, then tell me the story: what moved, and what got in the way?"
        )
    else:
        ask = "Tell me: what moved since we last met, and what got in the way?"
    return f"Welcome to your check-in, {first_name}! This is YOUR time. {ask}"


async def greet_once(user_id: ObjectId, access: CoachAccess, now: datetime | None = None) -> bool:
    """Post the greeting if a meeting window is open and nobody greeted in it yet."""
    if access.reason != "meeting" or not access.meeting_id:
        return False
    now = now or datetime.now(UTC)
    if not await meetings_data.claim_greeting(user_id, access.meeting_id, now):
        return False
    user = await users.get_user(user_id) or {}
    first_name = (user.get("name") or "friend").split(" ")[0]
    active = await goals.goals_with_content(user_id, limit=8, phases=("active",))
    text = greeting_text(first_name, [g["title"] for g in active])
    await chat_messages.append_message(user_id, "assistant", text, {"greeting": access.meeting_id})
    return True
