"""PDF export of a realistic 10-goal account: time per export and the file's size.

Ten goals as the app stores them (SMART/OKR/custom templates, every phase, 1 to 3 KB of
markdown each with headings, lists, quotes, code, links; milestones and tags; two written in
Greek and Cyrillic, one with emoji and CJK that become placeholders). `goals_pdf` runs
ITERATIONS times after WARMUP runs; the first call of the process is reported apart, as it
also reads each face once for the process (its glyph coverage, and the parsed face that
integrations/pdf_fonts.py copies for every later export). Run `python -m bench.pdf_export`;
prints the figures, writes bench/results/pdf_export.json, never asserts.
"""

from __future__ import annotations

import io
import json
import random
import statistics
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from bench.persistence import machine
from goalgetter.integrations.pdf import goals_pdf

ITERATIONS, WARMUP, GOALS = 30, 2, 10
EXPORTED_AT, TZ = datetime(2026, 3, 29, 0, 30, tzinfo=UTC), ZoneInfo("Europe/Berlin")
RESULTS_PATH = Path(__file__).parent / "results" / "pdf_export.json"
PHASES = ("draft", "active", "active", "completed", "archived")
TEMPLATES = ("smart", "okr", "custom")
SUBJECTS = (
    "Run the Berlin half marathon in under 2 hours",
    "Read 24 books this year",
    "Ship the first version of the garden planner app",
    "Save €6,000 for a sabbatical",
    "Speak Spanish at B2 level",
    "Cook dinner at home five nights a week",
    "Sleep seven hours on work nights",
    "Write a short story every month",
    "Καλημέρα: learn to read Greek newspapers",
    "Привет мир: pass the Russian A2 exam",
)
SENTENCES = (
    "I will train four times per week, because the race matters to me.",
    "Every Sunday evening I review the plan and adjust the next week.",
    "The first step is a **15 minute** walk after lunch, *every* day.",
    "Progress is tracked in a spreadsheet with one row per session.",
    "If I miss a day, I do not try to catch up; I simply start again.",
    "By the end of June the base should feel easy and repeatable.",
    "A friend checks in with me on Fridays so that I stay honest.",
    "Small wins count: log them in `progress.md` and celebrate monthly.",
    "See the [training plan](https://example.com/plan) for the details.",
)
MILESTONES = (
    "Book the race",
    "First 10 km run without stopping",
    "Finish chapter three",
    "Open a separate savings account",
    "Pass the mock exam",
    "Two weeks without takeaway food",
    "Set up the weekly review",
    "Send the draft to a friend for feedback",
)
GREEK = "Θα διαβάζω μία σελίδα εφημερίδας κάθε πρωί, γιατί θέλω να καταλαβαίνω τα νέα."
CYRILLIC = "Каждый вечер я повторяю двадцать новых слов, чтобы сдать экзамен в мае."


def paragraph(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(low, high)))


def content(rng: random.Random, index: int) -> str:
    parts = [f"## Why\n{paragraph(rng, 2, 6)}", "## Plan"]
    parts.append("\n".join(f"{n}. {paragraph(rng, 1, 3)}" for n in range(1, rng.randint(4, 8))))
    parts.append("- Weekly\n  - " + "\n  - ".join(paragraph(rng, 1, 1) for _ in range(3)))
    parts.append(f"> {paragraph(rng, 1, 3)}")
    if index % 3 == 0:
        parts.append(
            "```\nweek  distance  feeling\n1     12 km     good\n2     15 km     tired\n```"
        )
    if index == 8:
        parts.append(f"### Στόχος\n{GREEK} {GREEK}")
    if index == 9:
        parts.append(f"### Цель\n{CYRILLIC} {CYRILLIC}")
    if index == 4:
        parts.append("Mood board: 🎯 🏃 目標 — keep going!")
    parts.append(f"## Notes\n{paragraph(rng, 2, 14)}")
    return "\n\n".join(parts)


def goal(rng: random.Random, index: int) -> dict:
    milestones = [
        {
            "id": f"m{index}-{n}",
            "title": rng.choice(MILESTONES),
            "due": f"2026-{rng.randint(4, 12):02d}-{rng.randint(1, 28):02d}" if n % 2 else None,
            "done": rng.random() < 0.4,
        }
        for n in range(rng.randint(2, 6))
    ]
    return {
        "title": SUBJECTS[index],
        "content": content(rng, index),
        "phase": PHASES[index % len(PHASES)],
        "template_type": TEMPLATES[index % len(TEMPLATES)],
        "metadata": {
            "deadline": f"2026-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}",
            "milestones": milestones,
            "tags": rng.sample(["health", "career", "learning", "money", "family", "fun"], 3),
        },
    }


def summary(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p95_ms": p95, "max_ms": ms[-1]}


def export(goals: list[dict]) -> tuple[float, bytes]:
    started = time.perf_counter()
    data = goals_pdf(goals, exported_at=EXPORTED_AT, tz=TZ, title="My goals")
    return time.perf_counter() - started, data


def main() -> dict:
    rng = random.Random(3)
    goals = [goal(rng, index) for index in range(GOALS)]
    sizes = [len(g["content"]) for g in goals]
    first_s, data = export(goals)
    for _ in range(WARMUP - 1):
        export(goals)
    samples = [export(goals)[0] for _ in range(ITERATIONS)]
    results = {
        "benchmark": "pdf_export",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {"fpdf2": version("fpdf2"), "markdown-it-py": version("markdown-it-py")},
        "config": {"goals": GOALS, "iterations": ITERATIONS, "warmup": WARMUP,
                   "content_chars_min": min(sizes), "content_chars_max": max(sizes)},
        "first_call_ms": first_s * 1000,
        "export": summary(samples),
        "pdf_bytes": len(data),
        "pages": len(PdfReader(io.BytesIO(data)).pages),
    }  # fmt: skip
    print(
        f"PDF export of {GOALS} goals ({min(sizes)}–{max(sizes)} characters of markdown each), "
        f"fpdf2 {version('fpdf2')}; {ITERATIONS} exports after {WARMUP} warm-ups."
    )
    row = results["export"]
    print(f"  first call in process  {results['first_call_ms']:8.1f} ms")
    print(f"  p50 / p95 / max        {row['p50_ms']:8.1f} / {row['p95_ms']:.1f} / "
          f"{row['max_ms']:.1f} ms")  # fmt: skip
    print(f"  PDF size               {len(data) / 1024:8.1f} KiB, {results['pages']} pages")
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Figures written to {RESULTS_PATH}")
    return results


if __name__ == "__main__":
    main()
