"""The running app (production build, one port) and a real Chromium, for browser tests.

The app runs as its own process with its real configuration pointed at the test servers:
the mongoeco wire server, redis-server (Reflex state) and the loopback Anthropic fake.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pymongo import MongoClient

from tests.fakes.anthropic_fake import FakeAnthropic
from tests.servers import CHROMIUM_ARGS, ROOT, configured_app_env, running_app
from tests.tcp_proxy import CuttableRelay, cuttable_relay

SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
# Generous waits: a loaded 2-core CI machine can take seconds to hydrate a page. These are
# upper bounds for things that must happen, never delays.
WAIT_MS = 20_000
expect.set_options(timeout=WAIT_MS)


class RunningApp:
    def __init__(
        self, url: str, db_name: str, mongo_uri: str, fake: FakeAnthropic, network: CuttableRelay
    ):
        self.url = url
        # The tests read the database directly; the app reaches it through `network`.
        self.db = MongoClient(mongo_uri, tz_aware=True)[db_name]
        self.fake = fake
        self.network = network


@pytest.fixture(scope="session")
def app(mongo_uri, redis_url, anthropic_fake, tmp_path_factory) -> Iterator[RunningApp]:
    db_name = f"e2e_{uuid.uuid4().hex[:10]}"
    with cuttable_relay(mongo_uri) as (network, relayed_uri):
        env = configured_app_env(relayed_uri, db_name, redis_url, anthropic_fake.url)
        with running_app(workdir=tmp_path_factory.mktemp("app"), env=env) as url:
            yield RunningApp(url, db_name, mongo_uri, anthropic_fake, network)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, app: RunningApp) -> Iterator[BrowserContext]:
    app.fake.reset()
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
