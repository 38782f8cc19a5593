"""Settings: the Google Calendar connection (connect, its state and last sync, disconnect)."""

from __future__ import annotations

import reflex as rx

from goalgetter import calendar_sync
from goalgetter.integrations import google_calendar
from goalgetter.settings import get_settings
from goalgetter.state.session import SessionState

# What the connection's way back to /settings says (`?calendar=`); only these become text.
OUTCOMES = {
    "connected": "Google Calendar is connected. Your check-ins are being added to it.",
    "cancelled": "Google Calendar was not connected: access was not given at Google.",
    "not_granted": (
        "Google Calendar was not connected: access to your calendar was not ticked on "
        "Google's page. Connect again and allow it."
    ),
    "failed": "Google Calendar could not be connected. Please try again.",
    "unavailable": "Google could not be reached. Please try again in a few minutes.",
}
PROBLEMS = {
    "revoked": (
        "Disconnected: Google no longer lets GoalGetter use your calendar. Connect again "
        "to keep your check-ins in it."
    ),
}


class GoogleCalendarState(SessionState):
    calendar_available: bool = False  # GOOGLE_CLIENT_ID/SECRET are set
    calendar_connection: str = "none"  # none, connected, revoked
    calendar_account: str = ""
    calendar_last_sync: str = ""  # ISO 8601 UTC, "" before the first sync
    calendar_trouble: str = ""  # the last sync failed (Google down): shown, retried
    calendar_message: str = ""

    @rx.event
    async def load_google_calendar(self):
        user_id = await self._signed_in_user_id()
        self.calendar_available = google_calendar.configured(get_settings())
        await self._show(user_id)
        outcome = self.router.url.query_parameters.get("calendar", "")
        self.calendar_message = OUTCOMES.get(outcome, "")

    async def _show(self, user_id) -> None:
        status = await calendar_sync.status(user_id)
        self.calendar_connection = status["state"]
        self.calendar_account = status["account"]
        last = status["last_sync_at"]
        self.calendar_last_sync = last.isoformat() if last is not None else ""
        trouble = status["state"] == "connected" and bool(status["problem"])
        self.calendar_trouble = "The last sync could not reach Google; retrying." if trouble else ""
        if status["state"] in PROBLEMS:
            self.calendar_trouble = PROBLEMS[status["state"]]

    @rx.event
    async def disconnect_google_calendar(self):
        """Revokes the grant at Google, removes the upcoming check-ins from the calendar
        and forgets the connection (Google's calls run in threads, off the event loop)."""
        user_id = await self._signed_in_user_id()
        await calendar_sync.disconnect(user_id)
        self.calendar_message = "Google Calendar is disconnected."
        await self._show(user_id)
