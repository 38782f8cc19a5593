"""Shared test servers, all real and all on 127.0.0.1:

- `mongo_uri`: the mongoeco MongoDB wire server in its own process (the SQLite engine as
  shipped, patched; `TEST_STORE` in tests/servers.py chooses another);
- `redis_url`: a redis-server started for the session;
- `anthropic_fake`: a loopback Anthropic Messages API speaking real SSE;
- `db`: a fresh database on the wire server, configured as the app's database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from goalgetter.data import client as db_client
from goalgetter.data.indexes import ensure_indexes
from tests.fakes.anthropic_fake import FakeAnthropic
from tests.servers import anthropic_server, mongo_server, redis_server


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    with mongo_server() as uri:
        yield uri


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with anthropic_server() as fake:
        yield fake


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
