"""Changes the person made in Google Calendar to the app's events, applied by the app's own
rules (goalgetter/calendar_sync.py reads them and calls `apply` for each).

- moved: a reschedule (data/meetings.reschedule, the one rescheduling rule); refused, the
  event is recorded where the person put it, so the next write moves it back, and a mail
  (kind calendar-refused, once per change: its etag) says why. A new length or an all-day
  event is refused too: a check-in's length comes from the schedule.
- deleted: a cancel (data/meetings.cancel, the one cancelling rule); refused, the event is
  forgotten, so the next write creates it again, and a mail says why. A check-in that is
  over (completed, missed) deleted from the calendar is only forgotten.

Accepted changes send the same update or cancellation mail as the same change in the app.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime

from bson import ObjectId

from goalgetter import mail_content, mail_delivery
from goalgetter.data import calendar_links, meetings, outbox, users
from goalgetter.data import meeting_state as ms
from goalgetter.domain.timezones import first_zone
from goalgetter.domain.validation import ValidationError
from goalgetter.integrations import google_calendar as gc
from goalgetter.settings import get_settings

ALL_DAY = "A check-in needs a start time; it can't become an all-day event."


async def apply(
    user_id: ObjectId, meeting_id: str, mapping: dict, event: dict, now: datetime, report
) -> None:
    entry = mapping[meeting_id]
    state = await meetings.series(user_id)
    meeting = ms.find(state, meeting_id) if state else None
    if event.get("status") == "cancelled":
        del mapping[meeting_id]
        await calendar_links.drop_event(user_id, meeting_id)
        if meeting is not None and meeting["status"] in ms.OPEN and not entry.get("pending"):
            await _deleted_in_google(user_id, state, meeting, event, now, report)
        return
    start, end = gc.event_start_end(event)
    if (start, end) == (entry["start"], entry["end"]):
        return  # the app's own write coming back, or a change to something else
    mapping[meeting_id] = {**entry, "start": start, "end": end}
    await calendar_links.set_event(user_id, meeting_id, mapping[meeting_id])
    if meeting is None or (start, end) == (meeting["start"], meeting["end"]):
        return
    if start is None:
        reason = ALL_DAY
    elif start == meeting["start"]:
        minutes = int((meeting["end"] - meeting["start"]).total_seconds() // 60)
        reason = (
            f"a check-in lasts as long as your schedule says ({minutes} minutes); change the "
            "length on the check-ins page."
        )
    else:
        try:
            moved = await meetings.reschedule(user_id, meeting_id, start, now=now)
        except ValidationError as error:
            reason = error.message
        else:
            if moved is not None:
                report.moved += 1
                await _invite(user_id, moved, now)
            return
    report.refused += 1
    await _tell_refused(user_id, state, meeting, "moved", reason, event, now)


async def _deleted_in_google(user_id, state, meeting, event, now, report) -> None:
    try:
        cancelled = await meetings.cancel(user_id, meeting["id"], now=now)
    except ValidationError as error:
        report.refused += 1
        await _tell_refused(user_id, state, meeting, "deleted", error.message, event, now)
        return
    if cancelled is not None:
        report.cancelled += 1
        await _invite(user_id, cancelled, now)


async def _invite(user_id: ObjectId, meeting: dict, now: datetime) -> None:
    """The same update or cancellation mail (with its .ics) as a change made in the app."""
    state = await meetings.series(user_id)
    if state is not None:
        with contextlib.suppress(Exception):
            await mail_delivery.invite(user_id, state, [meeting], now)


async def _tell_refused(user_id, state, meeting, change, reason, event, now) -> None:
    """Once per change read from Google (its etag): why it was undone."""
    person = await users.get_user(user_id)
    if person is None:
        return
    settings = get_settings()
    zone = first_zone(state["schedule"].get("timezone"))
    message = mail_content.calendar_refused(
        person["name"], person["email"], meeting["start"], zone, change, reason,
        settings.public_url,
    )  # fmt: skip
    stamp = hashlib.sha256(str(event.get("etag") or event.get("updated")).encode()).hexdigest()
    key = f"calendar-refused:{meeting['id']}:{stamp[:16]}"
    if await outbox.enqueue(user_id, key, message, now):
        mail_delivery.deliver_soon()
