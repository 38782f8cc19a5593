"""Check-in meetings: the API the app calls (tracking, the meeting actions, the gate's read).

Storage is goalgetter/data/meeting_series.py (one document per tracking user, every write one
compare-and-set on its revision, which also keeps its `due_at` for the scheduler), the pure
steps are goalgetter/data/meeting_state.py. Designed for the embedded store's measured
behaviour (see those modules): everything here reads and writes by exact `_id`, except
start_tracking's one-off update of the user's draft goals. Measured with
10,000 tracking users (bench/scheduler.py, mongoeco SQLite over the wire): the send path's
`gate_view` is two exact-`_id` reads (user, then in tracking the series), p50 6 ms / p95 8 ms,
and each claim (mark_attended, claim_greeting) one read and one compare-and-set, p50 17-18 ms.
start_tracking takes 0.7 s there, once per user, most of it the series' upsert: a new
document costs a decode of its whole collection on that store (real MongoDB: milliseconds).
Check-ins, stored in their meeting, are goalgetter/data/checkins.py.

Scoping: the series' `_id` is the caller's user id, so a meeting id from another user's
series is simply not found (None / False), and malformed ids are refused before any read.
Every function that changes something takes the clock as `now` (tests never sleep).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from goalgetter.data import counters, goal_lists
from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db
from goalgetter.data.conditional import set_when
from goalgetter.data.meeting_series import (
    NOT_FOUND,
    SeriesBusy,
    check_now,
    mutate,
    new_series,
    parse_meeting_id,
    read_archive,
    read_state,
    set_archived_recap,
)
from goalgetter.domain.meetings import MeetingTimes, check_reschedule, window
from goalgetter.domain.recurrence import (
    Schedule,
    anchored_after,
    end_of,
    next_period_start,
    period_index,
)
from goalgetter.domain.validation import ValidationError

__all__ = [
    "SeriesBusy",
    "cancel",
    "change_cadence",
    "claim_greeting",
    "complete",
    "export_meetings",
    "gate_view",
    "list_meetings",
    "mark_attended",
    "parse_meeting_id",
    "reschedule",
    "series",
    "set_recap",
    "start_tracking",
    "user_and_series",
]

log = logging.getLogger(__name__)

MAX_NOTES_LENGTH = 5_000
MAX_RECAP_LENGTH = 5_000
PAST_LIMIT = 50


# Starting and changing the series ----------------------------------------------------------


def _user_fields(schedule: Schedule, now: datetime) -> dict:
    return {
        "meeting_interval": schedule.cadence,
        "settings.meeting_duration": schedule.duration_minutes,
        "settings.timezone": schedule.timezone,
        "meeting_schedule": ms.schedule_doc(schedule),
        "updated_at": now,
    }


async def start_tracking(
    user_id: ObjectId, schedule: Schedule, *, now: datetime, upcoming: int = ms.DEFAULT_UPCOMING
) -> dict:
    """Goal setting → tracking, once: the user's schedule fields, drafts made active, and the
    series with its first `upcoming` meetings. ValidationError when already tracking."""
    check_now(now)
    if not 1 <= upcoming <= ms.MAX_UPCOMING:
        raise ValueError(f"upcoming must be 1..{ms.MAX_UPCOMING}")
    db = get_db()
    # The one decision point: conditional on the phase read in the same atomic update, so a
    # double click or a second tab cannot start tracking twice.
    in_goal_setting = {"$eq": [{"$ifNull": ["$phase", "goal_setting"]}, "goal_setting"]}
    changes = {"phase": "tracking", "tracking_since": now, **_user_fields(schedule, now)}
    before = await db.users.find_one_and_update(
        {"_id": user_id},
        [{"$set": set_when(in_goal_setting, changes)}],
        projection={"phase": 1},
        return_document=ReturnDocument.BEFORE,
    )
    if before is None:
        raise LookupError(f"no user {user_id}")
    if (before.get("phase") or "goal_setting") != "goal_setting":
        raise ValidationError(
            "phase",
            "already_tracking",
            "You are already tracking your goals. Change your check-in schedule on the "
            "meetings page instead.",
        )
    await db.goals.update_many(
        {"user_id": user_id, "phase": "draft"},
        {"$set": {"phase": "active", "updated_at": now}, "$inc": {"list_rev": 1}},
    )
    await goal_lists.rebuild(user_id)
    series = await _create_series(db, user_id, schedule, now, upcoming)
    await counters.count(moved_to_tracking=1)
    await counters.count_goal_set_once(user_id)  # its drafts became active just now
    return series


async def _create_series(
    db: AsyncDatabase, user_id: ObjectId, schedule: Schedule, now: datetime, upcoming: int
) -> dict:
    state = ms.new_state(schedule, now=now, upcoming=upcoming)
    # An upsert on the bare `_id` rather than insert_one: the same "first one wins", at a
    # third of the cost on the embedded store (bench/scheduler.py).
    try:
        created = await db.meeting_series.update_one(
            {"_id": user_id},
            {"$setOnInsert": new_series(user_id, state)},
            upsert=True,
        )
    except DuplicateKeyError:  # two upserts racing: the other one inserted
        created = None
    if created is not None and created.upserted_id is not None:
        return state
    return await read_state(db, user_id)


async def _series_of_tracking_user(db: AsyncDatabase, user: dict, now: datetime) -> dict | None:
    """The series; recreated from the user's schedule if a crash came between the phase
    flip and the series' insert (the only way a tracking user can lack one)."""
    state = await read_state(db, user["_id"])
    if state is None and user.get("meeting_schedule"):
        log.warning("Recreating the missing meeting series of %s", user["_id"])
        schedule = ms.schedule_from_doc(user["meeting_schedule"])
        state = await _create_series(db, user["_id"], schedule, now, ms.DEFAULT_UPCOMING)
    return state


async def change_cadence(user_id: ObjectId, schedule: Schedule, *, now: datetime) -> dict | None:
    """A new schedule: meetings whose window has not opened are replaced by the new
    schedule's, the rest (past, active, about to start) kept; the first new one comes at
    least a period after the last one kept. None when not tracking."""
    db = get_db()
    user = await db.users.find_one({"_id": user_id}, {"phase": 1, "meeting_schedule": 1})
    if user is None or user.get("phase") != "tracking":
        return None
    if await _series_of_tracking_user(db, user, now) is None:
        return None

    def change(state: dict) -> Schedule:
        ms.drop_future(state, now)
        # A new schedule is no way to a second check-in in one period: its first meeting
        # comes in the period after the last one kept.
        held = [m["start"] for m in state["meetings"] if m["status"] != "cancelled"]
        first = max([now, *(next_period_start(schedule, start) for start in held)])
        new_schedule = anchored_after(schedule, first) if first > now else schedule
        state["schedule"] = ms.schedule_doc(new_schedule)
        return new_schedule

    applied = await mutate(user_id, change, now=now)
    if applied is None:
        return None
    # Informational copies for the rest of the app; the series is the truth.
    await db.users.update_one({"_id": user_id}, {"$set": _user_fields(applied.result, now)})
    return applied.state


# Reading ------------------------------------------------------------------------------------


async def series(user_id: ObjectId) -> dict | None:
    """The user's series state (schedule as stored, meetings oldest first), or None."""
    return await read_state(get_db(), user_id)


async def user_and_series(user_id: ObjectId) -> tuple[dict, dict | None]:
    """The user (no password hash) and, in tracking, their series state, read fresh: two
    exact-`_id` reads at most. LookupError when the user does not exist."""
    db = get_db()
    user = await db.users.find_one({"_id": user_id}, {"password_hash": 0})
    if user is None:
        raise LookupError(f"no user {user_id}")
    if (user.get("phase") or "goal_setting") != "tracking":
        return user, None
    return user, await _series_of_tracking_user(db, user, datetime.now(UTC))


async def gate_view(user_id: ObjectId) -> tuple[str, list[MeetingTimes]]:
    """(phase, meetings) for coach_access (user_and_series). LookupError when the user does
    not exist (never an open gate by mistake)."""
    user, state = await user_and_series(user_id)
    return user.get("phase") or "goal_setting", [] if state is None else ms.meeting_times(state)


async def list_meetings(
    user_id: ObjectId, *, now: datetime | None = None, past_limit: int | None = PAST_LIMIT
) -> tuple[list[dict], list[dict]]:
    """(upcoming soonest first: scheduled, active, and cancelled ones still ahead; past
    newest first, archived ones included, at most `past_limit`; None: all of them)."""
    now = now or datetime.now(UTC)
    db = get_db()
    state = await read_state(db, user_id)
    if state is None:
        return [], []
    upcoming = [m for m in state["meetings"] if ms.is_upcoming(m, now)]
    past = [m for m in state["meetings"] if not ms.is_upcoming(m, now)]
    seen = {m["id"] for m in state["meetings"]}
    for year in sorted(state["archive_years"], reverse=True):
        if past_limit is not None and len(past) >= past_limit:
            break
        past += [m for m in await read_archive(db, user_id, [year]) if m["id"] not in seen]
    past.sort(key=lambda m: (m["start"], m["id"]), reverse=True)
    return upcoming, past if past_limit is None else past[: max(past_limit, 0)]


async def export_meetings(user_id: ObjectId) -> dict:
    """Schedule and every meeting (archived too), oldest first, JSON-friendly."""
    db = get_db()
    state = await read_state(db, user_id)
    if state is None:
        return {"schedule": None, "meetings": []}
    seen = {m["id"] for m in state["meetings"]}
    old = await read_archive(db, user_id, state["archive_years"])
    meetings = state["meetings"] + [m for m in old if m["id"] not in seen]
    meetings.sort(key=lambda m: (m["start"], m["id"]))
    return {"schedule": state["schedule"], "meetings": [ms.exported(m) for m in meetings]}


# Changing one meeting -------------------------------------------------------------------------


async def edit_meeting(
    user_id: ObjectId, meeting_id: object, now: datetime, edit: Callable[[dict, dict], Any]
) -> Any:
    """What `edit(state, meeting)` returned, run on the caller's meeting `meeting_id` in one
    compare-and-set; None when the id is malformed or not in this user's series."""
    check_now(now)
    wanted = parse_meeting_id(meeting_id)
    if wanted is None:
        return None

    def change(state: dict) -> Any:
        meeting = ms.find(state, wanted)
        return NOT_FOUND if meeting is None else edit(state, meeting)

    applied = await mutate(user_id, change, now=now)
    return None if applied is None or applied.result is NOT_FOUND else applied.result


async def reschedule(
    user_id: ObjectId, meeting_id: object, new_start: datetime, *, now: datetime
) -> dict | None:
    """Move one scheduled meeting (rules: domain/meetings.check_reschedule, which raises a
    ValidationError); the moved meeting, or None when it is not this user's. A naive
    `new_start` is wall time in the schedule's zone as stored now (not as a page last saw it)."""

    def edit(state: dict, meeting: dict) -> dict:
        schedule = ms.schedule_from_doc(state["schedule"])
        wanted = new_start
        if wanted.tzinfo is None:
            wanted = wanted.replace(tzinfo=ZoneInfo(schedule.timezone)).astimezone(UTC)
        start = check_reschedule(schedule, ms.meeting_times(state), meeting["id"], wanted, now)
        meeting.update(
            start=start,
            end=end_of(start, schedule),
            period=period_index(schedule, start),
            rescheduled=True,
            reminder_24h_sent=False,
            reminder_1h_sent=False,
            moved_at=now,
            sequence=meeting.get("sequence", 0) + 1,
        )
        return dict(meeting)

    return await edit_meeting(user_id, meeting_id, now, edit)


async def cancel(user_id: ObjectId, meeting_id: object, *, now: datetime) -> dict | None:
    """Cancel one scheduled meeting whose window has not opened (the series rolls one more
    forward). Once open it stays, as for a reschedule: its period is spoken for."""

    def edit(state: dict, meeting: dict) -> dict:
        if meeting["status"] != "scheduled" or window(meeting["start"], meeting["end"])[0] <= now:
            raise ValidationError(
                "meeting",
                "meeting_not_cancellable",
                "A check-in can be cancelled until 30 minutes before it starts, when the "
                "coach opens for it.",
            )
        meeting.update(status="cancelled", finished_at=now, sequence=meeting.get("sequence", 0) + 1)
        return dict(meeting)

    return await edit_meeting(user_id, meeting_id, now, edit)


async def complete(
    user_id: ObjectId, meeting_id: object, notes: str, *, now: datetime
) -> dict | None:
    """Mark a meeting done with notes (again: replaces the notes). Allowed once its window
    has opened, also for a missed one (met elsewhere); not for a cancelled one."""
    if not isinstance(notes, str):
        raise ValidationError("notes", "notes_invalid", "Notes must be text.")
    if len(notes) > MAX_NOTES_LENGTH:
        raise ValidationError(
            "notes", "notes_long", f"Notes can be at most {MAX_NOTES_LENGTH:,} characters."
        )

    def edit(state: dict, meeting: dict) -> dict:
        if meeting["status"] == "cancelled":
            raise ValidationError(
                "meeting", "meeting_cancelled", "A cancelled check-in can't be marked done."
            )
        if meeting["status"] == "scheduled" and now < window(meeting["start"], meeting["end"])[0]:
            raise ValidationError(
                "meeting",
                "meeting_not_started",
                "A check-in can be marked done once its window opens, 30 minutes before it.",
            )
        if meeting["status"] != "completed":
            meeting.update(status="completed", finished_at=now)
            ms.ask_recap(meeting, now)
        meeting["notes"] = notes
        return dict(meeting)

    return await edit_meeting(user_id, meeting_id, now, edit)


async def _claim(user_id: ObjectId, meeting_id: object, now: datetime, name: str) -> bool:
    def edit(state: dict, meeting: dict) -> bool:
        opens, closes = window(meeting["start"], meeting["end"])
        if meeting["status"] == "cancelled" or meeting[name] is not None:
            return False
        if not opens <= now < closes:
            return False
        meeting[name] = now
        return True

    return await edit_meeting(user_id, meeting_id, now, edit) is True


async def mark_attended(user_id: ObjectId, meeting_id: object, now: datetime) -> bool:
    """The user came (first message in the meeting's window): True only for the call that
    set it. A meeting nobody came to is `missed`; one with attended_at completes at its end."""
    return await _claim(user_id, meeting_id, now, "attended_at")


async def claim_greeting(user_id: ObjectId, meeting_id: object, now: datetime) -> bool:
    """greeted_at None → now, atomically: True for exactly one caller per meeting."""
    return await _claim(user_id, meeting_id, now, "greeted_at")


async def set_recap(
    user_id: ObjectId, meeting_id: object, recap: str, *, now: datetime | None = None
) -> bool:
    """The coach's recap of a meeting (in the series, or already archived)."""
    if not isinstance(recap, str) or len(recap) > MAX_RECAP_LENGTH:
        raise ValidationError(
            "recap", "recap_invalid", f"A recap is text of at most {MAX_RECAP_LENGTH:,} characters."
        )
    now = now or datetime.now(UTC)

    def edit(state: dict, meeting: dict) -> bool:
        meeting["recap"], meeting["recap_retry_at"] = recap, None
        return True

    if await edit_meeting(user_id, meeting_id, now, edit) is True:
        return True
    wanted, db = parse_meeting_id(meeting_id), get_db()
    state = await read_state(db, user_id) if wanted else None
    if state is None:
        return False
    return await set_archived_recap(db, user_id, state["archive_years"], wanted, recap)
