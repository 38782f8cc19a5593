"""A loopback server that speaks the Anthropic Messages API (streaming SSE) for tests.

The real `anthropic` SDK is pointed at it with `base_url=`. What it does on the next request
is chosen by `queue()`, or by a marker in the last user message (`[[fake:overloaded]]`),
which lets browser tests pick a scenario by what they type.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.polling import wait_until

SCENARIOS = (
    "normal", "unauthorized", "rate_limited", "rate_limited_30", "overloaded", "hang",
    "midstream_error", "propose",
)  # fmt: skip
_GOAL_ID = re.compile(r"goal_id: ([0-9a-f]{24})")
PROPOSE_TEXT = "Here is a sharper version of your goal."
AFTER_TOOLS_TEXT = "Take a look at the card: accept it if it fits you."
_MARKER = re.compile(r"\[\[fake:(\w+)\]\]")
_ERROR_STATUS = {
    "unauthorized": (401, "authentication_error", "invalid x-api-key"),
    "rate_limited": (429, "rate_limit_error", "Number of requests has exceeded your rate limit"),
    "rate_limited_30": (429, "rate_limit_error", "Number of requests has exceeded your rate limit"),
    "overloaded": (529, "overloaded_error", "Overloaded"),
}
# The wait each error asks for; the SDK and the chat honour it.
_RETRY_AFTER = {"rate_limited_30": {"retry-after": "30"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reply_tokens(last_user_text: str) -> list[str]:
    """The fake coach's deterministic answer, as the chunks it streams."""
    echo = " ".join(_MARKER.sub("", last_user_text).split()[:12])
    text = f"Coach here! You said: {echo}. What is the one step you will take today?"
    return re.findall(r"\S+\s*", text)


def _sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


@dataclass
class FakeAnthropic:
    token_delay: float = 0.0
    first_token_delay: float = 0.0
    hang_seconds: float = 30.0
    requests: list[dict] = field(default_factory=list)
    background_requests: list[dict] = field(default_factory=list)
    _queued: list[str] = field(default_factory=list)
    # Rounds of tool calls to answer with, in order: each a list of {"name", "input"}, where
    # "input" is a dict or the raw JSON text to stream (malformed on purpose, say).
    _tool_rounds: list[list[dict]] = field(default_factory=list)
    _cached_prefixes: set[str] = field(default_factory=set)
    _queued_background: list[str] = field(default_factory=list)
    _background_rounds: list[list[dict]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *scenarios: str, background: bool = False) -> None:
        """What the next chat replies (streamed) do; `background`: the next requests that are
        not streamed (summaries, grading) instead, so neither kind takes the other's."""
        for scenario in scenarios:
            assert scenario in SCENARIOS, scenario
        with self._lock:
            (self._queued_background if background else self._queued).extend(scenarios)

    def queue_tool_calls(self, *calls: dict, background: bool = False) -> None:
        """The next reply of that kind that is not an error makes these tool calls."""
        with self._lock:
            (self._background_rounds if background else self._tool_rounds).append(list(calls))

    def _cache_usage(self, body: dict) -> dict:
        """Prompt caching as the API reports it: the prefix up to the last cache breakpoint
        (tools, then system blocks) is written the first time it is seen, read after."""
        system = body.get("system")
        blocks = system if isinstance(system, list) else []
        marked = [i for i, block in enumerate(blocks) if block.get("cache_control")]
        if not marked:
            return {"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        prefix = json.dumps([body.get("tools"), blocks[: marked[-1] + 1]], sort_keys=True)
        tokens = len(prefix) // 4
        with self._lock:
            seen = prefix in self._cached_prefixes
            self._cached_prefixes.add(prefix)
        return {
            "cache_creation_input_tokens": 0 if seen else tokens,
            "cache_read_input_tokens": tokens if seen else 0,
        }

    def _next_tool_round(self, body: dict, scenario: str) -> list[dict]:
        rounds = self._tool_rounds if body.get("stream") else self._background_rounds
        with self._lock:
            if rounds:
                return rounds.pop(0)
        if scenario == "propose" and not _has_tool_results(body):
            return _marker_proposal(body)
        return []

    def reset(self) -> None:
        with self._lock:
            self._tool_rounds.clear()
            self._background_rounds.clear()
            self._queued_background.clear()
            self._cached_prefixes.clear()
            self._queued.clear()
            self.requests.clear()
            self.background_requests.clear()
        self.token_delay = self.first_token_delay = 0.0

    def _next_scenario(self, body: dict) -> str:
        queued = self._queued if body.get("stream") else self._queued_background
        with self._lock:
            if queued:
                return queued.pop(0)
        found = _MARKER.search(_last_user_text(body))
        return found.group(1) if found and found.group(1) in SCENARIOS else "normal"

    async def _messages(self, request: Request):
        body = await request.json()
        record = {
            "headers": dict(request.headers),
            "body": body,
            "received_at": time.perf_counter(),
        }
        # Chat replies are streamed; background work (summaries, grading) is not: kept apart,
        # so a test reading the last chat request never finds a background one there.
        (self.requests if body.get("stream") else self.background_requests).append(record)
        scenario = self._next_scenario(body)
        if scenario in _ERROR_STATUS:
            status, kind, message = _ERROR_STATUS[scenario]
            return JSONResponse(
                {"type": "error", "error": {"type": kind, "message": message}},
                status_code=status,
                headers={
                    **_RETRY_AFTER.get(scenario, {"retry-after-ms": "1"}),
                    "request-id": "req_fake",
                },
            )
        if not body.get("stream"):
            calls = self._next_tool_round(body, scenario) if body.get("tools") else []
            answer = _whole_message(body, calls)
            return JSONResponse(answer, headers={"request-id": "req_fake"})
        # Taken now: a request that hangs must not take a round meant for a later one.
        calls = self._next_tool_round(body, scenario)
        if scenario == "hang":
            await asyncio.sleep(self.hang_seconds)
        return StreamingResponse(
            self._stream(body, scenario, record, calls),
            media_type="text/event-stream",
            headers={"request-id": "req_fake"},
        )

    async def _stream(self, body: dict, scenario: str, record: dict, calls: list[dict]):
        if calls:
            text = PROPOSE_TEXT
        elif _has_tool_results(body):
            text = AFTER_TOOLS_TEXT
        else:
            text = None
        tokens = re.findall(r"\S+\s*", text) if text else reply_tokens(_last_user_text(body))
        model = body.get("model", "claude-fake")
        yield _sse(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 42, "output_tokens": 1, **self._cache_usage(body)},
                },
            },
        )
        yield _sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
        yield _sse("ping", {"type": "ping"})
        if self.first_token_delay:
            await asyncio.sleep(self.first_token_delay)
        for number, token in enumerate(tokens):
            if scenario == "midstream_error" and number == 3:
                yield _sse(
                    "error",
                    {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "Overloaded"},
                    },
                )
                return
            if number and self.token_delay:
                await asyncio.sleep(self.token_delay)
            if number == 0:
                record.setdefault("first_token_at", time.perf_counter())
            yield _sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": token},
                },
            )
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        for index, call in enumerate(calls, start=1):
            for event in _tool_use_events(index, call):
                yield event
        yield _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": "tool_use" if calls else "end_turn",
                    "stop_sequence": None,
                },
                "usage": {"output_tokens": len(tokens)},
            },
        )
        yield _sse("message_stop", {"type": "message_stop"})

    def start(self) -> FakeAnthropic:
        self.port = free_port()
        app = Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until(lambda: self._server.started, timeout=10, what="fake Anthropic server")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)


def _last_user_text(body: dict) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _tool_use_events(index: int, call: dict) -> list[bytes]:
    """One tool_use block as the API streams it: its input in input_json_delta pieces."""
    raw = call["input"] if isinstance(call["input"], str) else json.dumps(call["input"])
    pieces = [raw[at : at + 16] for at in range(0, len(raw), 16)] or [""]
    start = {
        "type": "content_block_start",
        "index": index,
        "content_block": {
            "type": "tool_use",
            "id": f"toolu_fake_{index}_{abs(hash(raw)) % 10**8}",
            "name": call["name"],
            "input": {},
        },
    }
    deltas = [
        _sse(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            },
        )
        for piece in pieces
    ]
    stop = _sse("content_block_stop", {"type": "content_block_stop", "index": index})
    return [_sse("content_block_start", start), *deltas, stop]


def _whole_message(body: dict, calls: list[dict]) -> dict:
    """A non-streamed answer: the same words the stream would send, or the tool calls queued
    (their input as given), in one message."""
    text = "".join(reply_tokens(_last_user_text(body)))
    content = [
        {"type": "tool_use", "id": f"toolu_fake_{n}", "name": c["name"], "input": c["input"]}
        for n, c in enumerate(calls)
    ] or [{"type": "text", "text": text}]
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-fake"),
        "content": content,
        "stop_reason": "tool_use" if calls else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 42, "output_tokens": len(reply_tokens(_last_user_text(body)))},
    }


def system_text(body: dict) -> str:
    """The system prompt of a request as one text, whether sent as a string or in blocks."""
    system = body.get("system") or ""
    return system if isinstance(system, str) else "\n".join(b.get("text", "") for b in system)


def _has_tool_results(body: dict) -> bool:
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    return isinstance(content, list) and any(
        isinstance(part, dict) and part.get("type") == "tool_result" for part in content
    )


def _marker_proposal(body: dict) -> list[dict]:
    """For `[[fake:propose]] new text`: an edit of the first goal in the prompt, whose new
    text is what follows the marker."""
    found = _GOAL_ID.search(system_text(body))
    if found is None:
        return []
    new_content = _MARKER.sub("", _last_user_text(body)).strip()
    edit = {"goal_id": found.group(1), "new_content": new_content, "reason": "Sharper."}
    return [{"name": "propose_goal_edit", "input": edit}]
