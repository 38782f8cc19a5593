"""The coach gate: whether the coach is open for a user at an instant, and how a check-in may
be moved without opening it more often.

`coach_access` is the one rule. The chat gate, the scheduler and the UI all call it with the
phase and meetings read fresh (a stale phase let tracking users chat in the first
implementation), and the clock is an argument so tests never sleep.

Edges, decided once:

- A window is the half-open interval [start - 30 min, end + 60 min): open at exactly
  30 minutes before the start, closed at exactly 60 minutes after the end. Back-to-back
  windows then never both claim the same instant.
- Every meeting that is not cancelled opens its window; a completed one keeps it open until
  it closes (the user may mark it done and keep talking), and so does a missed one for a
  late arrival. `opens_at` is looked for in the same set, so it is exactly the next instant
  at which `coach_access` turns open.
- Moving a check-in needs at least one hour of notice (exactly one hour is allowed); only a
  scheduled check-in whose window has not opened yet can move; and the target
  week/fortnight/month (see `recurrence.period_index`) must hold no other check-in that is
  not cancelled (missed and completed ones count). So a move never opens the coach sooner
  than 30 minutes from now, never inside a window it had already opened, and never more
  often than once per period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import NoReturn
from zoneinfo import ZoneInfo

from goalgetter.domain.recurrence import PERIOD_NOUNS, Schedule, period_dates, period_index
from goalgetter.domain.timezones import local_time_label
from goalgetter.domain.validation import ValidationError

WINDOW_BEFORE = timedelta(minutes=30)
WINDOW_AFTER = timedelta(minutes=60)
RESCHEDULE_MIN_NOTICE = timedelta(hours=1)

MEETING_STATUSES = ("scheduled", "active", "completed", "cancelled", "missed")
ACCESS_REASONS = ("goal_setting", "meeting", "closed", "no_meetings")

RESCHEDULE_RULE = (
    "You can move an upcoming check-in to any time at least one hour from now, as long as "
    "that week, fortnight or month (by your cadence) has no other check-in."
)

RESCHEDULE_MESSAGES = {
    "meeting_unknown": "That check-in no longer exists. Reload the page to see your schedule.",
    "meeting_not_movable": "Only an upcoming check-in can be moved; this one is {status}.",
    "meeting_started": "This check-in starts within 30 minutes or has started; it can't move now.",
    "reschedule_too_soon": (
        "Check-ins can be moved to start at least one hour from now; "
        "the earliest you can pick right now is {earliest}."
    ),
    "reschedule_period_taken": (
        "There is already a check-in in that {noun} ({period}). "
        "Pick another {noun}, or cancel that check-in first."
    ),
}


@dataclass(frozen=True)
class MeetingTimes:
    """What the gate needs from a meeting document."""

    id: str
    start: datetime
    end: datetime
    status: str

    def __post_init__(self) -> None:
        # Fail where the document is read, not inside a comparison deep in the gate.
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end < self.start:
            raise ValueError(f"meeting {self.id!r} ends before it starts")
        if self.status not in MEETING_STATUSES:
            raise ValueError(f"meeting {self.id!r} has unknown status {self.status!r}")


@dataclass(frozen=True)
class CoachAccess:
    open: bool
    meeting_id: str | None  # the meeting whose window is open
    opens_at: datetime | None  # when closed: the next opening (UTC)
    closes_at: datetime | None  # when open in tracking: when the coach closes (UTC)
    reason: str  # one of ACCESS_REASONS


def window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """(opens, closes) of a meeting's chat window: open for opens <= t < closes."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    return start - WINDOW_BEFORE, end + WINDOW_AFTER


def coach_access(phase: str, meetings: Iterable[MeetingTimes], now: datetime) -> CoachAccess:
    """Whether the coach is open at `now`: always in goal setting (any phase but
    "tracking"); in tracking only inside a window of a meeting that is not cancelled."""
    _require_aware(now, "now")
    if phase != "tracking":
        return CoachAccess(True, None, None, None, "goal_setting")
    windows = [(*window(m.start, m.end), m.id) for m in meetings if m.status != "cancelled"]
    current = [w for w in windows if w[0] <= now < w[1]]
    if current:
        # The window closing last; ties go to the larger id so the answer never depends on
        # the order documents came back in.
        _, closes, meeting_id = max(current, key=lambda w: (w[1], w[2]))
        return CoachAccess(True, meeting_id, None, _utc(_chained_close(closes, windows)), "meeting")
    upcoming = [opens for opens, _, _ in windows if opens > now]
    if not upcoming:
        return CoachAccess(False, None, None, None, "no_meetings")
    return CoachAccess(False, None, _utc(min(upcoming)), None, "closed")


def check_reschedule(
    schedule: Schedule,
    meetings: Iterable[MeetingTimes],
    meeting_id: str,
    new_start: datetime,
    now: datetime,
) -> datetime:
    """`new_start` in UTC if meeting `meeting_id` may move there, else a ValidationError."""
    _require_aware(new_start, "new_start")
    _require_aware(now, "now")
    meetings = list(meetings)
    meeting = next((m for m in meetings if m.id == meeting_id), None)
    if meeting is None:
        _refuse("meeting", "meeting_unknown")
    if meeting.status != "scheduled":
        _refuse("meeting", "meeting_not_movable", status=meeting.status)
    # Once its window has opened a meeting stays put: moving it then would let a user chat
    # in the window and push it on again and again, or buy a fresh window after every
    # meeting that nobody marked done.
    if window(meeting.start, meeting.end)[0] <= now:
        _refuse("meeting", "meeting_started")
    earliest = now + RESCHEDULE_MIN_NOTICE
    if new_start < earliest:
        # A form picks whole minutes, so name the first whole minute that is allowed.
        shown = datetime.fromtimestamp(ceil(earliest.timestamp() / 60) * 60, UTC)
        label = local_time_label(shown, ZoneInfo(schedule.timezone))
        _refuse("start", "reschedule_too_soon", earliest=label)
    target = period_index(schedule, new_start)
    for other in meetings:
        if (
            other.id != meeting_id
            and other.status != "cancelled"
            and period_index(schedule, other.start) == target
        ):
            _refuse(
                "start",
                "reschedule_period_taken",
                noun=PERIOD_NOUNS[schedule.cadence],
                period=_period_label(schedule, target),
            )
    return _utc(new_start)


def _chained_close(closes: datetime, windows: list[tuple[datetime, datetime, str]]) -> datetime:
    """When the coach really closes: a window that opens before (or as) this one closes
    keeps the coach open, so the UI never announces a close that does not happen."""
    extended = True
    while extended:
        extended = False
        for opens, other_closes, _ in windows:
            if opens <= closes < other_closes:
                closes, extended = other_closes, True
    return closes


def _period_label(schedule: Schedule, index: int) -> str:
    first, last = period_dates(schedule, index)
    if schedule.cadence == "monthly":
        return first.strftime("%B %Y")
    # Not %-d: that is a glibc extension.
    start = f"{first:%a} {first.day} {first:%b}"
    if first.year != last.year:
        start += f" {first.year}"
    return f"{start} - {last:%a} {last.day} {last:%b %Y}"


def _refuse(field: str, code: str, **details: str) -> NoReturn:
    raise ValidationError(field, code, RESCHEDULE_MESSAGES[code].format(**details))


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
