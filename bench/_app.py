"""What the browser benchmarks share: the running app (production build on one port, with
the test servers: mongoeco, redis-server, the Anthropic fake, all on 127.0.0.1), a signed-in
Chromium page, and printing and saving the figures."""

from __future__ import annotations

import contextlib
import json
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e.flows import sign_up, unique_email
from tests.fakes.anthropic_fake import FakeAnthropic
from tests.servers import (
    CHROMIUM_ARGS,
    anthropic_server,
    configured_app_env,
    mongo_server,
    redis_server,
    running_app,
)


@contextlib.contextmanager
def bench_app() -> Iterator[tuple[str, FakeAnthropic]]:
    """(the app's URL, the Anthropic fake it talks to)."""
    with (
        tempfile.TemporaryDirectory() as workdir,
        mongo_server() as mongo_uri,
        redis_server(Path(workdir)) as redis_url,
        anthropic_server() as fake,
    ):
        env = configured_app_env(mongo_uri, f"bench_{uuid.uuid4().hex[:8]}", redis_url, fake.url)
        env["COACH_QUOTAS"] = "false"  # one bench user sends far more than a person may
        with running_app(workdir=Path(workdir), env=env) as url:
            yield url, fake


@contextlib.contextmanager
def signed_in_page(url: str, name: str) -> Iterator[Page]:
    """A desktop-sized Chromium page, signed up as a new user called `name`."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(30_000)
        sign_up(page, url, name, unique_email("bench"))
        try:
            yield page
        finally:
            browser.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(title: str, figures: dict, results_file: Path) -> dict:
    """Print the figures under `title` and write them as JSON."""
    print(title)
    for name, value in figures.items():
        print(f"  {name:28} {value:10.1f}" if isinstance(value, float) else f"  {name:28} {value}")
    results_file.parent.mkdir(exist_ok=True)
    results_file.write_text(json.dumps(figures, indent=2))
    return figures
