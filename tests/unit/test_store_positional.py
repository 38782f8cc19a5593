"""The rule that decides which numeric update paths the SQL path may write (fix 14)."""

from __future__ import annotations

import pytest

from goalgetter.data.store_positional import names_existing_elements

DOC = {"state": [{"rev": 1, "meetings": [{"id": 1}, {"id": 2}]}], "obj": {"0": "k"}, "n": 5}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("state.0.rev", True),
        ("state.0.meetings.1.id", True),
        ("state.0.meetings.1", True),
        ("state.0.fresh.sub", True),  # missing fields below an element are created
        ("state.0.meetings.2.id", False),  # past the end: MongoDB pads with nulls
        ("state.1.rev", False),
        ("obj.0", False),  # a key on an object
        ("n.0", False),  # a scalar parent
        ("state.00.rev", False),  # not an index MongoDB would read as one
        ("state.rev", False),  # a field name on an array
        ("missing.0.x", False),  # nothing to index: MongoDB creates an object
        ("state.0.meetings.٣", False),  # digits beyond ASCII
    ],
)
def test_only_existing_array_elements_pass(path, expected):
    assert names_existing_elements(DOC, path) is expected
