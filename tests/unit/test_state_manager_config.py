"""How Reflex keeps the tabs' state, as rxconfig.py chooses: in Redis with each worker
holding the tabs it serves between updates (opportunistic leases) when REDIS_URL is set, on
disk otherwise; an operator's own setting in the environment wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_CONFIG = """
import json, os, rxconfig
mode = rxconfig.config.state_manager_mode
print(json.dumps({
    "mode": getattr(mode, "value", mode),
    "expiration": rxconfig.config.redis_lock_expiration,
    "oplock": os.environ.get("REFLEX_OPLOCK_ENABLED"),
    "hold": os.environ.get("REFLEX_OPLOCK_HOLD_TIME"),
}))
"""


def _config(tmp_path: Path, **settings: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "REFLEX_REDIS_LOCK_EXPIRATION")
        and not key.startswith("REFLEX_OPLOCK")
    }
    env |= {"DATA_DIR": str(tmp_path / "data"), **settings}
    answer = subprocess.run(
        [sys.executable, "-c", READ_CONFIG],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def test_with_redis_each_worker_holds_its_tabs_and_a_slow_update_is_not_lost(tmp_path):
    assert _config(tmp_path, REDIS_URL="redis://127.0.0.1:1/0") == {
        "mode": "redis",
        "expiration": 30_000,
        "oplock": "true",
        "hold": "2s",
    }


def test_the_operators_own_choice_wins(tmp_path):
    chosen = _config(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", REFLEX_OPLOCK_ENABLED="false")
    assert chosen["oplock"] == "false"
    held = _config(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", REFLEX_OPLOCK_HOLD_TIME="500ms")
    assert held["hold"] == "500ms"


def test_without_redis_state_stays_on_disk_and_nothing_is_leased(tmp_path):
    assert _config(tmp_path) == {
        "mode": "disk",
        "expiration": 30_000,
        "oplock": None,
        "hold": None,
    }
