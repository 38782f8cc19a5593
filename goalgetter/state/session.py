"""Who is signed in, resolved on the server from the httpOnly session cookie.

Reflex reads request headers (cookies included) from the websocket handshake, where the token
has already been replaced by its session key (goalgetter/socket_session.py): neither reaches
page scripts or event arguments. Per-user states are substates of SessionState. Before any
event of a connection is handled, and so before any state is sent on it, the state's user is
checked against that connection's session (goalgetter/state/guard.py) and every per-user
state is emptied when they differ.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import reflex as rx
from bson import ObjectId

from goalgetter import accounts
from goalgetter.data import users
from goalgetter.domain.timezones import first_zone, parse_timezone
from goalgetter.socket_session import session_key_from_cookie

SIGN_OUT_FORM_ID = "signout-form"


# After the server has emptied the tab's state: the next page gets a fresh client token, and
# the form post ends the session and deletes the cookie.
def post_sign_out(query: str = "") -> str:
    """The script that posts the sign-out form; `query` goes to the sign-in page after."""
    action = f"form.action=form.action.split('?')[0]+'?{query}';" if query else ""
    return (
        "(function(){window.sessionStorage.removeItem('token');"
        f"const form=document.getElementById('{SIGN_OUT_FORM_ID}');{action}form.submit();}})()"
    )


_POST_SIGN_OUT = post_sign_out()


class NotSignedIn(Exception):
    pass


def per_user_states(state_class: type[rx.State]) -> list[type[rx.State]]:
    """Every state below `state_class`: all of them hold one person's data."""
    found = []
    for substate in state_class.__subclasses__():
        found += [substate, *per_user_states(substate)]
    return found


class SessionState(rx.State):
    user_name: str = ""
    user_email: str = ""
    # The browser's IANA zone: times are shown in it until the user saves one.
    browser_timezone: str = "UTC"
    # The zone saved with the user's check-in schedule ("" until they choose one).
    user_timezone: str = ""
    _user_id: str = ""
    # The session key this state was last checked against (see _check_connection).
    _session_key: str = ""

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
        key = session_key_from_cookie(self.router.headers.cookie)
        return await accounts.user_id_for_session_key(key)

    async def _check_connection(self) -> None:
        """Keep this tab's cached state only for the person signed in on this connection.

        A connection can present the client token of a tab someone else used (a shared
        browser, a copied token): their cached state is emptied before anything is sent. One
        database read when the session key differs from the one last checked; none otherwise.
        """
        key = session_key_from_cookie(self.router.headers.cookie)
        if key == self._session_key:
            return
        user_id = await self._session_user_id()
        if str(user_id or "") != self._user_id:
            await self._forget_user()
        self._session_key = key

    async def _forget_user(self) -> None:
        # get_state loads each one: a state store keeps substates apart, and one not loaded
        # yet would keep its data.
        for per_user_state in per_user_states(SessionState):
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
    async def sign_out(self):
        """Nothing of this person stays in the tab's stored state once the page changes."""
        await self._forget_user()
        return rx.call_script(_POST_SIGN_OUT)

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
