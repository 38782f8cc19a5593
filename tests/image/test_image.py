"""The container image, built from the Dockerfile and started (README, "Production").

scripts/image-build builds it with podman on a Debian trixie base made by debootstrap (no
registry of container images is reachable here); containers run on the host network at free
ports. Through each: /health and the image's own HEALTHCHECK, a sign-up by form post, and an
offline coach reply over the Reflex websocket (tests/hostile_client.py speaks it). Once with
the embedded store, once configured as in production: a MongoDB-wire database and Redis given
in the environment, two backend workers.

Skipped, with the reason printed, only where podman cannot run at all (not installed, not
root, `podman info` failing); IMAGE_TEST_REQUIRED=1 (make image-test) fails instead.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator

import httpx
import pymongo
import pytest
import redis

from goalgetter.routes import SESSION_COOKIE
from tests.image import podman as pm
from tests.image.through_container import assistant_texts, coach_reply, sign_up


@pytest.fixture(scope="module")
def image() -> str:
    if reason := pm.why_podman_cannot_run():
        if os.environ.get("IMAGE_TEST_REQUIRED") == "1":
            pytest.fail(f"The image test cannot run: {reason}")
        print(f"\nSKIPPED the container image test: {reason}", file=sys.stderr)
        pytest.skip(f"the container image test: {reason}")
    seconds = pm.build_image()
    print(f"\nimage built in {seconds:.1f} s", file=sys.stderr)
    return pm.IMAGE


@pytest.fixture(scope="module")
def container(image: str) -> Iterator[pm.Container]:
    with pm.running_container(image) as running:
        print(f"healthy {running.seconds_to_healthy:.1f} s after start", file=sys.stderr)
        yield running


def test_the_image_runs_as_built(container: pm.Container):
    image = pm.inspect(pm.IMAGE)
    # Built with --format docker: the OCI format would have dropped the HEALTHCHECK.
    assert image["Healthcheck"]["Test"] == ["CMD", "python", "scripts/image-healthcheck"]
    assert image["Config"]["User"] == "goalgetter"
    health = httpx.get(f"{container.url}/health", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": True}
    home = httpx.get(f"{container.url}/", timeout=10)
    assert home.status_code == 200
    assert "<html" in home.text.lower()
    assert container.exec("id", "-u").stdout.strip() != "0"
    # No build tools in the final image: no node, npm or bun, no node_modules, no pip.
    tools = container.exec("sh", "-c", "command -v node npm bun; ls /app/.web/node_modules")
    assert tools.stdout.strip() == "", tools.stdout
    assert container.exec("python", "-m", "pip", "--version").returncode != 0


def test_sign_up_through_the_container(container: pm.Container):
    response = sign_up(container.url, Origin=container.url)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/workspace"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    refused = sign_up(container.url, Origin="https://elsewhere.example")
    assert refused.status_code == 403


def test_offline_coach_replies_through_the_container(container: pm.Container):
    session = sign_up(container.url).cookies[SESSION_COOKIE]
    question, reply, later = coach_reply(container.url, session)
    assert len(reply) > 20
    # Stored in the container's embedded database: a new tab of the same person loads it.
    assert question in later.text()
    assert reply in assistant_texts(later)


def test_production_settings_from_the_environment(image: str, mongo_uri: str, redis_url: str):
    database = f"image_{uuid.uuid4().hex[:8]}"
    settings = {"MONGODB_URI": mongo_uri, "MONGODB_DB": database, "REDIS_URL": redis_url}
    with pm.running_container(image, GRANIAN_WORKERS="2", **settings) as running:
        response = sign_up(running.url)
        assert response.status_code == 303, response.text
        question, reply, later = coach_reply(running.url, response.cookies[SESSION_COOKIE])
        assert question in later.text()
        assert reply in assistant_texts(later)
        assert "worker-2" in running.logs()  # granian started the second worker
    # The person and the chat are in the database named in the environment, the tabs'
    # state in Redis: nothing stayed inside the container.
    with pymongo.MongoClient(mongo_uri) as client:
        assert client[database].users.count_documents({}) == 1
        client.drop_database(database)
    assert redis.Redis.from_url(redis_url).dbsize() > 0
