"""The calendar feed's URL on /settings, and replacing it."""

from __future__ import annotations

import reflex as rx

from goalgetter.data import calendar_feeds
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
