"""The container image, built from the Dockerfile and started (README, "Production").

scripts/image-build builds it with podman on a Debian trixie base made by debootstrap (no
registry of container images is reachable here); the container runs on the host network at
free ports. Through it: /health and the image's own HEALTHCHECK, a sign-up by form post, and
an offline coach reply over the Reflex websocket (tests/hostile_client.py speaks it).

Skipped, with the reason printed, only where podman cannot run at all (not installed, not
root, `podman info` failing); IMAGE_TEST_REQUIRED=1 (make image-test) fails instead.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

import httpx
import pytest
from reflex_base.utils.format import format_event_handler

from goalgetter.routes import SESSION_COOKIE
from goalgetter.state.chat import ChatState
from tests.e2e.flows import PASSWORD, unique_email
from tests.hostile_client import HostileTab
from tests.image import podman as pm
from tests.polling import wait_until

SUBMIT = format_event_handler(ChatState.event_handlers["submit"])
OPEN_WORKSPACE = format_event_handler(ChatState.event_handlers["open_workspace"])
LOAD_HISTORY = format_event_handler(ChatState.event_handlers["load_history"])
QUESTION = "I want to run a 10 km race in under an hour by June"


@pytest.fixture(scope="module")
def container() -> Iterator[pm.Container]:
    if reason := pm.why_podman_cannot_run():
        if os.environ.get("IMAGE_TEST_REQUIRED") == "1":
            pytest.fail(f"The image test cannot run: {reason}")
        print(f"\nSKIPPED the container image test: {reason}", file=sys.stderr)
        pytest.skip(f"the container image test: {reason}")
    seconds = pm.build_image()
    print(f"\nimage built in {seconds:.1f} s", file=sys.stderr)
    with pm.running_container() as running:
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


def _sign_up(url: str, **headers: str) -> httpx.Response:
    form = {"name": "Ada Image", "email": unique_email("image"), "password": PASSWORD}
    return httpx.post(f"{url}/auth/signup", data=form, headers=headers, timeout=30)


def test_sign_up_through_the_container(container: pm.Container):
    response = _sign_up(container.url, Origin=container.url)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/workspace"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    refused = _sign_up(container.url, Origin="https://elsewhere.example")
    assert refused.status_code == 403


def _assistant_texts(tab: HostileTab) -> list[str]:
    """Every assistant message's text in the frames the tab received."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("role") == "assistant" and node.get("content"):
                found.append(str(node["content"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for frame in list(tab.frames):
        walk(json.loads(frame))
    return found


def test_offline_coach_replies_through_the_container(container: pm.Container):
    session = _sign_up(container.url).cookies[SESSION_COOKIE]
    with HostileTab(container.url, session=session) as tab:
        tab.hydrate()
        tab.send(OPEN_WORKSPACE, {})
        before = set(_assistant_texts(tab))
        tab.emit(SUBMIT, {"form_data": {"message": QUESTION}})

        # The page's message list takes the reply when it is complete (tokens stream apart).
        wait_until(
            lambda: bool(set(_assistant_texts(tab)) - before),
            timeout=60,
            what="the offline coach's reply",
        )
        reply = (set(_assistant_texts(tab)) - before).pop()
    assert len(reply) > 20
    # Stored in the container's embedded database: a new tab of the same person loads it.
    with HostileTab(container.url, session=session) as later:
        later.hydrate()
        later.send(LOAD_HISTORY, {})
        assert QUESTION in later.text()
        assert reply in _assistant_texts(later)
