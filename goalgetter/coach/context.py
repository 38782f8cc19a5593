"""What the coach sees on each send: the person's goals, recent history and phase."""

from __future__ import annotations

from dataclasses import dataclass, field

from goalgetter.coach.persona import PERSONA, PHASE_GUIDANCE

HISTORY_LIMIT = 10
MAX_GOAL_CHARS = 4_000
MAX_GOALS_CHARS = 20_000


@dataclass(frozen=True)
class GoalText:
    title: str
    content: str
    selected: bool = False
    phase: str = ""
    deadline: str = ""
    tags: tuple[str, ...] = ()
    milestones: tuple[tuple[str, bool], ...] = ()  # (title, done)
    id: str = ""  # the goal's id, which the coach names in a proposal
    version: int = 0  # the text's version as read: a proposal is based on it

    @classmethod
    def from_goal(cls, goal: dict, selected: bool = False) -> GoalText:
        meta = goal.get("metadata") or {}
        return cls(
            title=goal.get("title", ""),
            content=goal.get("content", ""),
            selected=selected,
            phase=goal.get("phase", ""),
            deadline=meta.get("deadline") or "",
            tags=tuple(meta.get("tags") or ()),
            milestones=tuple((m["title"], bool(m["done"])) for m in meta.get("milestones") or ()),
            id=str(goal.get("_id", "")),
            version=goal.get("version", 0),
        )


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class CoachContext:
    user_name: str
    phase: str
    goals: tuple[GoalText, ...]
    history: tuple[Turn, ...]
    message: str
    extra: dict = field(default_factory=dict)
    meeting: str = ""  # in a check-in: what the coach should know about it
    history_limit: int = HISTORY_LIMIT  # turns of `history` sent to the model
    memory: str = ""  # a summary of the conversation before `history` (coach/memory.py)

    @property
    def selected_goal(self) -> GoalText | None:
        return next((goal for goal in self.goals if goal.selected), None)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "\n[… cut for length]"


def render_goals(goals: tuple[GoalText, ...]) -> str:
    if not goals:
        return "They have not written any goals yet."
    sections, used = [], 0
    for goal in goals:
        marker = " (open in their editor now)" if goal.selected else ""
        body = _clip(goal.content.strip(), MAX_GOAL_CHARS) or "(no text yet)"
        named = f" (goal_id: {goal.id})" if goal.id else ""
        heading = f"### {goal.title.strip() or 'Untitled goal'}{named}{marker}"
        section = "\n".join(part for part in (heading, _goal_facts(goal), body) if part)
        if used + len(section) > MAX_GOALS_CHARS:
            sections.append(f"[{len(goals) - len(sections)} more goals not shown]")
            break
        sections.append(section)
        used += len(section)
    return "\n\n".join(sections)


def _goal_facts(goal: GoalText) -> str:
    """Phase, deadline, tags and milestones: the structured part of a goal, one line each."""
    facts = [
        f"Phase: {goal.phase}" if goal.phase else "",
        f"Deadline: {goal.deadline}" if goal.deadline else "",
        f"Tags: {', '.join(goal.tags)}" if goal.tags else "",
    ]
    lines = [" · ".join(fact for fact in facts if fact)]
    if goal.milestones:
        marks = "; ".join(f"[{'x' if done else ' '}] {title}" for title, done in goal.milestones)
        lines.append(f"Milestones: {marks}")
    return "\n".join(line for line in lines if line)


CACHED = {"type": "ephemeral"}


def system_blocks(context: CoachContext) -> list[dict]:
    """The system prompt in blocks, for prompt caching: the persona (the same for everyone),
    then the person and their goals (the same for each of their sends until something
    changes), each ending a cached prefix; then the check-in, which changes as it goes."""
    guidance = PHASE_GUIDANCE.get(context.phase, PHASE_GUIDANCE["goal_setting"])
    person = (
        f"## The person\nName: {context.user_name or 'unknown'}\n"
        f"Phase: {context.phase}. {guidance}\n\n"
        f"## Their goals\n<goals>\n{render_goals(context.goals)}\n</goals>\n"
    )
    if context.memory:
        person += (
            "\n## Earlier in your conversation (a summary of what came before the messages)"
            f"\n<memory>\n{context.memory}\n</memory>\n"
        )
    blocks = [
        {"type": "text", "text": PERSONA, "cache_control": CACHED},
        {"type": "text", "text": person, "cache_control": CACHED},
    ]
    if context.meeting:
        blocks.append({"type": "text", "text": f"## This check-in\n{context.meeting}\n"})
    return blocks


def build_system_prompt(context: CoachContext) -> str:
    """The system prompt as one text (what system_blocks sends)."""
    return "\n".join(block["text"] for block in system_blocks(context))


def build_messages(context: CoachContext) -> list[dict]:
    """History plus the new message in the alternating form the Messages API expects."""
    turns = [t for t in context.history[-context.history_limit :] if t.content.strip()]
    turns.append(Turn("user", context.message))
    messages: list[dict] = []
    for turn in turns:
        if not messages and turn.role != "user":
            continue
        if messages and messages[-1]["role"] == turn.role:
            messages[-1]["content"] += "\n\n" + turn.content
        else:
            messages.append({"role": turn.role, "content": turn.content})
    return messages
