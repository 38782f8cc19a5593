"""Shared test servers, all real and all on 127.0.0.1:

- `mongo_uri`: the mongoeco MongoDB wire server (memory engine) in its own process;
- `redis_url`: a redis-server started for the session;
- `anthropic_fake`: a loopback Anthropic Messages API speaking real SSE;
- `db`: a fresh database on the wire server, configured as the app's database.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from goalgetter.data import client as db_client
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from tests.fakes.anthropic_fake import FakeAnthropic, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    store = EmbeddedStore(free_port(), sqlite_path=None)
    uri = store.ensure_running()
    yield uri
    store.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (make test installs it)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            server,
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
    connection = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            connection.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(5)


@pytest.fixture(scope="session")
def anthropic_fake() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_claude(anthropic_fake: FakeAnthropic) -> Iterator[FakeAnthropic]:
    anthropic_fake.reset()
    yield anthropic_fake
    anthropic_fake.reset()


@pytest.fixture
async def db(mongo_uri: str):
    """A fresh database per test, set as the app's database, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    db_client.configure(mongo_uri, name)
    database = db_client.get_db()
    await ensure_indexes(database)
    yield database
    await database.client.drop_database(name)
