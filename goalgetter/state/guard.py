"""Before Reflex handles any event, the tab's state is checked against this connection.

Reflex finds a tab's cached state by the client token the connection presents and sends it in
full on the first frame (hydrate), before any page's on_load runs. A middleware runs before
every handler, hydrate included, with the connection's own handshake headers already on the
state: the place to make sure a cached state reaches only the person it belongs to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reflex.middleware import Middleware

from goalgetter.state.session import SessionState

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState, StateUpdate
    from reflex_base.event import Event


class SessionGuard(Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        await (await state.get_state(SessionState))._check_connection()
        return None
