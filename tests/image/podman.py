"""Podman as the image test drives it: the project's own configuration and storage
(scripts/image-env, under .image/), the image built by scripts/image-build, and a container
on the host network at ports chosen free, so nothing else on the machine is disturbed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.anthropic_fake import free_port
from tests.polling import wait_until

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/goalgetter:test"
BUILD_TIMEOUT_SECONDS = 1800
HEALTHY_TIMEOUT_SECONDS = 180
OWNER_LABEL = "goalgetter.image-test.pid"


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """`podman args` with the project's containers.conf and storage."""
    command = ["bash", "-c", 'source "$0" && exec podman "$@"', str(ROOT / "scripts/image-env")]
    result = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return result


def why_podman_cannot_run() -> str | None:
    """The reason podman cannot run on this machine at all, or None when it can."""
    if shutil.which("podman") is None:
        return "podman is not installed (scripts/ensure-system-packages installs it with apt)"
    if os.geteuid() != 0:
        return "not root: the image test runs podman and debootstrap as root"
    info = podman("info", "--format", "{{.Host.OCIRuntime.Name}}", timeout=60, check=False)
    if info.returncode != 0:
        lines = info.stderr.strip().splitlines() or ["no output"]
        return f"`podman info` fails here: {lines[-1]}"
    return None


def build_image() -> float:
    """Builds the Dockerfile as scripts/image-build does; returns the seconds it took."""
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT / "scripts/image-build")],
        cwd=ROOT,
        env={**os.environ, "IMAGE": IMAGE},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"scripts/image-build failed:\n{result.stderr[-5000:]}")
    return time.monotonic() - started


def inspect(name: str) -> dict:
    return json.loads(podman("inspect", name).stdout)[0]


@dataclass
class Container:
    name: str
    url: str
    seconds_to_healthy: float

    def exec(self, *command: str) -> subprocess.CompletedProcess:
        return podman("exec", self.name, *command, check=False)

    def logs(self) -> str:
        result = podman("logs", self.name, check=False)
        return (result.stdout + result.stderr)[-4000:]


@contextmanager
def running_container(image: str = IMAGE, **settings: str) -> Iterator[Container]:
    """The image started with `settings` in its environment, on free ports (the app's and
    its embedded store's: the host network is shared), healthy by its own HEALTHCHECK;
    stopped and removed with its data after."""
    name = f"goalgetter-image-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    settings = {"GRANIAN_PORT": str(port), "EMBEDDED_STORE_PORT": str(free_port()), **settings}
    environment = [f"--env={key}={value}" for key, value in settings.items()]
    remove_abandoned_containers()
    owner = f"--label={OWNER_LABEL}={os.getpid()}"
    podman("run", "--detach", "--network=host", f"--name={name}", owner, *environment, image)
    container = Container(name, f"http://127.0.0.1:{port}", 0.0)
    try:
        container.seconds_to_healthy = _wait_healthy(container)
        yield container
    finally:
        podman("stop", "--time=20", name, check=False)
        podman("rm", "--force", "--volumes", name, check=False)


def remove_abandoned_containers() -> None:
    """Containers of test runs that were killed before they could remove them (their pytest
    process is gone); those of runs still going are left alone."""
    listed = podman("ps", "--all", f"--filter=label={OWNER_LABEL}", "--format=json").stdout
    for entry in json.loads(listed or "[]"):
        owner = int(entry.get("Labels", {}).get(OWNER_LABEL, "0"))
        if owner and not Path(f"/proc/{owner}").exists():
            podman("rm", "--force", "--volumes", entry["Id"], check=False)


def _wait_healthy(container: Container) -> float:
    started = time.monotonic()

    def healthy() -> bool:
        if not inspect(container.name)["State"]["Running"]:
            raise RuntimeError(f"The container stopped:\n{container.logs()}")
        # Runs the image's HEALTHCHECK now (podman times it with systemd, absent here).
        return podman("healthcheck", "run", container.name, check=False).returncode == 0

    try:
        wait_until(healthy, timeout=HEALTHY_TIMEOUT_SECONDS, what="the container", interval=0.5)
    except TimeoutError as error:
        raise RuntimeError(f"{error}\n{container.logs()}") from None
    return time.monotonic() - started
