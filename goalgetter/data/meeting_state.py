"""One user's meeting series as plain data, and the pure steps that change it (no I/O).

goalgetter/data/meeting_series.py stores this state in one document per user and writes every
change as one compare-and-set, after `settle`; goalgetter/scheduler.py applies `advance`.
Pure steps let the same code run in a user's request and in any process's scheduler tick,
and a writer that lost the compare-and-set simply runs them again on what it re-read.

The state (a dict):

- `rev`: bumped by every write (the compare-and-set's condition);
- `schedule`: the Schedule as stored (local_time "HH:MM", anchor an ISO date);
- `upcoming`: how many scheduled meetings to keep ahead; `generated_until`: the start of the
  last occurrence the series generated, so a cancelled one is never generated again;
- `meetings`: the upcoming and recent ones, each {id, start, end (UTC), status, notes, recap,
  attended_at, greeted_at, finished_at, rescheduled, period, reminder_24h_sent,
  reminder_1h_sent, created_at}; older finished ones move to the archive (`settle`);
- `archive_years`: the archive buckets that exist (so none is ever looked up in vain);
- `next_due_at`: the earliest instant a meeting needs the scheduler (see `next_due`).

Lifecycle, decided here once: a meeting becomes `active` at its start and stays so while its
chat window is open. When the window closes (end + WINDOW_AFTER) it becomes `completed` if the
user came (`attended_at`: their first message or check-in in the window), else `missed`; so the
recap, written on completion, covers the whole conversation and every check-in. The user may
mark it completed earlier by hand. After downtime a meeting goes straight to where it would
have been (completed/missed) in one step.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from goalgetter.domain.meetings import WINDOW_AFTER, WINDOW_BEFORE, MeetingTimes
from goalgetter.domain.recurrence import Schedule, end_of, occurrences, period_index

DEFAULT_UPCOMING = 4
MAX_UPCOMING = 12
KEEP_FINISHED = 4  # finished meetings kept in the series; older ones are archived (a smaller
# series is cheaper for every tick to read and write; readers add the archive)
# A recap not stored this long after it was asked for (a crash, a failed write) is asked for
# again, at most RECAP_ATTEMPTS times in all.
RECAP_RETRY = timedelta(minutes=15)
RECAP_ATTEMPTS = 3
FINISHED = ("completed", "missed", "cancelled")
OPEN = ("scheduled", "active")
_DATETIME_FIELDS = (
    "start", "end", "attended_at", "greeted_at", "finished_at", "created_at", "recap_retry_at",
    "moved_at",
)  # fmt: skip
_STATE_DATETIMES = ("generated_until", "next_due_at", "started_at", "updated_at")
_ROLL_LIMIT = 200  # occurrences looked at per roll-forward, whatever happens
# (mail kind, the meeting's flag, how long before the start)
REMINDERS = (
    ("reminder-24h", "reminder_24h_sent", timedelta(hours=24)),
    ("reminder-1h", "reminder_1h_sent", timedelta(hours=1)),
)


def schedule_doc(schedule: Schedule) -> dict:
    return {
        "cadence": schedule.cadence,
        "weekday": schedule.weekday,
        "day_of_month": schedule.day_of_month,
        "local_time": schedule.local_time.strftime("%H:%M"),
        "timezone": schedule.timezone,
        "duration_minutes": schedule.duration_minutes,
        "anchor": schedule.anchor.isoformat(),
    }


def schedule_from_doc(doc: dict) -> Schedule:
    return Schedule(
        cadence=doc["cadence"],
        weekday=doc["weekday"],
        day_of_month=doc["day_of_month"],
        local_time=time.fromisoformat(doc["local_time"]),
        timezone=doc["timezone"],
        duration_minutes=doc["duration_minutes"],
        anchor=date.fromisoformat(doc["anchor"]),
    )


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def from_stored(state: dict) -> dict:
    """The state as read back: every datetime in UTC (pymongo gives its own UTC tzinfo). A
    new top level and new meetings; the rest shared with `state` (a document just read)."""
    state = dict(state)
    for field in _STATE_DATETIMES:
        state[field] = _utc(state.get(field))
    state["meetings"] = [meeting_from_stored(m) for m in state["meetings"]]
    return state


def meeting_from_stored(meeting: dict) -> dict:
    return {
        **meeting,
        **{field: _utc(meeting[field]) for field in _DATETIME_FIELDS if field in meeting},
    }


def meeting_times(state: dict) -> list[MeetingTimes]:
    """What coach_access and check_reschedule need, for every meeting in the series."""
    return [MeetingTimes(m["id"], m["start"], m["end"], m["status"]) for m in state["meetings"]]


def find(state: dict, meeting_id: str) -> dict | None:
    return next((m for m in state["meetings"] if m["id"] == meeting_id), None)


def new_state(schedule: Schedule, *, now: datetime, upcoming: int) -> dict:
    state = {
        "rev": 0,
        "schedule": schedule_doc(schedule),
        "upcoming": upcoming,
        "generated_until": None,
        "meetings": [],
        "archive_years": [],
        "next_due_at": None,
        "started_at": now,
        "updated_at": now,
    }
    settle(state, now)
    return state


def new_meeting(state: dict, schedule: Schedule, start: datetime, now: datetime) -> dict:
    taken = {m["id"] for m in state["meetings"]}
    meeting_id = secrets.token_hex(4)
    while meeting_id in taken:
        meeting_id = secrets.token_hex(4)
    return {
        "id": meeting_id,
        "start": start,
        "end": end_of(start, schedule),
        "status": "scheduled",
        "notes": "",
        "recap": None,
        "attended_at": None,
        "greeted_at": None,
        "finished_at": None,
        "rescheduled": False,
        "period": period_index(schedule, start),
        # Reminder emails (a later issue) claim these false → true, one meeting at a time.
        "reminder_24h_sent": False,
        "reminder_1h_sent": False,
        "sequence": 0,  # goes up with each change: calendars see the same event changed
        "created_at": now,
    }


# The steps ----------------------------------------------------------------------------------


def advance(state: dict, now: datetime) -> list[tuple[dict, str, str]]:
    """Apply every transition due at `now` in place; (meeting, from, to) for each."""
    done = []
    for meeting in state["meetings"]:
        before, after = meeting["status"], _due_status(meeting, now)
        if after != before:
            meeting["status"] = after
            if after in FINISHED:
                meeting["finished_at"] = now
            if after == "completed":
                ask_recap(meeting, now)
            done.append((meeting, before, after))
    return done


def ask_recap(meeting: dict, now: datetime) -> None:
    """Whoever applies this asks for the recap now; unless it is stored by RECAP_RETRY from
    now, `due_recaps` asks again."""
    if meeting.get("recap") is None:
        meeting["recap_retry_at"] = now + RECAP_RETRY
        meeting["recap_attempts"] = meeting.get("recap_attempts", 0) + 1


def due_recaps(state: dict, now: datetime) -> list[dict]:
    """Completed meetings whose recap was asked for and never stored: asked again (in
    place, so the compare-and-set makes one writer the asker), until RECAP_ATTEMPTS."""
    again = []
    for meeting in state["meetings"]:
        retry_at = meeting.get("recap_retry_at")
        if meeting["status"] != "completed" or retry_at is None or retry_at > now:
            continue
        if meeting.get("recap") is not None or meeting.get("recap_attempts", 0) >= RECAP_ATTEMPTS:
            meeting["recap_retry_at"] = None
            continue
        ask_recap(meeting, now)
        again.append(meeting)
    return again


def _due_status(meeting: dict, now: datetime) -> str:
    status, came = meeting["status"], meeting["attended_at"] is not None
    if status not in OPEN or now < meeting["start"]:
        return status
    if now >= meeting["end"] + WINDOW_AFTER:
        return "completed" if came else "missed"
    return "active"


def settle(state: dict, now: datetime) -> tuple[int, list[dict]]:
    """After any change, in place: roll forward, take out what goes to the archive, and
    recompute next_due_at. Returns (meetings created, meetings taken out)."""
    created = roll_forward(state, now)
    archived = _take_archived(state, now)
    if archived:
        years = {m["start"].year for m in archived} | set(state["archive_years"])
        state["archive_years"] = sorted(years)
    state["meetings"].sort(key=lambda m: (m["start"], m["id"]))
    state["next_due_at"] = next_due(state)
    return created, archived


def roll_forward(state: dict, now: datetime) -> int:
    """Add occurrences until `upcoming` scheduled meetings lie ahead; how many were added.

    New ones come after the last generated occurrence (so a cancelled one is not generated
    again), never before `now` (after a downtime longer than the series' horizon the missed
    periods are skipped, not invented), and a period that already holds a meeting that is not
    cancelled (a rescheduled one, or one kept across a cadence change) gets no second one.
    """
    ahead = sum(1 for m in state["meetings"] if m["status"] == "scheduled" and m["start"] > now)
    need = state["upcoming"] - ahead
    if need <= 0:
        return 0
    schedule = schedule_from_doc(state["schedule"])
    taken = {
        period_index(schedule, m["start"]) for m in state["meetings"] if m["status"] != "cancelled"
    }
    after = now
    if state["generated_until"] is not None:
        after = max(after, state["generated_until"] + timedelta(microseconds=1))
    added = looked = 0
    while added < need and looked < _ROLL_LIMIT:
        batch = occurrences(schedule, after=after, count=need - added + 1)
        if not batch:
            break
        for start in batch:
            looked += 1
            after = start + timedelta(microseconds=1)
            state["generated_until"] = start
            period = period_index(schedule, start)
            if period in taken:
                continue
            taken.add(period)
            state["meetings"].append(new_meeting(state, schedule, start, now))
            added += 1
            if added == need:
                break
    return added


def _take_archived(state: dict, now: datetime) -> list[dict]:
    # Only meetings whose window has closed: a cancelled one still ahead keeps its period
    # (and a run of cancellations never pushes out a meeting that is still open).
    finished = sorted(
        (
            m
            for m in state["meetings"]
            if m["status"] in FINISHED and m["end"] + WINDOW_AFTER <= now
        ),
        key=lambda m: (m["start"], m["id"]),
    )
    old = finished[: max(0, len(finished) - KEEP_FINISHED)]
    old_ids = {m["id"] for m in old}
    state["meetings"] = [m for m in state["meetings"] if m["id"] not in old_ids]
    return old


def due_reminders(state: dict, now: datetime) -> list[tuple[dict, str]]:
    """The reminders to send now, as (meeting, kind), each marked sent in place (so the
    compare-and-set makes one writer the sender). One whose moment passed while the app was
    down goes only if the check-in has not started; a 24 h reminder for a check-in planned
    less than 24 h ahead is skipped (its invitation came late enough)."""
    send = []
    for meeting in state["meetings"]:
        if meeting["status"] != "scheduled":
            continue
        for kind, flag, lead in REMINDERS:
            if meeting.get(flag) or now < meeting["start"] - lead:
                continue
            meeting[flag] = True
            planned_late = kind == "reminder-24h" and _planned_at(meeting) > meeting["start"] - lead
            if now < meeting["start"] and not planned_late:
                send.append((meeting, kind))
    return send


def _planned_at(meeting: dict) -> datetime:
    """When the check-in got its current time: its creation, or its last move."""
    return meeting.get("moved_at") or meeting["created_at"]


def next_due(state: dict) -> datetime | None:
    """The earliest instant at which `advance` or `due_reminders` would change something."""
    dues = []
    for meeting in state["meetings"]:
        if meeting["status"] == "scheduled":
            dues.append(meeting["start"])
            dues += [
                meeting["start"] - lead for _, flag, lead in REMINDERS if not meeting.get(flag)
            ]
        elif meeting["status"] == "active":
            dues.append(meeting["end"] + WINDOW_AFTER)
        elif meeting.get("recap_retry_at") is not None:
            dues.append(meeting["recap_retry_at"])
    return min(dues, default=None)


def drop_future(state: dict, now: datetime) -> int:
    """Remove scheduled meetings whose window has not opened yet (a cadence change)."""
    kept = [
        m
        for m in state["meetings"]
        if not (m["status"] == "scheduled" and m["start"] - WINDOW_BEFORE > now)
    ]
    dropped = len(state["meetings"]) - len(kept)
    state["meetings"] = kept
    state["generated_until"] = None
    return dropped


# Views ----------------------------------------------------------------------------------------


def is_upcoming(meeting: dict, now: datetime) -> bool:
    return meeting["status"] in OPEN or (
        meeting["status"] == "cancelled" and meeting["start"] > now
    )


def exported(meeting: dict) -> dict:
    """A meeting with ISO datetimes (JSON-friendly)."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in meeting.items()}
