"""The app's own tree copy (a series is planned on one): equal, fully independent, and
anything that is not a plain document copied as copy.deepcopy copies it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data.tree_copy import document_copy


class Notes:
    def __init__(self):
        self.lines = ["mutable"]

    def __eq__(self, other):
        return isinstance(other, Notes) and other.lines == self.lines


def test_a_state_copy_is_equal_and_changing_it_leaves_the_original_alone():
    start = datetime(2026, 12, 7, 9, tzinfo=UTC)
    state = {
        "rev": 3,
        "meetings": [{"id": "a", "start": start, "tags": ["x", {"deep": [1]}]}],
        "owner": ObjectId(),
        "span": (start, start),
    }
    before = copy.deepcopy(state)
    copied = document_copy(state)
    assert copied == state
    copied["meetings"][0]["tags"][1]["deep"].append(2)
    copied["meetings"].append({"id": "b"})
    copied["rev"] = 4
    assert state == before


def test_an_unknown_object_is_copied_by_deepcopy_not_shared():
    notes = Notes()
    copied = document_copy({"notes": notes})
    assert copied["notes"] == notes and copied["notes"] is not notes
    assert copied["notes"].lines is not notes.lines
