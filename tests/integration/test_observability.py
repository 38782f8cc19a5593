"""Structured logs (LOG_FORMAT=json) and errors to Sentry, checked for what must never leave:
a message text, a password, a session or reset token, an email.

Sentry is the real sentry-sdk posting to a loopback fake of its envelope endpoint
(tests/fakes/sentry_fake.py); requests go through the app's own wrappers with httpx.
"""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import sentry_sdk
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from goalgetter import observability
from goalgetter.coach import conversation
from goalgetter.coach.offline import OfflineCoach
from goalgetter.observability import CoachReplyLog, JsonFormatter, request_log
from goalgetter.routes import http_routes
from goalgetter.security_headers import security_headers
from goalgetter.settings import get_settings
from tests.fakes.sentry_fake import FakeSentry

BASE = "http://localhost:8000"
SECRET_TEXT = "my secret plan to run the Berlin marathon"
TOKEN = "Zx9_tokentokentoken-4242424242abcdef"
EMAIL = "ann.lee@example.com"
PASSWORD = "correct horse battery"


class Lines(logging.Handler):
    """The log lines as LOG_FORMAT=json writes them."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def events(self, kind: str) -> list[dict]:
        return [e for e in map(json.loads, self.lines) if e.get("event") == kind]


@pytest.fixture
def json_lines(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    get_settings.cache_clear()
    handler, logger = Lines(), logging.getLogger("goalgetter")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)
    get_settings.cache_clear()


def assert_nothing_private(text: str) -> None:
    for private in (SECRET_TEXT, TOKEN, EMAIL, PASSWORD):
        assert private not in text, private


async def test_one_json_line_per_request_without_tokens_or_form_data(db, json_lines):
    app = request_log(security_headers(http_routes()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        login = await http.post(
            f"/auth/login?next={TOKEN}",
            data={"email": EMAIL, "password": PASSWORD},
            headers={"cookie": f"gg_session={TOKEN}", "x-request-id": "proxy-id-123"},
        )
        missing = await http.get(f"/reset/{TOKEN}", headers={"x-request-id": "<bad id>"})
    lines = json_lines.events("request")
    assert [line["status"] for line in lines] == [303, 404]
    assert lines[0]["request_id"] == "proxy-id-123" == login.headers["x-request-id"]
    # A request id that is not a plain token is replaced by our own, never echoed.
    assert lines[1]["request_id"] == missing.headers["x-request-id"] != "<bad id>"
    assert lines[0]["path"] == "/auth/login" and lines[0]["method"] == "POST"
    assert lines[1]["path"] == "/reset/:token"
    assert all(isinstance(line["duration_ms"], float) for line in lines)
    assert_nothing_private("\n".join(json_lines.lines))


async def test_one_json_line_per_coach_reply_with_the_person_hashed(db, ann, json_lines):
    timing, shown = CoachReplyLog("reply-1", ann), []

    async def show(message_id: str, text: str) -> bool:
        shown.append(text)
        return True

    outcome = await conversation.send_and_reply(
        ann, SECRET_TEXT, "", coach=OfflineCoach(), show=timing.timing_first_token(show)
    )
    timing.ended(outcome, "")
    (line,) = json_lines.events("coach_reply")
    assert shown and outcome.text
    assert line["request_id"] == "reply-1" and line["ended"] == "ok"
    assert line["user"] == observability.hashed_user(ann) and str(ann) not in line["user"]
    assert 0 < line["first_token_ms"] <= line["duration_ms"]
    assert line["characters"] == len(outcome.text)
    assert_nothing_private(json_lines.lines[-1])
    assert outcome.text[:30] not in json_lines.lines[-1]


@pytest.fixture
def sentry(monkeypatch):
    fake = FakeSentry().start()
    monkeypatch.setenv("SENTRY_DSN", fake.dsn)
    get_settings.cache_clear()
    assert observability.init_sentry(get_settings())
    yield fake
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing more is sent
    fake.stop()
    get_settings.cache_clear()


def failing_app() -> Starlette:
    async def boom(request: Request):
        message = SECRET_TEXT  # a local the SDK must not capture
        raise RuntimeError(f"failed for {EMAIL} with token {TOKEN} on '{message}'")

    return Starlette(routes=[Route("/coach/{token}", boom, methods=["POST"])])


async def test_errors_reach_sentry_without_texts_tokens_or_emails(sentry):
    logging.getLogger("goalgetter.test").warning("saw %s from %s", SECRET_TEXT, EMAIL)
    transport = httpx.ASGITransport(app=failing_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        answer = await http.post(
            f"/coach/{TOKEN}?token={TOKEN}",
            content=json.dumps({"message": SECRET_TEXT}),
            headers={"cookie": f"gg_session={TOKEN}", "authorization": f"Bearer {TOKEN}"},
        )
    assert answer.status_code == 500
    try:
        raise ValueError(f"while saving {SECRET_TEXT!r}")
    except ValueError:
        logging.getLogger("goalgetter.test").exception("Saving %s failed", SECRET_TEXT)
    sentry_sdk.flush(5)
    events = sentry.wait_for_events(2)
    kinds = {v["type"] for e in events for v in (e.get("exception") or {}).get("values", [])}
    assert {"RuntimeError", "ValueError"} <= kinds
    request = next(e["request"] for e in events if "request" in e)
    assert request["url"].endswith("/coach/:token") and request["method"] == "POST"
    logged = next(e for e in events if e.get("logger") == "goalgetter.test")
    assert logged["logentry"] == {"message": "Saving %s failed"}
    assert_nothing_private(b"\n".join(sentry.raw).decode())


def test_without_a_dsn_sentry_stays_off(monkeypatch):
    monkeypatch.setenv("SENTRY_DSN", "")
    get_settings.cache_clear()
    try:
        assert observability.init_sentry(get_settings()) is False
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"KeyError: '{SECRET_TEXT}'", "KeyError"),
        (f"no user {EMAIL}", "no user"),
        (f"bad token {TOKEN}", "bad token"),
        ('duplicate key: { email_key: "abc" }', "duplicate key"),
    ],
)
def test_redact_keeps_the_shape_and_drops_the_values(text, kept):
    redacted = observability.redact(text)
    assert kept in redacted
    assert_nothing_private(redacted)
    assert "abc" not in redacted
