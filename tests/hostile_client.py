"""A client of the app's websocket that speaks Reflex's protocol as a hostile script would:
any client token, any cookie, any event name, any payload. It keeps every frame it is sent.

The real socket.io client library (python-socketio over websocket-client) does the talking;
event names come from the app's own state classes, as the compiled pages have them.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import json
import pkgutil
import threading
import uuid

import socketio
from reflex.state import State
from reflex_base.utils.format import format_event_handler

import goalgetter.state
from goalgetter.routes import SESSION_COOKIE
from goalgetter.state.session import SessionState, per_user_states

HYDRATE = format_event_handler(State.event_handlers["hydrate_and_load"])
# A harmless event whose answer marks the end of everything sent before it: a tab's events
# are handled one after another.
BARRIER = format_event_handler(SessionState.event_handlers["set_browser_timezone"])
BARRIER_ZONES = itertools.cycle(["Asia/Tokyo", "Europe/Berlin", "America/Lima"])
ANSWER_TIMEOUT = 30
NAMESPACE = "/_event"


def all_state_classes() -> list[type[State]]:
    """The app's states: every module of goalgetter.state, loaded as the app loads them."""
    for module in pkgutil.iter_modules(goalgetter.state.__path__, "goalgetter.state."):
        importlib.import_module(module.name)
    from goalgetter.state.auth_form import AuthFormState

    return [SessionState, *per_user_states(SessionState), AuthFormState]


def event_handlers() -> list[tuple[str, list[str]]]:
    """(full event name, parameter names) of every handler a page could call."""
    found = []
    for state_class in all_state_classes():
        for handler in state_class.event_handlers.values():
            if handler.state is not state_class:
                continue  # inherited: listed with the class that defines it
            params = list(inspect.signature(handler.fn).parameters)[1:]
            found.append((format_event_handler(handler), params))
    return found


class HostileTab:
    def __init__(self, base_url: str, token: str | None = None, session: str | None = None):
        self.base_url = base_url
        self.token = token or str(uuid.uuid4())
        self.session = session
        self.frames: list[str] = []
        self._lock = threading.Lock()
        self._awaited = ""
        self._answered = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace=NAMESPACE)

    def _record(self, event: str, *data) -> None:
        frame = json.dumps([event, *data], ensure_ascii=False, default=str)
        with self._lock:
            self.frames.append(frame)
            if self._awaited and self._awaited in frame:
                self._answered.set()

    def __enter__(self) -> HostileTab:
        headers = {"Cookie": f"{SESSION_COOKIE}={self.session}"} if self.session else {}
        self.sio.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            headers=headers,
            namespaces=[NAMESPACE],
            wait_timeout=ANSWER_TIMEOUT,
        )
        return self

    def __exit__(self, *exc) -> None:
        self.sio.disconnect()

    def emit(self, name: str, payload: object, path: str = "/workspace") -> None:
        """Sends one event, shaped as the page sends them (or not, when `payload` is not)."""
        router_data = {"pathname": path, "query": {}, "asPath": path}
        event = {"name": name, "payload": payload, "router_data": router_data}
        self.sio.emit("event", event, namespace=NAMESPACE)

    def send(self, name: str, payload: object, path: str = "/workspace") -> None:
        """Sends one event and waits until the server has handled it."""
        self.emit(name, payload, path)
        self.barrier(path)

    def hydrate(self, path: str = "/workspace") -> None:
        self.send(HYDRATE, {}, path)

    def barrier(self, path: str = "/workspace") -> None:
        zone = next(BARRIER_ZONES)
        with self._lock:
            self._awaited = zone
            self._answered.clear()
        self.emit(BARRIER, {"name": zone}, path)
        if not self._answered.wait(ANSWER_TIMEOUT):
            raise TimeoutError(f"no answer from the server on {self.token}")

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.frames)
