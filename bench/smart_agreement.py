"""SMART checks against the hand-labelled goals: agreement, disagreements, and time per call.

Agreement is the share of letters where `analyse_goal` says what the label says
(tests/unit/smart_labels.py). The time per call is the best of REPEATS calls per goal, then
the median (and slowest) over the set; the adversarial inputs (ADVERSARIAL_CHARS characters
built to make backtracking patterns explode) are timed the same way. Run
`python -m bench.smart_agreement`; prints the figures, writes no file, never asserts.
"""

from __future__ import annotations

import statistics
import time

from goalgetter.domain.smart import analyse_goal
from tests.unit.smart_labels import (
    ADVERSARIAL_CHARS,
    ADVERSARIAL_UNITS,
    LABELS,
    LETTERS,
    adversarial,
    agreement,
    disagreements,
)

REPEATS = 20
ADVERSARIAL_REPEATS = 3


def best_seconds(title: str, content: str, deadline: str | None, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        analyse_goal(title, content, deadline)
        best = min(best, time.perf_counter() - started)
    return best


def short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 1]}…"


def main() -> dict:
    shares = agreement(LABELS)
    missed = disagreements(LABELS)
    per_goal_us = [
        best_seconds(label.title, label.content, label.deadline, REPEATS) * 1e6 for label in LABELS
    ]
    hostile_ms = {
        unit: best_seconds("Goal", adversarial(unit), None, ADVERSARIAL_REPEATS) * 1e3
        for unit in ADVERSARIAL_UNITS
    }
    print(f"SMART agreement on {len(LABELS)} labelled goals ({len(LABELS) * 5} verdicts):")
    print(f"  overall  {shares['overall']:6.1%}")
    for letter in LETTERS:
        print(f"  {letter:8} {shares[letter]:6.1%}")
    print(f"Disagreements ({len(missed)}):")
    for miss in missed:
        goal = short(f"{miss.label.title} | {miss.label.content}")
        print(f"  {miss.letter}  expected {'pass' if miss.expected else 'fail'}, "
              f"got {'pass' if miss.got else 'fail'}:  {goal}")  # fmt: skip
    print(f"Time per analyse_goal call (best of {REPEATS}), over the set:")
    print(f"  median {statistics.median(per_goal_us):8.1f} µs   slowest {max(per_goal_us):8.1f} µs")
    slowest = max(hostile_ms, key=hostile_ms.__getitem__)
    print(f"Adversarial inputs of {ADVERSARIAL_CHARS:,} characters ({len(hostile_ms)} kinds):")
    print(f"  median {statistics.median(hostile_ms.values()):8.1f} ms   "
          f"slowest {hostile_ms[slowest]:8.1f} ms ({slowest!r} repeated)")  # fmt: skip
    return {"agreement": shares, "disagreements": len(missed), "per_goal_us": per_goal_us}


if __name__ == "__main__":
    main()
