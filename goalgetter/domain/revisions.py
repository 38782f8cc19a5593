"""Goal revisions: when a save joins the last revision, and line diffs between two texts.

Coalescing. A revision covers at most COALESCE_WINDOW of editing, measured from its *first*
save (`started_at`), not from its last one: with a sliding window, an hour of steady typing
(an autosave every few seconds) would collapse into one revision and leave nothing to go
back to. Anchored, there is a restore point at least every two minutes of editing, and 100
revisions cover at least 200 minutes of it.

Kinds (REVISION_KINDS):
- "created": the text a goal started with (a template, say);
- "edit": an ordinary save; the only kind that coalesces, and only into an "edit";
- "restore": the text of an older revision, put back by the user;
- "conflict": text kept aside when a save lost to another tab's, so nothing typed is lost;
- "chosen": the text the user picked to settle such a conflict;
- "coach": a change the coach proposed and the user accepted.
Every kind but "edit" marks a point the user may want to return to or compare with exactly,
so it never absorbs later edits, and an edit never absorbs it.
An "edit" whose text equals the last revision's is skipped (a save with nothing changed).

Diffs are line-based (difflib). Common leading and trailing lines are cut before the
matcher runs, so the usual edit (a few lines in a long text) costs little; difflib's
autojunk stays on because without it two 2,000-line texts with repeated lines take ~0.4-0.8 s
instead of ~10 ms.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypedDict

COALESCE_WINDOW = timedelta(minutes=2)
MAX_REVISIONS_PER_GOAL = 100
REVISION_KINDS = ("created", "edit", "restore", "conflict", "chosen", "coach")
COALESCING_KIND = "edit"
DIFF_CONTEXT_LINES = 2

Step = Literal["skip", "coalesce", "new"]


class DiffLine(TypedDict):
    kind: Literal["same", "added", "removed", "gap"]
    text: str


@dataclass(frozen=True)
class LastRevision:
    """What the next save is compared with: the goal's newest revision."""

    kind: str
    started_at: datetime
    digest: str


def check_kind(kind: str) -> str:
    if kind not in REVISION_KINDS:
        raise ValueError(f"Unknown revision kind {kind!r}; expected one of {REVISION_KINDS}.")
    return kind


def should_coalesce(
    last_kind: str, last_started_at: datetime, now: datetime, *, kind: str = COALESCING_KIND
) -> bool:
    """Whether a save of `kind` at `now` joins the last revision instead of starting one."""
    if kind != COALESCING_KIND or last_kind != COALESCING_KIND:
        return False
    # A clock behind the revision's start (another server's clock) starts a new one: a
    # separate revision can be told apart later, a merged one cannot.
    return timedelta(0) <= now - last_started_at < COALESCE_WINDOW


def text_digest(title: str, content: str) -> str:
    # The separator keeps ("ab", "c") and ("a", "bc") apart.
    return hashlib.sha256(f"{title}\x00{content}".encode()).hexdigest()


def plan_revision(last: LastRevision | None, *, kind: str, digest: str, now: datetime) -> Step:
    """What a save does to the history: nothing, update the last revision, or add one."""
    if last is None:
        return "new"
    if kind == COALESCING_KIND and digest == last.digest:
        return "skip"
    return "coalesce" if should_coalesce(last.kind, last.started_at, now, kind=kind) else "new"


def oldest_kept_seq(last_seq: int) -> int:
    return max(0, last_seq - MAX_REVISIONS_PER_GOAL + 1)


# Diffs -------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    # "" is no lines rather than one empty line, so a first text shows as all added.
    return text.replace("\r\n", "\n").split("\n") if text else []


def _opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_end, new_end = len(old) - tail, len(new) - tail
    matcher = difflib.SequenceMatcher(None, old[head:old_end], new[head:new_end])
    ops = [("equal", 0, head, 0, head)]
    ops += [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    ops.append(("equal", old_end, len(old), new_end, len(new)))
    return [op for op in ops if op[2] > op[1] or op[4] > op[3]]


def _unchanged(lines: list[str], *, lead: int, trail: int) -> list[DiffLine]:
    """An unchanged run: `lead` lines after the change above, `trail` before the next one."""
    if len(lines) <= lead + trail + 1:  # a marker for one line saves nothing
        return [DiffLine(kind="same", text=line) for line in lines]
    hidden = len(lines) - lead - trail
    noun = "line" if hidden == 1 else "lines"
    return [
        *(DiffLine(kind="same", text=line) for line in lines[:lead]),
        DiffLine(kind="gap", text=f"…{hidden} unchanged {noun}…"),
        *(DiffLine(kind="same", text=line) for line in lines[len(lines) - trail :]),
    ]


def diff_lines(old: str, new: str, context: int = DIFF_CONTEXT_LINES) -> list[DiffLine]:
    """Line diff of `old` → `new`; unchanged runs keep `context` lines around each change."""
    old_lines, new_lines = _lines(old), _lines(new)
    ops = _opcodes(old_lines, new_lines)
    diff: list[DiffLine] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            lead = context if index > 0 else 0
            trail = context if index < len(ops) - 1 else 0
            diff += _unchanged(old_lines[i1:i2], lead=lead, trail=trail)
            continue
        diff += [DiffLine(kind="removed", text=line) for line in old_lines[i1:i2]]
        diff += [DiffLine(kind="added", text=line) for line in new_lines[j1:j2]]
    return diff


def diff_counts(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) going from `old` to `new`."""
    added = removed = 0
    for tag, i1, i2, j1, j2 in _opcodes(_lines(old), _lines(new)):
        if tag != "equal":
            added, removed = added + j2 - j1, removed + i2 - i1
    return added, removed


def diff_summary(old: str, new: str) -> str:
    added, removed = diff_counts(old, new)
    return "no changes" if added == removed == 0 else f"+{added} −{removed} lines"
