"""SMART letters from Claude: a forced tool call with a fixed schema, stored with the version it
judged, asked at most once a minute per goal whatever the number of askers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from goalgetter.coach.smart_grading import GRADE_EVERY, GRADE_TOOL, grade_goal, parse_grade
from goalgetter.data import goals, users
from goalgetter.state.goals import smart_letters
from tests.integration.test_conversation import claude

VERDICTS = {
    "S": {"passed": True, "reason": "A clear race."},
    "M": {"passed": True, "reason": "Under 4 hours."},
    "A": {"passed": False, "reason": "Say how you will train."},
    "R": {"passed": False, "reason": "Why does it matter to you?"},
    "T": {"passed": True, "reason": "26 September."},
}


async def test_claude_is_made_to_grade_through_the_tool(ann, fake_claude):
    goal = await goals.create_goal(ann, "Berlin marathon", "Under 4 hours on 26 September.")
    fake_claude.queue_tool_calls({"name": "grade_smart", "input": VERDICTS}, background=True)
    assert await grade_goal(claude(fake_claude), goal) == VERDICTS
    [asked] = fake_claude.background_requests
    assert asked["body"]["tools"] == [GRADE_TOOL]
    assert asked["body"]["tool_choice"] == {"type": "tool", "name": "grade_smart"}
    assert "Under 4 hours on 26 September." in asked["body"]["messages"][0]["content"]


async def test_an_answer_off_the_schema_leaves_the_heuristics(ann, fake_claude):
    goal = await goals.create_goal(ann, "Berlin marathon", "Under 4 hours.")
    fake_claude.queue_tool_calls(
        {"name": "grade_smart", "input": {"S": {"passed": "yes"}}}, background=True
    )
    assert await grade_goal(claude(fake_claude), goal) is None
    assert await grade_goal(claude(fake_claude), goal) is None  # a text answer, no tool call
    fake_claude.queue("overloaded", background=True)
    assert await grade_goal(claude(fake_claude), goal) is None  # a failure, quietly


def test_parse_grade_trims_reasons_and_refuses_gaps():
    long = {**VERDICTS, "S": {"passed": True, "reason": " very\n long " * 40}}
    assert len(parse_grade(long)["S"]["reason"]) == 140
    assert parse_grade({k: v for k, v in VERDICTS.items() if k != "T"}) is None
    assert parse_grade([VERDICTS]) is None


def test_the_coachs_verdicts_replace_the_heuristics_with_their_reasons():
    letters = smart_letters("Berlin marathon", "Under 4 hours on 26 September.", "", VERDICTS)
    assert [(x["letter"], x["passed"]) for x in letters] == [
        ("S", True), ("M", True), ("A", False), ("R", False), ("T", True)
    ]  # fmt: skip
    assert letters[3]["reason"] == letters[3]["hint"] == "Why does it matter to you?"
    assert all(x["reason"] == "" for x in smart_letters("Run", "", ""))


async def test_at_most_one_ask_a_minute_per_goal_across_askers(ann):
    goal = await goals.create_goal(ann, "Run", "5 km")
    now = datetime(2027, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)
    claims = await asyncio.gather(
        *(goals.claim_smart_grading(ann, goal["_id"], now, GRADE_EVERY) for _ in range(4))
    )
    won = [claimed for claimed, _ in claims if claimed is not None]
    waits = {next_at for claimed, next_at in claims if claimed is None}
    assert len(won) == 1 and won[0]["content"] == "5 km"
    assert waits == {now.replace(microsecond=123000) + GRADE_EVERY}
    later, _ = await goals.claim_smart_grading(
        ann, goal["_id"], now + timedelta(seconds=61), GRADE_EVERY
    )
    assert later is not None
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    assert await goals.claim_smart_grading(
        bob, goal["_id"], now + timedelta(hours=1), GRADE_EVERY
    ) == (None, None)


async def test_a_grade_is_stored_with_the_version_it_judged(ann):
    goal = await goals.create_goal(ann, "Run", "5 km")
    await goals.store_smart_grade(ann, goal["_id"], goal["version"], VERDICTS, datetime.now(UTC))
    stored = await goals.get_goal(ann, goal["_id"])
    assert stored["smart_grade"]["version"] == goal["version"]
    assert stored["smart_grade"]["letters"] == VERDICTS
