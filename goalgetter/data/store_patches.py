"""Narrow fixes to the embedded store's SQLite engine, applied in the store's own process.

mongoeco (the embedded MongoDB wire server) makes many operations cost as much as the whole
collection: every insert decodes every document to check `_id` uniqueness; a lookup by an
`_id` that does not exist falls back to a full scan; every write drops cached facts that the
next query re-probes with full scans; an equality on an indexed field cannot use the index;
every sorted query runs an uncached full-scan probe. Each patch below wraps one private
engine method and falls through to the original code whenever its narrow precondition does
not hold. They were checked against the unpatched engine on the same operations
(tests/integration/test_store_patches.py) and pass the project's integration suite.

Private methods change between releases: `apply()` refuses any mongoeco but the pinned
version, so an upgrade fails loudly at start-up instead of misbehaving.

  1  insert: no whole-collection decode to check a str / ObjectId `_id` (the primary key
     already refuses a duplicate)
  2  an exact str / ObjectId `_id`: a primary-key lookup, no fallback scan on a miss
  3  the feature cache kept up to date on writes, not dropped (store_features.py)
  4  equality on an indexed top-level field with no array values: the index is used
  5  sorted finds: the per-query probe answered from a cached collection-wide fact
  6  writes nobody watches: the change-outbox gap record no longer serializes the whole
     written document only to fingerprint a payload it does not keep
  7  updates and deletes: documents copied as trees of containers with shared immutable
     leaves (store_codec.py), not by copy.deepcopy, seven times per update; the API's bulk
     writes and inserts copy their operations and documents the same way
  8  encoding a document checks each value once, not once per level it is nested in
  9  a plain string, boolean, null, float or datetime is encoded without trying ~25 types
     first (store_codec.py)
 10  writes nobody watches: their change-outbox records are handed to the change hub every
     DISPATCH_EVERY writes, all at once, not after each write
 11  `_id` `$in` a list of str / ObjectId values: primary-key lookups, not a scan
 12  each collection's expression indexes cover its own rows only, so a write no longer
     recomputes every other collection's index expressions on its document
     (store_indexes.py)
 13  the check for NaN before an update in SQL does not encode every datetime and ObjectId
     of the stored document to look inside it (store_codec.py)
 14  updates with arrayFilters or array indexes written in SQL as the concrete paths they
     resolve to in the document read, not by encoding it all again (store_positional.py)
 15  a write's clean-up of its TTL and multikey index entries finds them by an index, not by
     reading every entry of the collection (store_indexes.py)
 16  the wire `insert` command of several documents inserts them as one batch, not one
     `insert_one` each (store_inserts.py)
 17  an update's outcome keeps the images the engine copied for it instead of copying them
     twice more (store_codec.py)
 18  a filter naming a str / ObjectId `_id` and more reads that one row by its storage key,
     not every row of the collection (store_keyed.py)
 19  a date range (`$lt`, `$lte`, `$gt`, `$gte`) on an indexed top-level field reads the
     index's range, not every row (store_ranges.py)
 20  the engine's steps run on the store's event loop, not in a pool of threads that the
     one SQLite connection serializes anyway (store_loop.py)
 21  decoding a stored document no longer inspects the codec's signature each time
     (store_codec.py)
 22  an update or delete whose filter names a str / ObjectId `_id` and a condition SQL
     cannot test tests it on that one row, not on every document (store_keyed.py)
"""

from __future__ import annotations

from importlib.metadata import version as installed_version

from mongoeco.core.operation_context import ChangePublicationPolicy
from mongoeco.core.query_plan import EqualsCondition, InCondition
from mongoeco.engines import sqlite as _sqlite_module
from mongoeco.engines.adapter import EngineSpiAdapter
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_planner import SQLiteReadExecutionPlan
from mongoeco.engines.sqlite_query import (
    _translate_equals_scalar_only,
    json_path_for_field,
    type_expression_sql,
)

from goalgetter.data.store_codec import (
    patch_decode_signature,
    patch_document_copies,
    patch_encode_validation,
    patch_fresh_images,
    patch_nonfinite_check,
    patch_plain_scalars,
)
from goalgetter.data.store_features import (
    patch_incremental_features,
    sort_python_values_predicate,
)
from goalgetter.data.store_indexes import patch_entry_lookups, patch_partial_indexes
from goalgetter.data.store_inserts import patch_batched_inserts
from goalgetter.data.store_keyed import (
    is_plain_id,
    patch_id_and_more,
    patch_keyed_write_selection,
    plain_read,
)
from goalgetter.data.store_loop import patch_steps_on_loop
from goalgetter.data.store_positional import patch_positional_updates_in_sql
from goalgetter.data.store_ranges import patch_indexed_date_ranges

PINNED_VERSION = "4.11.0"
DISPATCH_EVERY = 64
MAX_ID_LIST = 500  # longer `_id` lists fall back to the released plan
_applied: set[int] = set()


class UnsupportedStoreVersion(RuntimeError):
    pass


def _patch_insert_uniqueness() -> None:
    original = SQLiteEngine._validate_document_against_unique_indexes

    def _validate_document_against_unique_indexes(
        self,
        db_name,
        coll_name,
        document,
        *,
        exclude_storage_key=None,
        skip_id_check=False,
        scan_payload_id=False,
    ):
        # insert_document_record (_sqlite_write_ops.py:100-107) and $merge
        # (sqlite.py:5597-5605) pass scan_payload_id=True unconditionally, which loads
        # and JSON-decodes every document. For a str/ObjectId _id the storage key
        # (primary key) already identifies every BSON-equal _id, which is what
        # insert_many (_batch_id_equality_keys) and get_document already assume.
        if scan_payload_id and not skip_id_check and is_plain_id(document.get("_id", 0)):
            scan_payload_id = False
        return original(
            self,
            db_name,
            coll_name,
            document,
            exclude_storage_key=exclude_storage_key,
            skip_id_check=skip_id_check,
            scan_payload_id=scan_payload_id,
        )

    SQLiteEngine._validate_document_against_unique_indexes = (
        _validate_document_against_unique_indexes
    )


def _sql_read_plan(semantics, sql: str, params: list[object]) -> SQLiteReadExecutionPlan:
    """The released engine's SQL read plan for `sql`, with the query's skip and limit."""
    limit, skip = semantics.limit, semantics.skip or 0
    if (limit is not None and limit > 0) or skip:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, limit if limit is not None and limit > 0 else -1, skip]
    return SQLiteReadExecutionPlan(
        semantics=semantics,
        strategy="sql",
        execution_lineage=(),
        physical_plan=(),
        use_sql=True,
        sql=sql,
        params=tuple(params),
    )


def _patch_id_lookup() -> None:
    original = SQLiteEngine._compile_read_execution_plan

    def _compile_read_execution_plan(
        self,
        db_name,
        coll_name,
        semantics,
        *,
        select_clause="document",
        hint=None,
    ):
        plan = semantics.query_plan
        if (
            isinstance(plan, EqualsCondition)
            and plan.field == "_id"
            and is_plain_id(plan.value)
            and plain_read(self, semantics, hint)
        ):
            # At most one row can match: the one whose storage key is the _id's.
            sql = (
                f"SELECT {select_clause} FROM documents "
                "WHERE db_name = ? AND coll_name = ? AND storage_key = ?"
            )
            params: list[object] = [db_name, coll_name, self._storage_key(plan.value)]
            return _sql_read_plan(semantics, sql, params)
        return original(self, db_name, coll_name, semantics, select_clause=select_clause, hint=hint)

    SQLiteEngine._compile_read_execution_plan = _compile_read_execution_plan


def _patch_id_list_lookup() -> None:
    original = SQLiteEngine._compile_read_execution_plan

    def _compile_read_execution_plan(
        self,
        db_name,
        coll_name,
        semantics,
        *,
        select_clause="document",
        hint=None,
    ):
        plan = semantics.query_plan
        if (
            isinstance(plan, InCondition)
            and plan.field == "_id"
            and 0 < len(plan.values) <= MAX_ID_LIST
            and all(is_plain_id(value) for value in plan.values)
            and not semantics.sort
            and plain_read(self, semantics, hint)
        ):
            # The released plan decodes every document of the collection to test its _id;
            # each listed str / ObjectId names at most one row by its storage key (as for
            # fix 2). Storage-key order is the order the released scan returns them in.
            keys = sorted({self._storage_key(value) for value in plan.values})
            sql = (
                f"SELECT {select_clause} FROM documents WHERE db_name = ? AND coll_name = ? "
                f"AND storage_key IN ({', '.join('?' * len(keys))}) ORDER BY storage_key"
            )
            params: list[object] = [db_name, coll_name, *keys]
            return _sql_read_plan(semantics, sql, params)
        return original(self, db_name, coll_name, semantics, select_clause=select_clause, hint=hint)

    SQLiteEngine._compile_read_execution_plan = _compile_read_execution_plan


def _patch_indexed_equality() -> None:
    original = SQLiteEngine._translate_equals_with_multikey

    def _translate_equals_with_multikey(self, collection_id, db_name, coll_name, plan, index):
        # Original: "(scalar equality) OR EXISTS(multikey_entries ...)". multikey_entries
        # rows exist only for documents whose value at the field is an array
        # (_extract_multikey_entries); for a top-level field with no array values in the
        # collection the EXISTS arm is always false. Without the OR, SQLite can use the
        # index's expression index on documents for codec-tagged values (ObjectId, datetime).
        if (
            "." not in plan.field
            and plan.field != "_id"
            and not self._field_is_top_level_array_in_collection(db_name, coll_name, plan.field)
        ):
            try:
                return _translate_equals_scalar_only(
                    plan.field, plan.value, null_matches_undefined=plan.null_matches_undefined
                )
            except NotImplementedError:
                pass
        return original(self, collection_id, db_name, coll_name, plan, index)

    SQLiteEngine._translate_equals_with_multikey = _translate_equals_with_multikey


def _collection_has_sort_python_values(engine, db_name, coll_name, field) -> bool:
    key = (db_name, coll_name, f"sort_python_values:{field}")
    cache = engine._collection_features_cache
    if key in cache:
        return cache[key]
    row = (
        engine._require_connection()
        .execute(
            "SELECT 1 FROM documents WHERE db_name = ? AND coll_name = ? "
            f"AND ({sort_python_values_predicate(field)}) LIMIT 1",
            (db_name, coll_name),
        )
        .fetchone()
    )
    cache[key] = row is not None
    return cache[key]


def _patch_sort_probe() -> None:
    original = SQLiteEngine._sort_requires_python
    library_sort_requires_python = _sqlite_module._sqlite_sort_requires_python

    def _sort_requires_python(self, db_name, coll_name, plan, sort):
        # Original runs, on EVERY sorted query, "SELECT 1 FROM documents WHERE <filter>
        # AND <sort value is array/plain object/int64/decimal> LIMIT 1": a full scan when
        # nothing matches (the usual case), and the filter is translated without indexes.
        # If no document of the collection has such a sort value (cached, collection-wide)
        # the filtered probe cannot find one either: answer it with None, keep the rest.
        if sort and not any(
            _collection_has_sort_python_values(self, db_name, coll_name, field)
            for field, _direction in sort
        ):
            return library_sort_requires_python(
                db_name=db_name,
                coll_name=coll_name,
                plan=plan,
                sort=sort,
                plan_has_array_traversing_paths=self._plan_has_array_traversing_paths,
                translate_query_plan=_sqlite_module.translate_query_plan,
                field_traverses_array_in_collection=self._field_traverses_array_in_collection,
                field_contains_tagged_bytes_in_collection=self._field_contains_tagged_bytes_in_collection,
                field_contains_tagged_undefined_in_collection=self._field_contains_tagged_undefined_in_collection,
                fetchone=lambda sql, params: None,
                type_expression_sql=type_expression_sql,
                json_path_for_field=json_path_for_field,
            )
        return original(self, db_name, coll_name, plan, sort)

    SQLiteEngine._sort_requires_python = _sort_requires_python


def _patch_gap_records() -> None:
    original = _sqlite_module._sqlite_append_change

    def append_change(conn, *, context=None, full_document=None, **rest):
        # With no change stream open, every write still records a "gap" in the change
        # outbox (_sqlite_outbox.append_change). Its payload is None, yet the whole written
        # document is serialized to fingerprint the entry: as costly as storing the document
        # again (half of an update of a 10-meeting series). The fingerprint only guards a
        # replayed operation id against a different payload, and a gap has none; so a gap
        # is fingerprinted without the document. Published events (EMIT) are unchanged.
        if context is not None and context.publication is ChangePublicationPolicy.RECORD_GAP:
            full_document = None
        return original(conn, context=context, full_document=full_document, **rest)

    _sqlite_module._sqlite_append_change = append_change


def _patch_unwatched_dispatch() -> None:
    original = EngineSpiAdapter.dispatch_committed_changes
    pending: dict[int, int] = {}

    def dispatch_committed_changes(self, sink):
        # After every write the engine hands the change outbox's new records to the
        # collection's change hub: a lease row written and committed, a heartbeat thread
        # started and joined, a checkpoint committed per record, a compaction and a release
        # committed; a third to a half of an update's time. With no watcher and no journal
        # (should_publish_events False: nothing over the wire can open a change stream) the
        # hub only counts each record as a gap nobody reads, so the records wait and go
        # over DISPATCH_EVERY at a time; the compaction then bounds the outbox as before. A
        # hub that publishes gets every write's records at once, as released.
        publishes = getattr(sink, "should_publish_events", None)
        if callable(publishes) and not publishes():
            waiting = pending.get(id(sink), 0) + 1
            if waiting < DISPATCH_EVERY:
                pending[id(sink)] = waiting
                return None
            pending[id(sink)] = 0
        return original(self, sink)

    EngineSpiAdapter.dispatch_committed_changes = dispatch_committed_changes


_PATCHES = {
    1: _patch_insert_uniqueness,
    2: _patch_id_lookup,
    3: patch_incremental_features,
    4: _patch_indexed_equality,
    5: _patch_sort_probe,
    6: _patch_gap_records,
    7: patch_document_copies,
    8: patch_encode_validation,
    9: patch_plain_scalars,
    10: _patch_unwatched_dispatch,
    11: _patch_id_list_lookup,
    12: patch_partial_indexes,
    13: patch_nonfinite_check,
    14: patch_positional_updates_in_sql,
    15: patch_entry_lookups,
    16: patch_batched_inserts,
    17: patch_fresh_images,
    18: patch_id_and_more,
    19: patch_indexed_date_ranges,
    20: patch_steps_on_loop,
    21: patch_decode_signature,
    22: patch_keyed_write_selection,
}


def apply(*which: int) -> None:
    """Apply the patches `which` (all when none are named), each once per process."""
    found = installed_version("mongoeco")
    if found != PINNED_VERSION:
        raise UnsupportedStoreVersion(
            f"The embedded store's fixes were written for mongoeco {PINNED_VERSION}, and "
            f"mongoeco {found} is installed. Pin mongoeco=={PINNED_VERSION}, or check each "
            "patched method against the new release and move the pin."
        )
    for number in which or tuple(_PATCHES):
        if number not in _applied:
            _PATCHES[number]()
            _applied.add(number)


def verify_storage_keys(sqlite_path: str) -> list[tuple[str, str, str]]:
    """Offline check for patches 1/2: every row's storage key must be what this
    mongoeco version computes from its _id. Returns the mismatching rows."""
    import sqlite3

    engine = SQLiteEngine(":memory:")  # never connected: only its codec helpers are used
    conn = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    bad = []
    for db_name, coll_name, key, payload in conn.execute(
        "SELECT db_name, coll_name, storage_key, document FROM documents"
    ):
        document = engine._deserialize_document(payload)
        if "_id" in document and engine._storage_key(document["_id"]) != key:
            bad.append((db_name, coll_name, key))
    conn.close()
    return bad
