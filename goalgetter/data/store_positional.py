"""Fix 14: updates through arrays written in SQL, not by encoding the whole document again.

The released engine writes an update in SQL, as `json_set` / `json_remove` of the values it
changes, unless the update has arrayFilters or a path with an array index (`state.0.rev`):
then it encodes and writes the whole document again (for a series' compare-and-set,
`state.$[s].…` with `[{"s.rev": n}]`, ~0.35 ms of its ~2 ms), and first matches the array
filter once per updated path.

Here, once the engine has read the document, each `$[identifier]` path is resolved against
it (each array element matched once) and the update is handed to the engine's own code as
`$set` / `$unset` of those concrete paths, without arrayFilters, so it takes the SQL path.
On this document they name exactly the fields the original update changes, with the same
values; everything else (the write, index entries, change record, result) is the engine's.
The document is read once: the engine is given the read, not asked again.

A `$set` path with numbers is then written in SQL when, in the document read, every number
is the index of an existing array element and every other part names an object's field:
that is what the engine's SQL path (`$.state[0].rev`) means. A number past the end (MongoDB
pads with nulls), a number on an object (a key), and `$unset` of an element (MongoDB leaves
a null) stay on the engine's own path.

Anything else goes to the engine unchanged: other operators, `$` or `$[]`, a filter that
matches no element of some path, two paths resolving to one field or to a field and its
parent, a path through something that is not an array, collations and custom dialects.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import replace
from itertools import pairwise

from mongoeco.core.operators import CompiledUpdatePlan, UpdateEngine
from mongoeco.core.update_paths import expand_positional_update_paths
from mongoeco.engines import sqlite as _sqlite_module
from mongoeco.engines import sqlite_query
from mongoeco.errors import OperationFailure

CONCRETE_OPERATORS = frozenset({"$set", "$unset"})
_RESOLVABLE = frozenset({"field", "index", "filtered_positional"})
# `$set` paths whose every number is checked to index an existing element of an array of
# the document being written (sqlite_query writes a number as an array index, `$.a[2]`)
_ELEMENT_PATHS: ContextVar[frozenset[str]] = ContextVar("element_paths", default=frozenset())
_MISSING = object()


def concrete_update(plan: CompiledUpdatePlan, document: dict) -> dict | None:
    """The plan's `$set` / `$unset` with every `$[identifier]` replaced by the indexes it
    matches in `document`; None when the engine's own path must decide."""
    spec = plan.update_spec
    if not spec or not spec.keys() <= CONCRETE_OPERATORS or plan.touches_document_id:
        return None
    context = plan.context
    matched: dict[tuple[str, int], bool] = {}  # the document is not written while resolving

    def matches(identifier: str, candidate: object) -> bool:
        key = (identifier, id(candidate))
        if key not in matched:
            matched[key] = UpdateEngine._array_filter_matches(
                identifier,
                candidate,
                array_filters=context.compiled_array_filters,
                dialect=context.dialect,
                collation=context.collation,
            )
        return matched[key]

    concrete: dict[str, dict] = {}
    written: list[tuple[str, ...]] = []
    for compiled in plan.compiled_operators:
        fields = spec[compiled.operator]
        concrete[compiled.operator] = {}
        for instruction in compiled.instructions:
            path = instruction.path
            if not all(segment.kind in _RESOLVABLE for segment in path.segments):
                return None
            try:
                targets = expand_positional_update_paths(document, path, filtered_matcher=matches)
            except OperationFailure:
                return None
            if not targets:
                return None
            for target in targets:
                concrete[compiled.operator][target] = fields[path.raw]
                written.append(tuple(target.split(".")))
    ordered = sorted(written)
    if any(current[: len(previous)] == previous for previous, current in pairwise(ordered)):
        return None  # one field twice, or a field and its parent: the engine's error
    return concrete


def _patch_concrete_paths() -> None:
    original = _sqlite_module._sqlite_update_with_operation

    def update_with_operation(**kwargs):
        operation, semantics = kwargs["operation"], kwargs.get("prepared_semantics")
        plan = getattr(semantics, "compiled_update_plan", None)
        if (
            operation.array_filters is None
            or kwargs.get("replacement_document") is not None
            or not isinstance(plan, CompiledUpdatePlan)
            or semantics.collation is not None
            or semantics.sort
            or kwargs["dialect_requires_python_fallback"](semantics.dialect)
        ):
            return original(**kwargs)
        db_name, coll_name = kwargs["db_name"], kwargs["coll_name"]
        kwargs["purge_expired_documents"](kwargs["require_connection"](), db_name, coll_name)
        try:
            selected = kwargs["select_first_document_for_plan"](
                db_name, coll_name, semantics.query_plan
            )
        except (NotImplementedError, TypeError):
            return original(**kwargs)
        read = {
            "purge_expired_documents": lambda *_: None,  # done just above
            "select_first_document_for_plan": lambda *_: selected,
        }
        concrete = None if selected is None else concrete_update(plan, selected[1])
        if concrete is None:
            return original(**(kwargs | read))
        context = plan.context
        concrete_plan = UpdateEngine.compile_update_plan(
            concrete,
            dialect=context.dialect,
            collation=context.collation,
            selector_filter=context.selector_filter,
        )
        concrete_operation = replace(
            operation, update_spec=concrete, compiled_update_plan=concrete_plan, array_filters=None
        )
        return original(
            **kwargs
            | read
            | {
                "operation": concrete_operation,
                "prepared_semantics": replace(semantics, compiled_update_plan=concrete_plan),
            }
        )

    _sqlite_module._sqlite_update_with_operation = update_with_operation


def names_existing_elements(document: dict, path: str) -> bool:
    """Every number in `path` is the index of an element that exists in an array of
    `document`, and the path goes through nothing else but objects: so `$.a[2].b` in SQL is
    the field `a.2.b` means here. (A number past the end pads with nulls, a number on an
    object names a key, `$unset` of an element leaves a null: those stay with the engine.)"""
    current: object = document
    for part in path.split("."):
        if isinstance(current, list) and _is_index(part) and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and not part.isdigit():
            current = current.get(part, _MISSING)
        elif current is _MISSING and not part.isdigit():
            continue
        else:
            return False
    return True


def _is_index(part: str) -> bool:
    return part.isascii() and part.isdigit() and part == str(int(part))


def _patch_element_paths_in_sql() -> None:
    original_translate = _sqlite_module.translate_compiled_update_plan
    has_number = sqlite_query._path_has_numeric_segment

    def _path_has_numeric_segment(path: str) -> bool:
        return path not in _ELEMENT_PATHS.get() and has_number(path)

    def translate_compiled_update_plan(plan, *, current_document=None):
        if current_document is None:
            return original_translate(plan, current_document=current_document)
        paths = frozenset(
            instruction.path.raw
            for operator in plan.compiled_operators
            if operator.operator == "$set"
            for instruction in operator.instructions
            if has_number(instruction.path.raw)
            and names_existing_elements(current_document, instruction.path.raw)
        )
        token = _ELEMENT_PATHS.set(paths)
        try:
            return original_translate(plan, current_document=current_document)
        finally:
            _ELEMENT_PATHS.reset(token)

    sqlite_query._path_has_numeric_segment = _path_has_numeric_segment
    _sqlite_module.translate_compiled_update_plan = translate_compiled_update_plan


def patch_positional_updates_in_sql() -> None:
    _patch_concrete_paths()
    _patch_element_paths_in_sql()
