"""Goal save round trip in the browser: the editor loses focus → "✓ Saved" on screen, with a
new version and every edit confirmed stored (assets/autosave.js); and how soon after a
keystroke the page says "Saving…" (the page's own work, before any round trip).

Leaving the editor sends the text at once (no 400 ms debounce), so this is the app's own
time: the event over the websocket, the version-checked write, the revision, the answer on
screen. Real app (production build), real Chromium, mongoeco wire server (SQLite, as shipped),
redis-server state. Whether a save joins the last revision or starts one follows the
2-minute window; bench/revisions.py measures both on the embedded store.

Run: python -m bench.save_round_trip [saves]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench._app import bench_app, percentile, report, signed_in_page
from tests.e2e.flows import new_goal

SAVES = 60
WARMUP = 5
RESULTS = Path(__file__).resolve().parent / "results"

# Resolves with ms from leaving the editor to "Saved" shown: a newer version, nothing pending.
BLUR_AND_TIME = """
() => new Promise(resolve => {
  const status = document.getElementById('goal-save-status');
  const before = Number(status.dataset.version);
  const start = performance.now();
  const shown = () => status.dataset.status === 'saved' && Number(status.dataset.version) > before
    && !document.documentElement.classList.contains('gg-unsaved');
  const observer = new MutationObserver(() => {
    if (shown()) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  });
  observer.observe(status, {attributes: true});
  observer.observe(document.documentElement, {attributes: true});
  document.getElementById('goal-editor').blur();
})
"""

# Resolves with ms from a keystroke (an input event) to the page saying "Saving…".
KEYSTROKE_TO_SAVING = """
() => {
  const editor = document.getElementById('goal-editor');
  const start = performance.now();
  editor.dispatchEvent(new InputEvent('input', {bubbles: true}));
  const local = document.querySelector('#goal-save-status .gg-local-status');
  return getComputedStyle(local).display !== 'none' ? performance.now() - start : -1;
}
"""


def measure(url: str, saves: int) -> tuple[list[float], list[float]]:
    """(blur → Saved shown, keystroke → Saving… shown), in ms."""
    samples, keystrokes = [], []
    with signed_in_page(url, "Bench Saver") as page:
        new_goal(page, "Benchmark goal", "Run 5 km three times a week by June 2027.")
        for number in range(saves + WARMUP):
            page.fill("#goal-editor", f"Run 5 km three times a week by June 2027. Edit {number}.")
            keystroke_ms = page.evaluate(KEYSTROKE_TO_SAVING)
            elapsed_ms = page.evaluate(BLUR_AND_TIME)
            if number >= WARMUP:
                samples.append(elapsed_ms)
                keystrokes.append(keystroke_ms)
    return samples, keystrokes


def main(saves: int = SAVES) -> dict:
    with bench_app() as (url, _fake):
        started = time.perf_counter()
        samples, keystrokes = measure(url, saves)
        elapsed = time.perf_counter() - started
    figures = {
        "saves": len(samples),
        "round_trip_ms_p50": statistics.median(samples),
        "round_trip_ms_p95": percentile(samples, 0.95),
        "round_trip_ms_max": max(samples),
        "keystroke_to_saving_ms_p50": statistics.median(keystrokes),
        "keystroke_to_saving_ms_max": max(keystrokes),
        "seconds": round(elapsed, 1),
    }
    return report(
        "Goal save round trip (editor blur → '✓ Saved' on screen, every edit confirmed)",
        figures,
        RESULTS / "save_round_trip.json",
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else SAVES)
