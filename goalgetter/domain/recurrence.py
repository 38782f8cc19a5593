"""When check-in meetings happen: a schedule and the real recurrence rule behind it.

The first implementation stored the cadence as a day count, so "monthly" drifted and DST moved
meetings by an hour. Here the rule is a `dateutil.rrule` over *local wall times* in the user's
zone; each wall time is then attached to that zone and converted to UTC. So a 09:00
Europe/Berlin meeting stays 09:00 in Berlin all year (its UTC hour moves 08 ↔ 07), and
"monthly on the 31st" falls on the last day of shorter months.

Edge decisions (RFC 5545 §3.3.5 makes the same ones, so .ics exports and calendars agree):

- A local time that does not exist (the spring-forward gap, e.g. 02:30 in Berlin on the last
  Sunday of March) is read with the offset from *before* the gap: it becomes 03:30 local, the
  same UTC instant as 02:30 standard time. The meeting keeps its length and is never dropped.
- An ambiguous local time (fall-back, 02:30 happens twice) is the *first* one (fold=0).
- `occurrences(after=...)` includes a meeting starting exactly at `after`.

Cadence periods (`period_index`) count from the series' anchor, the local date of its first
meeting: weekly = 7-day periods starting on the meeting's weekday, bi-weekly = 14-day periods
from the anchor (the same weeks the rule uses, so parity never slips), monthly = calendar
months. The generated series has exactly one meeting per period. A weekly or bi-weekly
meeting sits on the first day of its period, so it can be moved later within it (up to 6 or
13 days) but not to an earlier day, which is the previous meeting's period; ISO weeks would
instead give Monday meetings no room to move earlier and Sunday meetings none to move later,
and would not line up with bi-weekly parity. A monthly one can move anywhere in its month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule

from goalgetter.domain.timezones import SERVER_ZONES, parse_timezone
from goalgetter.domain.validation import ValidationError

CADENCES = ("weekly", "biweekly", "monthly")
MIN_DURATION = 15
MAX_DURATION = 120

CADENCE_LABELS = {"weekly": "Every week", "biweekly": "Every two weeks", "monthly": "Every month"}
PERIOD_NOUNS = {"weekly": "week", "biweekly": "fortnight", "monthly": "month"}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SCHEDULE_MESSAGES = {
    "cadence_unknown": "Choose how often to meet: every week, every two weeks or every month.",
    "weekday_invalid": "Choose a day of the week for your check-ins.",
    "day_of_month_invalid": "Choose a day of the month from 1 to 31.",
    "local_time_invalid": "Use a time like 09:30 (24-hour clock).",
    "timezone_unknown": "Choose a time zone from the list, like Europe/Berlin.",
    "duration_not_whole": "Use a whole number of minutes, like 30.",
    "duration_range": f"Check-ins can last from {MIN_DURATION} to {MAX_DURATION} minutes.",
}

_PERIOD_DAYS = {"weekly": 7, "biweekly": 14}
# [0-9], not \d: \d also matches other scripts' digits, which int() would happily accept.
_WHOLE = re.compile(r"[0-9]{1,4}")
_HH_MM = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
# Valid zone files whose meaning depends on the server, never what a browser reports.
# The wall clock and the instant can disagree by a DST gap, or by a day when a zone changes
# sides of the date line; rules are read from a little earlier and compared as instants.
_LOOKBACK = timedelta(days=2)


@dataclass(frozen=True)
class Schedule:
    cadence: str  # one of CADENCES
    weekday: int  # 0=Mon..6=Sun, used by weekly/biweekly
    day_of_month: int  # 1..31, used by monthly
    local_time: time  # naive wall-clock time in `timezone`
    timezone: str  # IANA name
    duration_minutes: int
    anchor: date  # the local date of the series' first occurrence (parity, period numbering)


def parse_schedule(
    *,
    cadence: str,
    weekday: int | str | None,
    day_of_month: int | str | None,
    local_time: str | time,
    timezone: str,
    duration_minutes: int | str,
    anchor_after: datetime,
) -> Schedule:
    """A checked schedule from form values (strings welcome), anchored at its first meeting
    at or after `anchor_after`; a ValidationError names the first bad field.

    Only the day field the cadence uses is required. The other one is informational and set
    from the anchor (a monthly series records its first meeting's weekday, a weekly one its
    day of the month), so a hidden form field cannot leave a stale value behind; a value that
    is given is still checked, whichever cadence it belongs to.
    """
    _require_aware(anchor_after, "anchor_after")
    cadence_value = cadence.strip().lower() if isinstance(cadence, str) else None
    if cadence_value not in CADENCES:
        _refuse("cadence", "cadence_unknown")
    monthly = cadence_value == "monthly"
    weekday_value = _optional_int(weekday, 0, 6, "weekday", "weekday_invalid", required=not monthly)
    day_value = _optional_int(
        day_of_month, 1, 31, "day_of_month", "day_of_month_invalid", required=monthly
    )
    time_value = _parse_time(local_time)
    zone = check_timezone(timezone)
    duration = check_duration(duration_minutes)

    start_day = anchor_after.astimezone(zone).date()
    schedule = Schedule(
        cadence=cadence_value,
        weekday=start_day.weekday() if weekday_value is None else weekday_value,
        day_of_month=start_day.day if day_value is None else day_value,
        local_time=time_value,
        timezone=zone.key,
        duration_minutes=duration,
        anchor=start_day,
    )
    return anchored_after(schedule, anchor_after)


def check_timezone(name: object) -> ZoneInfo:
    """An IANA zone a person can choose (not the server's own aliases)."""
    zone = parse_timezone(name) if isinstance(name, str) else None
    if zone is None or zone.key in SERVER_ZONES:
        _refuse("timezone", "timezone_unknown")
    return zone


def check_duration(raw: object) -> int:
    duration = _whole_number(raw)
    if duration is None:
        _refuse("duration_minutes", "duration_not_whole")
    if not MIN_DURATION <= duration <= MAX_DURATION:
        _refuse("duration_minutes", "duration_range")
    return duration


def anchored_after(schedule: Schedule, after: datetime) -> Schedule:
    """The same rule with its first meeting at or after `after`."""
    _require_aware(after, "after")
    monthly = schedule.cadence == "monthly"
    # Bi-weekly parity starts at the first meeting, so find it with a plain weekly rule.
    probe = replace(
        schedule,
        cadence="monthly" if monthly else "weekly",
        anchor=after.astimezone(ZoneInfo(schedule.timezone)).date(),
    )
    first_local, _ = _upcoming(probe, after=after, count=1)[0]
    anchor = first_local.date()
    return replace(
        schedule,
        anchor=anchor,
        weekday=anchor.weekday() if monthly else schedule.weekday,
        day_of_month=schedule.day_of_month if monthly else anchor.day,
    )


def next_period_start(schedule: Schedule, start: datetime) -> datetime:
    """Local midnight starting the period after the one `start` falls in, counted from
    `start`'s own day: 7 or 14 days on (weekly, bi-weekly), the 1st of the next month
    (monthly). The earliest a meeting may follow one held at `start`, whatever the hour."""
    _require_aware(start, "start")
    zone = ZoneInfo(schedule.timezone)
    day = start.astimezone(zone).date()
    if schedule.cadence == "monthly":
        first = day.replace(day=1) + relativedelta(months=1)
    else:
        first = day + timedelta(days=_period_days(schedule))
    return datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)


def occurrences(schedule: Schedule, *, after: datetime, count: int) -> list[datetime]:
    """The next `count` meeting starts at or after `after` (never before the anchor), in UTC."""
    _require_aware(after, "after")
    if count < 0:
        raise ValueError("count must not be negative")
    return [start for _, start in _upcoming(schedule, after=after, count=count)]


def end_of(start: datetime, schedule: Schedule) -> datetime:
    """When a meeting starting at `start` ends: elapsed minutes, so DST never stretches it."""
    _require_aware(start, "start")
    return start + timedelta(minutes=schedule.duration_minutes)


def period_index(schedule: Schedule, instant: datetime) -> int:
    """The cadence period `instant` falls in, by its local date: 0 holds the anchor, the
    previous one is -1. Weekly/bi-weekly periods are 7/14 days starting on the anchor's
    weekday at local midnight; monthly periods are calendar months."""
    _require_aware(instant, "instant")
    day = instant.astimezone(ZoneInfo(schedule.timezone)).date()
    if schedule.cadence == "monthly":
        return (day.year - schedule.anchor.year) * 12 + day.month - schedule.anchor.month
    return (day - schedule.anchor).days // _period_days(schedule)


def period_dates(schedule: Schedule, index: int) -> tuple[date, date]:
    """The first and last local date (both inclusive) of period `index`."""
    if schedule.cadence == "monthly":
        months = schedule.anchor.year * 12 + schedule.anchor.month - 1 + index
        first = date(months // 12, months % 12 + 1, 1)
        after_last = date((months + 1) // 12, (months + 1) % 12 + 1, 1)
        return first, after_last - timedelta(days=1)
    days = _period_days(schedule)
    first = schedule.anchor + timedelta(days=index * days)
    return first, first + timedelta(days=days - 1)


_Found = list[tuple[datetime, datetime]]


def _upcoming(schedule: Schedule, *, after: datetime, count: int) -> _Found:
    """(naive local wall time, UTC start) pairs; the wall time keeps the rule's own date even
    when a DST gap pushes the instant past midnight."""
    if count == 0:
        return []
    zone = ZoneInfo(schedule.timezone)
    local_after = after.astimezone(zone).replace(tzinfo=None) - _LOOKBACK
    found: _Found = []
    for wall in _rule(schedule).xafter(local_after, inc=True):
        # fold=0 (the default): the first of two ambiguous times, and in a gap the offset from
        # before it, i.e. shifted forward by the gap's length.
        start = wall.replace(tzinfo=zone).astimezone(UTC)
        if start >= after:
            found.append((wall, start))
            if len(found) == count:
                break
    return found


def _rule(schedule: Schedule) -> rrule:
    dtstart = datetime.combine(schedule.anchor, schedule.local_time.replace(tzinfo=None))
    if schedule.cadence == "monthly":
        # Day 29-31: the latest of the days 28..N that the month has, so Feb 28/29, Apr 30.
        days = tuple(range(min(schedule.day_of_month, 28), schedule.day_of_month + 1))
        return rrule(MONTHLY, dtstart=dtstart, bymonthday=days, bysetpos=-1)
    # wkst = the anchor's weekday makes the rule's weeks our periods, so bi-weekly counts
    # every other week from the anchor, not from whatever date is asked about.
    return rrule(
        WEEKLY,
        dtstart=dtstart,
        interval=_period_days(schedule) // 7,
        byweekday=schedule.weekday,
        wkst=schedule.anchor.weekday(),
    )


def _period_days(schedule: Schedule) -> int:
    try:
        return _PERIOD_DAYS[schedule.cadence]
    except KeyError:
        raise ValueError(f"unknown cadence {schedule.cadence!r}") from None


def _refuse(field: str, code: str) -> NoReturn:
    raise ValidationError(field, code, SCHEDULE_MESSAGES[code])


def _whole_number(raw: object) -> int | None:
    # bool is an int subclass; a checkbox's True is not a number of minutes.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


def _optional_int(raw, low: int, high: int, field: str, code: str, *, required: bool):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            _refuse(field, code)
        return None
    value = _whole_number(raw)
    if value is None or not low <= value <= high:
        _refuse(field, code)
    return value


def _parse_time(raw: object) -> time:
    if isinstance(raw, time):
        return time(raw.hour, raw.minute)
    match = _HH_MM.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        _refuse("local_time", "local_time_invalid")
    return time(int(match.group(1)), int(match.group(2)))


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
