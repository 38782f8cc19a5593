"""The offline coach: the coach everyone meets when no ANTHROPIC_API_KEY is set."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from goalgetter.coach.context import CoachContext
from goalgetter.coach.reply import ReplyDone
from goalgetter.domain.smart import MIN_SPECIFIC_WORDS, analyse_goal

OFFLINE_MODEL = "offline-coach"
_PRIORITY = "SMTRA"


def offline_reply_text(context: CoachContext) -> str:
    goal = context.selected_goal or (context.goals[0] if context.goals else None)
    name = context.user_name.split(" ")[0] if context.user_name else "friend"
    if goal is not None and (goal.title.strip() or goal.content.strip()):
        label = f'"{goal.title.strip()}"' if goal.title.strip() else "this goal"
        return _smart_reply(name, label, goal.title, goal.content, goal.deadline)
    if len(context.message.split()) >= MIN_SPECIFIC_WORDS:
        # Nothing written on the left yet, but the message reads like a goal: coach that.
        reply = _smart_reply(name, "this", "", context.message)
        return f"{reply}\n\nWhen it feels right, write it on the left as your first goal."
    return (
        f"Let's go, {name}! Write your first goal on the left: what you want, by when, "
        "and why it matters. Then ask me again and I'll check it with you, letter by "
        "letter: Specific, Measurable, Achievable, Relevant, Time-bound."
    )


def _smart_reply(name: str, label: str, title: str, content: str, deadline: str = "") -> str:
    report = analyse_goal(title, content, deadline)
    if not report.missing:
        return (
            f"Now THAT is a goal, {name}! {label[0].upper()}{label[1:]} is specific, "
            "measurable, achievable, relevant and time-bound. That's a real commitment. So: "
            "what is the very first action you will take in the next 48 hours?"
        )
    missing = sorted(report.missing, key=lambda check: _PRIORITY.index(check.letter))[:2]
    strong = [check.name.lower() for check in report.checks if check.passed]
    opening = (
        f"I like where {label} is heading: it's already {', '.join(strong)}."
        if strong
        else f"{label[0].upper()}{label[1:]} is a start, {name}, and starting is what most "
        "people never do."
    )
    questions = "\n".join(f"- **{check.name}:** {check.question}" for check in missing)
    return f"{opening} Now let's make it undeniable.\n\n{questions}"


class OfflineCoach:
    """Rule-based coach used when no ANTHROPIC_API_KEY is set; deterministic."""

    offline = True
    model = OFFLINE_MODEL

    def __init__(self, token_delay_seconds: float = 0.02):
        self.token_delay_seconds = token_delay_seconds

    async def reply(self, context: CoachContext) -> AsyncIterator[str | ReplyDone]:
        for chunk in re.findall(r"\S+\s*|\s+", offline_reply_text(context)):
            if self.token_delay_seconds:
                await asyncio.sleep(self.token_delay_seconds)
            yield chunk
        yield ReplyDone(model=OFFLINE_MODEL)
