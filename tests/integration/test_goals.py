"""Goals on a real wire server: phases, metadata, list filters and pages, version checks."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from goalgetter.data import goal_lists, goals, revisions, users
from goalgetter.domain.phases import allowed_moves
from goalgetter.domain.validation import MAX_MILESTONES_PER_GOAL, ValidationError

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


async def test_phase_moves_follow_the_rules(ann):
    goal = await goals.create_goal(ann, "Run a marathon")
    assert (await goals.set_phase(ann, goal["_id"], "active"))["phase"] == "active"
    with pytest.raises(ValidationError, match="can become completed or archived"):
        await goals.set_phase(ann, goal["_id"], "draft")
    assert (await goals.set_phase(ann, goal["_id"], "completed"))["phase"] == "completed"
    assert (await goals.set_phase(ann, goal["_id"], "archived"))["phase"] == "archived"
    assert (await goals.set_phase(ann, goal["_id"], "draft"))["phase"] == "draft"
    assert (await goals.get_goal(ann, goal["_id"]))["phase"] == "draft"


async def test_two_tabs_moving_a_phase_at_once_end_on_a_legal_path(ann):
    goal = await goals.create_goal(ann, "Read 12 books")
    results = await asyncio.gather(
        *(goals.set_phase(ann, goal["_id"], target) for target in ("active", "archived")),
        return_exceptions=True,
    )
    moved = [r["phase"] for r in results if isinstance(r, dict)]
    stored = (await goals.get_goal(ann, goal["_id"]))["phase"]
    # Either one move won and the other was refused, or they ran one after the other; in
    # both cases every move taken was legal from the phase before it.
    path = ["draft", *sorted(moved, key=lambda p: p == stored)]
    assert stored == path[-1]
    assert all(b in allowed_moves(a) for a, b in itertools.pairwise(path))


async def test_a_save_from_an_old_version_is_refused_and_keeps_both_texts(ann):
    goal = await goals.create_goal(ann, "Learn Dutch", "B1 by June", now=T0)
    tab_a = await goals.save_text(ann, goal["_id"], base_version=1, content="A: B1 by June 2027")
    assert tab_a.status == "saved" and tab_a.goal["version"] == 2
    tab_b = await goals.save_text(ann, goal["_id"], base_version=1, content="B: B2 by May")
    assert tab_b.status == "conflict"
    assert (tab_b.goal["content"], tab_b.goal["version"]) == ("A: B1 by June 2027", 2)
    # Choosing "keep mine" saves on top of the version the conflict showed.
    kept = await goals.save_text(ann, goal["_id"], base_version=2, content="B: B2 by May")
    assert kept.status == "saved" and kept.goal["content"] == "B: B2 by May"
    # The text that lost is still in the history.
    texts = [r["title"] for r in await revisions.list_revisions(ann, goal["_id"])]
    assert texts and (await goals.get_goal(ann, goal["_id"]))["version"] == 3


async def test_metadata_changes_do_not_bump_the_text_version(ann):
    goal = await goals.create_goal(ann, "Save 5,000 EUR")
    gid = goal["_id"]
    await goals.set_deadline(ann, gid, "2027-12-31")
    await goals.set_tags(ann, gid, ["Money", "<b>bold</b>"])
    first = await goals.add_milestone(ann, gid, "Open a savings account", "2027-02-01")
    second = await goals.add_milestone(ann, gid, "Save 1,000 EUR")
    ids = [m["id"] for m in second["metadata"]["milestones"]]
    assert first["metadata"]["milestones"][0]["id"] == ids[0] and len(set(ids)) == 2
    done = await goals.set_milestone_done(ann, gid, ids[1], True)
    assert [m["done"] for m in done["metadata"]["milestones"]] == [False, True]
    assert await goals.set_milestone_done(ann, gid, "no-such-id", True) is None
    removed = await goals.remove_milestone(ann, gid, ids[0])
    assert [m["title"] for m in removed["metadata"]["milestones"]] == ["Save 1,000 EUR"]
    stored = await goals.get_goal(ann, gid)
    assert stored["version"] == 1
    assert stored["metadata"]["deadline"] == "2027-12-31"
    assert stored["metadata"]["tags"] == ["Money", "<b>bold</b>"]
    assert (await goals.list_goals(ann)).tags == ["<b>bold</b>", "Money"]


async def test_milestones_are_limited(ann):
    goal = await goals.create_goal(ann, "Many steps")
    for i in range(MAX_MILESTONES_PER_GOAL):
        await goals.add_milestone(ann, goal["_id"], f"Step {i}")
    with pytest.raises(ValidationError, match=f"at most {MAX_MILESTONES_PER_GOAL} milestones"):
        await goals.add_milestone(ann, goal["_id"], "One too many")
    stored = await goals.get_goal(ann, goal["_id"])
    assert len(stored["metadata"]["milestones"]) == MAX_MILESTONES_PER_GOAL


async def _goals_at(ann, specs):
    created = []
    for i, (title, phase, tags) in enumerate(specs):
        goal = await goals.create_goal(ann, title, now=T0 + timedelta(minutes=i))
        if phase != "draft":
            for step in {"active": ["active"], "completed": ["active", "completed"]}.get(
                phase, ["archived"]
            ):
                await goals.set_phase(ann, goal["_id"], step)
        await goals.set_tags(ann, goal["_id"], tags)
        created.append(goal)
    return created


async def test_the_list_filters_by_phase_and_tag_and_searches_titles(ann, db):
    await _goals_at(
        ann,
        [
            ("Run a 10K (fast)", "active", ["Health"]),
            ("Read 12 books", "draft", ["Mind"]),
            ("Old plan", "archived", ["Health"]),
            ("Ship the app", "completed", []),
        ],
    )
    other = (await users.create_user("bob@example.com", "Bob", "h"))["_id"]
    await goals.create_goal(other, "Run a 10K (Bob)")

    async def titles(**filters):
        return sorted(g["title"] for g in (await goals.list_goals(ann, **filters)).goals)

    assert await titles() == ["Read 12 books", "Run a 10K (fast)", "Ship the app"]
    assert await titles(phase="archived") == ["Old plan"]
    assert len(await titles(phase="all")) == 4
    assert await titles(tag="Health") == ["Run a 10K (fast)"]
    assert await titles(tag="Health", phase="all") == ["Old plan", "Run a 10K (fast)"]
    # Search is literal and case-insensitive: regex characters match themselves.
    assert await titles(search="10k (") == ["Run a 10K (fast)"]
    assert await titles(search=".*") == []
    assert await titles(search="  ") == ["Read 12 books", "Run a 10K (fast)", "Ship the app"]


async def test_the_list_comes_in_pages_newest_first(ann, db):
    now = T0
    docs = [
        {
            "user_id": ann,
            "title": f"Goal {i:03d}",
            "content": "",
            "phase": "draft",
            "metadata": {"deadline": None, "milestones": [], "tags": []},
            "version": 1,
            "created_at": now,
            "updated_at": now + timedelta(seconds=i),
        }
        for i in range(45)
    ]
    await db.goals.insert_many(docs)
    # Stored straight into the collection, as before goal lists existed: listed from start-up.
    assert await goal_lists.add_missing_lists() == 1
    first = await goals.list_goals(ann)
    assert [g["title"] for g in first.goals] == [f"Goal {i:03d}" for i in range(44, 24, -1)]
    assert first.has_more
    last = await goals.list_goals(ann, offset=40)
    assert [g["title"] for g in last.goals] == [f"Goal {i:03d}" for i in range(4, -1, -1)]
    assert not last.has_more
    assert "content" not in first.goals[0]


async def test_text_that_looks_like_an_operator_is_saved_as_text(ann):
    goal = await goals.create_goal(ann, "Plain")
    odd = {"title": "$title", "content": "$$ROOT {'$ne': 1} $version"}
    saved = await goals.save_text(ann, goal["_id"], base_version=1, **odd)
    assert saved.status == "saved"
    stored = await goals.get_goal(ann, goal["_id"])
    assert (stored["title"], stored["content"], stored["version"]) == (
        "$title",
        "$$ROOT {'$ne': 1} $version",
        2,
    )


async def test_another_users_save_changes_nothing_not_even_the_version(ann, db):
    goal = await goals.create_goal(ann, "Ann's", "Ann's text")
    bob = (await users.create_user("bob@example.com", "Bob", "h"))["_id"]
    before = await db.goals.find_one({"_id": goal["_id"]})
    for base in (None, 1):
        refused = await goals.save_text(bob, goal["_id"], base_version=base, content="Bob's")
        assert refused.status == "missing" and refused.goal is None
    assert await db.goals.find_one({"_id": goal["_id"]}) == before
