"""Copies of documents as trees: the containers copied, the immutable leaves shared.

A document (stored, or a meeting series' state) is a tree of dicts and lists whose leaves are
immutable scalars, so copying the containers and sharing the leaves gives an equal, fully
independent copy. `copy.deepcopy` gets the same answer several times slower: its memo
bookkeeping, and a `__reduce_ex__` round trip for every datetime, made it a third of the
scheduler's own time per due series (it plans each on a copy of the state). Anything else (a
dict or list subclass, a mutable or unknown object) goes to `copy.deepcopy`.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from bson import Decimal128, Int64, ObjectId

# Shared between the original and the copy, as copy.deepcopy shares them too (or rebuilds
# an equal one). Exact types only: a subclass may add mutable state.
IMMUTABLE_LEAVES = frozenset(
    {
        str, int, float, bool, type(None), bytes, complex,
        datetime.datetime, datetime.date, datetime.time, datetime.timedelta,
        decimal.Decimal, uuid.UUID, ObjectId, Int64, Decimal128,
    }
)  # fmt: skip

TreeCopy = Callable[..., Any]


def tree_copier(leaves: frozenset[type]) -> TreeCopy:
    """A copy function that shares values of exactly these types; `(value, memo=None)`, as
    copy.deepcopy is called."""

    def tree_copy(value: Any, memo: dict | None = None) -> Any:
        kind = type(value)
        if kind is dict:
            return {key: tree_copy(item) for key, item in value.items()}
        if kind is list:
            return [tree_copy(item) for item in value]
        if kind in leaves:
            return value
        if kind is tuple:
            return tuple(tree_copy(item) for item in value)
        return copy.deepcopy(value, memo)

    return tree_copy


document_copy = tree_copier(IMMUTABLE_LEAVES)
