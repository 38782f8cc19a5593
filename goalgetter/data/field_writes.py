"""Writes of many fields split into parts the embedded store accepts.

The embedded store turns a `$set`/`$unset` of N fields into one SQLite json_set/json_remove
call of 2N+1 / N+1 arguments, and SQLite refuses more than 127: a write of 64 fields or more
failed (first seen as every tick after a downtime that touched as many wheel slots).
"""

from __future__ import annotations

FIELDS_PER_WRITE = 50


def in_parts(fields: dict) -> list[dict]:
    """`fields` split into writes of at most FIELDS_PER_WRITE fields each."""
    items = list(fields.items())
    return [
        dict(items[offset : offset + FIELDS_PER_WRITE])
        for offset in range(0, len(items), FIELDS_PER_WRITE)
    ]
