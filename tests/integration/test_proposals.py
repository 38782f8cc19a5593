"""The coach's proposals end to end: the real ClaudeCoach against the loopback Messages API
(tool_use streamed as input_json_delta), stored with the message, decided once, applied
through the goals' own data paths on mongoeco."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from bson import ObjectId

from goalgetter.coach.conversation import _turns_before, send_and_reply
from goalgetter.coach.offline import OfflineCoach
from goalgetter.data import chat_messages, goals, revisions, users
from goalgetter.data.proposals import CHANGED_SINCE, decide, read_proposal
from tests.fakes.anthropic_fake import AFTER_TOOLS_TEXT, PROPOSE_TEXT, FakeAnthropic
from tests.integration.test_conversation import claude, keep_going

CONTENT = "Run more this year."
SHARPER = "Run 5 km three times a week until June 1st, so I can keep up with my kids."


@pytest.fixture
async def goal(ann) -> dict:
    return await goals.create_goal(ann, "Get fit", CONTENT)


async def ask(user_id: ObjectId, fake: FakeAnthropic, goal_id: str = "", message: str = "Help"):
    return await send_and_reply(user_id, message, goal_id, coach=claude(fake), show=keep_going)


def edit(goal_id: str, **fields) -> dict:
    return {
        "name": "propose_goal_edit",
        "input": {"goal_id": goal_id, "reason": "Sharper.", **fields},
    }


def tool_results(request: dict) -> list[dict]:
    return [p for p in request["body"]["messages"][-1]["content"] if p["type"] == "tool_result"]


async def test_a_tool_call_becomes_a_stored_proposal_and_the_reply_goes_on(ann, goal, fake_claude):
    gid = str(goal["_id"])
    fake_claude.queue_tool_calls(edit(gid, new_content=SHARPER))
    outcome = await ask(ann, fake_claude, gid)
    assert outcome.text == f"{PROPOSE_TEXT}\n\n{AFTER_TOOLS_TEXT}"  # one reply, two paragraphs
    [proposal] = outcome.proposals
    assert proposal["kind"] == "goal_edit" and proposal["status"] == "pending"
    assert {"kind": "added", "text": SHARPER} in proposal["lines"]
    assert {"kind": "removed", "text": CONTENT} in proposal["lines"]
    # The tool call was answered, in the same turn, and the tools were offered.
    first, second = fake_claude.requests[-2:]
    assert {t["name"] for t in first["body"]["tools"]} >= {"propose_goal_edit", "propose_new_goal"}
    [result] = tool_results(second)
    assert not result.get("is_error") and "card" in result["content"]
    stored = await chat_messages.recent_messages(ann, 10)
    assert stored[-1]["metadata"]["proposals"][0]["id"] == proposal["id"]
    assert (await goals.get_goal(ann, gid))["content"] == CONTENT  # nothing applied yet


async def test_two_rounds_of_tools_then_words(ann, goal, fake_claude):
    gid = str(goal["_id"])
    deadline = {
        "name": "propose_deadline",
        "input": {"goal_id": gid, "deadline": "2027-06-01", "reason": "A date."},
    }
    fake_claude.queue_tool_calls(edit(gid, new_title="Run 5 km three times a week"))
    fake_claude.queue_tool_calls(deadline)
    outcome = await ask(ann, fake_claude, gid)
    assert [p["kind"] for p in outcome.proposals] == ["goal_edit", "deadline"]
    assert len(fake_claude.requests) == 3 and outcome.text.endswith(AFTER_TOOLS_TEXT)


async def test_malformed_or_foreign_input_is_an_error_result_never_a_change(ann, goal, fake_claude):
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    bobs = await goals.create_goal(bob, "Bob's goal", "Bob's text")
    fake_claude.queue_tool_calls(
        edit(str(bobs["_id"]), new_content="<script>alert(1)</script>"),
        {
            "name": "propose_deadline",
            "input": '{"goal_id": "' + str(goal["_id"]) + '", "deadline": "soon"}',
        },
        {"name": "propose_milestones", "input": '{"goal_id": 12, "milestones": [}'},
    )
    outcome = await ask(ann, fake_claude, str(goal["_id"]))
    assert outcome.proposals == [] and outcome.error == ""
    results = tool_results(fake_claude.requests[-1])
    assert len(results) == 3 and all(r["is_error"] for r in results)
    assert "goal_id" in results[0]["content"]
    assert "2027-03-31" in results[1]["content"]  # the date format the editor asks for
    assert (await goals.get_goal(bob, bobs["_id"]))["content"] == "Bob's text"
    assert (await goals.get_goal(ann, goal["_id"]))["metadata"]["deadline"] is None


async def test_accept_applies_once_as_the_coachs_revision(ann, goal, fake_claude):
    gid = str(goal["_id"])
    fake_claude.queue_tool_calls(edit(gid, new_content=SHARPER))
    outcome = await ask(ann, fake_claude, gid)
    pid, mid = outcome.proposals[0]["id"], outcome.message_id
    first, second = await asyncio.gather(
        decide(ann, mid, pid, accept=True), decide(ann, mid, pid, accept=True)
    )
    statuses = sorted([first.proposal["status"], second.proposal["status"]])
    assert statuses in (["accepted", "applying"], ["accepted", "accepted"])
    stored = await goals.get_goal(ann, gid)
    assert stored["content"] == SHARPER and stored["version"] == goal["version"] + 1
    history = await revisions.list_revisions(ann, gid)
    assert history[0]["kind"] == "coach" and len([r for r in history if r["kind"] == "coach"]) == 1
    again = await decide(ann, mid, pid, accept=False)
    assert again.proposal["status"] == "accepted"  # decided once, for good
    assert (await read_proposal(ann, mid, pid))["status"] == "accepted"


async def test_a_goal_edited_since_is_a_conflict_and_keeps_the_persons_text(ann, goal, fake_claude):
    gid = str(goal["_id"])
    fake_claude.queue_tool_calls(edit(gid, new_content=SHARPER))
    outcome = await ask(ann, fake_claude, gid)
    mine = "Run 10 km every Sunday."
    await goals.save_text(ann, gid, base_version=goal["version"], content=mine)
    decision = await decide(ann, outcome.message_id, outcome.proposals[0]["id"], accept=True)
    assert decision.proposal["status"] == "conflict" and decision.proposal["note"] == CHANGED_SINCE
    assert (await goals.get_goal(ann, gid))["content"] == mine


async def test_a_passage_swap_still_lands_on_newer_text_that_holds_it(ann, goal, fake_claude):
    gid = str(goal["_id"])
    fake_claude.queue_tool_calls(
        edit(gid, replace={"old": "more", "new": "5 km three times a week"})
    )
    outcome = await ask(ann, fake_claude, gid)
    await goals.save_text(ann, gid, base_version=goal["version"], content=CONTENT + "\nWith Sam.")
    decision = await decide(ann, outcome.message_id, outcome.proposals[0]["id"], accept=True)
    assert decision.proposal["status"] == "accepted"
    assert decision.goal["content"] == "Run 5 km three times a week this year.\nWith Sam."


async def test_reject_changes_nothing_and_the_coach_hears_both_outcomes(ann, goal, fake_claude):
    gid = str(goal["_id"])
    new_goal = {
        "name": "propose_new_goal",
        "input": {"title": "Sleep 8 hours", "content": "In bed by 23:00.", "reason": "Rest."},
    }
    milestones = {
        "name": "propose_milestones",
        "input": {
            "goal_id": gid,
            "milestones": [{"title": "Buy shoes", "due": "2027-01-10"}, {"title": "First 5 km"}],
            "reason": "Steps.",
        },
    }
    fake_claude.queue_tool_calls(new_goal, milestones)
    outcome = await ask(ann, fake_claude, gid)
    made, steps = outcome.proposals
    rejected = await decide(ann, outcome.message_id, made["id"], accept=False)
    accepted = await decide(ann, outcome.message_id, steps["id"], accept=True)
    assert rejected.proposal["status"] == "rejected" and accepted.proposal["status"] == "accepted"
    assert [g["title"] for g in await goals.goals_with_content(ann)] == ["Get fit"]
    titles = [m["title"] for m in (await goals.get_goal(ann, gid))["metadata"]["milestones"]]
    assert titles == ["Buy shoes", "First 5 km"]
    turns = _turns_before(await chat_messages.recent_messages(ann, 10), retrying=False)
    told = turns[-1].content
    assert "“New goal “Sleep 8 hours””: REJECTED" in told and "ACCEPTED and applied" in told


async def test_no_one_decides_another_persons_proposal(ann, goal, fake_claude):
    gid = str(goal["_id"])
    fake_claude.queue_tool_calls(edit(gid, new_content=SHARPER))
    outcome = await ask(ann, fake_claude, gid)
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    pid = outcome.proposals[0]["id"]
    assert await decide(bob, outcome.message_id, pid, accept=True) is None
    for message_id, proposal_id in [
        (outcome.message_id, "p000000000000"),
        (outcome.message_id, {"$ne": None}),
        ("not-a-message", pid),
        (outcome.message_id.replace(str(ann), str(bob)), pid),
    ]:
        assert await decide(ann, message_id, proposal_id, accept=True) is None
    assert (await read_proposal(ann, outcome.message_id, pid))["status"] == "pending"
    assert json.dumps(outcome.proposals[0]["change"])  # stored as plain data


async def test_the_offline_coach_proposes_what_the_person_said(ann):
    goal = await goals.create_goal(ann, "Get fit", "I want to get fit and lose some weight.")
    said = (
        "OK, I'll run 3 times a week for 30 minutes and lose 5 kg by June 1st "
        "because I want to keep up with my kids."
    )
    outcome = await send_and_reply(
        ann, said, str(goal["_id"]), coach=OfflineCoach(token_delay_seconds=0), show=keep_going
    )
    kinds = {p["kind"]: p for p in outcome.proposals}
    assert set(kinds) == {"goal_edit", "deadline"}
    added = [line["text"] for line in kinds["goal_edit"]["lines"] if line["kind"] == "added"]
    assert any("3 times a week" in line and "5 kg" in line for line in added)
    today = date.today()
    june = date(today.year if (today.month, today.day) < (6, 1) else today.year + 1, 6, 1)
    assert kinds["deadline"]["change"] == {"deadline": june.isoformat()}
    decision = await decide(ann, outcome.message_id, kinds["goal_edit"]["id"], accept=True)
    assert decision.proposal["status"] == "accepted"
    stored = await goals.get_goal(ann, goal["_id"])
    assert stored["content"].startswith("I want to get fit") and "5 kg" in stored["content"]
