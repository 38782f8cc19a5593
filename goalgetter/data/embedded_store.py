"""The embedded database: a mongoeco MongoDB wire server in its own process.

Used when MONGODB_URI is unset. The app talks to it through the same pymongo code it uses
for a real MongoDB. The server runs in a separate process because mongoeco serves from one
event loop and must never share the app's. The engine's steps run on that loop too (store fix
20), so a store in the middle of a long step (an index built over a large collection)
answers a ping late, though it accepts the connection at once: a port that accepts
connections is waited for (BUSY_WAIT_SECONDS), never taken for a free one.

Run directly: ``python -m goalgetter.data.embedded_store --port 27217 --path data/x.sqlite``
(``--memory`` for the in-memory engine used by tests). The SQLite engine runs with the fixes
of goalgetter/data/store_patches.py (``--unpatched``: without, for comparisons).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

READY_LINE = "embedded-store ready"
START_TIMEOUT_SECONDS = 30.0
BUSY_WAIT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 5.0


def store_uri(port: int) -> str:
    return f"mongodb://127.0.0.1:{port}/?directConnection=true"


def store_answers(uri: str, timeout_ms: int = 500) -> bool:
    client = MongoClient(uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def store_listening(port: int) -> bool:
    """Something accepts connections on the store's port: a store, perhaps a busy one."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class EmbeddedStore:
    """Starts the wire server if nothing answers on its port, and stops what it started."""

    def __init__(self, port: int, sqlite_path: Path | None, *, patched: bool = True):
        self.port = port
        self.sqlite_path = sqlite_path
        self.patched = patched
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return store_uri(self.port)

    def ensure_running(self) -> str:
        if store_answers(self.uri):
            return self.uri
        # The in-memory engine (tests) has no data dir: lock in the temp dir, not the cwd.
        lock_dir = self.sqlite_path.parent if self.sqlite_path else Path(tempfile.gettempdir())
        lock_dir.mkdir(parents=True, exist_ok=True)
        # Two workers starting at once: the second waits, then finds the first's server.
        with open(lock_dir / f".store-{self.port}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if store_answers(self.uri):
                return self.uri
            if store_listening(self.port):
                self._wait_for_busy_store()
                return self.uri
            self._spawn()
        return self.uri

    def _wait_for_busy_store(self) -> None:
        if not store_answers(self.uri, timeout_ms=int(BUSY_WAIT_SECONDS * 1000)):
            raise RuntimeError(
                f"Port {self.port} accepts connections but does not answer as the database "
                f"within {BUSY_WAIT_SECONDS:g} s: another program holds it, or the store is "
                "stuck. Set EMBEDDED_STORE_PORT or MONGODB_URI, or stop what holds the port."
            )

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "goalgetter.data.embedded_store", "--port", str(self.port)]
        command += ["--path", str(self.sqlite_path)] if self.sqlite_path else ["--memory"]
        command += [] if self.patched else ["--unpatched"]
        self.process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"The embedded database exited with code {self.process.returncode} "
                    f"(port {self.port} may be taken; set EMBEDDED_STORE_PORT or MONGODB_URI)."
                )
            if store_answers(self.uri, timeout_ms=200):
                return
        self.stop()
        raise RuntimeError(f"The embedded database did not answer on port {self.port}.")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # A busy server may ignore SIGTERM: give it a moment, then SIGKILL.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _serve(port: int, sqlite_path: str | None, patched: bool = True) -> None:
    from mongoeco.engines.memory import MemoryEngine
    from mongoeco.engines.sqlite import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    if sqlite_path and patched:
        from goalgetter.data import store_patches

        store_patches.apply()
    engine = SQLiteEngine(sqlite_path) if sqlite_path else MemoryEngine()
    server = AsyncMongoEcoProxyServer(
        engine=engine, host="127.0.0.1", port=port, pymongo_profile="auto-installed"
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    print(READY_LINE, flush=True)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.close(), STOP_TIMEOUT_SECONDS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    engine = parser.add_mutually_exclusive_group(required=True)
    engine.add_argument("--path", help="SQLite file (kept across restarts)")
    engine.add_argument("--memory", action="store_true", help="in-memory engine (tests)")
    parser.add_argument("--unpatched", action="store_true", help="SQLite without our fixes")
    args = parser.parse_args(argv)
    if args.path:
        Path(args.path).parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(_serve(args.port, args.path, patched=not args.unpatched))


if __name__ == "__main__":
    main()
