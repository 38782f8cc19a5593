"""The offline coach's suggestions as proposals: the same cards, checks and paths as Claude's.

Each suggestion (goalgetter/coach/offline.py's Proposal: a line to add, a deadline, or
milestones, for a goal named by its title) is turned into the input of the matching tool and
goes through domain/proposals.from_tool like a tool call, so the same limits and ownership
rules hold, and one that does not fit (a goal renamed since, a deadline it already has) is
simply not offered.
"""

from __future__ import annotations

from goalgetter.coach.context import CoachContext
from goalgetter.coach.llm_stream import goal_snapshots
from goalgetter.domain.proposals import GoalSnapshot, ProposalRefused, from_tool

REASON = "From what you told me in the chat."
NEW_GOAL_TITLE_WORDS = 6


def _goal_for(title: str, context: CoachContext, goals: dict[str, GoalSnapshot]):
    """The goal a suggestion names: the open one if it has that title, else the first."""
    named = [g for g in context.goals if g.id in goals and g.title.strip() == title.strip()]
    named.sort(key=lambda g: not g.selected)
    return goals[named[0].id] if named else None


def _tool_input(suggestion, goal: GoalSnapshot | None) -> tuple[str, dict] | None:
    if suggestion.kind == "append_text" and goal is None:
        title = " ".join(suggestion.text.rstrip(".").split()[:NEW_GOAL_TITLE_WORDS])
        return "propose_new_goal", {"title": title, "content": suggestion.text}
    if goal is None:
        return None
    if suggestion.kind == "append_text":
        content = (
            f"{goal.content.rstrip()}\n\n{suggestion.text}"
            if goal.content.strip()
            else suggestion.text
        )
        return "propose_goal_edit", {"goal_id": goal.id, "new_content": content}
    if suggestion.kind == "deadline":
        return "propose_deadline", {"goal_id": goal.id, "deadline": suggestion.text}
    if suggestion.kind == "milestones":
        items = [{"title": item} for item in suggestion.items]
        return "propose_milestones", {"goal_id": goal.id, "milestones": items}
    return None


def offline_proposals(suggestions, context: CoachContext) -> list[dict]:
    """The proposals the offline coach's suggestions make (the ones that pass the checks)."""
    goals = goal_snapshots(context)
    made = []
    for suggestion in suggestions:
        tool = _tool_input(suggestion, _goal_for(suggestion.goal_title, context, goals))
        if tool is None:
            continue
        name, raw = tool
        try:
            made.append(from_tool(name, {**raw, "reason": REASON}, goals))
        except ProposalRefused:
            continue
    return made
