"""SIGTERM while a coach reply streams: the app stops cleanly and in order. The reply ends
with what arrived stored (no longer marked streaming), the scheduler stops, and the
embedded store — which the app started itself — stops last.

The app runs as a deployment does (production build, embedded store under its DATA_DIR);
the signal is the one a container host sends: SIGTERM to the process group.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from pymongo import MongoClient

from goalgetter.data.embedded_store import EmbeddedStore, store_answers, store_uri
from tests.e2e.conftest import WAIT_MS
from tests.e2e.flows import assistant_messages, send_message, sign_up, unique_email
from tests.fakes.anthropic_fake import FakeAnthropic, free_port, reply_tokens
from tests.servers import running_app

QUESTION = "How do I start running?"


@pytest.fixture
def own_app(anthropic_fake: FakeAnthropic, tmp_path) -> Iterator[tuple[object, dict]]:
    """An app of its own (this test stops it), on the embedded store."""
    store_port = free_port()
    env = {
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": anthropic_fake.url,
        "ANTHROPIC_MAX_RETRIES": "0",
        "AUTH_RATE_LIMITS": "false",
        "EMBEDDED_STORE_PORT": str(store_port),
        "SHUTDOWN_GRACE_SECONDS": "10",
        "LOG_FORMAT": "json",
    }
    handle = {"store_port": store_port, "data": tmp_path / "data", "log": tmp_path / "app.log"}
    yield running_app(workdir=tmp_path, env=env), handle


def stored_messages(data_dir, port: int) -> list[dict]:
    """The chat as stored, read from the app's SQLite file after the app has gone."""
    store = EmbeddedStore(port, data_dir / "goalgetter.sqlite")
    client = MongoClient(store.ensure_running(), tz_aware=True)
    try:
        buckets = client["goalgetter"].chat_messages.find({}).to_list()
        return [m for bucket in buckets for m in bucket["messages"]]
    finally:
        client.close()
        store.stop()


def test_sigterm_ends_the_reply_with_its_text_stored_then_stops_the_store(
    browser: Browser, anthropic_fake: FakeAnthropic, own_app
):
    app, handle = own_app
    email = unique_email("sigterm")
    anthropic_fake.reset()
    anthropic_fake.token_delay = 0.5  # ~10 s of reply: still streaming when the signal comes
    full = "".join(reply_tokens(QUESTION)).strip()
    with app as url:
        context = browser.new_context()
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        sign_up(page, url, "Shut Down", email)
        send_message(page, QUESTION)
        expect(assistant_messages(page).last).to_contain_text("Coach here!")
        assert store_answers(store_uri(handle["store_port"]))
        context.close()
    # Out of `running_app`: SIGTERM sent and the app has exited (within its 15 s).
    assert not store_answers(store_uri(handle["store_port"])), "the store outlived the app"
    log = handle["log"].read_text()
    assert "ended 1 coach replies under way" in log, log[-3000:]
    reply = stored_messages(handle["data"], free_port())[-1]
    assert reply["role"] == "assistant"
    assert reply["content"].startswith("Coach here!") and full.startswith(reply["content"])
    assert len(reply["content"]) < len(full), "the reply should have been cut short"
    assert not reply["metadata"].get("streaming"), reply["metadata"]
    assert reply["metadata"].get("stopped") is True
    # LOG_FORMAT=json in the running app: a line per request and per reply, nothing private.
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert {"method": "POST", "path": "/auth/signup", "status": 303}.items() <= next(
        line for line in requests if line["path"] == "/auth/signup"
    ).items()
    (coach_line,) = [line for line in lines if line.get("event") == "coach_reply"]
    assert coach_line["ended"] == "stopped" and len(coach_line["user"]) == 16
    assert coach_line["first_token_ms"] > 0 and coach_line["characters"] == len(reply["content"])
    for private in (QUESTION, email, reply["content"]):
        assert private not in log
