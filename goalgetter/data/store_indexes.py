"""Fix 12 of store_patches.py: each collection's expression indexes cover that collection only.

mongoeco keeps every collection's documents in one SQLite table and creates each MongoDB
index as an expression index on that whole table ("Physical indexes span every namespace in
the shared table", _sqlite_index_admin.create_index). So every write of any document
recomputes every collection's index expressions on it: with the app's 17 indexes, a write
of an 8.8 KB series document spent 0.6 ms of JSON extraction on indexes of other collections
(0.013 ms without them), and a sign-up's insert paid for the goals' and the sessions'
indexes. Here each such index is made partial, `WHERE db_name = '<db>' AND coll_name =
'<collection>'`: a write maintains only its own collection's indexes, and each index holds
only its own collection's rows. Every query of the engine names its namespace (`db_name = ?
AND coll_name = ?`) and SQLite matches a bound value against a partial index's WHERE, so the
same queries use the same indexes (tests/integration/test_store_indexes.py checks the plans).
A query that names another namespace can no longer pick the index: it was never one of its
rows anyway. Uniqueness is not enforced by these indexes (the engine checks it itself).

Indexes are narrowed when created, when their collection is renamed (the WHERE follows the
name) and, for stores written before this fix, when the engine connects.

After any change of the schema (an index created, made partial or dropped, a collection
dropped) the connection that made it forgets the statements it had prepared
(`patch_schema_changes`). SQLite (3.40 here) re-prepares a cached statement after a schema
change with the values bound to it at that moment, and when they name a partial index's
collection the new plan reads that index and keeps it for every later value: `SELECT ...
WHERE db_name = ? AND coll_name = ?` then answered any other collection with no rows, so
every read the engine tests in Python (a numeric `_id` with more, `$expr`) found nothing, and
so would the whole-collection reads that build a new index. A statement prepared after the
change plans for each value bound to it.

Fix 15 (`patch_entry_lookups`): every write clears the written document's rows in the
engine's side tables of TTL and multikey index entries, `WHERE collection_id = ? AND
storage_key = ?`. The engine indexes that pair for its scalar entries only; the TTL table's
keys begin with the index name and the multikey indexes with it too, so the clean-up read
every TTL entry of the collection: 1.6 ms per write to `sessions` (a sign-in, a sign-up) with
10,000 sessions stored, ten times that with 100,000. The same pair is indexed on both.
"""

from __future__ import annotations

import inspect
import sqlite3

from mongoeco.engines._sqlite_connection import SQLiteConnection
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import _quote_sql_string

NAMESPACE = " WHERE db_name = "
# sqlite3's statement cache per connection (the engine keeps the default).
STATEMENT_CACHE_SIZE = 128
SCHEMA_VERBS = ("CREA", "DROP", "ALTE")
# What the engine's own idx_scalar_index_entries_storage is to its scalar entries.
ENTRY_LOOKUPS = {
    "goalgetter_ttl_entries_storage": "ttl_index_entries",
    "goalgetter_multikey_entries_storage": "multikey_entries",
}


def partial_index_sql(base_sql: str, db_name: str, coll_name: str) -> str:
    """The CREATE INDEX statement `base_sql` limited to one collection's rows."""
    return (
        f"{base_sql}{NAMESPACE}{_quote_sql_string(db_name)} "
        f"AND coll_name = {_quote_sql_string(coll_name)}"
    )


def narrow_indexes(
    conn: sqlite3.Connection, db_name: str | None = None, coll_name: str | None = None
) -> int:
    """Make the expression indexes of one collection (every collection when none is named)
    partial to it; how many were rebuilt. Left as they are inside an open transaction (a
    client session's): the next index creation or connection narrows them."""
    if conn.in_transaction:
        return 0
    rows = conn.execute(
        "SELECT i.db_name, i.coll_name, m.name, m.sql FROM indexes i "
        "JOIN sqlite_master m ON m.type = 'index' AND m.name = i.physical_name "
        "WHERE (?1 IS NULL OR i.db_name = ?1) AND (?2 IS NULL OR i.coll_name = ?2)",
        (db_name, coll_name),
    ).fetchall()
    wanted = {
        name: partial_index_sql(sql.split(NAMESPACE)[0], db, coll) for db, coll, name, sql in rows
    }
    stale = [(name, wanted[name]) for _db, _coll, name, sql in rows if sql != wanted[name]]
    if not stale:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name, partial_sql in stale:
            conn.execute(f'DROP INDEX "{name}"')
            conn.execute(partial_sql)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return len(stale)


def forget_prepared_statements(conn: sqlite3.Connection) -> None:
    """Drop every statement `conn` has cached (see the module docstring): sqlite3 has no call
    for it, but its cache keeps the STATEMENT_CACHE_SIZE newest, so as many others evict
    them."""
    for n in range(STATEMENT_CACHE_SIZE):
        sqlite3.Connection.execute(conn, f"SELECT {n}").close()


def patch_schema_changes() -> None:
    released = sqlite3.Connection.execute

    def execute(self, sql, parameters=(), /):
        cursor = released(self, sql, parameters)
        # Statements that can change the schema start with one of these; most of them
        # (CREATE ... IF NOT EXISTS) change nothing, which the schema's version tells.
        if sql.lstrip()[:4].upper() in SCHEMA_VERBS:
            version = released(self, "PRAGMA schema_version").fetchone()[0]
            if version != getattr(self, "schema_version_seen", None):
                forget_prepared_statements(self)
                self.schema_version_seen = version
        return cursor

    SQLiteConnection.execute = execute


def patch_partial_indexes() -> None:
    connect = SQLiteEngine._connect_sync
    create_index = SQLiteEngine._create_index_sync
    create_index_arguments = inspect.signature(create_index).bind_partial
    rename = SQLiteEngine._rename_collection_sync

    def _connect_sync(self) -> None:
        connect(self)
        with self._lock:
            narrow_indexes(self._require_connection())

    def _create_index_sync(self, db_name, coll_name, *args, **kwargs):
        name = create_index(self, db_name, coll_name, *args, **kwargs)
        bound = create_index_arguments(self, db_name, coll_name, *args, **kwargs)
        with self._lock:
            conn = self._require_connection(bound.arguments.get("context"))
            narrow_indexes(conn, db_name, coll_name)
        return name

    def _rename_collection_sync(self, db_name, coll_name, new_name, context=None):
        rename(self, db_name, coll_name, new_name, context)
        with self._lock:
            narrow_indexes(self._require_connection(context), db_name, new_name)

    SQLiteEngine._connect_sync = _connect_sync
    SQLiteEngine._create_index_sync = _create_index_sync
    SQLiteEngine._rename_collection_sync = _rename_collection_sync
    patch_schema_changes()


def add_entry_lookups(conn: sqlite3.Connection) -> None:
    """Index each side table of index entries by (collection_id, storage_key)."""
    for name, table in ENTRY_LOOKUPS.items():
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} (collection_id, storage_key)")
    if conn.in_transaction:
        conn.commit()


def patch_entry_lookups() -> None:
    connect = SQLiteEngine._connect_sync

    def _connect_sync(self) -> None:
        connect(self)
        with self._lock:
            add_entry_lookups(self._require_connection())

    SQLiteEngine._connect_sync = _connect_sync
