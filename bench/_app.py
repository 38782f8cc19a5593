"""The running app the browser benchmarks drive: production build on one port, with the
test servers (mongoeco, redis-server, the Anthropic fake), all on 127.0.0.1."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.fakes.anthropic_fake import FakeAnthropic
from tests.servers import (
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
        with running_app(workdir=Path(workdir), env=env) as url:
            yield url, fake
