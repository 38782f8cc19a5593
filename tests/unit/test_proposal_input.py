"""The coach's tool input is checked like the person's own: what becomes a proposal, what not."""

from __future__ import annotations

import pytest

from goalgetter.domain.proposals import (
    MAX_CARD_LINES,
    TOOL_NAMES,
    TOOLS,
    GoalSnapshot,
    ProposalRefused,
    from_tool,
    outcome_note,
)
from goalgetter.domain.validation import MAX_GOAL_CONTENT_LENGTH, MAX_GOAL_TITLE_LENGTH

GOAL = GoalSnapshot("a" * 24, "Get fit", "Run more.\nSleep well.", 3, "draft", "2027-01-01")
GOALS = {GOAL.id: GOAL}


def make(name: str, **fields) -> dict:
    return from_tool(name, {"goal_id": GOAL.id, "reason": "Because.", **fields}, GOALS)


def test_every_tool_is_declared_with_a_schema_and_built():
    assert {tool["name"] for tool in TOOLS} == set(TOOL_NAMES)
    assert all(tool["input_schema"]["type"] == "object" for tool in TOOLS)


@pytest.mark.parametrize(
    ("name", "fields", "kind", "change"),
    [
        ("propose_goal_edit", {"new_title": " Run 5 km "}, "goal_edit", {"title": "Run 5 km"}),
        ("propose_goal_edit", {"new_content": "Run 5 km."}, "goal_edit", {"content": "Run 5 km."}),
        (
            "propose_goal_edit",
            {"replace": {"old": "more", "new": "5 km"}},
            "goal_edit",
            {"replace": {"old": "more", "new": "5 km"}},
        ),
        ("propose_new_goal", {"title": "Read", "content": "12 books"}, "new_goal", {}),
        (
            "propose_milestones",
            {"milestones": [{"title": " Buy  shoes ", "due": "2027-02-01"}]},
            "milestones",
            {"items": [{"title": "Buy shoes", "due": "2027-02-01"}]},
        ),
        ("propose_deadline", {"deadline": "2027-06-01"}, "deadline", {"deadline": "2027-06-01"}),
        ("propose_phase_change", {"phase": "active"}, "phase", {"phase": "active"}),
    ],
)
def test_valid_input_becomes_a_pending_proposal(name, fields, kind, change):
    proposal = make(name, **fields)
    assert proposal["kind"] == kind and proposal["status"] == "pending"
    assert proposal["id"].startswith("p") and len(proposal["id"]) == 13
    assert proposal["change"].items() >= change.items()
    assert proposal["reason"] == "Because."
    assert any(line["kind"] == "added" for line in proposal["lines"])
    if kind != "new_goal":
        assert proposal["goal_id"] == GOAL.id and proposal["base_version"] == 3


@pytest.mark.parametrize(
    ("name", "fields", "says"),
    [
        ("propose_goal_edit", {"goal_id": "b" * 24, "new_title": "x"}, "goal_id"),
        ("propose_goal_edit", {"goal_id": {"$ne": None}, "new_title": "x"}, "goal_id"),
        ("propose_goal_edit", {}, "new_title, new_content or replace"),
        ("propose_goal_edit", {"new_content": "Run more.\nSleep well."}, "change nothing"),
        ("propose_goal_edit", {"new_title": "x" * (MAX_GOAL_TITLE_LENGTH + 1)}, "at most"),
        ("propose_goal_edit", {"new_content": "x" * (MAX_GOAL_CONTENT_LENGTH + 1)}, "at most"),
        ("propose_goal_edit", {"replace": {"old": "absent", "new": "x"}}, "does not occur"),
        ("propose_goal_edit", {"replace": {"old": "e", "new": "x"}}, "occurs"),
        ("propose_goal_edit", {"replace": "more"}, "`replace`"),
        ("propose_goal_edit", {"new_content": "x", "replace": {"old": "a", "new": "b"}}, "either"),
        ("propose_new_goal", {"title": "  ", "content": "x"}, "`title`"),
        ("propose_milestones", {"milestones": []}, "non-empty"),
        ("propose_milestones", {"milestones": [{"title": "x"}] * 11}, "at most 10"),
        ("propose_milestones", {"milestones": [{"title": "  "}]}, "Name the milestone"),
        ("propose_milestones", {"milestones": [{"title": "x", "due": "June"}]}, "2027-03-31"),
        ("propose_deadline", {"deadline": "soon"}, "2027-03-31"),
        ("propose_deadline", {"deadline": "1999-12-31"}, "between"),
        ("propose_deadline", {"deadline": "2027-01-01"}, "already"),
        ("propose_phase_change", {"phase": "completed"}, "can't become"),
        ("propose_phase_change", {"phase": "done"}, "not a phase"),
        ("propose_goal_edit", {"new_title": "x", "reason": "y" * 301}, "reason"),
        ("delete_everything", {}, "Unknown tool"),
    ],
)
def test_bad_or_hostile_input_is_refused_with_a_message(name, fields, says):
    with pytest.raises(ProposalRefused) as refused:
        make(name, **fields)
    assert says in refused.value.message


def test_input_that_is_not_an_object_is_refused():
    for raw in (None, [], "edit", 3):
        with pytest.raises(ProposalRefused, match="JSON object"):
            from_tool("propose_goal_edit", raw, GOALS)


def test_markup_is_kept_as_text_for_the_card_never_interpreted():
    proposal = make("propose_goal_edit", new_content="<script>alert(1)</script>")
    assert {"kind": "added", "text": "<script>alert(1)</script>"} in proposal["lines"]


def test_a_huge_diff_is_cut_to_a_card_sized_summary():
    proposal = make("propose_goal_edit", new_content="\n".join(f"line {n}" for n in range(500)))
    assert len(proposal["lines"]) == MAX_CARD_LINES + 1
    assert proposal["lines"][-1]["kind"] == "gap" and "more lines" in proposal["lines"][-1]["text"]


def test_the_coach_hears_each_outcome_in_words():
    proposal = make("propose_deadline", deadline="2027-06-01")
    told = {
        status: outcome_note({**proposal, "status": status})
        for status in ("pending", "accepted", "rejected", "conflict", "failed")
    }
    assert len(set(told.values())) == 5
    assert "Deadline for “Get fit”" in told["accepted"] and "ACCEPTED" in told["accepted"]
