"""The embedded store on SQLite: data survives kill -9; an answering server is reused."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from pymongo import MongoClient

from goalgetter.data import embedded_store
from goalgetter.data.embedded_store import EmbeddedStore, store_answers, store_listening
from tests.fakes.anthropic_fake import free_port


@pytest.fixture
def stores() -> Iterator[list[EmbeddedStore]]:
    """Stores a test starts; whatever is still running is stopped afterwards."""
    started: list[EmbeddedStore] = []
    yield started
    for store in started:
        store.stop()


def _client(uri: str) -> MongoClient:
    return MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)


def test_documents_survive_kill_9_and_restart(tmp_path, stores):
    port, path = free_port(), tmp_path / "store" / "goalgetter.sqlite"
    first = EmbeddedStore(port, path)
    stores.append(first)
    uri = first.ensure_running()
    assert first.process is not None and path.exists()
    with _client(uri) as client:
        goals = client.restart_test.goals
        goals.insert_many([{"_id": n, "title": f"goal {n}"} for n in range(5)])
        goals.update_one({"_id": 2}, {"$set": {"title": "edited"}})
        goals.delete_one({"_id": 4})

    process = first.process
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL
    assert not store_answers(uri)

    second = EmbeddedStore(port, path)
    stores.append(second)
    assert second.ensure_running() == uri
    assert second.process is not None and second.process.pid != process.pid
    with _client(uri) as client:
        titles = [d["title"] for d in client.restart_test.goals.find().sort("_id")]
    assert titles == ["goal 0", "goal 1", "edited", "goal 3"]

    restarted = second.process
    second.stop()
    assert second.process is None and restarted.poll() is not None
    assert not store_answers(uri)


def test_a_server_already_answering_is_reused_not_spawned(mongo_uri, tmp_path):
    port = urlsplit(mongo_uri).port
    store = EmbeddedStore(port, tmp_path / "unused.sqlite")
    assert store.ensure_running() == mongo_uri
    assert store.process is None
    assert not (tmp_path / "unused.sqlite").exists()
    store.stop()  # it started nothing, so it stops nothing
    assert store_answers(mongo_uri)


def test_stop_without_start_is_a_no_op(tmp_path):
    store = EmbeddedStore(free_port(), tmp_path / "never.sqlite")
    store.stop()
    store.stop()
    assert store.process is None
    assert not store_answers(store.uri)


def test_a_busy_store_is_waited_for_never_started_over(tmp_path, stores, monkeypatch):
    """A store in a long step accepts connections but answers late (stopped here, SIGSTOP):
    a second worker waits for it, and never starts a server onto its port."""
    monkeypatch.setattr(embedded_store, "BUSY_WAIT_SECONDS", 1.0)
    port, path = free_port(), tmp_path / "busy" / "goalgetter.sqlite"
    first = EmbeddedStore(port, path)
    stores.append(first)
    uri = first.ensure_running()
    os.kill(first.process.pid, signal.SIGSTOP)
    try:
        assert store_listening(port) and not store_answers(uri)
        second = EmbeddedStore(port, path)
        stores.append(second)
        with pytest.raises(RuntimeError, match="accepts connections but does not answer"):
            second.ensure_running()
        assert second.process is None
    finally:
        os.kill(first.process.pid, signal.SIGCONT)
    assert second.ensure_running() == uri and second.process is None
