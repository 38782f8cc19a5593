"""Fix 16's part of test_store_patches.py's script: inserts of several documents over the
wire (one batch when patched), each answer recorded in full: ids stored, errors by index
with their code, message and key, and what the collection holds after."""

from __future__ import annotations

import datetime

from bson import Int64, ObjectId
from pymongo.errors import BulkWriteError


def _outcome(insert) -> object:
    try:
        return ("inserted", insert().inserted_ids, None)
    except BulkWriteError as error:
        details = error.details
        errors = [
            (e["index"], e.get("code"), e["errmsg"], e.get("keyPattern"), e.get("keyValue"))
            for e in details["writeErrors"]
        ]
        return ("BulkWriteError", details["nInserted"], errors)


def batched_inserts(db, rec) -> None:
    c = db.batches
    c.create_index([("email", 1)], unique=True, sparse=True, name="email_u")
    c.create_index([("tags", 1)], name="tags")
    at = datetime.datetime(2025, 5, 1, 9, 30)
    oid = ObjectId("65f0a1b2c3d4e5f601234567")
    c.insert_one({"_id": "taken", "email": "taken@x"})
    batches = {
        "b_plain": [{"_id": f"p{i}", "n": i, "at": at, "tags": ["a", i]} for i in range(5)]
        + [{"_id": oid, "email": "o@x"}],
        "b_dup_stored": [{"_id": "q1"}, {"_id": "taken"}, {"_id": "q2"}],
        "b_dup_inside": [{"_id": "r1"}, {"_id": "r1", "n": 2}, {"_id": "r2"}],
        "b_dup_email": [{"_id": "s1", "email": "taken@x"}, {"_id": "s2", "email": "s2@x"}],
        "b_email_twice": [{"_id": "t1", "email": "t@x"}, {"_id": "t2", "email": "t@x"}],
        "b_numeric_ids": [{"_id": 7}, {"_id": 7.0}, {"_id": Int64(8)}],
        "b_mixed_ids": [{"_id": "u1"}, {"_id": 9}, {"_id": "u1"}],
        "b_dotted": [{"_id": "v1", "a.b": 1}, {"_id": "v2", "$x": 2}],
    }
    for ordered in (True, False):
        for label, docs in batches.items():
            fresh = [{**d, "_id": f"{d['_id']}-{ordered}"} if isinstance(d.get("_id"), str)
                     and d["_id"] != "taken" else dict(d) for d in docs]  # fmt: skip
            outcome = _outcome(lambda f=fresh, o=ordered: c.insert_many(f, ordered=o))
            rec(f"{label}_{ordered}", lambda o=outcome: o)
        # Ids the client generates differ from run to run: how many were stored, then.
        generated = _outcome(lambda o=ordered: c.insert_many([{"n": 1}, {"n": 2}], ordered=o))
        rec(f"b_generated_{ordered}", lambda g=generated: (g[0], len(g[1]), g[2:]))
    stored = {"_id": {"$not": {"$type": "objectId"}}}
    rec("b_after", lambda: sorted((str(d["_id"]), sorted(d)) for d in c.find(stored)))
    rec("b_count", lambda: c.count_documents({}))
    rec("b_by_email", lambda: [d["_id"] for d in c.find({"email": "t@x"})])
    rec("b_by_tag", lambda: sorted(str(d["_id"]) for d in c.find({"tags": 3})))
