"""What checking each connection's session costs (goalgetter/state/guard.py).

Over the real websocket protocol (tests/hostile_client.py) against the production build:
- an event round trip on a signed-in connection, whose session key the state has already
  checked (the guard compares two strings);
- the first frame (hydrate, then one more event) of a new connection of the same person,
  and of one that presents another person's client token: the guard reads the session,
  empties every per-user state, and the page gets a clean one.

Run: python -m bench.session_guard [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import httpx

from bench._app import bench_app, percentile, report
from tests.e2e.flows import PASSWORD, unique_email
from tests.hostile_client import HostileTab

ROUNDS = 100
RESULTS = Path(__file__).resolve().parent / "results"


def _session(url: str, name: str) -> str:
    form = {"name": name, "email": unique_email("guard"), "password": PASSWORD}
    return httpx.post(f"{url}/auth/signup", data=form, follow_redirects=False).cookies["gg_session"]


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main(rounds: int = ROUNDS) -> dict:
    with bench_app() as (url, _fake):
        ann, bob = _session(url, "Ann Bench"), _session(url, "Bob Bench")
        with HostileTab(url, session=ann) as tab:
            tab.hydrate()
            ann_token = tab.token
            same_session = [_timed(tab.barrier) for _ in range(rounds)]
        # The same person reconnecting: the guard compares keys and reads nothing.
        same_person = []
        for _ in range(rounds):
            with HostileTab(url, token=ann_token, session=ann) as tab:
                same_person.append(_timed(tab.hydrate))
        other_person = []
        for number in range(rounds):
            # Alternate who presents Ann's token: every hydrate meets another person's state.
            with HostileTab(url, token=ann_token, session=bob if number % 2 == 0 else ann) as tab:
                other_person.append(_timed(tab.hydrate))
    figures = {
        "rounds": rounds,
        "event_same_session_ms_p50": statistics.median(same_session),
        "event_same_session_ms_p95": percentile(same_session, 0.95),
        "hydrate_same_person_ms_p50": statistics.median(same_person),
        "hydrate_same_person_ms_p95": percentile(same_person, 0.95),
        "hydrate_other_person_ms_p50": statistics.median(other_person),
        "hydrate_other_person_ms_p95": percentile(other_person, 0.95),
    }
    return report(
        "Session guard (event round trip; first frame of another person's tab token)",
        figures,
        RESULTS / "session_guard.json",
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS)
