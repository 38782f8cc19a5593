"""The timed operations of bench.scale, each the app's own calls for one page event or route
(see bench/scale.py for the list)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx
from bson import ObjectId
from starlette.applications import Starlette
from starlette.routing import Route

from bench._scale_seed import World
from bench.persistence import summary, text
from goalgetter import accounts, exports, mail_delivery, scheduler
from goalgetter.coach import memory
from goalgetter.coach.conversation import send_and_reply
from goalgetter.coach.gate import coach_gate
from goalgetter.coach.greeting import greet_once
from goalgetter.coach.llm import ClaudeCoach
from goalgetter.data import chat_messages, goals, meetings, users
from goalgetter.data import meeting_state as ms
from goalgetter.routes import SESSION_COOKIE
from goalgetter.settings import Settings
from goalgetter.state.chat import SHOWN_HISTORY

Samples = dict[str, list[float]]


async def _timed(samples: list[float], call: Callable[[], Awaitable[object]]) -> object:
    started = time.perf_counter()
    result = await call()
    samples.append(time.perf_counter() - started)
    return result


async def _workspace_open(user_id: ObjectId, token: str) -> None:
    """The session check, then what the workspace's page load runs."""
    user_id = await accounts.user_id_for_session_key(accounts.session_key(token))
    await users.get_user(user_id)
    page = await goals.list_goals(user_id)
    if page.goals:
        await goals.get_goal(user_id, page.goals[0]["_id"])
    access = await coach_gate(user_id)
    await greet_once(user_id, access)
    await chat_messages.recent_messages(user_id, SHOWN_HISTORY)


async def _goal_list(user_id: ObjectId, search: str = "") -> None:
    await goals.list_goals(user_id, search=search)  # the page and the tag menu


async def _start_tracking(user_id: ObjectId, schedule, now: datetime) -> None:
    await meetings.start_tracking(user_id, schedule, now=now)
    await users.get_user(user_id)
    await meetings.list_meetings(user_id)
    await meetings.series(user_id)


async def _sign_up(email: str, password_hash: str) -> dict:
    user = await users.create_user(email, "New Person", password_hash)
    await accounts.start_session(user["_id"])
    return user


async def _sign_in(email: str) -> None:
    user = await users.find_user_by_email(email)
    await accounts.start_session(user["_id"])


async def _save(user_id: ObjectId, rng: random.Random) -> object:
    first = (await goals.list_goals(user_id)).goals[0]
    goal = await goals.get_goal(user_id, first["_id"])
    content = goal["content"] + " " + text(rng, 5, 40)
    started = time.perf_counter()
    await goals.save_text(user_id, goal["_id"], base_version=goal["version"], content=content)
    return time.perf_counter() - started


async def accounts_and_pages(world: World, runs: int, samples: Samples) -> list:
    """Sign-up, sign-in, workspace open, the goal list, save. Returns the new users' ids."""
    rng, new_users = random.Random(1), []
    signed_in = list(world.tokens.items())[2:]
    password_hash = world.users[0]["password_hash"]
    big = world.big_user
    for run in range(runs):
        email = f"new{run}-{rng.randrange(10**9)}@example.test"
        user = await _timed(samples["sign-up"], lambda e=email: _sign_up(e, password_hash))
        new_users.append(user["_id"])
        known = rng.choice(world.users)["email"]
        await _timed(samples["sign-in"], lambda e=known: _sign_in(e))
        user_id, token = rng.choice(signed_in)
        await _timed(samples["workspace open"], lambda u=user_id, t=token: _workspace_open(u, t))
        await _timed(samples["goal list first page"], lambda: _goal_list(big))
        term = f"goal {rng.randrange(10, 99)}"
        await _timed(samples["title search"], lambda t=term: _goal_list(big, t))
        samples["save"].append(await _save(user_id, rng))
    for _ in range(runs // 3):  # what sign-up and sign-in add on purpose
        await _timed(
            samples["argon2 hash (by design)"],
            lambda: asyncio.to_thread(accounts._hasher.hash, "bench-password-2"),
        )
        await _timed(
            samples["argon2 verify (by design)"],
            lambda: asyncio.to_thread(accounts._hasher.verify, password_hash, "bench-password-1"),
        )
    return new_users


async def coach_sends(world: World, fake, runs: int, samples: Samples) -> None:
    """A send inside the user's next check-in window, to the first token shown."""
    coach = ClaudeCoach(Settings(anthropic_api_key="sk-ant-bench", anthropic_base_url=fake.url))
    rng = random.Random(2)
    for series in rng.sample(world.series[2:], runs):
        state = series["state"][0]
        meeting = next(m for m in state["meetings"] if m["status"] == "scheduled")
        at = meeting["start"] + timedelta(minutes=5)
        shown: list[float] = []

        async def show(_message_id: str, _text: str, shown: list[float] = shown) -> bool:
            if not shown:
                shown.append(time.perf_counter())
            return True

        # The previous send's summary (written after its reply, coach/memory.py) is not
        # this send's overhead: measured with it done, as every other figure on a quiet app.
        await memory.settled()
        started = time.perf_counter()
        await send_and_reply(series["_id"], text(rng, 40, 200), "", coach=coach, show=show, now=at)
        request = fake.requests[-1]
        model = request["first_token_at"] - request["received_at"]
        samples["coach send to first token"].append(shown[0] - started - model)
        samples["coach: the fake's first token"].append(model)


async def tracking(world: World, new_users: list, now: datetime, samples: Samples) -> None:
    schedule = ms.schedule_from_doc(world.series[0]["state"][0]["schedule"])
    for user_id in new_users:
        await _timed(samples["start tracking"], lambda u=user_id: _start_tracking(u, schedule, now))
    for second in range(len(new_users)):
        quiet = now + timedelta(seconds=second)
        await _timed(samples["tick, none due"], lambda q=quiet: scheduler.tick(q))
    dues = sorted(series["state"][0]["next_due_at"] for series in world.series)
    step, last = max(1, len(dues) // 100), now
    for rank in range(step, len(dues) + 1, step):
        if len(samples["tick, 1% due"]) == len(new_users):
            break
        if dues[rank - 1] <= last:  # the last tick's instant again: nothing new is due
            continue
        last = dues[rank - 1]
        started = time.perf_counter()
        report = await scheduler.tick(last)
        spent = time.perf_counter() - started
        samples["tick, 1% due"].append(spent)
        samples.due_counts.append(report.series)
        # What MeetingScheduler.run_tick does next, timed apart: deliver the tick's mail at
        # the tick's clock (left queued, the outbox's pending list grew with every tick).
        started = time.perf_counter()
        await mail_delivery.settled()
        await mail_delivery.deliver_due(last)
        sent = time.perf_counter() - started
        if report.series:  # a tick that found none due would count its whole time as one
            samples["tick, 1% due (per series)"].append(spent / report.series)
            samples["tick's mail, sent after it (per series)"].append(sent / report.series)


async def pdfs(world: World, runs: int, samples: Samples) -> None:
    app = Starlette(routes=[Route("/export/goals.pdf", exports.active_goals_pdf)])
    token = world.tokens[world.pdf_user]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        client.cookies.set(SESSION_COOKIE, token)
        for _ in range(runs):
            response = await _timed(
                samples["PDF of 10 goals"], lambda: client.get("/export/goals.pdf")
            )
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                raise RuntimeError(f"the PDF route answered {response.status_code}")


async def measure(world: World, now: datetime, fake, runs: int, warmup: int) -> dict:
    samples: Samples = _Samples()
    await goals.list_goals(world.big_user)  # the connection's set-up
    new_users = await accounts_and_pages(world, runs + warmup, samples)
    await coach_sends(world, fake, runs + warmup, samples)
    await tracking(world, new_users, now, samples)
    await pdfs(world, runs + warmup, samples)
    for name, values in samples.items():
        if not name.startswith(("argon2", "tick, 1% due", "tick's mail")):
            del values[:warmup]
    figures = {name: summary(values) for name, values in samples.items()}
    due = sorted(samples.due_counts)
    figures["tick, 1% due"]["series_due"] = {"min": due[0], "median": due[len(due) // 2],
                                             "max": due[-1]}  # fmt: skip
    return figures


class _Samples(dict):
    due_counts: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.due_counts = []

    def __missing__(self, key: str) -> list[float]:
        self[key] = []
        return self[key]
