"""What the coach's proposal tools cost before the first token: the same sends with the five
tools declared and without them, interleaved, each timed from the call to the first text
shown, minus the loopback fake's own time to its first token.

Through the app's send path (send_and_reply: gate, store, history, goals with their ids,
the tool-aware stream reader) on the embedded store over the wire; 40 people with 2 goals
and 25 messages each. Run `python -m bench.coach_tools [runs]`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.persistence import free_port
from goalgetter.coach.conversation import send_and_reply
from goalgetter.coach.llm import ClaudeCoach
from goalgetter.coach.quotas import CoachQuota
from goalgetter.data import chat_messages, goals, users
from goalgetter.data import client as db_client
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.settings import Settings
from tests.fakes.anthropic_fake import FakeAnthropic

RUNS, WARMUP, PEOPLE = 60, 5, 40
UNCOUNTED = CoachQuota(None, 1, 1)  # the bench sends more than a person may


class WithoutTools(ClaudeCoach):
    def _request(self, context, messages, last_round):
        request = super()._request(context, messages, last_round)
        request.pop("tools")
        request.pop("tool_choice", None)
        return request


async def seed() -> list:
    await ensure_indexes(db_client.get_db())
    people = []
    for number in range(PEOPLE):
        user = await users.create_user(f"tools{number}@example.test", f"Person {number}", "x")
        await goals.create_goal(user["_id"], "Run a marathon", "42 km by October, 4 runs a week")
        await goals.create_goal(user["_id"], "Read 12 books", "One a month, 20 pages a night")
        for turn in range(25):
            role = ("user", "assistant")[turn % 2]
            await chat_messages.append_message(user["_id"], role, f"Message {turn} " * 12)
        people.append(user["_id"])
    return people


async def timed_send(coach, user_id, fake: FakeAnthropic, number: int) -> float:
    shown: list[float] = []

    async def show(_message_id: str, _text: str) -> bool:
        shown.append(shown[0] if shown else time.perf_counter())
        return True

    started = time.perf_counter()
    await send_and_reply(
        user_id, f"How am I doing? ({number})", "", coach=coach, show=show, quota=UNCOUNTED
    )
    request = fake.requests[-1]
    return (shown[0] - started) - (request["first_token_at"] - request["received_at"])


async def measure(fake: FakeAnthropic, runs: int) -> dict[str, list[float]]:
    people = await seed()
    settings = Settings(anthropic_api_key="bench", anthropic_base_url=fake.url)
    coaches = {
        "with tools": ClaudeCoach(settings, interactive=True),
        "without tools": WithoutTools(settings, interactive=True),
    }
    samples: dict[str, list[float]] = {name: [] for name in coaches}
    for number in range(runs + WARMUP):
        for offset, (name, coach) in enumerate(coaches.items()):
            person = people[(2 * number + offset) % len(people)]
            spent = await timed_send(coach, person, fake, number)
            if number >= WARMUP:
                samples[name].append(spent * 1000)
    return samples


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


def main(runs: int = RUNS) -> dict:
    fake = FakeAnthropic().start()
    with tempfile.TemporaryDirectory(prefix="bench-tools-") as workdir:
        store = EmbeddedStore(free_port(), Path(workdir) / "tools.sqlite")
        try:
            db_client.configure(store.ensure_running(), "goalgetter_bench_tools")

            async def run():
                try:
                    return await measure(fake, runs)
                finally:
                    await db_client.close_clients()

            samples = asyncio.run(run())
        finally:
            store.stop()
            fake.stop()
    figures = {
        name: {"p50_ms": statistics.median(values), "p95_ms": _p95(values)}
        for name, values in samples.items()
    }
    for name, row in figures.items():
        print(
            f"coach send overhead {name:<14} p50 {row['p50_ms']:6.1f}  p95 {row['p95_ms']:6.1f} ms"
        )
    ratio = figures["with tools"]["p95_ms"] / figures["without tools"]["p95_ms"]
    print(f"tools: p95 {ratio:.2f}x the send without them (target: within 1.10x)")
    return {"figures": figures, "p95_ratio": ratio}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
