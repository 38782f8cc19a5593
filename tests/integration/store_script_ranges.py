"""Fix 19's part of test_store_patches.py's script: date ranges on an indexed field. First
with dates only (and a document without the field), where the patched engine reads the
index's range: dates with and without fractions of a second, across the epoch, from another
time zone, bounds naive and aware. Then with a number, text, null and an embedded document
stored there too, and then an array, where it answers by the engine's own plan (the
released engine lets a date bound match those; MongoDB would not)."""

from __future__ import annotations

import datetime

UTC = datetime.UTC


def date_ranges(db, rec) -> None:
    c = db.ranges
    c.create_index("due_at")
    at = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    values = [
        at,
        at + datetime.timedelta(microseconds=500_000),
        at + datetime.timedelta(seconds=1),
        at - datetime.timedelta(days=400),
        datetime.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime.datetime(2026, 12, 7, 10, 0, 0, 250_000, tzinfo=berlin),  # 09:00:00.25 UTC
    ]
    c.insert_many([{"n": n, "due_at": value} for n, value in enumerate(values)])
    c.insert_one({"n": 20})  # no due_at at all
    bounds = {
        "at": at,
        "half": at + datetime.timedelta(microseconds=250_000),
        "aware": datetime.datetime(2026, 12, 7, 10, 0, 0, 500_000, tzinfo=berlin),
        "naive": datetime.datetime(2026, 12, 7, 9, 0, 1),
        "epoch": datetime.datetime(1970, 1, 1, tzinfo=UTC),
    }

    def found(spec):
        return sorted(d["n"] for d in c.find(spec))

    def record_all(prefix):
        for name, bound in bounds.items():
            for op in ("$lt", "$lte", "$gt", "$gte"):
                rec(f"{prefix}_{name}{op}", lambda s={"due_at": {op: bound}}: found(s))
        between = {"due_at": {"$gt": bounds["epoch"], "$lte": bounds["half"]}}
        rec(f"{prefix}_between", lambda: found(between))
        rec(f"{prefix}_and_more", lambda: found({"due_at": {"$lte": at}, "n": {"$gte": 1}}))
        rec(f"{prefix}_count", lambda: c.count_documents({"due_at": {"$lte": bounds["aware"]}}))
        rec(f"{prefix}_limit", lambda: len(list(c.find({"due_at": {"$lte": at}}).limit(2))))
        shown = {"due_at": 1, "n": 1}
        rec(f"{prefix}_projected", lambda: sorted(
            (d["n"], str(d["due_at"])) for d in c.find({"due_at": {"$gte": at}}, shown)
        ))  # fmt: skip
        rec(f"{prefix}_update", lambda: c.update_many(
            {"due_at": {"$lt": bounds["epoch"]}}, {"$set": {"early": True}}
        ).modified_count)  # fmt: skip
        rec(
            f"{prefix}_delete",
            lambda: c.delete_many({"due_at": {"$gt": bounds["naive"]}}).deleted_count,
        )

    record_all("r")
    others = [17, "2026-12-07T09:00:00", None, {"nested": at}]
    c.insert_many([{"n": 30 + n, "due_at": value} for n, value in enumerate(others)])
    record_all("r_mixed")
    c.insert_one({"n": 99, "due_at": [at, 5]})  # an array at the field: the engine's own plan
    record_all("r_array")
    rec("r_after", lambda: sorted(str(d) for d in c.find({}, {"_id": 0})))
