"""Fix 20 (store_loop.py): the engine's steps run on the store's event loop, and a long
command still lets other connections' commands through between its steps."""

from __future__ import annotations

import os
import threading

from pymongo import MongoClient, UpdateOne

from goalgetter.data.embedded_store import EmbeddedStore
from tests.fakes.anthropic_fake import free_port

UPDATES = 3000


def _threads_after_work(tmp_path, patched: bool) -> int:
    store = EmbeddedStore(free_port(), tmp_path / f"threads-{patched}.sqlite", patched=patched)
    client = MongoClient(store.ensure_running())
    try:
        items = client.checks.items
        items.insert_many([{"_id": f"d{n}", "n": n} for n in range(40)])
        for n in range(20):
            items.update_one({"_id": f"d{n}"}, {"$set": {"seen": True}})
            assert items.count_documents({"seen": True}) == n + 1
        return len(os.listdir(f"/proc/{store.process.pid}/task"))
    finally:
        client.close()
        store.stop()


def test_the_engine_runs_its_steps_without_a_pool_of_threads(tmp_path):
    # The released engine starts its pool's first worker with the first step.
    assert _threads_after_work(tmp_path, patched=True) < _threads_after_work(
        tmp_path, patched=False
    )


def test_a_long_bulk_write_lets_another_connections_reads_through(tmp_path):
    store = EmbeddedStore(free_port(), tmp_path / "interleave.sqlite")
    writer, reader = MongoClient(store.ensure_running()), MongoClient(store.uri)
    try:
        items = writer.checks.items
        items.insert_many([{"_id": f"d{n}", "done": False} for n in range(UPDATES)])
        updates = [UpdateOne({"_id": f"d{n}"}, {"$set": {"done": True}}) for n in range(UPDATES)]
        outcome = {}
        bulk = threading.Thread(target=lambda: outcome.update(r=items.bulk_write(updates)))
        watched = reader.checks.items
        bulk.start()
        seen = 0
        while seen == 0 and bulk.is_alive():
            seen = watched.count_documents({"done": True})
        bulk.join()
        # Answered between two of the bulk write's updates, not before it or after it all.
        assert 0 < seen < UPDATES
        assert outcome["r"].modified_count == UPDATES
        assert watched.count_documents({"done": True}) == UPDATES
    finally:
        writer.close()
        reader.close()
        store.stop()
