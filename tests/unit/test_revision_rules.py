"""Revision rules: which saves coalesce, and line diffs (content, context gaps, speed)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from goalgetter.domain.revisions import (
    COALESCE_WINDOW,
    MAX_REVISIONS_PER_GOAL,
    REVISION_KINDS,
    LastRevision,
    check_kind,
    diff_counts,
    diff_lines,
    diff_summary,
    oldest_kept_seq,
    plan_revision,
    should_coalesce,
    text_digest,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
JUST_INSIDE = timedelta(minutes=1, seconds=59, milliseconds=999)
EVERYTHING = 10**9  # context large enough that no unchanged run is folded


def test_the_limits_are_the_product_rules():
    assert (timedelta(minutes=2), 100) == (COALESCE_WINDOW, MAX_REVISIONS_PER_GOAL)
    assert oldest_kept_seq(0) == 0
    assert oldest_kept_seq(99) == 0
    assert oldest_kept_seq(100) == 1
    assert oldest_kept_seq(104) == 5


# Coalescing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "joins"),
    [
        (timedelta(0), True),
        (timedelta(seconds=1), True),
        (JUST_INSIDE, True),
        (timedelta(minutes=2), False),
        (timedelta(minutes=2, microseconds=1), False),
        (timedelta(hours=5), False),
        (-timedelta(microseconds=1), False),  # a clock behind the revision's start
        (-timedelta(minutes=1), False),
    ],
)
def test_edits_coalesce_only_inside_the_window_from_the_revision_start(elapsed, joins):
    assert should_coalesce("edit", T0, T0 + elapsed) is joins
    assert should_coalesce("edit", T0, T0 + elapsed, kind="edit") is joins


@pytest.mark.parametrize("last_kind", ["created", "restore", "conflict", "chosen"])
def test_only_edit_revisions_absorb_later_edits(last_kind):
    assert should_coalesce(last_kind, T0, T0 + timedelta(seconds=1)) is False


@pytest.mark.parametrize("kind", ["created", "restore", "conflict", "chosen"])
def test_saves_of_other_kinds_never_join_an_edit(kind):
    assert should_coalesce("edit", T0, T0 + timedelta(seconds=1), kind=kind) is False


def test_kinds_are_checked():
    for kind in REVISION_KINDS:
        assert check_kind(kind) == kind
    for bad in ("", "Edit", "delete", "edit "):
        with pytest.raises(ValueError, match="Unknown revision kind"):
            check_kind(bad)


def test_plan_skips_an_unchanged_edit_and_otherwise_follows_the_window():
    digest = text_digest("Run", "42 km")
    last = LastRevision("edit", T0, digest)
    later = T0 + timedelta(hours=3)
    assert plan_revision(None, kind="edit", digest=digest, now=T0) == "new"
    assert plan_revision(last, kind="edit", digest=digest, now=later) == "skip"
    other = text_digest("Run", "42 km!")
    assert plan_revision(last, kind="edit", digest=other, now=T0 + JUST_INSIDE) == "coalesce"
    assert plan_revision(last, kind="edit", digest=other, now=T0 + COALESCE_WINDOW) == "new"
    # Putting back an old text is a revision of its own, even when it equals the last one.
    assert plan_revision(last, kind="restore", digest=digest, now=T0) == "new"
    restored = LastRevision("restore", T0, digest)
    assert plan_revision(restored, kind="edit", digest=other, now=T0) == "new"
    assert plan_revision(restored, kind="edit", digest=digest, now=T0) == "skip"


def test_digest_tells_title_from_content():
    assert text_digest("ab", "c") != text_digest("a", "bc")
    assert text_digest("a", "b") == text_digest("a", "b")
    assert text_digest("a", "b") != text_digest("a", "b ")


# Diffs -------------------------------------------------------------------------------------


def rebuild(diff: list[dict]) -> tuple[list[str], list[str]]:
    """The old and new lines a fold-free diff describes."""
    assert all(line["kind"] != "gap" for line in diff)
    old = [line["text"] for line in diff if line["kind"] in ("same", "removed")]
    new = [line["text"] for line in diff if line["kind"] in ("same", "added")]
    return old, new


def kinds(diff: list[dict]) -> str:
    return "".join({"same": "=", "added": "+", "removed": "-", "gap": "…"}[d["kind"]] for d in diff)


def numbered(count: int, prefix: str = "line") -> str:
    return "\n".join(f"{prefix} {n}" for n in range(count))


def test_one_changed_line_keeps_two_lines_of_context_and_folds_the_rest():
    old = numbered(20)
    new = old.replace("line 10", "line ten")
    diff = diff_lines(old, new)
    assert kinds(diff) == "…==-+==…"
    assert diff[0] == {"kind": "gap", "text": "…8 unchanged lines…"}
    assert [d["text"] for d in diff[1:7]] == [
        "line 8",
        "line 9",
        "line 10",
        "line ten",
        "line 11",
        "line 12",
    ]
    assert diff[-1] == {"kind": "gap", "text": "…7 unchanged lines…"}


def test_changes_at_the_edges_fold_only_the_far_side():
    old = numbered(10)
    assert kinds(diff_lines(old, "new first\n" + old)) == "+==…"
    assert kinds(diff_lines(old, old + "\nnew last")) == "…==+"
    two_changes = old.replace("line 2", "two").replace("line 8", "eight")
    # Between the changes five unchanged lines: 2 + a one-line gap + 2 would save nothing.
    assert kinds(diff_lines(old, two_changes)) == "==-+=====-+="


def test_a_gap_always_hides_at_least_two_lines():
    old = numbered(6)
    diff = diff_lines(old, old.replace("line 5", "five"))  # lines 0-4 unchanged before it
    assert kinds(diff) == "…==-+"
    assert diff[0]["text"] == "…3 unchanged lines…"
    assert kinds(diff_lines(numbered(4), numbered(4).replace("line 3", "x"))) == "===-+"


def test_identical_texts_are_one_gap_and_empty_texts_nothing():
    assert diff_lines(numbered(50), numbered(50)) == [
        {"kind": "gap", "text": "…50 unchanged lines…"}
    ]
    assert diff_lines("one line", "one line") == [{"kind": "same", "text": "one line"}]
    assert diff_lines("", "") == []
    assert diff_summary(numbered(50), numbered(50)) == "no changes"


def test_first_text_is_all_added_and_a_cleared_text_all_removed():
    assert diff_lines("", "a\nb") == [
        {"kind": "added", "text": "a"},
        {"kind": "added", "text": "b"},
    ]
    assert kinds(diff_lines("a\nb\nc", "")) == "---"
    assert diff_summary("", "a\nb") == "+2 −0 lines"
    assert diff_summary("a\nb\nc", "") == "+0 −3 lines"


def test_a_replaced_block_lists_removed_lines_before_added_ones():
    diff = diff_lines("keep\nold 1\nold 2\nkeep too", "keep\nnew 1\nkeep too")
    assert [(d["kind"], d["text"]) for d in diff] == [
        ("same", "keep"),
        ("removed", "old 1"),
        ("removed", "old 2"),
        ("added", "new 1"),
        ("same", "keep too"),
    ]
    assert diff_summary("keep\nold 1\nold 2\nkeep too", "keep\nnew 1\nkeep too") == "+1 −2 lines"


def test_windows_line_endings_are_not_a_change_but_a_trailing_newline_is():
    assert diff_summary("a\r\nb", "a\nb") == "no changes"
    assert diff_counts("a\nb", "a\nb\n") == (1, 0)


def test_random_edits_rebuild_both_texts():
    rng = random.Random(5)
    for _ in range(200):
        old = [
            rng.choice(["", "- item", "## Plan", f"word {rng.randint(0, 9)}"]) for _ in range(30)
        ]
        new = list(old)
        for _ in range(rng.randint(0, 6)):
            spot = rng.randrange(len(new) + 1)
            action = rng.choice(["insert", "delete", "change"])
            if action == "insert" or not new[spot:]:
                new.insert(spot, f"new {rng.randint(0, 99)}")
            elif action == "delete":
                del new[spot]
            else:
                new[spot] = f"changed {rng.randint(0, 99)}"
        diff = diff_lines("\n".join(old), "\n".join(new), context=EVERYTHING)
        if old == new and len(old) > 1:
            assert kinds(diff) == "…"
            continue
        assert rebuild(diff) == (old, new)
        added, removed = diff_counts("\n".join(old), "\n".join(new))
        assert (kinds(diff).count("+"), kinds(diff).count("-")) == (added, removed)


def test_folded_diff_accounts_for_every_line():
    rng = random.Random(9)
    old = [f"paragraph {n} " + "x" * rng.randint(0, 40) for n in range(300)]
    new = [line if rng.random() > 0.03 else line + " (edited)" for line in old]
    diff = diff_lines("\n".join(old), "\n".join(new))
    hidden = sum(int(d["text"].split()[0][1:]) for d in diff if d["kind"] == "gap")
    shown_old = sum(d["kind"] in ("same", "removed") for d in diff)
    assert hidden + shown_old == len(old)
    assert "…" in kinds(diff)


# Speed: the history panel diffs goals of up to 100,000 characters --------------------------


def big_document(rng: random.Random, lines: int = 2_000) -> list[str]:
    words = ("goal", "plan", "week", "habit", "run", "read", "focus", "step", "progress", "win")

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(4, 12)))

    # Many repeated lines (blank lines, bullets), as markdown has: the slow case for difflib.
    shapes = [lambda: "", lambda: "", lambda: "- " + sentence(), lambda: "## " + sentence()]
    shapes.append(sentence)
    return [rng.choice(shapes)() for _ in range(lines)]


def scenarios() -> list[tuple[str, str, str]]:
    rng = random.Random(3)
    base = big_document(rng)
    scattered = list(base)
    for _ in range(200):
        scattered[rng.randrange(len(scattered))] = "edited " + str(rng.random())
    repeated_a, repeated_b = [""] * 1_000 + ["x" * 40] * 1_000, ["x" * 40] * 1_000 + [""] * 1_000
    pairs = {
        "scattered edits": (base, scattered),
        "unrelated texts": (base, big_document(rng)),
        "shuffled lines": (base, rng.sample(base, len(base))),
        "repeated lines swapped": (repeated_a, repeated_b),
        "one line added": (base, [*base[:1000], "new line", *base[1000:]]),
    }
    return [(name, "\n".join(a), "\n".join(b)) for name, (a, b) in pairs.items()]


SCENARIOS = scenarios()


@pytest.mark.parametrize(("name", "old", "new"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_diff_of_two_100k_texts_is_fast_and_complete(name, old, new):
    assert 40_000 < len(old) <= 100_000 and 40_000 < len(new) <= 100_000
    started = time.perf_counter()
    diff = diff_lines(old, new, context=EVERYTHING)
    summary = diff_summary(old, new)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"{name}: {elapsed:.2f} s"  # 10-20 ms measured; autojunk off: ~0.8 s
    assert rebuild(diff) == (old.split("\n"), new.split("\n"))
    assert summary.startswith("+") and summary.endswith(" lines")


def test_a_single_100k_line_is_one_change():
    old, new = "a" * 100_000, "a" * 99_999 + "b"
    started = time.perf_counter()
    assert kinds(diff_lines(old, new)) == "-+"
    assert time.perf_counter() - started < 1.0
