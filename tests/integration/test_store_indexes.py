"""Fix 12 of the embedded store: each collection's expression indexes hold that collection's
rows only (goalgetter/data/store_indexes.py), and the engine's own queries, with their
bound parameters, still use them. That the answers do not change is checked by the
equivalence script of test_store_patches.py."""

from __future__ import annotations

import contextlib
import datetime
import sqlite3

import pytest
from bson import ObjectId
from mongoeco import MongoClient as EngineClient
from mongoeco.engines._sqlite_connection import SQLiteConnection
from mongoeco.engines.sqlite import SQLiteEngine
from pymongo import MongoClient

from goalgetter.data import store_patches
from goalgetter.data.embedded_store import EmbeddedStore
from tests.fakes.anthropic_fake import free_port

OWNER, OTHER = ObjectId(), ObjectId()


def _physical_indexes(path) -> dict[str, str]:
    """Each index's collection -> the SQL its physical index was created with."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT i.coll_name || '.' || i.name, m.sql FROM indexes i "
            "JOIN sqlite_master m ON m.type = 'index' AND m.name = i.physical_name"
        ).fetchall()
    return dict(rows)


def _fill(db) -> None:
    db.goals.create_index([("user_id", 1), ("updated_at", -1)], name="user_updated")
    db.sessions.create_index([("user_id", 1)], name="user")
    db.goals.insert_many(
        [{"user_id": [OWNER, OTHER][n % 2], "n": n, "updated_at": n} for n in range(30)]
    )
    db.sessions.insert_many([{"user_id": OWNER, "n": n} for n in range(5)])
    db.series.insert_one({"_id": OWNER, "state": [{"rev": 0, "meetings": []}]})


@pytest.fixture
def engine_db(tmp_path):
    store_patches.apply()
    path = tmp_path / "store.sqlite"
    client = EngineClient(SQLiteEngine(str(path)), pymongo_profile="auto-installed")
    try:
        yield client.checks, path
    finally:
        client.close()


def test_each_index_holds_its_own_collection_and_the_engine_still_uses_it(engine_db, monkeypatch):
    db, path = engine_db
    _fill(db)
    sent: list[tuple[str, tuple]] = []

    def execute(conn, sql, params=()):
        if "FROM documents" in sql and "json_extract" in sql and params:
            sent.append((sql, tuple(params)))
        return sqlite3.Connection.execute(conn, sql, params)

    monkeypatch.setattr(SQLiteConnection, "execute", execute, raising=False)
    newest = [g["n"] for g in db.goals.find({"user_id": OWNER}).sort("updated_at", -1).limit(3)]
    sessions = db.sessions.count_documents({"user_id": OWNER})
    monkeypatch.undo()
    assert newest == [28, 26, 24]
    assert sessions == 5

    indexes = _physical_indexes(path)
    assert set(indexes) == {"goals.user_updated", "sessions.user"}
    for name, sql in indexes.items():
        assert sql.endswith(f"WHERE db_name = 'checks' AND coll_name = '{name.split('.')[0]}'")
    assert sent, "the engine sent no indexed query"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        plans = [
            str(conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
            for sql, params in sent
        ]
    goal_index = indexes["goals.user_updated"].split('"')[1]
    assert any(f"USING INDEX {goal_index}" in plan for plan in plans), plans


def test_a_renamed_collection_takes_its_indexes_along(engine_db):
    db, path = engine_db
    _fill(db)
    db.command({"renameCollection": "checks.goals", "to": "checks.aims"})
    assert _physical_indexes(path)["aims.user_updated"].endswith("coll_name = 'aims'")
    assert db.aims.count_documents({"user_id": OTHER}) == 15
    assert db.goals.count_documents({"user_id": OTHER}) == 0


def test_a_store_written_before_the_fix_is_narrowed_when_it_opens(tmp_path):
    path = tmp_path / "older.sqlite"
    answers = {}
    for patched in (False, True):
        store = EmbeddedStore(free_port(), path, patched=patched)
        client = MongoClient(store.ensure_running())
        try:
            if not patched:
                _fill(client.checks)
            goals = client.checks.goals.find({"user_id": OTHER}).sort("updated_at", -1)
            answers[patched] = [g["n"] for g in goals]
        finally:
            client.close()
            store.stop()
        sql = _physical_indexes(path)["goals.user_updated"]
        assert ("WHERE db_name" in sql) is patched
    assert answers[True] == answers[False] == list(range(29, 0, -2))


def test_a_write_finds_its_ttl_and_multikey_entries_by_index(engine_db, monkeypatch):
    """Fix 15: the clean-up every write makes in the side tables of TTL and multikey index
    entries looks the written document up by (collection, storage key), not by reading every
    entry of the collection; and a TTL index still expires what it should."""
    db, path = engine_db
    db.sessions.create_index("expires_at", expire_after_seconds=0, name="expires_ttl")
    db.tags.create_index([("tags", 1)], name="tags")
    now = datetime.datetime.now(datetime.UTC)
    db.sessions.insert_many(
        [
            {"_id": f"s{n}", "expires_at": now + datetime.timedelta(days=n - 2, hours=12)}
            for n in range(40)
        ]
    )
    db.tags.insert_many([{"_id": f"t{n}", "tags": ["a", f"b{n}"]} for n in range(40)])
    sent: list[tuple[str, tuple]] = []

    def execute(conn, sql, params=()):
        if sql.lstrip().startswith("DELETE FROM") and "_entries" in sql:
            sent.append((" ".join(sql.split()), tuple(params)))
        return sqlite3.Connection.execute(conn, sql, params)

    monkeypatch.setattr(SQLiteConnection, "execute", execute, raising=False)
    db.sessions.update_one({"_id": "s30"}, {"$set": {"seen": 1}})
    db.tags.update_one({"_id": "t30"}, {"$push": {"tags": "c"}})
    monkeypatch.undo()
    cleanups = [(sql, params) for sql, params in sent if "storage_key = ?" in sql]
    tables = {sql.split()[2] for sql, _ in cleanups}
    assert {"ttl_index_entries", "multikey_entries"} <= tables
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for sql, params in cleanups:
            if sql.split()[2] in ("ttl_index_entries", "multikey_entries"):
                plan = str(conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
                assert "(collection_id=? AND storage_key=?)" in plan, (sql, plan)
    assert db.sessions.count_documents({}) == 38  # s0 and s1 had expired
    assert db.tags.find_one({"tags": "c"})["_id"] == "t30"


def test_a_filter_naming_an_id_and_more_reads_that_row_by_its_key(engine_db, monkeypatch):
    """Fix 18 (store_keyed.py): `{"_id": id, "flag": {"$exists": false}}` tested the whole
    filter on every row of the collection; the same statement with the row's storage key
    added reads the one row by the primary key, and still answers by the whole filter."""
    db, path = engine_db
    people = [ObjectId() for _ in range(30)]
    db.people.insert_many([{"_id": p, "n": n} for n, p in enumerate(people)])
    sent: list[tuple[str, tuple]] = []

    def execute(conn, sql, params=()):
        if "FROM documents" in sql and "json_type(document, '$.flag')" in sql:
            sent.append((sql, tuple(params)))
        return sqlite3.Connection.execute(conn, sql, params)

    monkeypatch.setattr(SQLiteConnection, "execute", execute, raising=False)
    once = {"_id": people[-1], "flag": {"$exists": False}}
    first = db.people.update_one(once, {"$set": {"flag": True}}).modified_count
    second = db.people.update_one(once, {"$set": {"flag": False}}).modified_count
    monkeypatch.undo()
    assert (first, second) == (1, 0)
    assert db.people.find_one({"_id": people[-1]})["flag"] is True
    assert sent, "the engine sent no filtered read"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for sql, params in sent:
            plan = str(conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
            assert "storage_key=?" in plan, plan


@pytest.mark.parametrize("keys", [[("due_at", 1)], [("due_at", 1), ("_id", 1)]])
def test_a_date_range_on_an_indexed_field_reads_the_index_range(engine_db, monkeypatch, keys):
    """Fix 19 (store_ranges.py): `{"due_at": {"$lte": now}}` ranked every row's value by BSON
    type in SQL, a scan of the collection; with dates only stored there it reads the range
    of an index that has the field first, and answers the same documents."""
    db, path = engine_db
    db.series.create_index(keys)
    start = datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC)
    db.series.insert_many(
        [{"n": n, "due_at": start + datetime.timedelta(minutes=n)} for n in range(40)]
    )
    sent: list[tuple[str, tuple]] = []

    def execute(conn, sql, params=()):
        if sql.startswith("SELECT") and "FROM documents" in sql and "'$.due_at" in sql:
            sent.append((sql, tuple(params)))
        return sqlite3.Connection.execute(conn, sql, params)

    monkeypatch.setattr(SQLiteConnection, "execute", execute, raising=False)
    due = {"due_at": {"$lte": start + datetime.timedelta(minutes=2, seconds=30)}}
    found = sorted(d["n"] for d in db.series.find(due))
    monkeypatch.undo()
    assert found == [0, 1, 2]
    assert sent, "the engine sent no filtered read"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for sql, params in sent:
            plan = str(conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
            assert "USING INDEX" in plan and "SCAN" not in plan, plan


def test_an_update_naming_an_id_and_a_field_in_an_array_reads_only_that_row(engine_db, monkeypatch):
    """Fix 22 (store_keyed.py): `{"_id": id, "state.rev": n}`, the meeting series'
    compare-and-set, is a filter SQL cannot test, and the released update decoded every
    document of the collection to test it in Python; the patched one reads the row the `_id`
    names and tests the filter there: it applies at the revision, and not again."""
    db, _ = engine_db
    people = [ObjectId() for _ in range(30)]
    db.series.insert_many(
        [{"_id": p, "state": [{"rev": 0}], "due_at": n} for n, p in enumerate(people)]
    )
    loads: list[str] = []
    released = SQLiteEngine._load_documents

    def load_documents(self, db_name, coll_name, *args, **kwargs):
        loads.append(coll_name)
        return released(self, db_name, coll_name, *args, **kwargs)

    monkeypatch.setattr(SQLiteEngine, "_load_documents", load_documents)
    at_rev = {"_id": people[7], "state.rev": 0}
    update = {"$set": {"state.$[s].rev": 1, "due_at": 100}}
    first = db.series.update_one(at_rev, update, array_filters=[{"s.rev": 0}])
    stale = {"$set": {"state.$[s].rev": 1, "due_at": 200}}
    second = db.series.update_one(at_rev, stale, array_filters=[{"s.rev": 0}])
    gone = db.series.delete_one({"_id": people[8], "state.rev": 5}).deleted_count
    monkeypatch.undo()
    assert (first.modified_count, second.matched_count, second.modified_count) == (1, 0, 0)
    assert db.series.find_one({"_id": people[7]}) == {
        "_id": people[7],
        "state": [{"rev": 1}],
        "due_at": 100,
    }
    assert gone == 0 and db.series.count_documents({}) == 30
    assert loads == []
