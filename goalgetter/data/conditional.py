"""Updates that apply only when a check on the stored document holds, filtered on the bare
`_id`: on the embedded store a filter on any other field scans the whole collection
(bench/goals.py, bench/scheduler.py), while the same check inside an update pipeline costs
nothing extra."""

from __future__ import annotations


def set_when(applies: dict, changes: dict[str, object]) -> dict[str, dict]:
    """A pipeline `$set` stage's fields: each of `changes` when `applies` (an aggregation
    expression on the stored document) holds, else the field's current value."""
    return {name: when(applies, {"$literal": value}, name) for name, value in changes.items()}


def when(applies: dict, new: object, field: str) -> dict:
    """`new` (an expression; wrap plain values in $literal so a text starting with "$" stays
    text) when `applies`, else the current value of `field`."""
    return {"$cond": [applies, new, f"${field}"]}
