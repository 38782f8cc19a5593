"""Reads the engine answers by testing documents in Python (a numeric `_id` named by another
number type, a numeric `_id` and another field, `$expr`) find the documents on the patched
store too, once another collection's indexes were made partial (fix 12) while statements were
prepared: SQLite re-prepared the cached whole-collection read with the values bound to it then
and kept reading the partial index of that collection for every other one, so these reads
found nothing (store_indexes.forget_prepared_statements). The script's batched inserts create
a sparse unique index and an index on an array field, then write."""

from __future__ import annotations

from pymongo import MongoClient

from goalgetter.data.embedded_store import EmbeddedStore
from tests.fakes.anthropic_fake import free_port
from tests.integration.store_script_inserts import batched_inserts
from tests.integration.test_store_patches import Recorder


def _read_in_python(path, patched: bool) -> tuple:
    store = EmbeddedStore(free_port(), path, patched=patched)
    client = MongoClient(store.ensure_running())
    try:
        batched_inserts(client.checks, Recorder())
        keyed, batches = client.checks.keyed, client.checks.batches
        keyed.insert_many([{"_id": "a", "n": 1}, {"_id": 3, "n": 3}])
        return (
            keyed.find_one({"_id": 3.0}),
            keyed.find_one({"_id": 3, "n": 3}),
            keyed.find_one({"_id": "a", "$expr": {"$gt": ["$n", 0]}}),
            sorted(str(d["_id"]) for d in batches.find({"$expr": {"$eq": ["$n", 1]}})),
        )
    finally:
        client.close()
        store.stop()


def test_reads_tested_in_python_find_the_documents_on_both_engines(tmp_path):
    released = _read_in_python(tmp_path / "released.sqlite", patched=False)
    assert released[:3] == ({"_id": 3, "n": 3}, {"_id": 3, "n": 3}, {"_id": "a", "n": 1})
    assert "p1-True" in released[3] and len(released[3]) == 4  # and two generated ids
    patched = _read_in_python(tmp_path / "patched.sqlite", patched=True)
    assert patched[:3] == released[:3]
    assert [i for i in patched[3] if "-" in i] == [i for i in released[3] if "-" in i]
    assert len(patched[3]) == len(released[3])
