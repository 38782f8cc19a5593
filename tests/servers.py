"""Starting the real servers the tests and benchmarks run against, all on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import redis

from goalgetter.data.embedded_store import EmbeddedStore
from tests.fakes.anthropic_fake import FakeAnthropic, free_port
from tests.polling import wait_until

ROOT = Path(__file__).resolve().parent.parent
APP_START_TIMEOUT_SECONDS = 240
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


# The engine the shared test store runs: "sqlite" (default: the embedded store as shipped,
# with goalgetter/data/store_patches.py), "sqlite-unpatched" or "memory". The README's engine
# table comes from running the suite with each.
TEST_STORE = os.environ.get("TEST_STORE", "sqlite")


@contextlib.contextmanager
def mongo_server(sqlite_path: Path | None = None) -> Iterator[str]:
    """The mongoeco wire server in its own process; yields its URI."""
    if sqlite_path is None and TEST_STORE.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as workdir:
            store = EmbeddedStore(
                free_port(),
                sqlite_path=Path(workdir) / "store.sqlite",
                patched=TEST_STORE == "sqlite",
            )
            try:
                yield store.ensure_running()
            finally:
                store.stop()
        return
    store = EmbeddedStore(free_port(), sqlite_path=sqlite_path)
    try:
        yield store.ensure_running()
    finally:
        store.stop()


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed (make test installs it)")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_redis(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(5)


def _wait_for_redis(url: str, process: subprocess.Popen) -> None:
    connection = redis.Redis.from_url(url)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError("redis-server exited")
        try:
            return bool(connection.ping())
        except redis.ConnectionError:
            return False

    wait_until(answers, timeout=10, what="redis-server")


@contextlib.contextmanager
def anthropic_server() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic().start()
    try:
        yield fake
    finally:
        fake.stop()


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"The app exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(healthy, timeout=APP_START_TIMEOUT_SECONDS, what="the app", interval=0.5)
    except TimeoutError as error:
        raise RuntimeError(f"{error}\n{log.read_text()[-4000:]}") from None


APP_SOURCES = ("goalgetter", "assets", "rxconfig.py", "reflex.lock")


def _copy_app(target: Path) -> Path:
    """A private copy of the app: each running app builds its own .web (the frontend bakes
    its backend's port in), and the checkout's .web is left alone."""
    target.mkdir(parents=True, exist_ok=True)
    for name in APP_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                target / name,
                ignore=shutil.ignore_patterns("__pycache__"),
                dirs_exist_ok=True,
            )
        else:
            shutil.copy2(source, target / name)
    return target


@contextlib.contextmanager
def running_app(*, workdir: Path, env: dict[str, str]) -> Iterator[str]:
    """The production build of the app on one free port, configured like a deployment by
    `env` (settings left out of it are blanked: no key or server leaks in from outside)."""
    port = free_port()
    url = f"http://localhost:{port}"
    bin_dir = Path(sys.executable).parent
    app_dir = _copy_app(workdir / "app")
    blank = dict.fromkeys(("MONGODB_URI", "REDIS_URL", "ANTHROPIC_API_KEY", "RESEND_API_KEY"), "")
    full_env = {
        **os.environ,
        **blank,
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(app_dir),
        "DATA_DIR": str(workdir / "data"),
        "REFLEX_DEPLOY_URL": url,
        "REFLEX_API_URL": url,
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "false",
        **env,
    }
    command = [
        str(bin_dir / "reflex"),
        "run",
        "--env",
        "prod",
        "--single-port",
        "--backend-port",
        str(port),
        "--frontend-port",
        str(port),
    ]
    log = workdir / "app.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=app_dir,
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_health(url, process, log)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def configured_app_env(mongo_uri: str, db_name: str, redis_url: str, anthropic_url: str):
    """Every outside service pointed at a test server."""
    return {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "REDIS_URL": redis_url,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": anthropic_url,
        "ANTHROPIC_MAX_RETRIES": "0",
        # Every browser test signs up from 127.0.0.1, far past 10 sign-ups an hour; the
        # limits are covered by tests/integration/test_rate_limits.py instead.
        "AUTH_RATE_LIMITS": "false",
    }
