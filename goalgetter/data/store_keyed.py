"""Reads that name one `_id` (fixes 2 and 18 of store_patches.py).

A str or ObjectId `_id` is stored as the row's storage key, the primary key of the engine's
one table, so an equality on it names at most one row. Fix 2 reads that row for a filter that
is only the `_id` (its code is in store_patches.py, with fix 11's for a list of them). Fix 18
covers a filter that names the `_id` and something else
(`{"_id": id, "flag": {"$exists": false}}`, a compare-and-set on a field): the released plan
tests the whole filter on every row of the collection in SQL (JSON extracts per row: 20 ms at
10,000 users), and the same plan with `storage_key = ?` added, which the `_id` equality
implies, reads the one row by the primary key and tests the rest there.
"""

from __future__ import annotations

import dataclasses

from mongoeco._types._bson_objectid import ObjectId as _EcoObjectId
from mongoeco.core.query_plan import AndCondition, EqualsCondition
from mongoeco.engines.sqlite import SQLiteEngine

# The released plans' filter, right after the collection's namespace: one place to add to.
NAMESPACE_WHERE = "WHERE db_name = ? AND coll_name = ? AND "


def is_plain_id(value: object) -> bool:
    """_ids whose storage key identifies them exactly (no numeric/other BSON aliases)."""
    return type(value) is str or type(value) is _EcoObjectId


def plain_read(engine: SQLiteEngine, semantics, hint) -> bool:
    """A read the released planner would answer by plain SQL: no hint, text search,
    collation or dialect that needs its Python fallback."""
    return (
        hint is None
        and semantics.text_query is None
        and semantics.collation is None
        and not engine._dialect_requires_python_fallback(semantics.dialect)
    )


def named_id(plan: object) -> object | None:
    """The plain `_id` an AND of conditions requires equality with, if one of them does."""
    if not isinstance(plan, AndCondition):
        return None
    named = (c.value for c in plan.clauses if isinstance(c, EqualsCondition) and c.field == "_id")
    return next((value for value in named if is_plain_id(value)), None)


def patch_id_and_more() -> None:
    original = SQLiteEngine._compile_read_execution_plan

    def _compile_read_execution_plan(
        self, db_name, coll_name, semantics, *, select_clause="document", hint=None
    ):
        compiled = original(
            self, db_name, coll_name, semantics, select_clause=select_clause, hint=hint
        )
        value = named_id(semantics.query_plan)
        sql, params = getattr(compiled, "sql", None), getattr(compiled, "params", ())
        if (
            value is None
            or not plain_read(self, semantics, hint)
            or not isinstance(sql, str)
            or sql.count(NAMESPACE_WHERE) != 1
            or tuple(params[:2]) != (db_name, coll_name)
        ):
            return compiled
        keyed = sql.replace(NAMESPACE_WHERE, f"{NAMESPACE_WHERE}storage_key = ? AND ")
        key = self._storage_key(value)
        return dataclasses.replace(
            compiled, sql=keyed, params=(db_name, coll_name, key, *params[2:])
        )

    SQLiteEngine._compile_read_execution_plan = _compile_read_execution_plan
