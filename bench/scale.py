"""Proof at scale: the hot paths at 1,000 and at 10,000 stored users.

The store (bench/_scale_seed.py) holds N tracking users, each with 2 goals, 25 chat messages,
a session and a weekly check-in series; one user has 500 goals, one 10 active goals. Every
timed operation runs the app's own functions against an EmbeddedStore over the wire (the
engine as shipped: mongoeco's SQLite engine with the store's fixes), each the calls its page
event or route makes:

  sign-up          create_user + start_session (the route; argon2's hash is timed apart)
  sign-in          find_user_by_email + start_session (argon2's verify timed apart)
  workspace open   the session check, SessionState._resolve_user, GoalsState.load and
                   ChatState.load_history
  goal list        GoalsState._load_list for the 500-goal user: first page + tags
  title search     the same, with a search
  save             save_text of one goal (its version check and revision)
  coach send       send_and_reply with the Claude client against the loopback Anthropic fake,
                   inside a check-in window: to the first token shown, minus the fake's own
                   time to first token
  start tracking   meetings.start_tracking + MeetingsState.load's reads, for a new user
  tick, none due   scheduler.tick when nothing is due
  tick, 1% due     scheduler.tick as 1% of the series fall due: ms per due series
  PDF of 10 goals  the /export/goals.pdf route, through its ASGI app

Targets (p95, this machine): 50 ms each; start tracking and the PDF 150 ms; a tick 5 ms per
due series and 20 ms with nothing due. A figure is "within target" when its p95 meets the
target at both sizes and its p50 at 10,000 users is within 1.5x of its p50 at 1,000 (p50,
as the p95 of 60 runs moves with one slow run). Run `python -m bench.scale [sizes...]`;
prints one line per figure and how long a fixed plain-Python loop took before and after (the
same code's figures move with the machine's speed), writes bench/results/scale.json, never
asserts.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS_PATH = Path(__file__).parent / "results" / "scale.json"
DB_NAME = "goalgetter_scale"
SIZES = (1_000, 10_000)
RUNS, WARMUP = 60, 3
RATIO_LIMIT = 1.5
TARGETS_MS = {
    "sign-up": 50, "sign-in": 50, "workspace open": 50, "goal list first page": 50,
    "title search": 50, "save": 50, "coach send to first token": 50,
    "start tracking": 150, "tick, none due": 20, "tick, 1% due (per series)": 5,
    "PDF of 10 goals": 150,
}  # fmt: skip


def _prepare_environment(workdir: Path) -> None:
    """Settings the app reads from the environment: a fixed key, and its data folder."""
    os.environ.setdefault("SECRET_KEY", "bench-scale-secret-key-" + "x" * 24)
    os.environ.setdefault("DATA_DIR", str(workdir))


def with_store(path: Path, work):
    """`work()`'s answer, run against an EmbeddedStore serving `path` (the app's store)."""
    from bench.persistence import free_port
    from goalgetter.data import client as db_client
    from goalgetter.data.embedded_store import EmbeddedStore

    store = EmbeddedStore(free_port(), path)
    try:
        db_client.configure(store.ensure_running(), DB_NAME)

        async def run():
            try:
                return await work()
            finally:
                await db_client.close_clients()

        return asyncio.run(run())
    finally:
        store.stop()


async def ensure_indexes():
    from goalgetter.data.client import get_db
    from goalgetter.data.indexes import ensure_indexes as make_indexes

    await make_indexes(get_db())


def run_size(count: int, workdir: Path, fake) -> dict:
    from bench._scale_measure import measure
    from bench._scale_seed import build, seed
    from goalgetter import accounts
    from goalgetter.settings import get_settings

    started, now = time.perf_counter(), datetime.now(UTC).replace(second=0, microsecond=0)
    secret = get_settings().resolved_secret_key()
    world, docs = build(count, now, accounts._hasher.hash("bench-password-1"), secret)
    path = workdir / f"scale-{count}.sqlite"
    with_store(path, ensure_indexes)
    world.stored = asyncio.run(seed(path, DB_NAME, docs))
    seeded = time.perf_counter() - started
    print(f"{count:,} users: seeded {sum(world.stored.values()):,} documents in {seeded:.0f} s")
    figures = with_store(path, lambda: measure(world, now, fake, RUNS, WARMUP))
    return {"stored": world.stored, "seed_seconds": round(seeded, 1), "figures": figures}


def verdicts(by_size: dict[int, dict]) -> list[dict]:
    small, large = (by_size[size]["figures"] for size in (min(by_size), max(by_size)))
    rows = []
    for name, target in TARGETS_MS.items():
        a, b = small[name], large[name]
        ratio = b["p50_ms"] / a["p50_ms"] if a["p50_ms"] else float("inf")
        within = max(a["p95_ms"], b["p95_ms"]) <= target and ratio <= RATIO_LIMIT
        rows.append({"name": name, "target_ms": target, "small": a, "large": b,
                     "ratio_p50": ratio, "within": within})  # fmt: skip
    return rows


def print_rows(rows: list[dict], sizes: tuple[int, int]) -> None:
    small, large = (f"{size // 1000}k" for size in sizes)
    print(
        f"\n{'figure':<28}{'target':>7}{small + ' p50':>10}{small + ' p95':>10}"
        f"{large + ' p50':>10}{large + ' p95':>10}{'ratio':>7}  verdict"
    )
    for row in rows:
        a, b = row["small"], row["large"]
        print(
            f"{row['name']:<28}{row['target_ms']:>7}{a['p50_ms']:>10.1f}{a['p95_ms']:>10.1f}"
            f"{b['p50_ms']:>10.1f}{b['p95_ms']:>10.1f}{row['ratio_p50']:>7.2f}  "
            f"{'ok' if row['within'] else 'MISSED'}"
        )


def main(sizes: tuple[int, ...] = SIZES) -> dict:
    from bench.persistence import machine
    from tests.fakes.anthropic_fake import FakeAnthropic

    started = time.perf_counter()
    results: dict = {"benchmark": "scale", "runs": RUNS, "machine": machine(), "by_size": {}}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as workdir:
        _prepare_environment(Path(workdir))
        fake = FakeAnthropic().start()
        try:
            for count in sizes:
                results["by_size"][count] = run_size(count, Path(workdir), fake)
        finally:
            fake.stop()
    by_size = results["by_size"]
    for count, result in by_size.items():
        for name, row in result["figures"].items():
            if name not in TARGETS_MS or len(by_size) < 2:
                extra = f"  series due {row['series_due']}" if "series_due" in row else ""
                print(f"{count:>6,} users  {name:<30} p50 {row['p50_ms']:7.1f}  "
                      f"p95 {row['p95_ms']:7.1f} ms{extra}")  # fmt: skip
    if len(by_size) >= 2:
        rows = verdicts(by_size)
        print_rows(rows, (min(by_size), max(by_size)))
        results["rows"] = rows
        print(f"\nscale: {sum(r['within'] for r in rows)}/{len(rows)} figures within target")
    results["machine_after"] = machine()
    speed = [results[key]["plain_python_loop_ms"] for key in ("machine", "machine_after")]
    print(f"The machine: a fixed plain-Python loop took {speed[0]} ms before, {speed[1]} after")
    results["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"Total {results['seconds']:.0f} s. Figures written to {RESULTS_PATH}")
    return results


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
