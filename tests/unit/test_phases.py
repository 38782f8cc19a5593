"""The phase rules: draft → active → completed, any → archived, archived → draft."""

import pytest

from goalgetter.domain.phases import PHASES, allowed_moves, check_move
from goalgetter.domain.validation import ValidationError

ALLOWED = {
    ("draft", "active"),
    ("active", "completed"),
    ("draft", "archived"),
    ("active", "archived"),
    ("completed", "archived"),
    ("archived", "draft"),
}


@pytest.mark.parametrize("current", PHASES)
@pytest.mark.parametrize("target", PHASES)
def test_every_pair_of_phases(current, target):
    if current == target or (current, target) in ALLOWED:
        assert check_move(current, target) == target
    else:
        with pytest.raises(ValidationError) as refused:
            check_move(current, target)
        assert refused.value.field == "phase"
        # The message names what is possible instead.
        for option in allowed_moves(current):
            assert option in refused.value.message


def test_refusal_reads_well():
    with pytest.raises(
        ValidationError, match=r"^A completed goal can't become draft; it can become archived\.$"
    ):
        check_move("completed", "draft")


@pytest.mark.parametrize("target", ["", "done", "<script>", "ARCHIVED"])
def test_unknown_phases_are_refused(target):
    with pytest.raises(ValidationError, match="not a phase"):
        check_move("draft", target)
