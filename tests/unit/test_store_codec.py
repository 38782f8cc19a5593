"""Fixes 7-9, 13 and 17 of the embedded store (goalgetter/data/store_codec.py) answer as the
originals."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import uuid

import pytest
from bson import SON, Binary, Decimal128, Int64, ObjectId, Regex
from mongoeco.core import codec
from mongoeco.core.codec import DocumentCodec
from mongoeco.engines.results import MutationOutcome
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.types import UpdateResult
from mongoeco.wire import bson_bridge

from goalgetter.data.store_codec import (
    FreshImagesOutcome,
    decode_codec_payload,
    document_copy,
    loses_nonfinite,
    plain_scalar_encoders,
    released_decode_codec_payload,
    released_loses_nonfinite,
    takes_wrappers_flag,
    validate_once,
)

AT = datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC)


class Notes:
    """A mutable object that is not a document value: it must be copied, not shared."""

    def __init__(self) -> None:
        self.lines = ["kept"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Notes) and other.lines == self.lines


def _document() -> dict:
    meeting = {
        "id": "m1",
        "start": AT,
        "day": datetime.date(2025, 3, 1),
        "score": 1.5,
        "count": Int64(2**40),
        "price": Decimal128("10.25"),
        "owner": ObjectId("65f000000000000000000001"),
        "done": True,
        "recap": None,
        "raw": Binary(b"\x00\x01"),
        "rx": Regex("^go", "i"),
        "ref": uuid.UUID(int=7),
        "tags": ["a", {"deep": [1, {"deeper": "t"}]}, ("x", [2])],
    }
    return {"_id": "s", "state": [{"rev": 3, "meetings": [meeting, copy.deepcopy(meeting)]}]}


def _containers(value: object) -> list[object]:
    found = []
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            found.append(current)
            pending.extend(current.values())
        elif isinstance(current, list):
            found.append(current)
            pending.extend(current)
    return found


def test_a_document_copy_is_equal_and_shares_no_container():
    original = _document()
    copied = document_copy(original)
    assert copied == copy.deepcopy(original) == original
    assert not {id(c) for c in _containers(copied)} & {id(c) for c in _containers(original)}
    copied["state"][0]["meetings"][0]["tags"][1]["deep"].append("changed")
    assert original == _document()


def test_values_that_are_not_plain_documents_are_copied_as_deepcopy_copies_them():
    notes, son = Notes(), SON([("b", [1]), ("a", {"c": 2})])
    copied = document_copy({"notes": notes, "son": son})
    assert copied["notes"] == notes and copied["notes"] is not notes
    assert copied["notes"].lines is not notes.lines
    assert isinstance(copied["son"], SON) and list(copied["son"]) == ["b", "a"]
    assert copied["son"]["b"] is not son["b"]


def test_encoding_gives_the_same_stored_and_wire_forms(monkeypatch):
    documents = [_document(), {"a": "text", "b": False, "c": None, "d": 2.5, "e": 7}, "plain"]
    stored = [codec.DocumentCodec.encode(doc) for doc in documents]
    sent = [bson_bridge.encode_wire_value(doc) for doc in documents]
    encode_stored, encode_for_wire = plain_scalar_encoders(
        codec.DocumentCodec.encode, bson_bridge.encode_wire_value
    )
    monkeypatch.setattr(codec.DocumentCodec, "encode", staticmethod(encode_stored))
    monkeypatch.setattr(bson_bridge, "encode_wire_value", encode_for_wire)
    monkeypatch.setattr(codec, "validate_bson_value", validate_once)
    assert [codec.DocumentCodec.encode(doc) for doc in documents] == stored
    assert [bson_bridge.encode_wire_value(doc) for doc in documents] == sent


@pytest.mark.parametrize(
    "refused",
    [
        {"a": {"b": [{1: "not a string key"}]}},
        {"a": [[{"b": {1, 2}}]]},
        {"a": {"b": 2**70}},
        {"a": [{"b": [Decimal128("NaN"), 2**64]}]},
    ],
)
def test_what_the_original_encoder_refuses_is_still_refused(refused, monkeypatch):
    with pytest.raises((TypeError, OverflowError, ValueError)) as original:
        codec.DocumentCodec.encode(refused)
    monkeypatch.setattr(codec, "validate_bson_value", validate_once)
    encode_stored, _ = plain_scalar_encoders(codec.DocumentCodec.encode, lambda value: value)
    monkeypatch.setattr(codec.DocumentCodec, "encode", staticmethod(encode_stored))
    with pytest.raises(original.type, match=str(original.value)[:30]):
        codec.DocumentCodec.encode(refused)


@pytest.mark.parametrize(
    "value",
    [
        _document(),
        {"a": [AT, {"b": float("nan")}]},
        [AT, ObjectId(), ("x", float("-inf"))],
        {"n": Int64(5), "d": Decimal128("NaN"), "f": 2.5},
        SON([("inner", {"x": float("inf")})]),
        SON([("inner", {"x": 1.0})]),
        float("nan"),
        AT,
        None,
    ],
    ids=["document", "nan-deep", "inf-in-tuple", "tagged", "son-inf", "son", "nan", "at", "none"],
)
def test_the_nonfinite_check_answers_as_the_engines(value):
    assert loses_nonfinite(value) is released_loses_nonfinite(value)


def test_the_nonfinite_check_finds_what_sqlite_would_lose():
    assert loses_nonfinite({"a": [AT, {"b": float("nan")}]}) is True
    assert loses_nonfinite(_document()) is False


def test_an_outcome_keeps_the_fresh_images_and_its_committed_copy_keeps_them_too():
    before, after = {"_id": 1, "n": 1}, {"_id": 1, "n": 2}
    outcome = FreshImagesOutcome(UpdateResult(1, 1), before, after)
    assert outcome.before_document is before and outcome.after_document is after
    committed = dataclasses.replace(outcome, commit_sequence=7)
    assert committed.after_document is after and committed.commit_sequence == 7
    assert isinstance(committed, MutationOutcome)
    released = MutationOutcome(UpdateResult(1, 1), before, after)
    assert released.after_document == after and released.after_document is not after


@pytest.mark.parametrize(
    "arguments",
    [
        (UpdateResult(0, 0), {"_id": 1}, None),  # nothing matched, yet an image
        (UpdateResult(1, 0, upserted_id=1), None, {"_id": 1}),  # an upsert that also matched
        (UpdateResult(0, 0, upserted_id=1), {"_id": 1}, {"_id": 1}),  # an upsert's before image
        (UpdateResult(0, 0, upserted_id=1), None, None),  # an upsert without its document
    ],
)
def test_an_outcome_the_released_class_refuses_is_refused_as_well(arguments):
    with pytest.raises(ValueError) as released:
        MutationOutcome(*arguments)
    with pytest.raises(ValueError) as fresh:
        FreshImagesOutcome(*arguments)
    assert str(fresh.value) == str(released.value)
    with pytest.raises(ValueError, match="commit sequence"):
        FreshImagesOutcome(UpdateResult(1, 0), {"_id": 1}, {"_id": 1}, commit_sequence=3)


class PlainCodec:
    """A codec whose decode takes no `preserve_bson_wrappers`: called without it."""

    @staticmethod
    def decode(payload):
        return {"plain": payload}


@pytest.mark.parametrize("preserve", [True, False])
def test_decoding_answers_as_the_released_and_asks_the_signature_once(preserve):
    engine = SQLiteEngine(":memory:")  # never connected: only its codec is used
    payload = DocumentCodec.encode(_document())
    before = takes_wrappers_flag.cache_info()
    for _ in range(3):
        decoded = decode_codec_payload(engine, payload, preserve_bson_wrappers=preserve)
        assert decoded == released_decode_codec_payload(
            engine, payload, preserve_bson_wrappers=preserve
        )
    after = takes_wrappers_flag.cache_info()
    assert after.hits - before.hits >= 2 and after.currsize - before.currsize <= 1
    engine._codec = PlainCodec
    assert decode_codec_payload(engine, "p", preserve_bson_wrappers=preserve) == {"plain": "p"}
