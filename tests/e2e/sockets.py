"""The page's websocket, held on its way out: for states the server must not answer yet."""

from __future__ import annotations

import re

from playwright.sync_api import Page


class HeldSocket:
    """The page's websocket with its outgoing frames held while `holding`."""

    def __init__(self, page: Page):
        self.holding = False
        self.held: list = []
        self._server = None
        page.route_web_socket(re.compile(r".*/_event.*"), self._route)

    def _route(self, ws) -> None:
        self._server = ws.connect_to_server()
        ws.on_message(self._outgoing)
        self._server.on_message(lambda message: ws.send(message))

    def _outgoing(self, message) -> None:
        if self.holding:
            self.held.append(message)
        else:
            self._server.send(message)

    def release(self) -> None:
        self.holding = False
        for message in self.held:
            self._server.send(message)
        self.held.clear()
