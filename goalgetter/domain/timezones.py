"""Time zones by IANA name, as browsers report them (Intl.DateTimeFormat)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC_ZONE = ZoneInfo("UTC")
# Names the system knows that are no place a person lives in.
SERVER_ZONES = frozenset({"localtime", "posixrules"})
CHOOSABLE_ZONES = tuple(sorted(available_timezones() - SERVER_ZONES))


def parse_timezone(name: str | None) -> ZoneInfo | None:
    """The zone called `name`, or None for anything else (empty, unknown, a path)."""
    if not name or len(name) > 64 or name.startswith(("/", ".")):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def first_zone(*names: str | None) -> ZoneInfo:
    """The first valid zone among `names`, else UTC."""
    for name in names:
        if zone := parse_timezone(name):
            return zone
    return UTC_ZONE


def local_time_label(instant: datetime, zone: ZoneInfo) -> str:
    """'2027-03-31 14:05 CEST': a stored UTC instant as the user reads it."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
