"""/settings: where the person is signed in; end one session, or all of them.

Rows name a session by `sessions.public_id`, never by its key. Every handler reads the
person from the server-side session and ends only sessions listed under them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

import reflex as rx

from goalgetter.data import sessions
from goalgetter.domain.user_agents import device_name
from goalgetter.socket_session import session_key_from_cookie
from goalgetter.state.session import SessionState

SESSION_GONE = "That session had ended already."


class SessionRow(TypedDict):
    id: str
    device: str
    created: str
    last_seen: str
    current: bool


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat()


def session_row(session: dict, this_key: str) -> SessionRow:
    return {
        "id": sessions.public_id(session["_id"]),
        "device": device_name(session.get("user_agent", "")),
        "created": _iso(session["created_at"]),
        "last_seen": _iso(session.get("last_seen_at") or session["created_at"]),
        "current": session["_id"] == this_key,
    }


class SessionsListState(SessionState):
    sessions: list[SessionRow] = []
    sessions_error: str = ""

    def _this_key(self) -> str:
        return session_key_from_cookie(self.router.headers.cookie)

    @rx.event
    async def load_sessions(self):
        user_id = await self._signed_in_user_id()
        rows = [session_row(s, self._this_key()) for s in await sessions.list_for_user(user_id)]
        # This device first, then the newest.
        self.sessions = sorted(rows, key=lambda row: not row["current"])

    @rx.event
    async def revoke_session(self, session_id: str):
        user_id = await self._signed_in_user_id()
        listed = await sessions.list_for_user(user_id)
        key = next((s["_id"] for s in listed if sessions.public_id(s["_id"]) == session_id), None)
        if key == self._this_key():
            return await self.sign_out()  # ending this device's session is signing out
        ended = key is not None and await sessions.delete_by_key(key, user_id)
        self.sessions_error = "" if ended else SESSION_GONE
        await self.load_sessions()
        return None

    @rx.event
    async def sign_out_everywhere(self):
        """Every session of the person ends, this one too: other tabs and devices land on
        /login at their next action, this tab now."""
        await sessions.end_all_for_user(await self._signed_in_user_id())
        return await self.sign_out()
