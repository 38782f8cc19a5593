"""A loopback server that speaks Resend's email API (POST /emails) for tests.

The real `resend` SDK is pointed at it through RESEND_API_URL. It honours Idempotency-Key
the way Resend does (the same key answers with the same email id and is delivered once),
and fails on cue: `queue("rate_limited", "server_error", "hang")`.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.anthropic_fake import free_port
from tests.polling import wait_until

_FAILURES = {
    "rate_limited": (429, "rate_limit_exceeded", "Too many requests."),
    "server_error": (500, "application_error", "Something went wrong."),
    "invalid": (422, "validation_error", "Invalid `to` field."),
}


@dataclass
class FakeResend:
    requests: list[dict] = field(default_factory=list)
    delivered: dict[str, dict] = field(default_factory=dict)  # idempotency key -> email
    hang_seconds: float = 5.0
    port: int = 0
    _queued: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *scenarios: str) -> None:
        with self._lock:
            self._queued.extend(scenarios)

    def reset(self) -> None:
        with self._lock:
            self._queued.clear()
            self.requests.clear()
            self.delivered.clear()

    async def _emails(self, request: Request):
        body = await request.json()
        key = request.headers.get("idempotency-key", "")
        self.requests.append({"headers": dict(request.headers), "body": body, "key": key})
        with self._lock:
            scenario = self._queued.pop(0) if self._queued else "normal"
        if scenario == "hang":
            await asyncio.sleep(self.hang_seconds)
        if scenario in _FAILURES:
            status, name, message = _FAILURES[scenario]
            return JSONResponse(
                {"statusCode": status, "name": name, "message": message}, status_code=status
            )
        with self._lock:
            if key not in self.delivered:
                self.delivered[key] = {**body, "id": f"email_{next(self._ids)}"}
            return JSONResponse({"id": self.delivered[key]["id"]})

    def start(self) -> FakeResend:
        self.port = free_port()
        app = Starlette(routes=[Route("/emails", self._emails, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until(lambda: self._server.started, timeout=10, what="fake Resend server")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
