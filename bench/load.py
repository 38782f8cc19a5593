"""Proof under load: N people at once on the production build, each over the real Reflex
websocket protocol (bench/_ws_client.py), not a browser per person.

Each person signs in (the form's POST), opens the workspace, starts a goal and saves its
text, and asks the coach; the coach is the loopback Anthropic fake in a process of its own,
20 ms between tokens. People arrive spread over RAMP seconds and stay connected; once all
are in, each saves and asks after a pause drawn from [0, SPREAD) seconds (0: all at once).
Run with 1 and with 2 backend workers (GRANIAN_WORKERS), state in redis-server, data in the
embedded store; everything on 127.0.0.1.

Reported per run: errors (grouped), p50/p95 sign-in, workspace open, save round trip and
time to first token, p95 gap between tokens on screen, backend memory per connected person
(RSS of the app's processes, after minus before), and the Reflex state per person in Redis.

Run: python -m bench.load [--clients 50,100,200] [--workers 1,2] [--ramp 60] [--spread 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from bench._app import percentile
from bench._ws_client import ClientError, PersonTab
from tests.e2e.flows import PASSWORD
from tests.servers import configured_app_env, mongo_server, redis_server, running_app

TOKEN_DELAY_SECONDS = 0.02
STEP_TIMEOUT_SECONDS = 120
SEED_CONCURRENCY = 4
QUESTION = "I want to run a 10 km race in under an hour by June. Where do I start?"
GOAL_TEXT = "Run 10 km in under 60 minutes at the city race on 14 June 2027."
RESULTS = Path(__file__).resolve().parent / "results" / "load.json"


def _serve_fake(ports: multiprocessing.Queue, token_delay: float) -> None:
    from tests.fakes.anthropic_fake import FakeAnthropic

    fake = FakeAnthropic(token_delay=token_delay).start()
    ports.put(fake.port)
    fake._thread.join()


@contextlib.contextmanager
def anthropic_process(token_delay: float) -> Iterator[str]:
    """The fake in its own process: in this one it would share a core with every client."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    process = context.Process(target=_serve_fake, args=(ports, token_delay), daemon=True)
    process.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=30)}"
    finally:
        process.kill()
        process.join()


@dataclass
class Target:
    url: str
    redis_url: str
    mongo_uri: str


@contextlib.contextmanager
def load_app(workers: int, settings: dict[str, str]) -> Iterator[Target]:
    """The app running `workers` backend workers, with its Redis and its store."""
    with (
        tempfile.TemporaryDirectory() as workdir,
        mongo_server() as mongo_uri,
        redis_server(Path(workdir)) as redis_url,
        anthropic_process(TOKEN_DELAY_SECONDS) as anthropic_url,
    ):
        db_name = f"load_{uuid.uuid4().hex[:8]}"
        env = configured_app_env(mongo_uri, db_name, redis_url, anthropic_url)
        env |= {"GRANIAN_WORKERS": str(workers), "COACH_QUOTAS": "false", **settings}
        try:
            with running_app(workdir=Path(workdir), env=env) as url:
                yield Target(url, redis_url, mongo_uri)
        finally:
            RESULTS.parent.mkdir(exist_ok=True)
            shutil.copy(Path(workdir) / "app.log", RESULTS.parent / f"load-app-{workers}w.log")


def app_pids(url: str) -> list[Path]:
    """Every process of the app at `url`, found by the environment it was started with."""
    marker = f"REFLEX_DEPLOY_URL={url}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes().split(b"\0"):
                found.append(proc)
    return found


def store_pids(mongo_uri: str) -> list[Path]:
    port = mongo_uri.rsplit(":", 1)[-1].split("/")[0].encode()
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            command = (proc / "cmdline").read_bytes().split(b"\0")
            if proc.name.isdigit() and b"--port" in command and port in command:
                found.append(proc)
    return found


def rss_mb(procs: list[Path]) -> float:
    total_kb = 0
    for proc in procs:
        with contextlib.suppress(OSError):
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def cpu_seconds(procs: list[Path]) -> float:
    """User plus system CPU time the processes have used so far."""
    ticks = 0
    for proc in procs:
        with contextlib.suppress(OSError):
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def state_bytes(redis_url: str, tokens: list[str]) -> list[int]:
    """The Reflex state stored for each tab's token: the sum of its keys' values."""
    connection = redis.Redis.from_url(redis_url)
    sizes = []
    for token in tokens:
        keys = list(connection.scan_iter(match=f"{token}_*", count=1000))
        sizes.append(sum(connection.strlen(key) for key in keys))
    return sizes


async def seed_people(url: str, count: int) -> list[str]:
    """`count` accounts made through the sign-up form; returns their emails."""
    emails = [f"load-{uuid.uuid4().hex[:10]}@example.com" for _ in range(count)]
    gate = asyncio.Semaphore(SEED_CONCURRENCY)
    async with httpx.AsyncClient(timeout=60) as http:

        async def sign_up(number: int, email: str) -> None:
            async with gate:
                form = {"name": f"Load {number}", "email": email, "password": PASSWORD}
                answer = await http.post(f"{url}/auth/signup", data=form)
                if answer.status_code != 303:
                    raise RuntimeError(f"sign-up answered {answer.status_code}")

        await asyncio.gather(*(sign_up(n, email) for n, email in enumerate(emails)))
    return emails


class Gathering:
    """Everyone's arrival, failed or not: the asking starts once all are in."""

    def __init__(self, expected: int):
        self.left = expected
        self.all_in = asyncio.Event()

    def arrived(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.all_in.set()


async def one_person(
    url: str, email: str, arrive_at: float, gathering: Gathering, spread: float
) -> PersonTab:
    tab = PersonTab(url, STEP_TIMEOUT_SECONDS)
    try:
        try:
            await asyncio.sleep(arrive_at)
            async with httpx.AsyncClient(timeout=STEP_TIMEOUT_SECONDS) as http:
                session = await tab.sign_in(http, email, PASSWORD)
            await tab.open_workspace(session)
            goal_id = await tab.new_goal()
        finally:
            gathering.arrived()
        await gathering.all_in.wait()
        await asyncio.sleep(random.uniform(0, spread))
        await tab.save(goal_id, GOAL_TEXT)
        await tab.ask_coach(QUESTION)
        return tab
    finally:
        await tab.close()


async def run_round(target: Target, emails: list[str], ramp: float, spread: float) -> dict:
    """Everyone in `emails` at once; the figures of this round."""
    count = len(emails)
    gathering = Gathering(count)
    app, store = app_pids(target.url), store_pids(target.mongo_uri)
    memory_before = rss_mb(app)
    people = [
        asyncio.create_task(one_person(target.url, email, ramp * n / count, gathering, spread))
        for n, email in enumerate(emails)
    ]
    await gathering.all_in.wait()
    memory_connected = rss_mb(app)
    app_cpu, store_cpu, started = cpu_seconds(app), cpu_seconds(store), time.perf_counter()
    outcomes = await asyncio.gather(*people, return_exceptions=True)
    busy = (cpu_seconds(app) - app_cpu, cpu_seconds(store) - store_cpu)
    return {
        "tabs": [o for o in outcomes if isinstance(o, PersonTab)],
        "errors": Counter(_error_name(o) for o in outcomes if not isinstance(o, PersonTab)),
        "memory": (memory_before, memory_connected),
        "ask_phase": {
            "seconds": time.perf_counter() - started,
            "app_cpu": busy[0],
            "store_cpu": busy[1],
        },
    }


def _error_name(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error)
    return f"{type(error).__name__}: {str(error)[:80]}"


def figures(round_result: dict, redis_url: str, count: int) -> dict:
    ask = round_result["ask_phase"]
    tabs = round_result["tabs"]
    before, connected = round_result["memory"]

    def p(attribute: str, share: float) -> float:
        values = [getattr(tab.timings, attribute) for tab in tabs]
        return percentile(values, share) if values else float("nan")

    gaps = [gap for tab in tabs for gap in tab.timings.token_gaps]
    sizes = state_bytes(redis_url, [tab.token for tab in tabs])
    return {
        "clients": count,
        "errors": sum(round_result["errors"].values()),
        "error_kinds": dict(round_result["errors"]),
        "sign_in_p50": p("sign_in", 0.5),
        "sign_in_p95": p("sign_in", 0.95),
        "open_p50": p("workspace_open", 0.5),
        "open_p95": p("workspace_open", 0.95),
        "save_p50": p("save", 0.5),
        "save_p95": p("save", 0.95),
        "ttft_p50": p("first_token", 0.5),
        "ttft_p95": p("first_token", 0.95),
        "gap_p50": percentile(gaps, 0.5) if gaps else float("nan"),
        "gap_p95": percentile(gaps, 0.95) if gaps else float("nan"),
        "reply_p95": p("reply_done", 0.95),
        "rss_before_mb": before,
        "rss_connected_mb": connected,
        "mb_per_client": (connected - before) / count,
        "ask_seconds": ask["seconds"],
        "ask_app_cpu_seconds": ask["app_cpu"],
        "ask_store_cpu_seconds": ask["store_cpu"],
        "state_kb_per_user": sum(sizes) / len(sizes) / 1024 if sizes else float("nan"),
    }


HEADER = (
    f"{'workers':>7} {'N':>4} {'errors':>6} {'sign-in p50/p95':>16} {'open p50/p95':>14} "
    f"{'save p50/p95':>14} {'TTFT p50/p95':>14} {'gap p50/p95':>12} {'MB/client':>9} "
    f"{'state KB':>8}"
)


def line(workers: int, row: dict) -> str:
    pair = "{:.0f}/{:.0f}".format
    return (
        f"{workers:>7} {row['clients']:>4} {row['errors']:>6} "
        f"{pair(row['sign_in_p50'], row['sign_in_p95']):>16} "
        f"{pair(row['open_p50'], row['open_p95']):>14} "
        f"{pair(row['save_p50'], row['save_p95']):>14} "
        f"{pair(row['ttft_p50'], row['ttft_p95']):>14} "
        f"{pair(row['gap_p50'], row['gap_p95']):>12} "
        f"{row['mb_per_client']:>9.2f} {row['state_kb_per_user']:>8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="50,100,200")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--ramp", type=float, default=60.0)
    parser.add_argument("--spread", type=float, default=5.0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the app for this run (repeatable)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    rows = []
    print(HEADER)
    for workers in (int(w) for w in args.workers.split(",")):
        with load_app(workers, dict(pair.split("=", 1) for pair in args.set)) as target:
            emails = asyncio.run(seed_people(target.url, max(counts)))
            for count in counts:
                result = asyncio.run(run_round(target, emails[:count], args.ramp, args.spread))
                row = {"workers": workers, **figures(result, target.redis_url, count)}
                rows.append(row)
                print(line(workers, row), flush=True)
                print(
                    f"{'':>13}ask phase {row['ask_seconds']:.1f} s: app CPU"
                    f" {row['ask_app_cpu_seconds']:.1f} s,"
                    f" store CPU {row['ask_store_cpu_seconds']:.1f} s"
                )
                for kind, times in row["error_kinds"].items():
                    print(f"{'':>13}{times} × {kind}")
    RESULTS.parent.mkdir(exist_ok=True)
    settings = {
        "set": args.set,
        "ramp": args.ramp,
        "spread": args.spread,
        "token_delay": TOKEN_DELAY_SECONDS,
    }
    RESULTS.write_text(json.dumps({**settings, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
