"""Each user's goal list document (goalgetter/data/goal_lists.py) against the goals themselves:
after any sequence of changes the list says what a query on the goals says; an older copy
never replaces a newer one; what a crash leaves behind is put right when seen."""

from __future__ import annotations

import asyncio
import itertools
import random
import re

import pytest
from bson import ObjectId
from pymongo import DESCENDING

from goalgetter.data import goal_lists, goals, users
from goalgetter.data.meetings import start_tracking
from goalgetter.domain.recurrence import parse_schedule

TITLES = ("Run a 10K", "read 12 BOOKS", "Ship the app (v2)", "Save €500", "a.b $set", "<b>x</b>")
TAGS = ("Health", "Mind", "Money", "$where", "a.b")
FILTERS = ({}, {"phase": "all"}, {"phase": "archived"}, {"tag": "Health"}, {"search": "BOOK"},
           {"search": "(v2"}, {"search": "a.b"})  # fmt: skip


@pytest.fixture
async def bob(db):
    return (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]


async def from_goals(db, user_id, *, phase="", tag="", search="") -> list[tuple]:
    """What the list must say, by a query on the goals collection itself."""
    query: dict = {"user_id": user_id}
    if phase in ("", "open"):
        query["phase"] = {"$in": list(goal_lists.OPEN_PHASES)}
    elif phase != "all":
        query["phase"] = phase
    if tag:
        query["metadata.tags"] = tag
    if search.strip():
        query["title"] = {"$regex": re.escape(search.strip()), "$options": "i"}
    found = db.goals.find(query).sort([("updated_at", DESCENDING), ("_id", DESCENDING)])
    return [row(goal) for goal in await found.to_list()]


def row(goal: dict) -> tuple:
    meta = goal["metadata"]
    return (goal["_id"], goal["title"], goal["phase"], meta.get("deadline"), tuple(meta["tags"]))


async def listed(user_id, **filters) -> list[tuple]:
    page = await goals.list_goals(user_id, limit=1000, **filters)
    return [row(goal) for goal in page.goals]


async def random_change(rng: random.Random, user_id, ids: list) -> None:
    if not ids or rng.random() < 0.2:
        ids.append((await goals.create_goal(user_id, rng.choice(TITLES)))["_id"])
        return
    goal_id = rng.choice(ids)
    choice = rng.randrange(6)
    if choice == 0:
        goal = await goals.get_goal(user_id, goal_id)
        title = rng.choice(TITLES) + f" {rng.randrange(99)}"
        await goals.save_text(user_id, goal_id, base_version=goal["version"], title=title)
    elif choice == 1:
        goal = await goals.get_goal(user_id, goal_id)
        moves = {"draft": "active", "active": "completed", "completed": "archived"}
        await goals.set_phase(user_id, goal_id, moves.get(goal["phase"], "draft"))
    elif choice == 2:
        await goals.set_tags(user_id, goal_id, rng.sample(TAGS, rng.randint(0, 2)))
    elif choice == 3:
        await goals.set_deadline(user_id, goal_id, rng.choice([None, "2027-06-30"]))
    elif choice == 4:
        await goals.add_milestone(user_id, goal_id, "A step")
    else:
        await goals.delete_goal(user_id, goal_id)
        ids.remove(goal_id)


async def test_after_any_changes_the_list_says_what_the_goals_say(db, ann, bob):
    rng, ids = random.Random(4), {ann: [], bob: []}
    for step in range(120):
        user_id = rng.choice((ann, bob))
        await random_change(rng, user_id, ids[user_id])
        if step % 10 == 9:
            for who, filters in itertools.product((ann, bob), FILTERS):
                assert await listed(who, **filters) == await from_goals(db, who, **filters)
    tags = await db.goals.distinct("metadata.tags", {"user_id": ann})
    assert (await goals.list_goals(ann)).tags == sorted(tags, key=str.casefold)


async def test_pages_and_has_more_come_from_the_list(ann):
    for index in range(25):
        await goals.create_goal(ann, f"Goal {index:02d}")
    first = await goals.list_goals(ann)
    assert [g["title"] for g in first.goals] == [f"Goal {i:02d}" for i in range(24, 4, -1)]
    assert first.has_more
    rest = await goals.list_goals(ann, offset=20)
    assert [g["title"] for g in rest.goals] == [f"Goal {i:02d}" for i in range(4, -1, -1)]
    assert not rest.has_more


async def test_an_older_copy_never_replaces_a_newer_one(db, ann):
    goal = await goals.create_goal(ann, "First title")
    older = await db.goals.find_one({"_id": goal["_id"]})
    await goals.save_text(ann, goal["_id"], base_version=1, title="Second title")
    # A writer that read the goal before that save finishes after it.
    await goal_lists.put(ann, [older])
    assert [g["title"] for g in (await goals.list_goals(ann)).goals] == ["Second title"]


async def test_racing_changes_of_one_goal_leave_the_newest_in_the_list(db, ann):
    goal = await goals.create_goal(ann, "Race")
    await asyncio.gather(
        *(goals.set_tags(ann, goal["_id"], [tag]) for tag in TAGS),
        goals.set_deadline(ann, goal["_id"], "2027-01-31"),
    )
    assert await listed(ann, phase="all") == await from_goals(db, ann, phase="all")


async def test_an_entry_a_crash_left_is_put_right_when_its_goal_is_opened(db, ann, bob):
    ghost = {"_id": ObjectId(), "title": "Never stored", "phase": "draft", "metadata": {}}
    await goal_lists.put(ann, [ghost])  # written, then the insert never happened
    kept = await goals.create_goal(ann, "Real")
    # Changed, then a crash before its list entry was written.
    changed = {"$set": {"title": "Changed behind"}, "$inc": {"list_rev": 1}}
    await db.goals.update_one({"_id": kept["_id"]}, changed)
    assert {g["title"] for g in (await goals.list_goals(ann)).goals} == {"Never stored", "Real"}

    await goals.mend_list_entry(ann, str(ghost["_id"]), None)
    await goals.mend_list_entry(ann, str(kept["_id"]), await goals.get_goal(ann, kept["_id"]))
    assert [g["title"] for g in (await goals.list_goals(ann)).goals] == ["Changed behind"]


async def test_mending_with_another_users_goal_id_touches_only_ones_own_list(ann, bob):
    theirs = await goals.create_goal(bob, "Bob's goal")
    await goals.mend_list_entry(ann, str(theirs["_id"]), await goals.get_goal(ann, theirs["_id"]))
    await goals.mend_list_entry(ann, "not-an-id", None)
    assert (await goals.list_goals(ann)).goals == []
    assert [g["title"] for g in (await goals.list_goals(bob)).goals] == ["Bob's goal"]


async def test_a_refused_insert_leaves_no_entry(db, ann):
    goal = await goals.create_goal(ann, "Fine")
    with pytest.raises(Exception, match=r"(?i)too large|size|BSON"):
        await goals.create_goal(ann, "Huge", "x" * 17 * 1024 * 1024)
    assert [g["_id"] for g in (await goals.list_goals(ann)).goals] == [goal["_id"]]


async def test_starting_tracking_shows_drafts_as_active(db, ann):
    for title in ("One", "Two"):
        await goals.create_goal(ann, title)
    now = (await db.users.find_one({"_id": ann}))["created_at"]
    schedule = parse_schedule(cadence="weekly", weekday=0, day_of_month=None, local_time="09:00",
                              timezone="UTC", duration_minutes=30, anchor_after=now)  # fmt: skip
    await start_tracking(ann, schedule, now=now)
    assert {g["phase"] for g in (await goals.list_goals(ann)).goals} == {"active"}


async def test_lists_are_made_once_for_goals_stored_before_them(db, ann, bob):
    old = [{"user_id": who, "title": f"Old {who}", "phase": "draft", "metadata": {"tags": ["T"]}}
           for who in (ann, bob)]  # fmt: skip
    await db.goals.insert_many(old)
    assert await goal_lists.add_missing_lists() == 2
    assert await goal_lists.add_missing_lists() == 0
    assert [g["title"] for g in (await goals.list_goals(bob)).goals] == [f"Old {bob}"]
    assert (await goals.list_goals(ann)).tags == ["T"]
