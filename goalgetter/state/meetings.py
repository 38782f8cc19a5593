"""The meetings page: start tracking, the next check-in, and each meeting's actions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TypedDict

import reflex as rx

from goalgetter import calendar_sync, mail_delivery
from goalgetter.coach.recap import write_recap
from goalgetter.data import meetings as meetings_data
from goalgetter.data import users
from goalgetter.domain.meetings import RESCHEDULE_RULE, window
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.domain.validation import ValidationError
from goalgetter.state.session import SessionState

MEETING_MISSING = "That check-in is no longer there."
log = logging.getLogger(__name__)


class MeetingItem(TypedDict):
    id: str
    start: str  # ISO 8601 UTC; the page shows it in the user's zone
    end: str
    status: str
    notes: str
    recap: str
    can_move: bool  # scheduled, window not open yet
    can_complete: bool  # its window has opened and it is not cancelled
    chat_open: bool  # its chat window is open now
    closes: str  # when its chat window closes (ISO 8601 UTC)


def _item(meeting: dict, now: datetime) -> MeetingItem:
    opens, closes = window(meeting["start"], meeting["end"])
    opened = now >= opens
    return {
        "chat_open": opened and now < closes and meeting["status"] != "cancelled",
        "closes": closes.astimezone(UTC).isoformat(),
        "can_move": meeting["status"] == "scheduled" and not opened,
        "can_complete": opened and meeting["status"] != "cancelled",
        "id": meeting["id"],
        "start": meeting["start"].astimezone(UTC).isoformat(),
        "end": meeting["end"].astimezone(UTC).isoformat(),
        "status": meeting["status"],
        "notes": meeting.get("notes") or "",
        "recap": meeting.get("recap") or "",
    }


def _wall_time(raw: str) -> datetime:
    """A datetime-local field's value ("2027-01-04T09:30"): a naive wall time, read in the
    schedule's zone where the move is stored."""
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("start", "start_invalid", "Pick a date and a time.") from None
    if naive.tzinfo is not None:
        raise ValidationError("start", "start_invalid", "Pick a date and a time.")
    return naive


class MeetingsState(SessionState):
    phase: str = ""
    cadence_choice: str = "weekly"
    planning: bool = False
    # The schedule form's starting values: the current schedule once tracking.
    form_day: str = "0"
    form_time: str = "09:00"
    form_duration: str = "30"
    form_timezone: str = ""
    upcoming: list[MeetingItem] = []
    past: list[MeetingItem] = []
    form_error: str = ""
    action_error: str = ""
    reschedule_id: str = ""
    complete_id: str = ""
    cancel_id: str = ""  # the check-in whose cancelling waits for a yes
    _recap_for: list[str] = []  # meetings completed here whose recap is to be written
    reschedule_rule: str = RESCHEDULE_RULE

    @rx.var
    def next_meeting(self) -> MeetingItem | None:
        ahead = [m for m in self.upcoming if m["status"] in ("scheduled", "active")]
        return ahead[0] if ahead else None

    @rx.var
    def cancel_start(self) -> str:
        return next((m["start"] for m in self.upcoming if m["id"] == self.cancel_id), "")

    @rx.event
    async def open_page(self):
        return await self._open_signed_in_page(MeetingsState.load)

    @rx.event
    async def load(self):
        user_id = await self._signed_in_user_id()
        user = await users.get_user(user_id) or {}
        self.phase = user.get("phase") or "goal_setting"
        self.user_timezone = (user.get("settings") or {}).get("timezone") or ""
        await self._show_meetings(user_id)
        series = await meetings_data.series(user_id) if self.phase == "tracking" else None
        if series is not None:
            self._fill_form(series["schedule"])
        else:  # a first schedule starts from the person's own choices in Settings
            settings = user.get("settings") or {}
            self.form_duration = str(settings.get("meeting_duration") or 30)
            self.form_timezone = settings.get("timezone") or ""

    @rx.event
    async def refresh(self, _countdown: str = ""):
        """The lists again, as time passes (a window opening or closing); the schedule form
        is left as the user is editing it, and nothing moves under an open action."""
        if self.reschedule_id or self.complete_id or self.cancel_id:
            return
        await self._show_meetings(await self._signed_in_user_id())

    async def _show_meetings(self, user_id) -> None:
        upcoming, past = await meetings_data.list_meetings(user_id)
        now = datetime.now(UTC)
        shown_upcoming = [_item(m, now) for m in upcoming]
        shown_past = [_item(m, now) for m in past]
        # Sent to the page only when something changed (the countdown asks every 5 s).
        if shown_upcoming != self.upcoming:
            self.upcoming = shown_upcoming
        if shown_past != self.past:
            self.past = shown_past

    def _fill_form(self, schedule: dict) -> None:
        self.cadence_choice = schedule["cadence"]
        monthly = schedule["cadence"] == "monthly"
        self.form_day = str(schedule["day_of_month"] if monthly else schedule["weekday"])
        self.form_time = schedule["local_time"]
        self.form_duration = str(schedule["duration_minutes"])
        self.form_timezone = schedule["timezone"]

    @rx.event
    def choose_cadence(self, cadence: str):
        self.cadence_choice = cadence if cadence in ("weekly", "biweekly", "monthly") else "weekly"

    def _schedule(self, form: dict):
        monthly = form.get("cadence") == "monthly"
        return parse_schedule(
            cadence=form.get("cadence", ""),
            weekday=None if monthly else form.get("day"),
            day_of_month=form.get("day") if monthly else None,
            local_time=form.get("time", ""),
            timezone=form.get("timezone", ""),
            duration_minutes=form.get("duration", ""),
            anchor_after=datetime.now(UTC),
        )

    @rx.event
    async def start_tracking(self, form: dict):
        user_id = await self._signed_in_user_id()
        try:
            schedule = self._schedule(form)
        except ValidationError as error:
            self.form_error = error.message
            return
        # Planning the series can take seconds on the embedded store: say so meanwhile.
        self.form_error, self.planning = "", True
        yield
        now = datetime.now(UTC)
        try:
            state = await meetings_data.start_tracking(user_id, schedule, now=now)
        except ValidationError as error:
            self.form_error = error.message
        else:
            planned = [m for m in state["meetings"] if m["status"] == "scheduled"]
            await self._send_invitations(user_id, state, planned, now)
        finally:
            self.planning = False
        await self.load()

    async def _send_invitations(self, user_id, state: dict, changed: list[dict], now) -> None:
        """Invitations, updates or cancellations for calendars: queued, sent in the
        background; a mail problem never undoes the change itself."""
        try:
            await mail_delivery.invite(user_id, state, changed, now)
        except Exception:
            log.exception("Could not queue check-in invitations for %s", user_id)
        calendar_sync.push_soon(user_id)  # and Google Calendar, when connected

    @rx.event
    async def change_cadence(self, form: dict):
        user_id = await self._signed_in_user_id()
        try:
            schedule = self._schedule(form)
        except ValidationError as error:
            self.form_error = error.message
            return
        now = datetime.now(UTC)
        before = await meetings_data.series(user_id)
        after = await meetings_data.change_cadence(user_id, schedule, now=now)
        if before is not None and after is not None:
            kept = {m["id"] for m in after["meetings"]}
            dropped = [
                {**m, "status": "cancelled", "sequence": m.get("sequence", 0) + 1}
                for m in before["meetings"]
                if m["status"] == "scheduled" and m["id"] not in kept
            ]
            planned = [m for m in after["meetings"] if m["created_at"] == now]
            await self._send_invitations(user_id, after, [*dropped, *planned], now)
        self.form_error = ""
        await self.load()

    async def _act(self, change) -> dict | None:
        """One meeting action; its refusal (a rule, or not this user's meeting) is shown.
        The meeting as changed, or None."""
        user_id, now = await self._signed_in_user_id(), datetime.now(UTC)
        try:
            done = await change(user_id, now)
        except ValidationError as error:
            self.action_error = error.message
            return None
        self.action_error = "" if done is not None else MEETING_MISSING
        if done is not None and done.get("sequence", 0) > 0:  # moved or cancelled
            state = await meetings_data.series(user_id)
            if state is not None:
                await self._send_invitations(user_id, state, [done], now)
        self.reschedule_id = self.complete_id = ""
        await self.load()
        return done

    @rx.event
    def ask_reschedule(self, meeting_id: str):
        self.reschedule_id, self.complete_id, self.action_error = meeting_id, "", ""

    @rx.event
    def ask_complete(self, meeting_id: str):
        self.complete_id, self.reschedule_id, self.action_error = meeting_id, "", ""

    @rx.event
    def close_actions(self):
        self.reschedule_id = self.complete_id = self.action_error = ""

    @rx.event
    async def reschedule(self, form: dict):
        meeting_id = self.reschedule_id
        try:
            new_start = _wall_time(str(form.get("start", "")))
        except ValidationError as error:
            self.action_error = error.message
            return
        await self._act(
            lambda user, now: meetings_data.reschedule(user, meeting_id, new_start, now=now)
        )

    @rx.event
    def ask_cancel(self, meeting_id: str):
        self.cancel_id, self.reschedule_id, self.complete_id = meeting_id, "", ""
        self.action_error = ""

    @rx.event
    def keep_meeting(self):
        self.cancel_id = ""

    @rx.event
    async def cancel(self):
        meeting_id, self.cancel_id = self.cancel_id, ""
        await self._act(lambda user, now: meetings_data.cancel(user, meeting_id, now=now))

    @rx.event
    async def complete(self, form: dict):
        meeting_id, notes = self.complete_id, str(form.get("notes", ""))
        done = await self._act(
            lambda user, now: meetings_data.complete(user, meeting_id, notes, now=now)
        )
        # A recap once: editing the notes later keeps the one written (by the scheduler from
        # the whole conversation, or here).
        if done is not None and not done.get("recap"):
            self._recap_for.append(meeting_id)
            return MeetingsState.write_recap
        return None

    @rx.event(background=True)
    async def write_recap(self):
        """The coach's recap can take seconds: written off the event lock, then shown. Only
        for the meeting just completed here: a model call is not a page's to ask for."""
        async with self:
            if not self._recap_for:
                return
            meeting_id = self._recap_for.pop(0)
            user_id = await self._signed_in_user_id()
        upcoming, past = await meetings_data.list_meetings(user_id)
        meeting = next((m for m in [*upcoming, *past] if m["id"] == meeting_id), None)
        if meeting is not None and meeting["status"] == "completed":
            await write_recap(user_id, meeting)
        async with self:
            await self.load()
