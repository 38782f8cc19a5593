"""How the embedded store copies, encodes and decodes documents: fixes 7-9, 13, 17 and 21 of
store_patches.py.

They change how fast, never what: each was checked against the unpatched engine
(tests/integration/test_store_patches.py, tests/unit/test_store_codec.py).

Fix 7, copies. An update on mongoeco's SQLite engine deep-copies the document seven times
(the working copy, two inside the update operators, two images for the result, and the
result copies both again), each with `copy.deepcopy`, whose memo bookkeeping and
`__reduce_ex__` round trip for every datetime made it a third of an update's time. A stored
document is a tree of dicts and lists whose leaves are immutable scalars: tree_copy.py copies
the containers and shares the leaves, an equal, fully independent copy. The engine's own
module copies each written document twice more for its change record.

Fix 17, result images. An update's outcome copied the before and after images it was given
(already copies the engine made for it), and again when the committed write's sequence was
added: four more copies of the document per update, one a 50-meeting archive bucket.

Fix 8, validation. DocumentCodec.encode validates every dict it meets with a walk of the
whole subtree, then encodes each value, which validates that value's subtree again: a leaf at
depth d was checked d times. Every value is encoded, and encode validates every scalar and
every dict it reaches, so a dict's own keys are all that is left to check at each dict.

Fix 9, plain scalars. Both encoders (to the stored form, and to the wire) try some 25 types
one by one before handing back a plain string, boolean or null unchanged; most of a
document's values are those. They are handed back first.

Fix 13, the non-finite check. Before an update is done in SQL (json_set), the engine walks the
whole stored document for a NaN or infinity (SQLite's JSON would turn one into null), and
encodes every datetime and ObjectId on the way to look inside it: a third of the time of
updating a due-wheel slot. Their stored form is a tagged string: they are passed over.

Fix 21, decoding. Every stored document holding a date, an ObjectId or another tagged value
is decoded through the engine's codec, and before each decode the engine asked
`inspect.signature` whether the codec's `decode` takes `preserve_bson_wrappers`: about a
hundredth of the store's time in a scheduler tick, for an answer that is fixed per codec.
It is asked once per decode function.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

from bson import ObjectId
from mongoeco._types._bson_objectid import ObjectId as EcoObjectId
from mongoeco.api._async import (
    _collection_bulk,
    _collection_insert,
    _collection_runtime,
    collection,
)
from mongoeco.core import codec, operators
from mongoeco.core.bson_scalars import (
    BsonDecimal128,
    BsonDouble,
    BsonInt32,
    BsonInt64,
    validate_bson_value,
)
from mongoeco.engines import _sqlite_modify_ops, results, sqlite, sqlite_query
from mongoeco.wire import bson_bridge

from goalgetter.data.tree_copy import IMMUTABLE_LEAVES, tree_copier

# The engine's own scalar types are immutable too.
document_copy = tree_copier(
    IMMUTABLE_LEAVES | {EcoObjectId, BsonInt32, BsonInt64, BsonDouble, BsonDecimal128}
)


def patch_document_copies() -> None:
    # Each of these modules imports `deepcopy` by name and uses it only on documents, their
    # images, filters and update arguments (the API's bulk writes and inserts copy each
    # operation and document up to three times); document_copy hands anything else to
    # copy.deepcopy.
    for module in (
        operators, _sqlite_modify_ops, results, sqlite,
        _collection_bulk, _collection_insert, _collection_runtime, collection,
    ):  # fmt: skip
        module.deepcopy = document_copy


def validate_once(value: object) -> None:
    """What encode checks at each value (fix 8): a dict's keys; any other value in full."""
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("BSON document keys must be strings")
        return
    validate_bson_value(value)


def patch_encode_validation() -> None:
    codec.validate_bson_value = validate_once


# Exact types that both encoders return unchanged, whatever their value (an int is left out
# of the stored form's list: it is range-checked there).
STORED_AS_IS = frozenset({str, bool, type(None), float})
SENT_AS_IS = frozenset({str, bool, type(None), float, int, datetime.datetime})


def plain_scalar_encoders(
    encode: Callable[[Any], Any], encode_wire: Callable[[Any], Any]
) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The two encoders with plain scalars handed back first (fix 9)."""

    def encode_stored(data: Any) -> Any:
        return data if type(data) in STORED_AS_IS else encode(data)

    def encode_for_wire(value: Any) -> Any:
        return value if type(value) in SENT_AS_IS else encode_wire(value)

    return encode_stored, encode_for_wire


def patch_plain_scalars() -> None:
    encode_stored, encode_for_wire = plain_scalar_encoders(
        codec.DocumentCodec.encode, bson_bridge.encode_wire_value
    )
    codec.DocumentCodec.encode = staticmethod(encode_stored)
    # The encoder recurses through its module's name, so nested values take the fast path
    # too; callers that imported it by name keep the original entry point.
    bson_bridge.encode_wire_value = encode_for_wire


# Exact types whose stored form holds no float at all: a tagged string (a datetime, an
# ObjectId) or the value itself.
NO_FLOAT_INSIDE = frozenset({str, int, bool, type(None), datetime.datetime, ObjectId, EcoObjectId})

released_loses_nonfinite = sqlite_query._json_mutation_loses_nonfinite


def loses_nonfinite(value: Any) -> bool:
    """Same answer as the engine's _json_mutation_loses_nonfinite (fix 13)."""
    kind = type(value)
    if kind in NO_FLOAT_INSIDE:
        return False
    if kind is dict:
        return any(loses_nonfinite(item) for item in value.values())
    if kind is list or kind is tuple:
        return any(loses_nonfinite(item) for item in value)
    if kind is float:
        return not math.isfinite(value)
    return released_loses_nonfinite(value)


def patch_nonfinite_check() -> None:
    sqlite_query._json_mutation_loses_nonfinite = loses_nonfinite


class FreshImagesOutcome(results.MutationOutcome):
    """An update's outcome from the SQLite engine, which hands MutationOutcome images it has
    just copied for it (each of its five constructions does): checked as the released class
    checks them, and kept instead of copied again. Its copy with the commit sequence
    (`dataclasses.replace`, once the write is committed) is one too, so keeps them as well."""

    __slots__ = ()

    def __post_init__(self) -> None:
        images = {"before_document": self.before_document, "after_document": self.after_document}
        for name, image in images.items():  # stand-ins: the checks look only at which are set
            object.__setattr__(self, name, None if image is None else {})
        results.MutationOutcome.__post_init__(self)
        for name, image in images.items():
            object.__setattr__(self, name, image)


def patch_fresh_images() -> None:
    _sqlite_modify_ops.MutationOutcome = FreshImagesOutcome


released_decode_codec_payload = sqlite.SQLiteEngine._decode_codec_payload


@functools.cache
def takes_wrappers_flag(decode_function: Callable) -> bool:
    try:
        return "preserve_bson_wrappers" in inspect.signature(decode_function).parameters
    except (TypeError, ValueError):  # a builtin without a signature: called as the released
        return False


def decode_codec_payload(self, payload: object, *, preserve_bson_wrappers: bool) -> Any:
    decode = self._codec.decode
    if not takes_wrappers_flag(getattr(decode, "__func__", decode)):
        return decode(payload)
    return decode(payload, preserve_bson_wrappers=preserve_bson_wrappers)


def patch_decode_signature() -> None:
    sqlite.SQLiteEngine._decode_codec_payload = decode_codec_payload
