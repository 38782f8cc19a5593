"""The running app (production build, one port) and a real Chromium, for browser tests.

The app runs as its own process with its real configuration pointed at the test servers:
the mongoeco wire server, redis-server (Reflex state) and the loopback Anthropic fake.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pymongo import MongoClient

from tests.conftest import ROOT
from tests.fakes.anthropic_fake import FakeAnthropic, free_port

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_SECONDS = 240
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The app exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"The app did not become healthy:\n{log.read_text()[-4000:]}")


class RunningApp:
    def __init__(self, url: str, db_name: str, mongo_uri: str, fake: FakeAnthropic):
        self.url = url
        self.db = MongoClient(mongo_uri, tz_aware=True)[db_name]
        self.fake = fake


@pytest.fixture(scope="session")
def app(mongo_uri, redis_url, anthropic_fake, tmp_path_factory) -> Iterator[RunningApp]:
    port = free_port()
    url = f"http://localhost:{port}"
    db_name = f"e2e_{uuid.uuid4().hex[:10]}"
    data_dir = tmp_path_factory.mktemp("appdata")
    log = data_dir / "app.log"
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{Path(sys.executable).parent}:"
        f"{os.environ.get('PATH', '')}",
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "REDIS_URL": redis_url,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": anthropic_fake.url,
        "ANTHROPIC_MAX_RETRIES": "0",
        "DATA_DIR": str(data_dir),
        "REFLEX_DEPLOY_URL": url,
        "REFLEX_API_URL": url,
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    command = [
        str(Path(sys.executable).parent / "reflex"),
        "run",
        "--env",
        "prod",
        "--single-port",
        "--backend-port",
        str(port),
        "--frontend-port",
        str(port),
    ]
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_health(url, process, log)
        yield RunningApp(url, db_name, mongo_uri, anthropic_fake)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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
    ctx.set_default_timeout(15_000)
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
