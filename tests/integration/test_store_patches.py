"""The embedded store's fixes change how fast, never what: one script of operations, run on
the SQLite engine with and without goalgetter/data/store_patches.py, gives the same answers.

The script covers what each fix must not change: duplicate `_id`s of every type refused
(numeric aliases too), unique indexes, lookups, upserts, updates and deletes by missing and
present `_id`s, and facts the patched feature cache must notice after it was warmed: an
array, a float, a string, a Decimal128, an Int64, a non-ASCII text, a sub-document appearing
where there was none. A broken refresh (store_features._refresh_feature keeping every cached
fact as it was) makes the sorted answer after a sub-document appears differ. Writes refused
by a unique index after their transaction began (the rollback path) are covered too.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
import uuid
from collections.abc import Callable

import pytest
from bson import Binary, Decimal128, Int64, ObjectId, Regex
from pymongo import MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from goalgetter.data import store_patches
from goalgetter.data.embedded_store import EmbeddedStore
from tests.fakes.anthropic_fake import free_port
from tests.integration.store_script_inserts import batched_inserts
from tests.integration.store_script_keyed import id_and_more
from tests.integration.store_script_ranges import date_ranges

U1, U2, U3 = ObjectId(), ObjectId(), ObjectId()


class Recorder:
    def __init__(self):
        self.answers: list[tuple[str, object]] = []

    def __call__(self, label: str, operation: Callable[[], object]) -> None:
        try:
            answer = operation()
        except DuplicateKeyError:
            answer = "DuplicateKeyError"
        except Exception as error:
            answer = f"{type(error).__name__}: {error}"[:120]
        self.answers.append((label, answer))


def _ids_and_lookups(db, rec: Recorder) -> list:
    c = db.items
    c.create_index([("user_id", 1)], name="user")
    c.create_index([("email", 1)], unique=True, name="email_u")
    start = datetime.datetime(2024, 1, 1)
    c.insert_many(
        [
            {
                "_id": ObjectId(),
                "user_id": [U1, U2][i % 2],
                "n": i,
                "t": f"s{i}",
                "email": f"e{i}",
                "at": start + datetime.timedelta(hours=i),
            }
            for i in range(40)
        ]
    )
    ids = [d["_id"] for d in c.find({}, {"_id": 1}).sort("n", 1)]
    rec("warm", lambda: [d["n"] for d in c.find({"user_id": U1}).sort("n", 1)])
    rec("warm_sorted", lambda: [d["n"] for d in c.find({"user_id": U1}).sort("at", -1).limit(5)])
    rec("warm_count", lambda: c.count_documents({"user_id": U1}))
    for label, doc in [
        ("dup_oid", {"_id": ids[3], "x": 1}),
        ("str", {"_id": "k1", "user_id": U3, "email": "k1"}),
        ("dup_str", {"_id": "k1", "email": "k1b"}),
        ("int", {"_id": 7, "email": "i7"}),
        ("dup_float", {"_id": 7.0, "email": "f7"}),
        ("dup_int64", {"_id": Int64(7), "email": "l7"}),
        ("dup_email", {"_id": ObjectId(), "email": "e5"}),
    ]:
        rec(label, lambda doc=doc: str(c.insert_one(doc).inserted_id))
    rec(
        "replace_dup_email",
        lambda: c.replace_one({"_id": "r1"}, {"email": "e6"}, upsert=True).upserted_id,
    )
    rec("missing_oid", lambda: c.find_one({"_id": ObjectId()}))
    rec("missing_str", lambda: c.find_one({"_id": "nope"}))
    rec("hit_oid", lambda: c.find_one({"_id": ids[5]})["n"])
    rec("hit_str", lambda: c.find_one({"_id": "k1"})["email"])
    rec("hit_skip", lambda: list(c.find({"_id": ids[5]}).skip(1)))
    rec("hit_projection", lambda: c.find_one({"_id": ids[6]}, {"n": 1, "_id": 0}))
    rec("count_hit", lambda: c.count_documents({"_id": ids[6]}))
    rec("count_miss", lambda: c.count_documents({"_id": ObjectId()}))
    rec("int_as_float", lambda: c.find_one({"_id": 7.0}, {"_id": 1}) is not None)
    rec(
        "upsert_create",
        lambda: (
            c.update_one(
                {"_id": "up1"}, {"$set": {"user_id": U3, "n": 100, "email": "up1"}}, upsert=True
            ).upserted_id
        ),
    )
    rec(
        "upsert_again",
        lambda: c.update_one({"_id": "up1"}, {"$inc": {"n": 1}}, upsert=True).modified_count,
    )
    rec("update_missing", lambda: c.update_one({"_id": ObjectId()}, {"$set": {"z": 1}}).raw_result)
    rec("delete_missing", lambda: c.delete_one({"_id": "nope"}).deleted_count)
    rec("delete_hit", lambda: c.delete_one({"_id": ids[0]}).deleted_count)
    _id_lists(c, rec, ids)
    return ids


def _id_lists(c, rec: Recorder, ids: list) -> None:
    """`_id` `$in` lists (fix 11): hits, misses, repeats, an ObjectId's hex as a string,
    other types (the released plan), projection, skip, limit, sort, counts and writes."""

    def shown(cursor) -> list:
        # Each run makes its own ObjectIds: the documents are told apart by `n`.
        return [{**d, "_id": "oid"} if isinstance(d["_id"], ObjectId) else d for d in cursor]

    listed = [ids[9], "k1", ids[2], ObjectId(), "nope", ids[9], str(ids[13]), ids[0]]
    rec("in_find", lambda: shown(c.find({"_id": {"$in": listed}})))
    rec("in_page", lambda: shown(c.find({"_id": {"$in": listed}}, {"n": 1}).skip(1).limit(2)))
    rec("in_sorted", lambda: shown(c.find({"_id": {"$in": listed}}).sort("n", -1)))
    rec("in_numbers", lambda: shown(c.find({"_id": {"$in": [7.0, "k1", Int64(7)]}})))
    rec("in_empty", lambda: shown(c.find({"_id": {"$in": []}})))
    rec("in_count", lambda: c.count_documents({"_id": {"$in": listed}}))
    rec("in_and_more", lambda: shown(c.find({"_id": {"$in": listed}, "n": {"$gt": 5}})))
    twelve = {"_id": {"$in": [ids[10], ids[11], ObjectId()]}}
    rec("in_update", lambda: c.update_many(twelve, {"$inc": {"n": 1000}}).modified_count)
    rec("in_after_update", lambda: shown(c.find(twelve)))
    rec("in_delete", lambda: c.delete_many({"_id": {"$in": [ids[12], "nope"]}}).deleted_count)
    rec("in_after_delete", lambda: shown(c.find({"_id": {"$in": [ids[12], ids[14]]}})))


def _facts_after_warming(db, rec: Recorder, ids: list) -> None:
    c = db.items

    def by_user(user):
        return [d["n"] for d in c.find({"user_id": user}).sort("n", 1)]

    rec("array_in", lambda: c.insert_one({"_id": "a1", "user_id": [U1, U3], "n": 200}).acknowledged)
    rec("after_array", lambda: by_user(U1))
    rec("after_array_sorted", lambda: [d["n"] for d in c.find({"user_id": U1}).sort("n", -1)][:3])
    rec("after_array_count", lambda: c.count_documents({"user_id": U1}))
    rec("after_array_u3", lambda: by_user(U3))
    rec("array_out", lambda: c.delete_one({"_id": "a1"}).deleted_count)
    rec("after_delete", lambda: by_user(U1))
    rec(
        "update_to_array",
        lambda: c.update_one({"_id": ids[2]}, {"$set": {"user_id": [U2, U3]}}).modified_count,
    )
    rec("after_update", lambda: (by_user(U3), c.count_documents({"user_id": U2})))
    rec("sort_at", lambda: [d["n"] for d in c.find({}).sort("at", -1).limit(3)])
    rec("string_at", lambda: c.insert_one({"_id": "sa", "n": 300, "at": "zzz"}).acknowledged)
    rec("sort_at_again", lambda: [d["n"] for d in c.find({}).sort("at", -1).limit(3)])
    rec("float_n", lambda: c.insert_one({"_id": "fl", "n": 1000.5}).acknowledged)
    rec("sort_n", lambda: [d.get("n") for d in c.find({}).sort("n", -1).limit(3)])
    rec("string_n", lambda: c.insert_one({"_id": "sn", "n": "text"}).acknowledged)
    rec("range_n", lambda: sorted(str(d.get("n")) for d in c.find({"n": {"$gt": 37}})))
    rec("decimal_n", lambda: c.insert_one({"_id": "dn", "n": Decimal128("11")}).acknowledged)
    rec("mod_n", lambda: sorted(str(d["n"]) for d in c.find({"n": {"$mod": [10, 1]}})))
    rec("equal_decimal", lambda: sorted(str(d["n"]) for d in c.find({"n": 11})))
    rec("regex", lambda: sorted(d["n"] for d in c.find({"t": {"$regex": "^S1", "$options": "i"}})))
    rec("non_ascii", lambda: c.insert_one({"_id": "na", "n": 400, "t": "S1é"}).acknowledged)
    rec(
        "regex_again",
        lambda: sorted(d["n"] for d in c.find({"t": {"$regex": "^S1", "$options": "i"}})),
    )
    s = db.sorty
    s.insert_many([{"_id": f"s{i}", "g": i % 3, "m": i} for i in range(30)])

    def top():
        return [d["_id"] for d in s.find({"g": 1}).sort("m", -1).limit(4)]

    rec("sort_m", top)
    for label, value in [("int64_m", Int64(2**40)), ("array_m", [100, -5]), ("object_m", {"x": 1})]:
        rec(
            label,
            lambda value=value, label=label: (
                s.insert_one({"_id": label, "g": 1, "m": value}),
                top(),
            )[1],
        )
    rec("total", lambda: (c.count_documents({}), s.count_documents({})))


def _refused_writes(db, rec: Recorder) -> None:
    """Writes refused by a unique index after their transaction began: the cached facts a
    rollback throws away are restored, and what the refused write would have changed must
    not stick."""
    u4 = ObjectId()
    r = db.refusals
    r.create_index([("user_id", 1)], name="user")
    r.create_index([("email", 1)], unique=True, name="email_u")
    start = datetime.datetime(2024, 1, 1)
    r.insert_many(
        [
            {
                "_id": f"r{i}",
                "user_id": [U1, U2][i % 2],
                "email": f"r{i}",
                "n": i,
                "at": start + datetime.timedelta(hours=i),
            }
            for i in range(20)
        ]
    )

    def by_user(user):
        return sorted(d["n"] for d in r.find({"user_id": user}))

    def latest(user):
        return [d["n"] for d in r.find({"user_id": user}).sort("at", -1).limit(4)]

    rec("r_warm", lambda: (by_user(U1), latest(U2), r.count_documents({"user_id": U1})))
    refused = [
        (
            "r_insert",
            lambda: r.insert_one({"_id": "x1", "user_id": [U1, u4], "email": "r3"}).inserted_id,
        ),
        (
            "r_update",
            lambda: (
                r.update_one(
                    {"_id": "r2"}, {"$set": {"user_id": [u4, U2], "email": "r5", "at": [1, 2]}}
                ).modified_count
            ),
        ),
        (
            "r_replace",
            lambda: r.replace_one({"_id": "r4"}, {"user_id": [u4], "email": "r7"}).modified_count,
        ),
        (
            "r_upsert",
            lambda: (
                r.update_one(
                    {"_id": "nx"}, {"$set": {"user_id": [u4, U1], "email": "r9"}}, upsert=True
                ).upserted_id
            ),
        ),
        (
            "r_many",
            lambda: (
                r.insert_many(
                    [
                        {"_id": "m1", "user_id": [u4, U1], "email": "m1", "n": 60},
                        {"_id": "m2", "email": "r1", "n": 61},
                    ]
                ).inserted_ids
            ),
        ),
    ]
    for label, operation in refused:
        rec(label, operation)
    rec(
        "r_after",
        lambda: (by_user(u4), by_user(U1), latest(U2), r.count_documents({"user_id": U1})),
    )
    rec(
        "r_array_kept",
        lambda: r.update_one({"_id": "r6"}, {"$set": {"user_id": [u4, U1]}}).modified_count,
    )
    rec("r_after_array", lambda: (by_user(u4), by_user(U1), r.count_documents({"user_id": u4})))
    rec("r_refused_again", lambda: r.insert_one({"_id": "z", "email": "r0"}).acknowledged)
    rec("r_last", lambda: (by_user(u4), latest(U1)))


def _nested_writes(db, rec: Recorder) -> None:
    """Fixes 7-9 (copies and encoding): deep documents of every common BSON type, changed
    through arrayFilters, positional paths, $inc, $push and find_one_and_update's images."""
    n = db.nested
    at = datetime.datetime(2025, 3, 1, 9, 30, 15, 250000)
    meetings = [
        {
            "id": f"m{i}",
            "start": at + datetime.timedelta(weeks=i),
            "status": "scheduled",
            "score": 1.5 * i,
            "count": Int64(2**40 + i),
            "price": Decimal128("10.25"),
            "owner": U1,
            "done": i % 2 == 0,
            "recap": None,
            "tags": ["a", "b", {"deep": [i, {"deeper": f"t{i}"}]}],
            "raw": Binary(b"\x00\x01" * i),
            "rx": Regex("^go", "i"),
            "ref": Binary.from_uuid(uuid.UUID(int=i)),
        }
        for i in range(6)
    ]
    rec(
        "n_insert",
        lambda: (
            n.insert_one({"_id": "s", "state": [{"rev": 0, "meetings": meetings}]}).acknowledged
        ),
    )
    state = n.find_one({"_id": "s"})["state"][0]
    state["rev"] = 1
    state["meetings"][2]["status"] = "active"
    cas = {"$set": {"state.$[s]": state}}
    rec(
        "n_cas",
        lambda: n.update_one({"_id": "s"}, cas, array_filters=[{"s.rev": 0}]).modified_count,
    )
    rec(
        "n_cas_lost",
        lambda: n.update_one({"_id": "s"}, cas, array_filters=[{"s.rev": 0}]).modified_count,
    )
    rec("n_after_cas", lambda: n.find_one({"_id": "s"}))
    rec(
        "n_inc",
        lambda: (
            n.update_one(
                {"_id": "s"}, {"$inc": {"state.0.meetings.1.count": 5, "state.0.rev": 1}}
            ).modified_count
        ),
    )
    rec(
        "n_push",
        lambda: (
            n.update_one(
                {"_id": "s"}, {"$push": {"state.0.meetings.0.tags": {"new": at}}}
            ).modified_count
        ),
    )
    rec(
        "n_filtered",
        lambda: (
            n.update_one(
                {"_id": "s"},
                {"$set": {"state.0.meetings.$[m].recap": "ok"}},
                array_filters=[{"m.done": True}],
            ).modified_count
        ),
    )
    images = {"$set": {"state.0.meetings.3.status": "missed"}}
    rec("n_before", lambda: n.find_one_and_update({"_id": "s"}, images))
    rec(
        "n_after",
        lambda: n.find_one_and_update(
            {"_id": "s"},
            {"$unset": {"state.0.meetings.4.rx": ""}},
            return_document=ReturnDocument.AFTER,
        ),
    )
    rec("n_unchanged", lambda: n.update_one({"_id": "s"}, images).modified_count)
    rec("n_last", lambda: n.find_one({"_id": "s"}))


def _array_paths(db, rec: Recorder) -> None:
    """Fix 14 (updates through arrays in SQL): arrayFilters resolved to concrete paths (one,
    several and no matching elements, two identifiers, `$unset`, conflicts, non-arrays) and
    numeric paths (an existing element, past the end, a key on an object, a scalar parent,
    a missing parent, `$unset` of an element, a leading zero), each followed by the whole
    document."""
    a = db.arrays
    at = datetime.datetime(2025, 6, 1, 8, 0)
    base = {
        "_id": "a",
        "state": [{"rev": 1, "meetings": [{"id": i, "at": at, "tags": ["x"]} for i in range(3)]}],
        "list": [{"n": i, "sub": {"k": i}} for i in range(4)],
        "grid": [{"k": k, "cells": [{"x": x} for x in range(3)]} for k in "ab"],
        "obj": {"0": "zero", "1": "one"},
        "scalar": 5,
    }
    rec("ar_insert", lambda: a.insert_one(base).acknowledged)
    updates = [
        (
            "cas",
            {"state.$[s].rev": 2, "state.$[s].meetings.1.at": at, "state.$[s].x": [1]},
            [{"s.rev": 1}],
        ),
        ("cas_lost", {"state.$[s].rev": 3}, [{"s.rev": 1}]),
        ("several", {"list.$[e].seen": True, "list.$[e].sub.k": "s"}, [{"e.n": {"$gte": 2}}]),
        ("two_ids", {"grid.$[r].cells.$[c].v": 9}, [{"r.k": "b"}, {"c.x": {"$gt": 0}}]),
        ("conflict", {"list.$[e].n": 5, "list.0.n": 6}, [{"e.n": 0}]),
        ("parent_too", {"list.$[e]": {"n": 0}, "list.$[e].sub": 1}, [{"e.n": 1}]),
        ("not_array", {"scalar.$[e].x": 1}, [{"e.x": 1}]),
        ("missing_array", {"nothing.$[e].x": 1}, [{"e.x": 1}]),
        ("unchanged", {"state.$[s].rev": 2}, [{"s.rev": 2}]),
    ]
    for label, fields, filters in updates:
        write = {"$set": fields}
        rec(
            f"ar_{label}",
            lambda w=write, f=filters: a.update_one({"_id": "a"}, w, array_filters=f).raw_result,
        )
        rec(f"ar_{label}_doc", lambda: a.find_one({"_id": "a"}))
    unset = {"$unset": {"list.$[e].seen": ""}}
    rec(
        "ar_unset", lambda: a.update_one({"_id": "a"}, unset, array_filters=[{"e.n": 3}]).raw_result
    )
    numeric = [
        {"$set": {"list.1.n": 7, "state.0.meetings.2.tags.0": "y"}},
        {"$set": {"list.6.n": 1}},
        {"$set": {"obj.0": "key", "obj.2": "new"}},
        {"$set": {"list.0": {"replaced": True}}},
        {"$set": {"list.1.n.deep": 1}},
        {"$set": {"state.0.fresh.sub": 1, "state.0.meetings.0.new": {"at": at}}},
        {"$set": {"scalar.0": 1}},
        {"$unset": {"list.1": ""}},
        {"$set": {"list.01.n": 3}},
    ]
    for index, write in enumerate(numeric):
        rec(f"ar_n{index}", lambda w=write: a.update_one({"_id": "a"}, w).raw_result)
        rec(f"ar_n{index}_doc", lambda: a.find_one({"_id": "a"}))
    rec(
        "ar_upsert",
        lambda: (
            a.update_one(
                {"_id": "b"}, {"$set": {"l.$[e].x": 1}}, upsert=True, array_filters=[{"e.x": 0}]
            ).raw_result
        ),
    )


def _renamed_and_shared_indexes(db, rec: Recorder) -> None:
    """Fix 12 (indexes limited to their collection): two collections indexed on the same
    field, one renamed with its index, an index created after the rename, and writes to
    either that must not show in the other's answers."""
    a, b = db.ix_a, db.ix_b
    a.create_index([("user_id", 1), ("at", -1)], name="user_at")
    b.create_index([("user_id", 1)], name="user")
    for c, offset in ((a, 0), (b, 100)):
        c.insert_many([{"user_id": [U1, U2][i % 2], "n": offset + i, "at": i} for i in range(12)])
    rec("ix_a_u1", lambda: [d["n"] for d in a.find({"user_id": U1}).sort("at", -1).limit(4)])
    rec("ix_b_u2", lambda: sorted(d["n"] for d in b.find({"user_id": U2})))
    rename = {"renameCollection": f"{db.name}.ix_a", "to": f"{db.name}.ix_c"}
    rec("ix_rename", lambda: db.command(rename)["ok"])  # this server takes it on the database
    c = db.ix_c
    rec("ix_c_u1", lambda: [d["n"] for d in c.find({"user_id": U1}).sort("at", -1).limit(4)])
    rec("ix_a_after", lambda: a.count_documents({"user_id": U1}))
    rec("ix_c_index", lambda: c.create_index([("n", 1)], name="n"))
    rec("ix_c_write", lambda: c.update_one({"n": 2}, {"$set": {"user_id": U3}}).modified_count)
    rec("ix_c_u3", lambda: [d["n"] for d in c.find({"user_id": U3})])
    rec("ix_b_u3", lambda: [d["n"] for d in b.find({"user_id": U3})])
    rec("ix_c_n", lambda: [d["user_id"] == U3 for d in c.find({"n": {"$in": [2, 4]}}).sort("n", 1)])
    rec("ix_c_indexes", lambda: sorted(c.index_information()))


def _answers(tmp_path, patched: bool) -> list[tuple[str, object]]:
    store = EmbeddedStore(free_port(), tmp_path / f"{patched}.sqlite", patched=patched)
    client = MongoClient(store.ensure_running())
    try:
        rec = Recorder()
        db = client.checks
        _facts_after_warming(db, rec, _ids_and_lookups(db, rec))
        _refused_writes(db, rec)
        _nested_writes(db, rec)
        _array_paths(db, rec)
        _renamed_and_shared_indexes(db, rec)
        batched_inserts(db, rec)
        id_and_more(db, rec)
        date_ranges(db, rec)
        return rec.answers
    finally:
        client.close()
        store.stop()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stores")
    return _answers(tmp, patched=False), _answers(tmp, patched=True)


def test_the_patched_engine_answers_every_operation_as_the_original(both):
    original, patched = both
    assert len(original) == len(patched) > 50
    differing = [(a[0], a[1], b[1]) for a, b in zip(original, patched, strict=True) if a != b]
    assert differing == []


def test_duplicates_are_still_refused(both):
    _, patched = both
    refused = {label for label, answer in patched if answer == "DuplicateKeyError"}
    assert {"dup_oid", "dup_str", "dup_float", "dup_int64", "dup_email"} <= refused


def test_no_change_stream_can_read_what_the_gap_records_leave_out(tmp_path):
    """Fix 6 fingerprints a gap record without the written document, and fix 10 hands gap
    records to the change hub in batches: safe while nothing over the wire can open a change
    stream (every write then records a gap)."""
    store = EmbeddedStore(free_port(), tmp_path / "watch.sqlite")
    client = MongoClient(store.ensure_running())
    try:
        with pytest.raises(OperationFailure, match=r"\$changeStream"):
            client.checks.items.watch()
        client.checks.items.insert_one({"_id": "kept", "n": 1})
        client.checks.items.update_one({"_id": "kept"}, {"$set": {"n": 2}})
        assert client.checks.items.find_one({"_id": "kept"}) == {"_id": "kept", "n": 2}
    finally:
        client.close()
        store.stop()


def test_unwatched_writes_hand_their_change_records_over_in_batches(tmp_path):
    """Fix 10: with nothing watching, a write no longer waits for its change-outbox records
    to be handed to the change hub; they go DISPATCH_EVERY writes at a time, and each batch
    is compacted away, so the outbox never holds a batch's worth."""
    outbox = {}
    for patched in (False, True):
        path = tmp_path / f"batches-{patched}.sqlite"
        store = EmbeddedStore(free_port(), path, patched=patched)
        client = MongoClient(store.ensure_running())
        try:
            client.checks.items.insert_one({"_id": "d", "n": 0})
            for n in range(3 * store_patches.DISPATCH_EVERY + 5):
                client.checks.items.update_one({"_id": "d"}, {"$set": {"n": n}})
            assert client.checks.items.find_one({"_id": "d"})["n"] == n
            with contextlib.closing(sqlite3.connect(path)) as conn:
                counted = conn.execute("SELECT COUNT(*) FROM change_outbox").fetchone()
            outbox[patched] = counted[0]
        finally:
            client.close()
            store.stop()
    assert outbox[False] == 0  # released: handed over and compacted after every write
    assert 0 < outbox[True] < store_patches.DISPATCH_EVERY
