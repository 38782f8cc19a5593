"""What a person does through the running container: a sign-up by form post, and a message
to the coach over the Reflex websocket (tests/hostile_client.py speaks its protocol)."""

from __future__ import annotations

import json

import httpx
from reflex_base.utils.format import format_event_handler

from goalgetter.state.chat import ChatState
from tests.e2e.flows import PASSWORD, unique_email
from tests.hostile_client import HostileTab
from tests.polling import wait_until

SUBMIT = format_event_handler(ChatState.event_handlers["submit"])
OPEN_WORKSPACE = format_event_handler(ChatState.event_handlers["open_workspace"])
LOAD_HISTORY = format_event_handler(ChatState.event_handlers["load_history"])
QUESTION = "I want to run a 10 km race in under an hour by June"
REPLY_TIMEOUT_SECONDS = 60


def sign_up(url: str, **headers: str) -> httpx.Response:
    form = {"name": "Ada Image", "email": unique_email("image"), "password": PASSWORD}
    return httpx.post(f"{url}/auth/signup", data=form, headers=headers, timeout=30)


def assistant_texts(tab: HostileTab) -> list[str]:
    """Every assistant message's text in the frames the tab received."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("role") == "assistant" and node.get("content"):
                found.append(str(node["content"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for frame in list(tab.frames):
        walk(json.loads(frame))
    return found


def coach_reply(url: str, session: str) -> tuple[str, str, HostileTab]:
    """Sends QUESTION from the workspace; returns it, the coach's reply, and a second tab of
    the same person (closed) whose chat history, loaded afresh, holds the reply."""
    with HostileTab(url, session=session) as tab:
        tab.hydrate()
        tab.send(OPEN_WORKSPACE, {})
        before = set(assistant_texts(tab))
        tab.emit(SUBMIT, {"form_data": {"message": QUESTION}})
        # The page's message list takes the reply when it is complete (tokens stream apart).
        wait_until(
            lambda: bool(set(assistant_texts(tab)) - before),
            timeout=REPLY_TIMEOUT_SECONDS,
            what="the coach's reply",
        )
        reply = (set(assistant_texts(tab)) - before).pop()
    with HostileTab(url, session=session) as later:
        later.hydrate()
        # Polled, not ordered by a barrier: with Redis, a tab's events may take the state's
        # lock in another order than they were sent.
        later.emit(LOAD_HISTORY, {})
        wait_until(
            lambda: reply in assistant_texts(later),
            timeout=REPLY_TIMEOUT_SECONDS,
            what="the reply in a new tab's history",
        )
    return QUESTION, reply, later
