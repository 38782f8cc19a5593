"""Changes the coach proposes to a person's goals: checked like user input, never applied here.

The coach (Claude through tool use, or the offline coach) names a change; `from_tool` turns
its input into a *proposal*: a plain dict stored with the coach's message, shown as a card
with a diff, and applied only when the person accepts it (goalgetter/data/proposals.py).
Input is checked as if the person had typed it (the same limits as the editor), and a goal
must be one of the person's own goals as the coach was shown them: anything else is refused
with a message the coach gets back as an error `tool_result`, so it can correct itself.

A proposal: {id, kind, goal_id, goal_title, base_version, change, reason, label, lines,
status}. `lines` is the readable diff shown on the card (DiffLine rows), computed once from
the goal as the coach saw it; `base_version` is that goal's version, so accepting after the
goal changed is refused as a conflict (a passage replacement is re-applied to the current
text when the passage is still there exactly once).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from goalgetter.domain.phases import PHASE_LABELS, check_move
from goalgetter.domain.revisions import DiffLine, diff_lines
from goalgetter.domain.validation import (
    DEFAULT_GOAL_TITLE,
    MAX_GOAL_CONTENT_LENGTH,
    ValidationError,
    check_goal_content,
    check_goal_title,
    normalise_milestone_title,
    parse_optional_date,
)

MAX_REASON_LENGTH = 300
MAX_MILESTONES_PROPOSED = 10
MAX_CARD_LINES = 60  # diff rows kept on a card; the rest is summed up in one row
STATUSES = ("pending", "accepted", "rejected", "conflict", "failed")
DECIDED = ("accepted", "rejected", "conflict", "failed")


class ProposalRefused(ValueError):
    """The coach's input cannot become a proposal; `message` is told to the coach."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class GoalSnapshot:
    """A goal as the coach was shown it."""

    id: str
    title: str
    content: str
    version: int
    phase: str = "draft"
    deadline: str = ""


def _goal_id_schema() -> dict:
    return {"type": "string", "description": "The goal's id, exactly as given in <goals>."}


_REASON = {
    "type": "string",
    "description": "One sentence, shown to the person: why this change helps.",
}
TOOLS: list[dict] = [
    {
        "name": "propose_goal_edit",
        "description": (
            "Propose a change to one of the person's goals: a new title, a new full text, or "
            "the replacement of one passage of the text. The person sees a diff and accepts "
            "or rejects it; nothing changes until they accept."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "goal_id": _goal_id_schema(),
                "new_title": {"type": "string"},
                "new_content": {"type": "string", "description": "The whole new text."},
                "replace": {
                    "type": "object",
                    "properties": {"old": {"type": "string"}, "new": {"type": "string"}},
                    "required": ["old", "new"],
                    "description": "Replace this exact passage of the text with `new`.",
                },
                "reason": _REASON,
            },
            "required": ["goal_id", "reason"],
        },
    },
    {
        "name": "propose_new_goal",
        "description": "Propose a new goal (title and text) for the person to add.",
        "input_schema": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "content": {"type": "string"},
                "reason": _REASON,
            },
            "required": ["title", "content", "reason"],
        },
    },
    {
        "name": "propose_milestones",
        "description": "Propose milestones (titles, optional due dates) to add to a goal.",
        "input_schema": {
            "type": "object",
            "properties": {
                "goal_id": _goal_id_schema(),
                "milestones": {
                    "type": "array",
                    "maxItems": MAX_MILESTONES_PROPOSED,
                    "items": {
                        "type": "object",
                        "properties": {
                            "title": {"type": "string"},
                            "due": {"type": "string", "description": "YYYY-MM-DD"},
                        },
                        "required": ["title"],
                    },
                },
                "reason": _REASON,
            },
            "required": ["goal_id", "milestones", "reason"],
        },
    },
    {
        "name": "propose_deadline",
        "description": "Propose a deadline for a goal.",
        "input_schema": {
            "type": "object",
            "properties": {
                "goal_id": _goal_id_schema(),
                "deadline": {"type": "string", "description": "YYYY-MM-DD"},
                "reason": _REASON,
            },
            "required": ["goal_id", "deadline", "reason"],
        },
    },
    {
        "name": "propose_phase_change",
        "description": "Propose moving a goal to another phase (draft, active, completed, "
        "archived).",
        "input_schema": {
            "type": "object",
            "properties": {
                "goal_id": _goal_id_schema(),
                "phase": {"type": "string", "enum": ["draft", "active", "completed", "archived"]},
                "reason": _REASON,
            },
            "required": ["goal_id", "phase", "reason"],
        },
    },
]
TOOL_NAMES = tuple(tool["name"] for tool in TOOLS)


def from_tool(name: str, raw: object, goals: Mapping[str, GoalSnapshot]) -> dict:
    """The proposal the coach's tool call `name` with input `raw` makes; ProposalRefused."""
    if not isinstance(raw, dict):
        raise ProposalRefused("The tool input must be a JSON object.")
    build = _BUILDERS.get(name)
    if build is None:
        raise ProposalRefused(f"Unknown tool {name!r}; use one of {', '.join(TOOL_NAMES)}.")
    try:
        proposal = build(raw, goals)
    except ValidationError as error:
        raise ProposalRefused(error.message) from None
    proposal["reason"] = _reason(raw)
    proposal["id"] = "p" + secrets.token_hex(6)
    proposal["status"] = "pending"
    proposal["lines"] = _bounded(proposal["lines"])
    return proposal


def _string(raw: dict, key: str, *, required: bool = True) -> str:
    """The string under `key` as given ("" when optional and absent); checks type only."""
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProposalRefused(f"`{key}` must be a non-empty string.")
    return value


def _reason(raw: dict) -> str:
    reason = " ".join(_string(raw, "reason", required=False).split())
    if len(reason) > MAX_REASON_LENGTH:
        raise ProposalRefused(f"Keep `reason` under {MAX_REASON_LENGTH} characters.")
    return reason


def _goal(raw: dict, goals: Mapping[str, GoalSnapshot]) -> GoalSnapshot:
    goal = goals.get(raw.get("goal_id")) if isinstance(raw.get("goal_id"), str) else None
    if goal is None:
        raise ProposalRefused(
            "No goal of this person has that goal_id; use an id exactly as given in <goals>."
        )
    return goal


def _base(kind: str, goal: GoalSnapshot | None, change: dict, label: str) -> dict:
    return {
        "kind": kind,
        "goal_id": goal.id if goal else "",
        "goal_title": goal.title if goal else change.get("title", ""),
        "base_version": goal.version if goal else None,
        "change": change,
        "label": label,
    }


def _quoted(title: str) -> str:
    return f"“{title.strip() or DEFAULT_GOAL_TITLE}”"


def _goal_edit(raw: dict, goals: Mapping[str, GoalSnapshot]) -> dict:
    goal = _goal(raw, goals)
    title = raw.get("new_title")
    content = raw.get("new_content")
    replace = raw.get("replace")
    if title is None and content is None and replace is None:
        raise ProposalRefused("Give new_title, new_content or replace.")
    if content is not None and replace is not None:
        raise ProposalRefused("Give either new_content or replace, not both.")
    change: dict[str, Any] = {"title": None, "content": None, "replace": None}
    if title is not None:
        change["title"] = check_goal_title(_string(raw, "new_title").strip())
    new_content = goal.content
    if content is not None:
        change["content"] = check_goal_content(_string(raw, "new_content", required=False))
        new_content = change["content"]
    if replace is not None:
        change["replace"] = _replacement(replace, goal.content)
        new_content = apply_replacement(goal.content, change["replace"])
        check_goal_content(new_content)
    lines = diff_lines(goal.content, new_content)
    if change["title"] is not None and change["title"] != goal.title:
        lines = [
            _row("removed", f"Title: {goal.title}"),
            _row("added", f"Title: {change['title']}"),
            *lines,
        ]
    if not any(line["kind"] in ("added", "removed") for line in lines):
        raise ProposalRefused("That would change nothing: the goal already reads so.")
    return _base("goal_edit", goal, change, f"Edit {_quoted(goal.title)}") | {"lines": lines}


def _replacement(replace: object, content: str) -> dict:
    if not isinstance(replace, dict):
        raise ProposalRefused("`replace` must be an object with `old` and `new`.")
    old = _string(replace, "old")
    new = replace.get("new")
    if not isinstance(new, str) or len(new) > MAX_GOAL_CONTENT_LENGTH:
        raise ProposalRefused("`replace.new` must be a string.")
    found = content.count(old)
    if found != 1:
        where = "does not occur" if found == 0 else f"occurs {found} times"
        raise ProposalRefused(
            f"The passage to replace {where} in the goal's text; quote it exactly."
        )
    return {"old": old, "new": new}


def apply_replacement(content: str, replace: dict) -> str:
    return content.replace(replace["old"], replace["new"], 1)


def _new_goal(raw: dict, _goals: Mapping[str, GoalSnapshot]) -> dict:
    title = check_goal_title(_string(raw, "title").strip())
    content = check_goal_content(_string(raw, "content", required=False))
    lines = [_row("added", f"Title: {title}"), *diff_lines("", content)]
    change = {"title": title, "content": content}
    return _base("new_goal", None, change, f"New goal {_quoted(title)}") | {"lines": lines}


def _milestones(raw: dict, goals: Mapping[str, GoalSnapshot]) -> dict:
    goal = _goal(raw, goals)
    items = raw.get("milestones")
    if not isinstance(items, list) or not items:
        raise ProposalRefused("`milestones` must be a non-empty list.")
    if len(items) > MAX_MILESTONES_PROPOSED:
        raise ProposalRefused(f"Propose at most {MAX_MILESTONES_PROPOSED} milestones at once.")
    milestones = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            raise ProposalRefused("Each milestone needs a `title` string.")
        due = item.get("due")
        milestones.append(
            {
                "title": normalise_milestone_title(item["title"]),
                "due": parse_optional_date(due if isinstance(due, str) else None, "milestone"),
            }
        )
    lines = [
        _row("added", m["title"] + (f" (due {m['due']})" if m["due"] else "")) for m in milestones
    ]
    change = {"items": milestones}
    return _base("milestones", goal, change, f"Milestones for {_quoted(goal.title)}") | {
        "lines": lines
    }


def _deadline(raw: dict, goals: Mapping[str, GoalSnapshot]) -> dict:
    goal = _goal(raw, goals)
    deadline = parse_optional_date(_string(raw, "deadline")[:40])
    if deadline == goal.deadline:
        raise ProposalRefused("That is already the goal's deadline.")
    lines = [_row("removed", f"Deadline: {goal.deadline}")] if goal.deadline else []
    lines.append(_row("added", f"Deadline: {deadline}"))
    change = {"deadline": deadline}
    return _base("deadline", goal, change, f"Deadline for {_quoted(goal.title)}") | {"lines": lines}


def _phase(raw: dict, goals: Mapping[str, GoalSnapshot]) -> dict:
    goal = _goal(raw, goals)
    target = check_move(goal.phase, _string(raw, "phase"))
    if target == goal.phase:
        raise ProposalRefused("The goal is already in that phase.")
    lines = [
        _row("removed", f"Phase: {PHASE_LABELS[goal.phase]}"),
        _row("added", f"Phase: {PHASE_LABELS[target]}"),
    ]
    label = f"Move {_quoted(goal.title)} to {PHASE_LABELS[target].lower()}"
    return _base("phase", goal, {"phase": target}, label) | {"lines": lines}


_BUILDERS = {
    "propose_goal_edit": _goal_edit,
    "propose_new_goal": _new_goal,
    "propose_milestones": _milestones,
    "propose_deadline": _deadline,
    "propose_phase_change": _phase,
}


def _row(kind: str, text: str) -> DiffLine:
    return DiffLine(kind=kind, text=text)


def _bounded(lines: list[DiffLine]) -> list[DiffLine]:
    if len(lines) <= MAX_CARD_LINES:
        return lines
    hidden = len(lines) - MAX_CARD_LINES
    return [*lines[:MAX_CARD_LINES], _row("gap", f"…{hidden} more lines…")]


def outcome_note(proposal: dict) -> str:
    """How the coach hears what became of its proposal, on the next turn."""
    status = proposal.get("status", "pending")
    said = {
        "pending": "not decided yet",
        "accepted": "ACCEPTED and applied",
        "rejected": "REJECTED",
        "conflict": "not applied: the goal had changed since",
        "failed": "not applied: it could not be saved",
    }.get(status, status)
    return f"[Your proposal “{proposal.get('label', '')}”: {said}.]"
