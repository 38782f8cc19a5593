"""/settings: the calendar feed's URL (and replacing it), and which mail the person wants."""

from __future__ import annotations

import reflex as rx

from goalgetter.data import calendar_feeds, users
from goalgetter.settings import get_settings
from goalgetter.state.session import SessionState
from goalgetter.urls import backend_base


class CalendarFeedState(SessionState):
    feed_url: str = ""

    def _url(self, token: str) -> str:
        return f"{backend_base(self.router.url.origin)}/calendar/{token}.ics"

    @rx.event
    async def load_feed(self):
        user_id = await self._signed_in_user_id()
        token = await calendar_feeds.feed_token(user_id, get_settings().resolved_secret_key())
        self.feed_url = self._url(token)

    @rx.event
    async def rotate_feed(self):
        user_id = await self._signed_in_user_id()
        token = await calendar_feeds.rotate(user_id, get_settings().resolved_secret_key())
        self.feed_url = self._url(token)


class NotificationsState(SessionState):
    """The mail the person wants (domain/unsubscribe.GROUPS), on /settings."""

    email_reminders: bool = True
    email_recaps: bool = True
    email_nudges: bool = True

    @rx.event
    async def load_notifications(self):
        user = await users.get_user(await self._signed_in_user_id()) or {}
        self.email_reminders = users.wants(user, "reminders")
        self.email_recaps = users.wants(user, "recaps")
        self.email_nudges = users.wants(user, "nudges")

    async def _set(self, group: str, wanted: bool) -> None:
        await users.set_notification(await self._signed_in_user_id(), group, wanted)

    @rx.event
    async def set_reminders(self, wanted: bool):
        self.email_reminders = bool(wanted)
        await self._set("reminders", self.email_reminders)

    @rx.event
    async def set_recaps(self, wanted: bool):
        self.email_recaps = bool(wanted)
        await self._set("recaps", self.email_recaps)

    @rx.event
    async def set_nudges(self, wanted: bool):
        self.email_nudges = bool(wanted)
        await self._set("nudges", self.email_nudges)
