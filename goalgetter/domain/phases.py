"""A goal's phase and the moves between phases.

draft → active → completed; any phase → archived; archived → draft. Every other move is
refused with a message that says what is possible instead.
"""

from __future__ import annotations

from goalgetter.domain.validation import ValidationError

PHASES = ("draft", "active", "completed", "archived")
PHASE_LABELS = {
    "draft": "Draft",
    "active": "Active",
    "completed": "Completed",
    "archived": "Archived",
}
_MOVES = {
    "draft": ("active", "archived"),
    "active": ("completed", "archived"),
    "completed": ("archived",),
    "archived": ("draft",),
}


def allowed_moves(current: str) -> tuple[str, ...]:
    return _MOVES.get(current, ())


def check_move(current: str, target: str) -> str:
    """The target phase when moving there from `current` is allowed; else ValidationError."""
    if target not in PHASES:
        raise ValidationError("phase", "phase_unknown", "That is not a phase a goal can have.")
    if target == current:
        return target
    if target not in allowed_moves(current):
        raise ValidationError("phase", "phase_move", _refusal(current, target))
    return target


def _refusal(current: str, target: str) -> str:
    options = " or ".join(PHASE_LABELS[p].lower() for p in allowed_moves(current))
    return (
        f"A {PHASE_LABELS[current].lower()} goal can't become {PHASE_LABELS[target].lower()}; "
        f"it can become {options}."
    )
