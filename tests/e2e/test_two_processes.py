"""Scale-out on one machine: two app processes on two ports, one Redis, one database.

Both are the production build (`reflex run --env prod`, tests/servers.py), with the same
SECRET_KEY, the same redis-server and the same database on the MongoDB-wire server; process B
runs two granian workers (GRANIAN_WORKERS=2), A one. Rate limits are on. In one Chromium:

- a person signs up and writes a goal on A, then opens B in a new tab (cookies ignore ports:
  the session cookie of localhost is sent to both; Reflex's client token is per origin) and
  finds the goal there, asks the coach there and sees the reply stream in;
- a check-in moved to now is applied once, though every process runs its own scheduler:
  one transition to completed (one recap asked of the model, one count), one to active, one
  1 h reminder in the outbox, and each process ticks again afterwards without repeating it;
- wrong passwords on A and on B spend one budget of five (goalgetter/rate_limits.py).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pymongo import MongoClient
from reflex_base.utils.format import format_event_handler

from goalgetter.coach.recap import RECAP_REQUEST
from goalgetter.state.goals import GoalsState
from tests.e2e.conftest import WAIT_MS
from tests.e2e.flows import (
    PASSWORD,
    WORKSPACE,
    assistant_messages,
    new_goal,
    send_message,
    sign_up,
    unique_email,
    wait_reply_done,
)
from tests.fakes.anthropic_fake import FakeAnthropic, reply_tokens
from tests.hostile_client import HostileTab
from tests.polling import wait_until
from tests.servers import configured_app_env, redis_server, running_app

STATUS_TOKEN = "two-processes-" + uuid.uuid4().hex
TICK_WAIT_SECONDS = 150  # each process ticks every 30 s; a loaded machine is slower


@dataclass
class Pair:
    a: str
    b: str
    logs: tuple[Path, Path]
    db: object
    mongo_uri: str
    db_name: str
    fake: FakeAnthropic


@pytest.fixture(scope="module")
def pair(mongo_uri, anthropic_fake, tmp_path_factory) -> Iterator[Pair]:
    db_name = f"two_{uuid.uuid4().hex[:10]}"
    with contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(redis_server(tmp_path_factory.mktemp("redis2")))
        shared = {
            **configured_app_env(mongo_uri, db_name, redis_url, anthropic_fake.url),
            "AUTH_RATE_LIMITS": "true",
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "STATUS_TOKEN": STATUS_TOKEN,
            "LOG_FORMAT": "json",
        }
        urls, logs = [], []
        for name, workers in (("a", "1"), ("b", "2")):
            workdir = tmp_path_factory.mktemp(f"app_{name}")
            env = {**shared, "GRANIAN_WORKERS": workers}
            urls.append(stack.enter_context(running_app(workdir=workdir, env=env)))
            logs.append(workdir / "app.log")
        database = MongoClient(mongo_uri, tz_aware=True)[db_name]
        stack.callback(database.client.close)
        yield Pair(urls[0], urls[1], tuple(logs), database, mongo_uri, db_name, anthropic_fake)


@pytest.fixture
def context(browser: Browser, pair: Pair) -> Iterator[BrowserContext]:
    pair.fake.reset()
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


def test_two_processes_on_two_ports(pair: Pair):
    assert pair.a != pair.b
    assert pair.a.startswith("http://localhost:") and pair.b.startswith("http://localhost:")

    # Every worker runs its own scheduler: one started in A, two in B (GRANIAN_WORKERS=2).
    # /health answers as soon as one worker is up, so B's second may still be starting.
    def started() -> list[int]:
        return [log.read_text().count('"message": "Scheduler started"') for log in pair.logs]

    wait_until(
        lambda: all(n >= want for n, want in zip(started(), (1, 2), strict=True)),
        timeout=60,
        what="every worker's scheduler",
    )
    assert started() == [1, 2], started()


def test_sign_in_on_one_process_and_continue_on_the_other(context: BrowserContext, pair: Pair):
    email = unique_email("two")
    on_a = context.new_page()
    sign_up(on_a, pair.a, "Tess Two", email)
    goal_id = new_goal(on_a, "Cycle 100 km", "Cycle 100 km in one day by August 2027.")

    on_b = context.new_page()  # a new tab on the other port: no sign-in asked
    on_b.goto(f"{pair.b}/workspace")
    expect(on_b).to_have_url(WORKSPACE)
    expect(on_b.locator("#user-name")).to_have_text("Tess Two")
    expect(on_b.locator(f'#goal-list [data-goal-id="{goal_id}"]')).to_have_count(1)
    on_b.locator(f'#goal-list [data-goal-id="{goal_id}"]').click()
    expect(on_b.locator("#goal-title")).to_have_value("Cycle 100 km")

    # The coach's reply streams in on B, token by token.
    pair.fake.token_delay = 0.5
    text = "Is one day enough for 100 km?"
    send_message(on_b, text)
    reply = "".join(reply_tokens(text)).strip()
    expect(assistant_messages(on_b).last).to_contain_text("Coach here!")
    expect(on_b.locator("#chat-stop")).to_be_visible()  # still streaming: a part is shown
    expect(assistant_messages(on_b).last).not_to_contain_text(reply)
    wait_reply_done(on_b)
    expect(assistant_messages(on_b).last).to_contain_text(reply)
    assert len(pair.fake.requests) == 1
    user = pair.db.users.find_one({"email": email})
    stored = pair.db.chat_messages.find_one({"user_id": user["_id"]})["messages"]
    assert [m["content"].strip() for m in stored[-2:]] == [text, reply]
    # Back on A, the conversation held on B is there.
    on_a.reload()
    expect(assistant_messages(on_a).last).to_contain_text(reply)


def test_a_tab_that_moves_to_the_other_process_keeps_its_state(pair: Pair):
    """A tab's reconnect can land on the other process (a load balancer, a restart). Each
    process keeps the tabs it serves in memory between updates (rxconfig.py); the other
    asking for the same tab makes it write them to Redis first, so nothing is lost."""
    form = {"name": "Mo Move", "email": unique_email("move"), "password": PASSWORD}
    session = httpx.post(f"{pair.a}/auth/signup", data=form, timeout=30).cookies["gg_session"]
    token, searched = str(uuid.uuid4()), f"search-{uuid.uuid4().hex[:8]}"
    with HostileTab(pair.a, token=token, session=session) as on_a:
        on_a.hydrate()
        on_a.send(
            format_event_handler(GoalsState.event_handlers["set_search"]), {"search": searched}
        )
        assert f'"search_rx_state_": "{searched}"' in on_a.text()
    with HostileTab(pair.b, token=token, session=session) as on_b:
        on_b.hydrate()
        assert f'"search_rx_state_": "{searched}"' in on_b.text()


def _tracking(page, base_url: str) -> None:
    page.goto(f"{base_url}/meetings")
    page.select_option("#cadence", "weekly")
    page.select_option("#meeting-day", "2")
    page.fill("#meeting-time", "18:30")
    page.fill("#meeting-timezone", "UTC")
    page.fill("#meeting-duration", "45")
    page.click("#tracking-start")
    expect(page.locator("#meetings-next")).to_contain_text("Next check-in")


def _last_tick(url: str) -> datetime | None:
    answer = httpx.get(
        f"{url}/status", headers={"Authorization": f"Bearer {STATUS_TOKEN}"}, timeout=10
    )
    answer.raise_for_status()
    at = answer.json()["scheduler"]["last_tick_at"]
    return datetime.fromisoformat(at) if at else None


def _logged_transitions(logs: tuple[Path, Path]) -> Counter:
    """Every transition the processes' schedulers report applying (JSON log lines)."""
    seen = Counter()
    for log in logs:
        for line in log.read_text().splitlines():
            if not line.startswith("{"):
                continue
            message = json.loads(line).get("message", "")
            if message.startswith("Meeting tick:"):
                for key, n in re.findall(r"'(\w+->\w+)': (\d+)", message):
                    seen[key] += int(n)
    return seen


def test_the_schedulers_of_both_processes_apply_each_transition_once(
    context: BrowserContext, pair: Pair
):
    email = unique_email("tick")
    page = context.new_page()
    sign_up(page, pair.a, "Tim Tick", email)
    _tracking(page, pair.b)
    user_id = pair.db.users.find_one({"email": email})["_id"]
    before = _logged_transitions(pair.logs)
    attended = pair.db.counters.find_one({"_id": "product"}) or {}
    # Three check-ins moved: one that ended over an hour ago and was attended (completed),
    # one starting now (active), one starting in 40 minutes (its 1 h reminder is due).
    now = datetime.now(UTC)
    moved = {}
    for index, (start, minutes) in enumerate(
        (
            (now - timedelta(hours=2), 45),
            (now - timedelta(minutes=1), 45),
            (now + timedelta(minutes=40), 45),
        )
    ):
        moved[f"state.0.meetings.{index}.start"] = start
        moved[f"state.0.meetings.{index}.end"] = start + timedelta(minutes=minutes)
    moved["state.0.meetings.0.attended_at"] = now - timedelta(minutes=100)
    moved["due_at"] = now  # due now, as the app's own writers would have said
    pair.db.meeting_series.update_one({"_id": user_id}, {"$set": moved})

    def meetings() -> list[dict]:
        return pair.db.meeting_series.find_one({"_id": user_id})["state"][0]["meetings"]

    def applied() -> bool:
        return [m["status"] for m in meetings()[:3]] == ["completed", "active", "scheduled"]

    wait_until(applied, timeout=TICK_WAIT_SECONDS, what="the check-ins' transitions", interval=1)
    applied_at = datetime.now(UTC)
    # Each process (B: either worker) ticks again after that and finds nothing left to do.
    for url in (pair.a, pair.b):
        wait_until(
            lambda url=url: (_last_tick(url) or applied_at) > applied_at,
            timeout=TICK_WAIT_SECONDS,
            what=f"a later tick of {url}",
            interval=1,
        )
    wait_until(
        lambda: meetings()[0].get("recap") is not None, timeout=60, what="the recap", interval=1
    )
    asked = [r["body"]["messages"][-1]["content"] for r in pair.fake.requests]
    assert len([text for text in asked if text.endswith(RECAP_REQUEST)]) == 1
    reminders = pair.db.outbox.count_documents({"user_id": user_id, "kind": "reminder-1h"})
    assert reminders == 1
    assert pair.db.outbox.count_documents({"user_id": user_id, "kind": "reminder-24h"}) == 0
    counted = pair.db.counters.find_one({"_id": "product"})
    assert counted["checkins_attended"] - attended.get("checkins_attended", 0) == 1
    logged = _logged_transitions(pair.logs) - before
    assert logged == Counter({"scheduled->completed": 1, "scheduled->active": 1}), logged
    assert [m["status"] for m in meetings()[:3]] == ["completed", "active", "scheduled"]


def _try_sign_in(context: BrowserContext, base_url: str, email: str, password: str):
    """One sign-in by form, in a new tab (the sign-in page of a reused tab would bring back
    its last email as it loads); the tab, landed on the workspace or the form's answer."""
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#auth-email", email)
    page.fill("#auth-password", password)
    page.click("#auth-submit")
    page.wait_for_url(re.compile(r".*/(login/?\?.*|workspace/?)$"))
    return page


def test_failed_sign_ins_on_both_processes_spend_one_budget(context: BrowserContext, pair: Pair):
    email = unique_email("limit")
    page = context.new_page()
    sign_up(page, pair.a, "Lim Limit", email)
    context.clear_cookies()
    # Five failures are the budget (FAILED_SIGN_INS_PER_EMAIL): three on A, two on B.
    for base_url in (pair.a, pair.a, pair.a, pair.b, pair.b):
        tab = _try_sign_in(context, base_url, email, "not the password")
        assert "error=wrong_credentials" in tab.url, tab.url
        expect(tab.locator("#auth-error")).to_contain_text("don't match an account")
        tab.close()
    # Counted per process, B would have seen two failures and let the right one in.
    for base_url in (pair.b, pair.a):
        tab = _try_sign_in(context, base_url, email, PASSWORD)
        assert "error=too_many_attempts" in tab.url, tab.url
        expect(tab.locator("#auth-error")).to_contain_text("Too many attempts")
        tab.close()
    # Another person's budget is untouched.
    other = unique_email("other")
    sign_up(page, pair.b, "Olga Other", other)
    context.clear_cookies()
    tab = _try_sign_in(context, pair.a, other, PASSWORD)
    expect(tab).to_have_url(WORKSPACE)
    expect(tab.locator("#user-name")).to_have_text("Olga Other")
