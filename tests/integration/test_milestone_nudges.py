"""One nudge when a milestone's due day comes undone: at 09:00 in the person's zone, once,
and never for one done, removed, of a goal archived, or for someone who turned nudges off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goalgetter.data import goals, users
from goalgetter.data.client import get_db
from goalgetter.milestone_nudges import nudge_due
from tests.integration.test_reminders import mails

# 09:00 in Berlin on Thursday 4 March 2027 is 08:00 UTC.
NUDGE = datetime(2027, 3, 4, 8, 0, tzinfo=UTC)


async def berlin(user_id) -> None:
    await users.set_profile(user_id, "Ann Lee", "Europe/Berlin", 30)


async def test_a_milestone_is_nudged_once_on_the_morning_of_its_due_day(ann):
    await berlin(ann)
    goal = await goals.create_goal(ann, "Run a marathon", "42 km by October")
    await goals.add_milestone(ann, goal["_id"], "Half marathon", "2027-03-04")
    await goals.add_milestone(ann, goal["_id"], "No date")
    assert await nudge_due(NUDGE - timedelta(minutes=1)) == 0
    assert await nudge_due(NUDGE) == 1
    assert await nudge_due(NUDGE + timedelta(hours=1)) == 0
    [mail] = await mails("milestone-nudge")
    assert mail["to"] == "ann@example.com" and mail["subject"] == "Due today: Half marathon"
    assert "due today, Thursday 4 March (Europe/Berlin time)" in mail["text"]
    assert "\u201cRun a marathon\u201d" in mail["text"] and "/unsubscribe/" in mail["text"]
    assert mail["headers"]["List-Unsubscribe"].startswith("<http")
    # The day is forgotten once handled: the next look reads one small document.
    directory = await get_db().milestone_due.find_one({"_id": "days"})
    assert directory["days"] == {}
    assert await get_db().milestone_due.count_documents({}) == 1


async def test_no_nudge_for_done_removed_archived_or_unwanted(ann):
    await berlin(ann)
    done = await goals.create_goal(ann, "Done one", "x")
    gone = await goals.create_goal(ann, "Removed one", "x")
    shelved = await goals.create_goal(ann, "Archived one", "x")
    for goal in (done, gone, shelved):
        await goals.add_milestone(ann, goal["_id"], f"Step of {goal['title']}", "2027-03-04")
    [step] = (await goals.get_goal(ann, done["_id"]))["metadata"]["milestones"]
    await goals.set_milestone_done(ann, done["_id"], step["id"], True)
    [step] = (await goals.get_goal(ann, gone["_id"]))["metadata"]["milestones"]
    await goals.remove_milestone(ann, gone["_id"], step["id"])
    await goals.set_phase(ann, shelved["_id"], "active")
    await goals.set_phase(ann, shelved["_id"], "archived")
    assert await nudge_due(NUDGE) == 0
    wanted = await goals.create_goal(ann, "Wanted", "x")
    await goals.add_milestone(ann, wanted["_id"], "Step", "2027-03-05")
    await users.set_notification(ann, "nudges", False)
    assert await nudge_due(NUDGE + timedelta(days=1)) == 0
    assert await mails("milestone-nudge") == []


async def test_another_persons_zone_sets_their_own_morning(ann, db):
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    await users.set_profile(bob, "Bob", "America/New_York", 30)
    await berlin(ann)
    for person in (ann, bob):
        goal = await goals.create_goal(person, "Goal", "x")
        await goals.add_milestone(person, goal["_id"], "Step", "2027-03-04")
    assert await nudge_due(NUDGE) == 1  # Berlin's morning; New York's is 14:00 UTC
    assert await nudge_due(datetime(2027, 3, 4, 13, 59, tzinfo=UTC)) == 0
    assert await nudge_due(datetime(2027, 3, 4, 14, 0, tzinfo=UTC)) == 1
    assert [m["to"] for m in await mails("milestone-nudge")] == [
        "ann@example.com", "bob@example.com",
    ]  # fmt: skip
