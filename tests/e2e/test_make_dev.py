"""`make dev`, as the README offers it, from a clean copy of the checkout: it serves the
pages with hot reload on one port and the backend on another, and a person signs up, signs
out, signs in and downloads their data in Chromium.

The copy holds what git tracks or would track (nothing it ignores: no .web, data, .env); the
installed tools (.venv, .tools) are linked in, as after a first `make`, so the test measures
the app and not the package registry. Both ports are free ones, given through the
environment the README documents, and the embedded database (the default with nothing
configured) gets a free port too, so the test never meets a developer's own `make dev`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import WAIT_MS
from tests.e2e.flows import SIGNED_OUT, WORKSPACE, unique_email
from tests.fakes.anthropic_fake import free_port
from tests.polling import wait_until
from tests.servers import ROOT

# Dev mode compiles every page and starts Vite, which transforms modules on first request:
# minutes on a loaded 2-core machine. An upper bound, never a delay.
DEV_START_TIMEOUT_SECONDS = 420
PASSWORD = "correct horse battery"


def _clean_copy(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree, not yet committed
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(source.read_bytes())
        destination.chmod(source.stat().st_mode)
        # make compares times: keep the sources older than the linked venv's markers.
        os.utime(destination, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns))
    for installed in (".venv", ".tools"):
        (target / installed).symlink_to(ROOT / installed)
    return target


def _answers(url: str, log: Path, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"make dev exited early:\n{log.read_text()[-6000:]}")
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _stop_store(port: int) -> None:
    """The embedded database runs in a session of its own; the app stops it on exit, and
    this only ends it if that failed (found by its own command line and port)."""
    wanted = ["goalgetter.data.embedded_store", "--port", str(port)]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            arguments = (entry / "cmdline").read_bytes().decode().split("\0")
            if all(part in arguments for part in wanted):
                os.kill(int(entry.name), signal.SIGKILL)


@contextlib.contextmanager
def make_dev(workdir: Path) -> Iterator[tuple[str, str, Path]]:
    checkout = _clean_copy(workdir / "checkout")
    frontend_port, backend_port, store_port = free_port(), free_port(), free_port()
    pages, backend = f"http://localhost:{frontend_port}", f"http://localhost:{backend_port}"
    blank = dict.fromkeys(("MONGODB_URI", "REDIS_URL", "ANTHROPIC_API_KEY", "RESEND_API_KEY"), "")
    env = {
        **os.environ,
        **blank,
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ['PATH']}",
        "REFLEX_FRONTEND_PORT": str(frontend_port),
        "REFLEX_BACKEND_PORT": str(backend_port),
        "REFLEX_DEPLOY_URL": pages,
        "REFLEX_API_URL": backend,
        "EMBEDDED_STORE_PORT": str(store_port),
        "DATA_DIR": str(workdir / "data"),
    }
    env.pop("PYTHONPATH", None)
    env.pop("MAKEFLAGS", None)
    log = workdir / "make-dev.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            ["make", "dev"],
            cwd=checkout,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for url in (f"{backend}/health", f"{pages}/login"):
            wait_until(
                lambda url=url: _answers(url, log, process),
                timeout=DEV_START_TIMEOUT_SECONDS,
                what=f"make dev ({url})",
                interval=0.5,
            )
        yield pages, backend, checkout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        _stop_store(store_port)


@pytest.fixture(scope="module")
def dev_app(tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    with make_dev(tmp_path_factory.mktemp("make-dev")) as urls:
        yield urls


def test_make_dev_serves_and_signs_in(browser: Browser, dev_app: tuple[str, str, Path]):
    pages, backend, _ = dev_app
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(WAIT_MS * 3)
    page = context.new_page()
    email = unique_email("dev")
    try:
        page.goto(f"{pages}/signup")
        page.fill("#auth-name", "Dev Dana")
        page.fill("#auth-email", email)
        page.fill("#auth-password", PASSWORD)
        page.click("#auth-submit")
        page.wait_for_url(WORKSPACE)
        expect(page.locator("#user-name")).to_have_text("Dev Dana", timeout=WAIT_MS * 3)

        # The downloads that broke dev's compile: links to the backend's own origin.
        link = page.locator("#download-my-data")
        assert link.get_attribute("href") == f"{backend}/export/my-data.json"
        with page.expect_download() as download_info:
            link.click()
        data = json.loads(download_info.value.path().read_text(encoding="utf-8"))
        assert data["account"]["email"] == email

        page.click("#signout")
        page.wait_for_url(SIGNED_OUT)
        page.fill("#auth-email", email)
        page.fill("#auth-password", PASSWORD)
        page.click("#auth-submit")
        page.wait_for_url(WORKSPACE)
        expect(page.locator("#user-name")).to_have_text("Dev Dana")
        assert page.url.startswith(pages)
    finally:
        context.close()


def test_make_dev_reloads_a_changed_page(browser: Browser, dev_app: tuple[str, str, Path]):
    """What `make dev` is for: a change to a page's code shows in the open page."""
    pages, _, checkout = dev_app
    home = checkout / "goalgetter" / "pages" / "home.py"
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{pages}/")
        expect(page.get_by_text("Goals you actually keep.")).to_be_visible(timeout=WAIT_MS * 3)
        home.write_text(home.read_text().replace("Goals you actually keep.", "Goals, reloaded."))
        # Reflex recompiles and the dev server reloads the page by itself.
        expect(page.get_by_text("Goals, reloaded.")).to_be_visible(timeout=WAIT_MS * 9)
    finally:
        context.close()
