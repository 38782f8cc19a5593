"""Fixes 18 and 22's part of test_store_patches.py's script: filters that name an `_id` and
more (the patched engine reads that one row by its key), on documents that match, that miss
on the rest, ids named twice, and in every verb; and updates and deletes whose rest SQL
cannot test (fields inside arrays), tested on that row in Python. (A numeric `_id` with more: see
test_store_numeric_ids.py.)"""

from __future__ import annotations

import datetime

from bson import ObjectId
from pymongo import ReturnDocument

OID = ObjectId("65f0a1b2c3d4e5f6abcdef01")


def id_and_more(db, rec) -> None:
    c = db.keyed
    at = datetime.datetime(2025, 6, 1, 8)
    c.insert_many(
        [
            {"_id": "a", "n": 1, "tags": ["x", "y"], "at": at, "sub": {"k": 1}},
            {"_id": OID, "n": 2, "flag": True},
            {"_id": 3, "n": 3},
            {"_id": 3.5, "n": 4},
            {"_id": "b", "n": None},
        ]
    )
    checks = [
        ("k_find_match", lambda: c.find_one({"_id": "a", "n": 1})),
        ("k_find_miss", lambda: c.find_one({"_id": "a", "n": 2})),
        ("k_find_absent", lambda: c.find_one({"_id": "zz", "n": 1})),
        ("k_oid_exists", lambda: c.find_one({"_id": OID, "flag": {"$exists": True}})),
        ("k_oid_not_exists", lambda: c.find_one({"_id": OID, "flag": {"$exists": False}})),
        ("k_numeric", lambda: c.find_one({"_id": 3})),
        ("k_twice", lambda: c.find_one({"$and": [{"_id": "a"}, {"_id": "b"}]})),
        ("k_array", lambda: c.find_one({"_id": "a", "tags": "y"}, {"tags": 1})),
        ("k_sub", lambda: c.find_one({"_id": "a", "sub.k": 1, "at": {"$lt": at}})),
        ("k_or", lambda: c.find_one({"_id": "b", "$or": [{"n": None}, {"n": 5}]})),
        ("k_null", lambda: c.find_one({"_id": "b", "n": None})),
        ("k_count", lambda: c.count_documents({"_id": "a", "n": {"$in": [1, 2]}})),
        ("k_flag", lambda: c.update_one({"_id": OID, "seen": {"$exists": False}},
                                        {"$set": {"seen": 1}}).modified_count),
        ("k_flag_again", lambda: c.update_one({"_id": OID, "seen": {"$exists": False}},
                                              {"$set": {"seen": 2}}).modified_count),
        ("k_cas", lambda: c.find_one_and_update({"_id": "a", "n": 1}, {"$inc": {"n": 1}},
                                                return_document=ReturnDocument.AFTER)),
        ("k_cas_lost", lambda: c.find_one_and_update({"_id": "a", "n": 1}, {"$inc": {"n": 1}})),
        ("k_upsert", lambda: c.update_one({"_id": "c", "n": 7}, {"$set": {"m": 1}},
                                          upsert=True).upserted_id),
        ("k_delete_miss", lambda: c.delete_one({"_id": "b", "n": 1}).deleted_count),
        ("k_delete", lambda: c.delete_one({"_id": "b", "n": None}).deleted_count),
        ("k_after", lambda: sorted(str(d) for d in c.find({}))),
    ]  # fmt: skip
    for label, operation in checks:
        rec(label, operation)
    in_arrays(db.in_arrays, rec)


def in_arrays(c, rec) -> None:
    """Fix 22: the rest of the filter is about fields inside arrays, or is one the document
    alone cannot decide (`$expr`), or the `_id` is numeric."""
    c.insert_many(
        [
            {"_id": "s1", "state": [{"rev": 1, "m": [{"id": "x", "ok": True}]}], "due": 1},
            {"_id": OID, "state": [{"rev": 2}, {"rev": 3}], "due": 2},
            {"_id": 9, "state": [{"rev": 1}]},
        ]
    )
    af = [{"s.rev": 1}]
    checks = [
        ("a_cas", lambda: c.update_one({"_id": "s1", "state.rev": 1},
                                       {"$set": {"state.$[s].rev": 2, "due": 5}},
                                       array_filters=af).raw_result),
        ("a_cas_lost", lambda: c.update_one({"_id": "s1", "state.rev": 1},
                                            {"$set": {"state.$[s].rev": 2, "due": 6}},
                                            array_filters=af).raw_result),
        ("a_positional", lambda: c.update_one({"_id": OID, "state.rev": 3},
                                              {"$set": {"state.$.seen": True}}).raw_result),
        ("a_elem", lambda: c.update_one(
            {"_id": "s1", "state": {"$elemMatch": {"rev": 2, "m.ok": True}}},
            {"$inc": {"due": 1}}).raw_result),
        ("a_not", lambda: c.update_one({"_id": "s1", "state.rev": {"$not": {"$gt": 5}}},
                                       {"$inc": {"due": 1}}).raw_result),
        ("a_or", lambda: c.update_one({"_id": OID, "$or": [{"state.rev": 9}, {"due": 2}]},
                                      {"$inc": {"due": 1}}).raw_result),
        ("a_size", lambda: c.update_one({"_id": OID, "state": {"$size": 2}},
                                        {"$set": {"two": 1}}).raw_result),
        ("a_expr", lambda: c.update_one({"_id": "s1", "state.rev": 2,
                                         "$expr": {"$gt": ["$due", 0]}},
                                        {"$set": {"e": 1}}).raw_result),
        ("a_numeric", lambda: c.update_one({"_id": 9, "state.rev": 1},
                                           {"$set": {"n": 1}}).raw_result),
        ("a_upsert", lambda: c.update_one({"_id": "s2", "state.rev": 0},
                                          {"$set": {"u": 1}}, upsert=True).raw_result),
        ("a_upsert_at", lambda: c.update_one({"_id": "s1", "state.rev": 7},
                                             {"$set": {"u": 1}}, upsert=True).raw_result),
        ("a_fam", lambda: c.find_one_and_update({"_id": "s1", "state.m.id": "x"},
                                                {"$inc": {"due": 10}},
                                                return_document=ReturnDocument.AFTER)),
        ("a_delete_miss", lambda: c.delete_one({"_id": OID, "state.rev": 4}).deleted_count),
        ("a_delete", lambda: c.delete_one({"_id": OID, "state.rev": 2}).deleted_count),
        ("a_after", lambda: sorted(str(d) for d in c.find({"_id": {"$in": ["s1", "s2", OID, 9]}}))),
    ]  # fmt: skip
    for label, operation in checks:
        rec(label, operation)
