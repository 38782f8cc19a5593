"""One person at the keyboard, as the page's own websocket client is: signs in by the form's
POST, then speaks Reflex's protocol (socket.io on /_event) with python-socketio's asyncio
client, and times what the person would see change on screen.

Event names come from the app's own state classes, as the compiled pages have them; what
the server answers is folded into `view`, var by var, the way the page applies deltas.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

import httpx
import socketio
from reflex.state import State
from reflex_base.utils.format import format_event_handler

from goalgetter.routes import SESSION_COOKIE
from goalgetter.state.chat import ChatState
from goalgetter.state.goal_autosave import AutosaveState
from goalgetter.state.goal_templates import TemplatesState

NAMESPACE = "/_event"
VAR_SUFFIX = "_rx_state_"
HYDRATE = format_event_handler(State.event_handlers["hydrate_and_load"])
OPEN_WORKSPACE = format_event_handler(ChatState.event_handlers["open_workspace"])
CHOOSE_TEMPLATE = format_event_handler(TemplatesState.event_handlers["choose_template"])
SAVE_CONTENT = format_event_handler(AutosaveState.event_handlers["save_content"])
SUBMIT = format_event_handler(ChatState.event_handlers["submit"])
WORKSPACE = "/workspace"


class ClientError(Exception):
    """What went wrong for one person, in words that group the same failures together."""


@dataclass
class Timings:
    """Milliseconds, from the action to what the person sees."""

    sign_in: float = 0.0
    workspace_open: float = 0.0
    save: float = 0.0
    first_token: float = 0.0
    token_gaps: list[float] = field(default_factory=list)
    reply_done: float = 0.0


class PersonTab:
    """A signed-in tab on /workspace: `view` holds every var as last sent, keyed by the
    state's short name and the var's name (("chat_state", "streaming_text"))."""

    def __init__(self, base_url: str, timeout: float):
        self.base_url = base_url
        self.timeout = timeout
        self.token = str(uuid.uuid4())
        self.view: dict[tuple[str, str], object] = {}
        self.sent_since_mark: set[tuple[str, str]] = set()  # vars the server sent since mark()
        self.timings = Timings()
        self._changed = asyncio.Event()
        self._on_delta = None  # called with (frame time, changed keys) as frames arrive
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._receive, namespace=NAMESPACE)

    async def _receive(self, update: dict) -> None:
        received = time.perf_counter()
        changed = []
        for state_name, variables in (update.get("delta") or {}).items():
            short = state_name.rsplit("____", 1)[-1]
            for name, value in variables.items():
                key = (short, name.removesuffix(VAR_SUFFIX))
                self.view[key] = value
                changed.append(key)
        self.sent_since_mark.update(changed)
        if self._on_delta is not None and changed:
            self._on_delta(received, changed)
        self._changed.set()

    async def until(self, ready, what: str) -> None:
        """Waits for the page's view to satisfy `ready` (no polling: each frame wakes it)."""
        deadline = time.perf_counter() + self.timeout
        while not ready():
            self._changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ClientError(f"timed out waiting for {what}")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                raise ClientError(f"timed out waiting for {what}") from None

    async def emit(self, name: str, payload: dict) -> None:
        router_data = {"pathname": WORKSPACE, "query": {}, "asPath": WORKSPACE}
        event = {"name": name, "payload": payload, "router_data": router_data}
        await self.sio.emit("event", event, namespace=NAMESPACE)

    def var(self, state: str, name: str, default: object = None) -> object:
        return self.view.get((state, name), default)

    async def sign_in(self, http: httpx.AsyncClient, email: str, password: str) -> str:
        started = time.perf_counter()
        answer = await http.post(
            f"{self.base_url}/auth/login", data={"email": email, "password": password}
        )
        session = answer.cookies.get(SESSION_COOKIE)
        if answer.status_code != 303 or not session:
            raise ClientError(f"sign-in answered {answer.status_code}")
        self.timings.sign_in = _ms(started)
        return session

    async def open_workspace(self, session: str) -> None:
        started = time.perf_counter()
        await self.sio.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            headers={"Cookie": f"{SESSION_COOKIE}={session}"},
            namespaces=[NAMESPACE],
            wait_timeout=self.timeout,
        )
        await self.emit(HYDRATE, {})
        await self.until(lambda: self.var("state", "is_hydrated") is True, "the page's state")
        # The page's load: the goal list and the chat history, each sent once loaded.
        self.sent_since_mark.clear()
        await self.emit(OPEN_WORKSPACE, {})
        loaded = {("goals_state", "goals"), ("chat_state", "messages")}
        await self.until(lambda: loaded <= self.sent_since_mark, "the goals and the chat")
        self.timings.workspace_open = _ms(started)

    async def new_goal(self) -> str:
        before = self.var("goals_state", "selected_id") or ""
        await self.emit(CHOOSE_TEMPLATE, {"template_id": "blank"})
        await self.until(
            lambda: self.var("goals_state", "selected_id") not in (None, "", before), "a new goal"
        )
        return str(self.var("goals_state", "selected_id"))

    async def save(self, goal_id: str, content: str) -> None:
        version = self.var("goals_state", "saved_version") or 0
        started = time.perf_counter()
        await self.emit(SAVE_CONTENT, {"goal_id": goal_id, "content": content, "edit": 1})

        def settled() -> bool:
            status = self.var("goals_state", "save_status")
            if status == "error":
                raise ClientError(f"save refused: {self.var('goals_state', 'save_error')}")
            return status == "saved" and (self.var("goals_state", "saved_version") or 0) > version

        await self.until(settled, "the save")
        self.timings.save = _ms(started)

    async def ask_coach(self, message: str) -> None:
        """Sends `message`; times the first token on screen and each gap until the reply ends."""
        last_shown = 0.0
        began = ended = False
        started = time.perf_counter()

        def seen(at: float, changed: list) -> None:
            nonlocal last_shown, began, ended
            if ("chat_state", "is_generating") in changed:
                generating = self.var("chat_state", "is_generating")
                began, ended = began or generating is True, began and generating is False
            if ("chat_state", "streaming_text") in changed and self.var(
                "chat_state", "streaming_text"
            ):
                if last_shown:
                    self.timings.token_gaps.append((at - last_shown) * 1000)
                else:
                    self.timings.first_token = (at - started) * 1000
                last_shown = at

        def done() -> bool:
            if error := self.var("chat_state", "chat_error"):
                raise ClientError(f"coach error: {error}")
            return ended

        self._on_delta = seen
        try:
            await self.emit(SUBMIT, {"form_data": {"message": message}})
            await self.until(done, "the reply")
        finally:
            self._on_delta = None
        if not last_shown:
            raise ClientError("the reply arrived without streaming")
        self.timings.reply_done = _ms(started)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
