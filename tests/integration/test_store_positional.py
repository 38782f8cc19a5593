"""Fix 14 of the embedded store (goalgetter/data/store_positional.py): a series'
compare-and-set, with arrayFilters and array indexes, is written as `json_set` of the fields
it changes, not as the whole document encoded again, and the stored document is what
MongoDB's rules make it. That every answer matches the released engine's is checked by the
equivalence script of test_store_patches.py."""

from __future__ import annotations

import datetime
import sqlite3

import pytest
from mongoeco import MongoClient as EngineClient
from mongoeco.engines._sqlite_connection import SQLiteConnection
from mongoeco.engines.sqlite import SQLiteEngine

from goalgetter.data import store_patches

AT = datetime.datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def series(tmp_path):
    store_patches.apply()
    client = EngineClient(
        SQLiteEngine(str(tmp_path / "s.sqlite")), pymongo_profile="auto-installed"
    )
    meetings = [{"id": f"m{i}", "start": AT, "status": "scheduled"} for i in range(3)]
    client.checks.series.insert_one({"_id": "u1", "state": [{"rev": 4, "meetings": meetings}]})
    try:
        yield client.checks.series
    finally:
        client.close()


@pytest.fixture
def writes(monkeypatch):
    """The UPDATE statements the engine sends for the documents table."""
    sent: list[str] = []

    def execute(conn, sql, params=()):
        if sql.lstrip().startswith("UPDATE documents"):
            sent.append(" ".join(sql.split()))
        return sqlite3.Connection.execute(conn, sql, params)

    monkeypatch.setattr(SQLiteConnection, "execute", execute, raising=False)
    return sent


def test_a_compare_and_set_writes_only_the_fields_it_changes(series, writes):
    cas = {"$set": {"state.$[s].rev": 5, "state.$[s].meetings.1.status": "active"}}
    result = series.update_one({"_id": "u1"}, cas, array_filters=[{"s.rev": 4}])
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert len(writes) == 1
    assert writes[0].startswith("UPDATE documents SET document = json_set(document, ")
    assert "'$.state[0].meetings[1].status'" in writes[0]
    state = series.find_one({"_id": "u1"})["state"][0]
    assert state["rev"] == 5
    assert [m["status"] for m in state["meetings"]] == ["scheduled", "active", "scheduled"]
    assert state["meetings"][1] == {"id": "m1", "start": AT, "status": "active"}


def test_a_lost_compare_and_set_writes_nothing(series, writes):
    cas = {"$set": {"state.$[s].rev": 9, "state.$[s].meetings.0.status": "missed"}}
    result = series.update_one({"_id": "u1"}, cas, array_filters=[{"s.rev": 3}])
    assert (result.matched_count, result.modified_count) == (1, 0)
    assert writes == []
    assert series.find_one({"_id": "u1"})["state"][0]["rev"] == 4


def test_an_index_past_the_end_is_left_to_the_engine_which_pads_with_nulls(series, writes):
    series.update_one({"_id": "u1"}, {"$set": {"state.0.meetings.4.status": "extra"}})
    assert len(writes) == 1 and "json_set" not in writes[0]  # the whole document, re-encoded
    meetings = series.find_one({"_id": "u1"})["state"][0]["meetings"]
    assert meetings[3:] == [None, {"status": "extra"}]


def test_a_number_on_an_object_stays_a_key(series, writes):
    series.update_one({"_id": "u1"}, {"$set": {"labels.0": "first"}})
    series.update_one({"_id": "u1"}, {"$set": {"labels.1": "second"}})
    assert series.find_one({"_id": "u1"})["labels"] == {"0": "first", "1": "second"}
    assert all("[0]" not in sql and "[1]" not in sql for sql in writes)
