"""The store's per-collection feature cache, kept up to date on writes instead of dropped.

mongoeco caches, per collection, facts such as "some document holds an array at field F"
and drops every one of them on every write; the next query re-probes each fact with a
`SELECT 1 ... LIMIT 1` that scans the whole collection when the answer is no (the usual
case). Here a write records the rows it wrote, and each cached fact is re-checked against
those rows only, with the probes' own SQL: a False that a written row makes True becomes
True; a True stays True (it only ever sends queries down the slower, general path); deletes
change nothing. A fact of a kind not known here is dropped, as before. Written against the
mongoeco version pinned in goalgetter/data/store_patches.py.
"""

from __future__ import annotations

import functools
import threading

from mongoeco.core.codec import DocumentCodec
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import (
    _quote_sql_string,
    json_path_for_field,
    path_array_prefixes,
    type_expression_sql,
)

_tls = threading.local()


def _ctx_stack() -> list[dict]:
    stack = getattr(_tls, "stack", None)
    if stack is None:
        stack = _tls.stack = []
    return stack


def _tagged_type_path(field: str) -> str:
    return json_path_for_field(field) + f'."{DocumentCodec._MARKER}".{DocumentCodec._TYPE}'


_PRESENT = "json_type(document, ?1) IS NOT NULL AND "
_MISMATCH = {  # copied from _field_has_comparison_type_mismatch_in_collection
    "number": _PRESENT + "json_type(document, ?1) NOT IN ('integer', 'real')",
    "string": _PRESENT + "json_type(document, ?1) != 'text'",
    "bool": _PRESENT + "json_type(document, ?1) NOT IN ('true', 'false')",
}
_SCALAR_OR_ARRAY = {  # copied from _field_has_scalar_or_array_element_type_mismatch_in_collection
    "number": ("'integer', 'real', 'array'", "json_each.type NOT IN ('integer', 'real')"),
    "string": ("'text', 'array'", "json_each.type != 'text'"),
    "bool": ("'true', 'false', 'array'", "json_each.type NOT IN ('true', 'false')"),
}
_UNIFORM = {"number": "('integer', 'real')", "string": "('text')", "bool": "('true', 'false')"}
_DROP = object()


def _rows_match(conn, db_name, coll_name, keys, predicate, args) -> bool:
    """Does any of the rows `keys` satisfy `predicate` (?1.. are `args`)?"""
    keys = list(keys)
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        base = len(args)
        marks = ", ".join(f"?{base + 3 + i}" for i in range(len(chunk)))
        sql = (
            "SELECT 1 FROM documents "
            f"WHERE db_name = ?{base + 1} AND coll_name = ?{base + 2} "
            f"AND storage_key IN ({marks}) AND ({predicate}) LIMIT 1"
        )
        if conn.execute(sql, (*args, db_name, coll_name, *chunk)).fetchone() is not None:
            return True
    return False


def _refresh_feature(conn, db_name, coll_name, name: str, cached, keys):
    """New value of one cached feature after rows `keys` were written, or _DROP."""
    kind, _, rest = name.partition(":")
    # Does any written row satisfy the predicate (?1.. are the args)?
    written = functools.partial(_rows_match, conn, db_name, coll_name, keys)
    if kind == "uniform_scalar_sort_type":
        if not isinstance(cached, str) or cached not in _UNIFORM:
            return cached  # False ("not uniform") only disables the fast sort: keep
        if not keys:
            return cached
        path = json_path_for_field(rest)
        broken = written(
            f"json_type(document, ?1) IS NULL OR json_type(document, ?1) NOT IN {_UNIFORM[cached]}",
            (path,),
        )
        return False if broken else cached
    if cached is not True and cached is not False:
        return _DROP
    if cached is True or not keys:
        # True only ever selects the slower, general path; removing rows can only
        # turn an "exists" fact false, so keeping True is safe, keeping False exact.
        return cached if kind in _KNOWN_KINDS else _DROP
    # cached False, rows were written: does one of them make it true?
    if kind in ("top_level_array", "contains_real_numeric"):
        json_type = "array" if kind == "top_level_array" else "real"
        return written(
            f"json_type(document, ?1) = '{json_type}'",
            (json_path_for_field(rest),),
        )
    if kind == "traverses_array":
        return any(
            written(
                "json_type(document, ?1) = 'array'",
                (json_path_for_field(prefix),),
            )
            for prefix in path_array_prefixes(rest)
        )
    if kind == "traverses_dbref":
        parts = rest.split(".")
        return any(
            written(
                "json_extract(document, ?1) = 'dbref'",
                (_tagged_type_path(".".join(parts[:n])),),
            )
            for n in range(1, len(parts))
        )
    if kind == "tagged_type":
        field, _, value_type = rest.rpartition(":")
        return written(
            "json_extract(document, ?1) = ?2",
            (_tagged_type_path(field), value_type),
        )
    if kind == "comparison_mismatch":
        field, _, expected = rest.rpartition(":")
        if expected not in _MISMATCH:
            return _DROP
        return written(_MISMATCH[expected], (json_path_for_field(field),))
    if kind == "scalar_or_array_comparison_mismatch":
        field, _, expected = rest.rpartition(":")
        if expected not in _SCALAR_OR_ARRAY:
            return _DROP
        allowed, element = _SCALAR_OR_ARRAY[expected]
        predicate = (
            f"(json_type(document, ?1) IS NOT NULL AND json_type(document, ?1) NOT IN ({allowed})) "
            f"OR (json_type(document, ?1) = 'array' AND EXISTS "
            f"(SELECT 1 FROM json_each(document, ?1) WHERE {element}))"
        )
        return written(predicate, (json_path_for_field(field),))
    if kind == "sort_python_values":
        return written(sort_python_values_predicate(rest), ())
    if kind == "contains_non_ascii_text":
        path = json_path_for_field(rest)
        marks = ", ".join("?" for _ in keys)
        rows = conn.execute(
            "SELECT json_extract(document, ?) FROM documents "
            f"WHERE db_name = ? AND coll_name = ? AND storage_key IN ({marks}) "
            "AND json_type(document, ?) = 'text'",
            (path, db_name, coll_name, *keys, path),
        ).fetchall()
        return any(isinstance(v, str) and not v.isascii() for (v,) in rows)
    return _DROP


_KNOWN_KINDS = {
    "top_level_array",
    "contains_real_numeric",
    "traverses_array",
    "traverses_dbref",
    "tagged_type",
    "comparison_mismatch",
    "scalar_or_array_comparison_mismatch",
    "contains_non_ascii_text",
    "sort_python_values",
}


class _WriteScope:
    """Records, for the duration of one engine write call, which rows it wrote."""

    def __init__(self, db_name, coll_name, keys=()):
        self.ns = (db_name, coll_name)
        self.keys = set(keys)

    def __enter__(self):
        _ctx_stack().append(self)
        return self

    def __exit__(self, *exc):
        _ctx_stack().pop()
        return False


def _current_scope(db_name, coll_name):
    stack = _ctx_stack()
    if stack and stack[-1].ns == (db_name, coll_name):
        return stack[-1]
    return None


def _write_frames() -> list[tuple[object, dict | None]]:
    frames = getattr(_tls, "write_frames", None)
    if frames is None:
        frames = _tls.write_frames = []
    return frames


def _pop_write_frame(conn) -> dict | None:
    frames = _write_frames()
    for position in range(len(frames) - 1, -1, -1):
        if frames[position][0] is conn:
            return frames.pop(position)[1]
    return None


def patch_incremental_features() -> None:
    E = SQLiteEngine
    orig_invalidate = E._invalidate_collection_features_cache
    orig_insert = E._insert_document_sync
    orig_insert_many = E._insert_documents_sync
    orig_update = E._update_with_operation_sync
    orig_delete = E._delete_document_sync
    orig_delete_matching = E._delete_matching_document_sync
    orig_rebuild_scalar = E._rebuild_scalar_entries_for_document
    orig_begin_write = E._begin_write
    orig_commit_write = E._commit_write
    orig_rollback_write = E._rollback_write

    def _invalidate_collection_features_cache(self, db_name=None, coll_name=None):
        scope = None if db_name is None or coll_name is None else _current_scope(db_name, coll_name)
        if scope is None:
            return orig_invalidate(self, db_name, coll_name)
        cache = self._collection_features_cache
        prefix = (db_name, coll_name)
        entries = [(key, value) for key, value in list(cache.items()) if key[:2] == prefix]
        if not entries:
            return None
        conn = self._require_connection()
        for key, value in entries:
            try:
                new = _refresh_feature(conn, db_name, coll_name, key[2], value, scope.keys)
            except Exception:  # any surprise: behave like the original
                new = _DROP
            if new is _DROP:
                cache.pop(key, None)
            else:
                cache[key] = new
        return None

    def _insert_document_sync(self, db_name, coll_name, document, *args, **kwargs):
        if "_id" not in document:
            return orig_insert(self, db_name, coll_name, document, *args, **kwargs)
        with _WriteScope(db_name, coll_name, [self._storage_key(document["_id"])]):
            return orig_insert(self, db_name, coll_name, document, *args, **kwargs)

    def _insert_documents_sync(
        self, db_name, coll_name, documents, prepared_documents, *args, **kwargs
    ):
        keys = [storage_key for storage_key, _payload, _rows in prepared_documents]
        with _WriteScope(db_name, coll_name, keys):
            return orig_insert_many(
                self, db_name, coll_name, documents, prepared_documents, *args, **kwargs
            )

    def _update_with_operation_sync(self, db_name, coll_name, *args, **kwargs):
        # update_with_operation (_sqlite_modify_ops.py) calls
        # rebuild_scalar_entries_for_document(new row) before every invalidation.
        with _WriteScope(db_name, coll_name):
            return orig_update(self, db_name, coll_name, *args, **kwargs)

    def _delete_document_sync(self, db_name, coll_name, *args, **kwargs):
        with _WriteScope(db_name, coll_name):
            return orig_delete(self, db_name, coll_name, *args, **kwargs)

    def _delete_matching_document_sync(self, db_name, coll_name, *args, **kwargs):
        with _WriteScope(db_name, coll_name):
            return orig_delete_matching(self, db_name, coll_name, *args, **kwargs)

    def _rebuild_scalar_entries_for_document(
        self, conn, db_name, coll_name, storage_key, document, indexes
    ):
        scope = _current_scope(db_name, coll_name)
        if scope is not None:
            scope.keys.add(storage_key)
        return orig_rebuild_scalar(self, conn, db_name, coll_name, storage_key, document, indexes)

    # A write that fails (e.g. DuplicateKeyError from a unique secondary index, raised
    # after BEGIN IMMEDIATE) ends in rollback_write, whose _clear_rollback_sensitive_caches
    # (_sqlite_session_runtime.py:47-56, 243-248) drops the WHOLE feature cache: every
    # fact is then re-probed by a full scan. Rolling back an outermost BEGIN IMMEDIATE
    # puts the database back exactly as it was at BEGIN, so the cache as it was then is
    # right again: restore that copy. Savepoints and session transactions: unchanged.
    def _begin_write(self, conn, context):
        outermost = not (conn.in_transaction is True or self._session_owns_transaction(context))
        orig_begin_write(self, conn, context)
        snapshot = dict(self._collection_features_cache) if outermost else None
        _write_frames().append((conn, snapshot))

    def _commit_write(self, conn, context):
        orig_commit_write(self, conn, context)
        _pop_write_frame(conn)  # if the commit raised, the scope rolls back: popped there

    def _rollback_write(self, conn, context):
        snapshot = _pop_write_frame(conn)
        orig_rollback_write(self, conn, context)  # raises: the cache stays dropped
        if snapshot is not None:
            cache = self._collection_features_cache
            cache.clear()
            cache.update(snapshot)

    E._invalidate_collection_features_cache = _invalidate_collection_features_cache
    E._insert_document_sync = _insert_document_sync
    E._insert_documents_sync = _insert_documents_sync
    E._update_with_operation_sync = _update_with_operation_sync
    E._delete_document_sync = _delete_document_sync
    E._delete_matching_document_sync = _delete_matching_document_sync
    E._rebuild_scalar_entries_for_document = _rebuild_scalar_entries_for_document
    E._begin_write = _begin_write
    E._commit_write = _commit_write
    E._rollback_write = _rollback_write


def sort_python_values_predicate(field: str) -> str:
    # The per-query probe of sort_requires_python (_sqlite_plan_heuristics.py:89-105)
    # without its filter part: values at the sort field that force a Python sort.
    path = _quote_sql_string(json_path_for_field(field))
    return (
        f"json_type(document, {path}) = 'array' OR (json_type(document, {path}) = 'object' "
        f"AND {type_expression_sql(field)} IN "
        "('', 'int64', 'decimal', 'decimal128', 'decimal128_public'))"
    )
