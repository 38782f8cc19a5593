"""The people of bench/load.py, three at once, against the app the browser tests use: the
protocol client the load figures rest on sees what a page sees (the save confirmed with a
newer version, the reply streamed in), and people asking at the same moment each get
their reply, stored with their own account."""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.load import GOAL_TEXT, QUESTION, Target, run_round, seed_people
from tests.fakes.anthropic_fake import reply_tokens


def test_three_people_at_once_each_see_their_save_and_their_reply(app, redis_url, mongo_uri):
    target = Target(app.url, redis_url, mongo_uri)

    async def three_at_once() -> tuple[list[str], dict]:
        emails = await seed_people(app.url, 3)
        return emails, await run_round(target, emails, ramp=0, spread=0)

    # In a thread of its own: the browser tests' Playwright runs an event loop in this one.
    with ThreadPoolExecutor(1) as thread:
        emails, result = thread.submit(asyncio.run, three_at_once()).result()

    assert result["errors"] == Counter()
    reply = "".join(reply_tokens(QUESTION)).strip()
    for tab in result["tabs"]:
        timings = tab.timings
        assert min(timings.sign_in, timings.workspace_open, timings.save) > 0
        assert 0 < timings.first_token <= timings.reply_done
        shown = tab.var("chat_state", "messages")
        assert [m["content"].strip() for m in shown[-2:]] == [QUESTION, reply]
    database = app.db
    for email in emails:
        user = database.users.find_one({"email": email})
        stored = database.chat_messages.find_one({"user_id": user["_id"]})["messages"]
        assert [m["content"].strip() for m in stored[-2:]] == [QUESTION, reply]
        goal = database.goals.find_one({"user_id": user["_id"]})
        assert goal["content"] == GOAL_TEXT
