"""The tick's compare-and-sets in one bulk write: a bulk write says how many applied, not
which, so each series it wrote carries the batch's id; one that another writer changed
first is left out, re-read and re-planned, and nothing is applied twice or lost."""

from __future__ import annotations

from datetime import timedelta

from goalgetter import scheduler
from goalgetter.data import meeting_series, meetings
from goalgetter.data import meeting_state as ms
from goalgetter.data.client import get_db
from tests.integration.command_log import watching
from tests.integration.test_scheduler import T0, came_to_first_meeting

LATER = T0 + timedelta(hours=3)  # the first meetings are over: completed, then rolled forward


def advance(state: dict) -> list:
    return ms.advance(state, LATER)


async def test_a_batch_reports_the_writes_that_applied_and_leaves_the_one_that_lost(db, mongo_uri):
    people = [(await came_to_first_meeting(n))[0] for n in range(3)]
    states = await meeting_series.read_states(db, people)
    plans = {u: meeting_series.plan(states[u], advance, LATER) for u in people}
    # Another process's tick gets to the second series between the read and the write.
    other = await meeting_series.mutate(people[1], advance, now=LATER)
    assert [after for _, _, after in other.result] == ["completed"]

    async with watching(mongo_uri) as commands:
        written = await meeting_series.write_plans(get_db(), plans, LATER)
    assert set(written) == {people[0], people[2]}
    assert all(w.written and [a for _, _, a in w.result] == ["completed"] for w in written.values())
    assert len(commands.writes("meeting_series")) == 1  # one bulk write for all three
    assert [c for c, _ in commands.filters] == ["meeting_series"]  # one read-back of the ids

    stored = await meeting_series.read_states(db, people)
    assert stored[people[1]]["rev"] == other.state["rev"]  # the batch wrote nothing there
    assert "write_ids" not in stored[people[1]]
    for user in (people[0], people[2]):
        assert stored[user]["rev"] == states[user]["rev"] + 1
        assert stored[user]["write_ids"] == stored[people[2]]["write_ids"]
        assert stored[user]["meetings"][0]["status"] == "completed"

    # Each write moved its series' due_at on: the tick finds none of them due any more.
    report = await scheduler.tick(LATER)
    assert report.series == 0 and not report.transitions and report.conflicts == 0
    assert all(s["next_due_at"] > LATER for s in stored.values())


async def test_when_all_apply_nothing_is_read_back_and_the_ids_outlive_other_writes(db, mongo_uri):
    user, first = await came_to_first_meeting()
    async with watching(mongo_uri) as commands:
        report = await scheduler.tick(LATER)
    assert report.completed == 1 and len(commands.writes("meeting_series")) == 1
    [batch] = (await meetings.series(user))["write_ids"]
    # A later write of another kind (the recap) keeps the id; batches keep the newest few.
    assert await meetings.set_recap(user, first["id"], "- came, and kept the promise")
    assert (await meetings.series(user))["write_ids"] == [batch]
    for n in range(meeting_series.RECENT_WRITE_IDS + 2):
        state = await meeting_series.read_state(db, user)
        plan = meeting_series.plan(state, lambda s, n=n: s.update(probe=n), LATER)
        assert set(await meeting_series.write_plans(db, {user: plan}, LATER)) == {user}
    ids = (await meetings.series(user))["write_ids"]
    assert len(ids) == meeting_series.RECENT_WRITE_IDS and batch not in ids


async def test_a_write_that_lost_changes_nothing_of_the_series_not_even_when_it_is_due(db):
    """`due_at` sits outside the state the revision guards: a compare-and-set made on a
    revision another writer moved on (the tick completed the meeting, then its recap came)
    must leave it alone too, and must not be reported as applied."""
    user, first = await came_to_first_meeting()
    read = await meeting_series.read_states(db, [user])
    stale = meeting_series.plan(read[user], advance, LATER)
    assert await meeting_series.mutate(user, advance, now=LATER)
    assert await meetings.set_recap(user, first["id"], "- came", now=LATER)
    stored = await db.meeting_series.find_one({"_id": user})
    assert stale.draft["next_due_at"] != stored["due_at"]  # the stale write would move it

    assert await meeting_series.write_plans(db, {user: stale}, LATER) == {}
    assert await db.meeting_series.find_one({"_id": user}) == stored
