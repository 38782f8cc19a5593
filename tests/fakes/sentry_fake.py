"""A loopback Sentry: the envelope endpoint the real sentry-sdk posts to.

`POST /api/<project>/envelope/` with an envelope (a header line, then per item a header line
and its payload; gzip when the SDK compresses it), answered 200 as Sentry does. Each item is
kept decoded, with the raw body as it arrived, so a test can search everything that left.
DSN: `fake.dsn` (any public key; the project is 42).
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.polling import wait_until


def _line_end(body: bytes, start: int) -> int:
    end = body.find(b"\n", start)
    return len(body) if end == -1 else end


def parse_envelope(body: bytes) -> tuple[dict, list[tuple[dict, bytes]]]:
    """The envelope's header and its (item header, payload) pairs."""
    end = _line_end(body, 0)
    header, items, at = json.loads(body[:end] or b"{}"), [], end + 1
    while at < len(body):
        end = _line_end(body, at)
        if not body[at:end].strip():
            at = end + 1
            continue
        item_header, at = json.loads(body[at:end]), end + 1
        length = item_header.get("length")
        # Without a length the payload runs to the end of its line.
        end = _line_end(body, at) if length is None else at + length
        items.append((item_header, body[at:end]))
        at = end + 1
    return header, items


class FakeSentry:
    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.items: list[tuple[dict, bytes]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self._server.server_port}/42"

    def start(self) -> FakeSentry:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def events(self) -> list[dict]:
        """The error events received (items of type `event`), decoded."""
        with self._lock:
            found = [payload for header, payload in self.items if header.get("type") == "event"]
        return [json.loads(payload) for payload in found]

    def wait_for_events(self, count: int, timeout: float = 10) -> list[dict]:
        wait_until(lambda: len(self.events()) >= count, timeout=timeout, what="Sentry events")
        return self.events()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if not self.path.rstrip("/").endswith("/envelope"):
                    self.send_error(404)
                    return
                _, items = parse_envelope(body)
                with fake._lock:
                    fake.raw.append(body)
                    fake.items += items
                answer = json.dumps({"id": "0" * 32}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        return Handler
