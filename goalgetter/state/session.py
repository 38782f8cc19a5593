"""Who is signed in, resolved on the server from the httpOnly session cookie.

Reflex reads request headers (cookies included) from the websocket handshake, so the token
never passes through page scripts or event arguments. Per-user states are substates of
SessionState and are reset whenever the signed-in user changes.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import reflex as rx
from bson import ObjectId
from starlette.requests import cookie_parser

from goalgetter import accounts
from goalgetter.data import users
from goalgetter.domain.timezones import first_zone, parse_timezone
from goalgetter.routes import SESSION_COOKIE


class NotSignedIn(Exception):
    pass


def session_token(cookie_header: str) -> str:
    # Starlette's parser, as the HTTP routes use: a stray cookie it cannot parse is skipped
    # rather than hiding ours.
    return cookie_parser(cookie_header or "").get(SESSION_COOKIE, "")


class SessionState(rx.State):
    user_name: str = ""
    user_email: str = ""
    # The browser's IANA zone: times are shown in it until the user saves one.
    browser_timezone: str = "UTC"
    # The zone saved with the user's check-in schedule ("" until they choose one).
    user_timezone: str = ""
    _user_id: str = ""

    def _display_zone(self) -> ZoneInfo:
        """Times shown to this user: in their saved zone, else the browser's (as downloads)."""
        return first_zone(self.user_timezone, self.browser_timezone)

    async def _signed_in_user_id(self) -> ObjectId:
        """The user every data call acts for: the owner of this connection's session cookie,
        checked against the server-side session on each call, so a session ended in another
        tab (or expired) stops working here at the next event."""
        user_id = await self._session_user_id()
        if user_id is None or str(user_id) != self._user_id:
            raise NotSignedIn()
        return user_id

    async def _session_user_id(self) -> ObjectId | None:
        token = session_token(self.router.headers.cookie)
        return await accounts.user_id_for_token(token) if token else None

    async def _forget_user(self) -> None:
        from goalgetter.state.chat import ChatState
        from goalgetter.state.goals import GoalsState
        from goalgetter.state.meetings import MeetingsState

        for per_user_state in (GoalsState, ChatState, MeetingsState):
            (await self.get_state(per_user_state)).reset()
        self.reset()

    async def _resolve_user(self) -> dict | None:
        user_id = await self._session_user_id()
        user = await users.get_user(user_id) if user_id else None
        if user is None or str(user["_id"]) != self._user_id:
            await self._forget_user()
        if user is not None:
            self._user_id = str(user["_id"])
            self.user_name, self.user_email = user["name"], user["email"]
            self.user_timezone = (user.get("settings") or {}).get("timezone") or ""
        return user

    async def _open_signed_in_page(self, *loads) -> list | rx.event.EventSpec:
        """A page for signed-in users: its loads, after learning the browser's zone."""
        if await self._resolve_user() is None:
            return rx.redirect("/login")
        zone = rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone",
            callback=SessionState.set_browser_timezone,
        )
        return [zone, *loads]

    @rx.event
    async def open_workspace(self):
        from goalgetter.state.chat import ChatState
        from goalgetter.state.goals import GoalsState

        return await self._open_signed_in_page(GoalsState.load, ChatState.load_history)

    @rx.event
    def set_browser_timezone(self, name: str):
        if parse_timezone(name) is not None:
            self.browser_timezone = name

    @rx.event
    async def open_public_page(self):
        """Home and sign-in pages: a signed-in visitor goes to the workspace; anyone else
        starts with no per-user state left in this tab."""
        if await self._resolve_user() is not None:
            return rx.redirect("/workspace")
        return None
