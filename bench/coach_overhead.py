"""Coach overhead: click on Send → first token on screen, minus the model's own time to first
token (the loopback fake's, measured on its side). Real app (production build), real
Chromium, mongoeco wire server, redis-server state.

Run: python -m bench.coach_overhead [sends]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench._app import bench_app, percentile, report, signed_in_page
from tests.e2e.flows import wait_reply_done

SENDS = 60
WARMUP = 5
MODEL_FIRST_TOKEN_SECONDS = 0.2
RESULTS = Path(__file__).resolve().parent / "results"

# Resolves with ms from the click to the first text of a new assistant bubble.
CLICK_AND_TIME = """
() => new Promise(resolve => {
  const box = document.getElementById('chat-messages');
  const before = box.querySelectorAll('[data-role="assistant"]').length;
  const start = performance.now();
  const observer = new MutationObserver(() => {
    const bubbles = box.querySelectorAll('[data-role="assistant"]');
    if (bubbles.length > before && bubbles[bubbles.length - 1].innerText.trim()) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  });
  observer.observe(box, {subtree: true, childList: true, characterData: true});
  document.getElementById('chat-send').click();
})
"""


def measure(url: str, fake, sends: int) -> list[dict]:
    samples = []
    with signed_in_page(url, "Bench Runner") as page:
        for number in range(sends + WARMUP):
            page.fill("#chat-input", f"Benchmark message {number}")
            on_screen_ms = page.evaluate(CLICK_AND_TIME)
            request = fake.requests[-1]
            model_ms = (request["first_token_at"] - request["received_at"]) * 1000
            wait_reply_done(page)
            if number >= WARMUP:
                samples.append({"on_screen_ms": on_screen_ms, "model_ms": model_ms})
    return samples


def main(sends: int = SENDS) -> dict:
    with bench_app() as (url, fake):
        fake.first_token_delay = MODEL_FIRST_TOKEN_SECONDS
        started = time.perf_counter()
        samples = measure(url, fake, sends)
        elapsed = time.perf_counter() - started
    overhead = [s["on_screen_ms"] - s["model_ms"] for s in samples]
    figures = {
        "sends": len(samples),
        "model_first_token_ms_p50": statistics.median(s["model_ms"] for s in samples),
        "overhead_ms_p50": percentile(overhead, 0.5),
        "overhead_ms_p95": percentile(overhead, 0.95),
        "overhead_ms_max": max(overhead),
        "on_screen_ms_p50": percentile([s["on_screen_ms"] for s in samples], 0.5),
        "seconds": round(elapsed, 1),
    }
    return report(
        "Coach overhead (click → first token on screen, minus the model's own time)",
        figures,
        RESULTS / "coach_overhead.json",
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else SENDS)
