"""Fix 19 of store_patches.py: a date range on an indexed top-level field reads the index.

mongoeco translates `{"due_at": {"$lte": <date>}}` into SQL that ranks every document's value
by BSON type order and then compares (one CASE expression per row): no index can serve it,
so the query reads every row of the collection (148 ms with 10,000 meeting series, however
few are due). Ranking by type is how it lets a date bound match values of the types sorted
before dates (numbers, text, null, documents), which MongoDB's own queries never match
(type bracketing).

Where the collection holds nothing but dates at that field (or nothing at all), both ways of
answering agree, and the engine's own same-type comparison (`_translate_same_type_comparison`:
the type is 'datetime' and the value <op> the bound), which it uses for plain values, says
it in the terms of the field's expression index: SQLite reads the index's range. A stored
date is tagged `{"$mongoeco": {"type": "datetime", "value": "<ISO text>"}}`, its value in one
fixed format ("YYYY-MM-DDTHH:MM:SS", and ".ffffff" when there are microseconds) that sorts as
the instants do; the bound is encoded the same way. Whether anything else is stored there is
asked of the same index on every query (two range reads of it, never a scan of the rows
holding dates), so no cached fact can go stale.

Taken only for a field that an index has first, at the top level, never `_id`, and a bound
that is a date; anything else goes to the engine unchanged.
tests/integration/store_script_ranges.py checks the answers against the released engine, with
and without other values stored at the field.
"""

from __future__ import annotations

import re
from datetime import datetime

from mongoeco.core.codec import DocumentCodec
from mongoeco.core.query_plan import (
    GreaterThanCondition,
    GreaterThanOrEqualCondition,
    LessThanCondition,
    LessThanOrEqualCondition,
)
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import (
    _path_literal,
    _translate_same_type_comparison,
    type_expression_sql,
)

OPERATORS = {
    GreaterThanCondition: ">",
    GreaterThanOrEqualCondition: ">=",
    LessThanCondition: "<",
    LessThanOrEqualCondition: "<=",
}
# The stored text of a date, as the engine's codec writes it: sorts as the instants do.
_ORDERED_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?")


def is_ordered_date(value: object) -> bool:
    """Whether the engine stores this bound as a date in the order-keeping text format."""
    if not isinstance(value, datetime):
        return False
    encoded = DocumentCodec.encode(value)
    if not DocumentCodec._is_tagged_value(encoded):
        return False
    payload = encoded[DocumentCodec._MARKER]
    text = payload.get(DocumentCodec._VALUE)
    return (
        payload.get(DocumentCodec._TYPE) == "datetime"
        and isinstance(text, str)
        and _ORDERED_TEXT.fullmatch(text) is not None
    )


def leads_an_index(engine: SQLiteEngine, db_name: str, coll_name: str, field: str) -> bool:
    """Whether an index of the collection has `field` first (its expression index then
    begins with the field's type and value, after the namespace)."""
    return any(index["fields"][:1] == [field] for index in engine._load_indexes(db_name, coll_name))


def holds_dates_only(engine: SQLiteEngine, db_name: str, coll_name: str, field: str) -> bool:
    """Whether every value stored at `field` in the collection is a date (missing is fine):
    a read of the index's type ranges before and after 'datetime', each stopping at the
    first value found."""
    kind, path = type_expression_sql(field), _path_literal(field)
    conn = engine._require_connection()
    for other in (f"{kind} < 'datetime'", f"{kind} > 'datetime'"):
        found = conn.execute(
            "SELECT 1 FROM documents WHERE db_name = ? AND coll_name = ? "
            f"AND {other} AND json_type(document, {path}) IS NOT NULL LIMIT 1",
            (db_name, coll_name),
        ).fetchone()
        if found is not None:
            return False
    return True


def patch_indexed_date_ranges() -> None:
    original = SQLiteEngine._translate_query_plan_with_multikey

    def _translate_query_plan_with_multikey(self, db_name, coll_name, plan):
        operator = OPERATORS.get(type(plan))
        if (
            operator is not None
            and "." not in plan.field
            and plan.field != "_id"
            and is_ordered_date(plan.value)
            and leads_an_index(self, db_name, coll_name, plan.field)
            and holds_dates_only(self, db_name, coll_name, plan.field)
        ):
            return _translate_same_type_comparison(operator, plan.field, plan.value)
        return original(self, db_name, coll_name, plan)

    SQLiteEngine._translate_query_plan_with_multikey = _translate_query_plan_with_multikey
