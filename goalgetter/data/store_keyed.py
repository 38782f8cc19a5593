"""Reads that name one `_id` (fixes 2, 18 and 22 of store_patches.py).

A str or ObjectId `_id` is stored as the row's storage key, the primary key of the engine's
one table, so an equality on it names at most one row. Fix 2 reads that row for a filter that
is only the `_id` (its code is in store_patches.py, with fix 11's for a list of them). Fix 18
covers a filter that names the `_id` and something else
(`{"_id": id, "flag": {"$exists": false}}`, a compare-and-set on a field): the released plan
tests the whole filter on every row of the collection in SQL (JSON extracts per row: 20 ms at
10,000 users), and the same plan with `storage_key = ?` added, which the `_id` equality
implies, reads the one row by the primary key and tests the rest there.

Fix 22 is the same for the row an update or a delete picks, when the rest of the filter is
one SQL cannot test (a field inside an array: `{"_id": id, "state.rev": 4}`, the meeting
series' compare-and-set). The released code then decodes every document of the collection
and tests the filter on each in Python (116 ms a statement at 1,000 series); the fix reads
the one row the `_id` names, as the released code does for a filter that is only the `_id`,
and tests the whole filter on it in Python, as the released fallback would have. Filters the
document alone cannot decide (`$expr` with the command's variables, `$where`, a schema, geo)
keep the released fallback.
"""

from __future__ import annotations

import dataclasses

from mongoeco._types._bson_objectid import ObjectId as _EcoObjectId
from mongoeco.core import query_plan
from mongoeco.core.filtering import QueryEngine
from mongoeco.core.query_plan import AndCondition, EqualsCondition, NotCondition, OrCondition
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


# Conditions on a field's values: the document alone decides them.
_FIELD_CONDITIONS = (
    query_plan.AllCondition,
    query_plan.BitwiseCondition,
    query_plan.ElemMatchCondition,
    query_plan.EqualsCondition,
    query_plan.ExistsCondition,
    query_plan.GreaterThanCondition,
    query_plan.GreaterThanOrEqualCondition,
    query_plan.InCondition,
    query_plan.LessThanCondition,
    query_plan.LessThanOrEqualCondition,
    query_plan.ModCondition,
    query_plan.NotEqualsCondition,
    query_plan.NotInCondition,
    query_plan.RegexCondition,
    query_plan.SizeCondition,
    query_plan.TypeCondition,
)


def decided_by_document(plan: object) -> bool:
    """Whether testing `plan` needs nothing but the document (no variables, code or geo)."""
    if isinstance(plan, AndCondition | OrCondition):
        return all(decided_by_document(clause) for clause in plan.clauses)
    if isinstance(plan, NotCondition):
        return decided_by_document(plan.clause)
    return isinstance(plan, _FIELD_CONDITIONS)


def patch_keyed_write_selection() -> None:
    original = SQLiteEngine._select_first_document_for_plan

    def _select_first_document_for_plan(self, db_name, coll_name, plan, *, hint=None, context=None):
        try:
            return original(self, db_name, coll_name, plan, hint=hint, context=context)
        except (NotImplementedError, TypeError):
            value = named_id(plan)
            if value is None or hint is not None or not decided_by_document(plan):
                raise
        named = EqualsCondition("_id", value)
        row = original(self, db_name, coll_name, named, context=context)
        return row if row is not None and QueryEngine.match_plan(row[1], plan) else None

    SQLiteEngine._select_first_document_for_plan = _select_first_document_for_plan


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
