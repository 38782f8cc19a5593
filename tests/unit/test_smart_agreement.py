"""The SMART checks agree with goals labelled by hand (tests/unit/smart_labels.py)."""

from __future__ import annotations

import re

import pytest

from goalgetter.domain.smart import analyse_goal
from tests.unit.smart_labels import (
    ADVERSARIAL_CHARS,
    ADVERSARIAL_UNITS,
    LABELS,
    LETTERS,
    Label,
    adversarial,
    agreement,
    disagreements,
)

OVERALL_TARGET = 0.95
PER_LETTER_TARGET = 0.90
FULL_GOAL = "Run 10 km every Sunday by 2027-09-26 because I love it"


def test_the_labelled_set_is_large_and_well_formed():
    assert len(LABELS) >= 80
    for label in LABELS:
        assert re.fullmatch(r"[S-][M-][A-][R-][T-]", label.expected), label
    assert len({(label.title, label.content) for label in LABELS}) == len(LABELS)


@pytest.mark.parametrize("letter", LETTERS)
def test_the_set_holds_passes_and_fails_for_every_letter(letter):
    """So that answering always yes, or always no, cannot reach the targets."""
    column = [label.expected[LETTERS.index(letter)] for label in LABELS]
    passes = column.count(letter) / len(column)
    assert 1 - PER_LETTER_TARGET < passes < PER_LETTER_TARGET, (letter, passes)


def test_agreement_with_the_labels_reaches_the_targets(capsys):
    shares = agreement(LABELS)
    with capsys.disabled():
        print(f"\nSMART agreement on {len(LABELS)} labelled goals:")
        for key, share in shares.items():
            print(f"  {key:8} {share:6.1%}")
    missed = "\n".join(
        f"  {d.letter} expected {d.expected} got {d.got}: {d.label.title!r} {d.label.content!r}"
        for d in disagreements(LABELS)
    )
    assert shares["overall"] >= OVERALL_TARGET, missed
    for letter in LETTERS:
        assert shares[letter] >= PER_LETTER_TARGET, (letter, missed)


def test_agreement_counts_each_wrong_letter():
    assert disagreements([Label("Be happier", "", "-----")]) == []
    missed = disagreements([Label("Be happier", "", "SM---")])
    assert [(d.letter, d.expected, d.got) for d in missed] == [
        ("S", True, False),
        ("M", True, False),
    ]
    shares = agreement([Label("Be happier", "", "SM---"), Label("Get fit", "", "-----")])
    assert shares == {"S": 0.5, "M": 0.5, "A": 1, "R": 1, "T": 1, "overall": 0.8}


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS, ids=repr)
def test_adversarial_text_is_read_to_the_end(unit):
    """Inputs that make backtracking patterns explode; the bench measures their time."""
    filler = adversarial(unit)
    assert len(filler) == ADVERSARIAL_CHARS
    assert analyse_goal("Goal", f"{filler}\n{FULL_GOAL}").letters == "SMART"
    assert analyse_goal("Goal", f"{FULL_GOAL}\n{filler}").letters == "SMART"
