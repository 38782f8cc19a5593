"""Goal revision history against a real wire server: coalescing, the cap, scoping, export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from goalgetter.data import revisions
from goalgetter.data.revisions import (
    BUCKET_SLOTS,
    REVISIONS_PER_BUCKET,
    bucket_key,
    head_key,
    revision_id,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
JUST_INSIDE = timedelta(minutes=1, seconds=59, milliseconds=999)
WINDOW = timedelta(minutes=2)
LISTED_KEYS = {"id", "title", "kind", "started_at", "saved_at", "size"}


async def new_goal(db, user: ObjectId) -> ObjectId:
    """A goal document, as far as revisions look at one: its id and its owner."""
    return (await db.goals.insert_one({"user_id": user, "title": "Goal"})).inserted_id


async def record(user, goal, content, at, *, kind="edit", title="Run a marathon") -> str | None:
    return await revisions.record_revision(
        user, goal, title=title, content=content, now=at, kind=kind
    )


async def contents(user, goal) -> list[str]:
    """Every listed revision's content, newest first, each read back by its id."""
    listed = await revisions.list_revisions(user, goal)
    return [(await revisions.get_revision(user, r["id"]))["content"] for r in listed]


async def stored_entries(db, goal) -> int:
    """Revisions physically kept for a goal: bucket entries plus the head's."""
    buckets = await db.revisions.find({"goal_id": goal}).to_list()
    heads = await db.revision_heads.count_documents({"goal_id": goal})
    return sum(len(b["revisions"]) for b in buckets) + heads


@pytest.fixture
async def two_users(db):
    """User A with two revisions of one goal; user B with one of their own goal."""
    a, b = ObjectId(), ObjectId()
    goal_a, goal_b = await new_goal(db, a), await new_goal(db, b)
    first = await record(a, goal_a, "42 km", T0)
    second = await record(a, goal_a, "42 km by October", T0 + timedelta(minutes=5))
    await record(b, goal_b, "B1 by June", T0, title="Learn Dutch")
    return a, b, goal_a, goal_b, first, second


# Recording and coalescing ------------------------------------------------------------------


async def test_first_save_is_revision_zero_with_its_text_and_times(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    rid = await record(user, goal, "42 km\nby October", T0, kind="created")
    assert rid == f"{user}:{goal}:000000" == revision_id(user, goal, 0)
    [listed] = await revisions.list_revisions(user, goal)
    assert listed == {
        "id": rid,
        "title": "Run a marathon",
        "kind": "created",
        "started_at": T0,
        "saved_at": T0,
        "size": len("42 km\nby October"),
    }
    got = await revisions.get_revision(user, rid)
    assert got == {
        "id": rid,
        "goal_id": str(goal),
        "seq": 0,
        "kind": "created",
        "title": "Run a marathon",
        "content": "42 km\nby October",
        "size": 16,
        "started_at": T0,
        "saved_at": T0,
    }


async def test_edits_coalesce_up_to_just_under_two_minutes_from_the_revision_start(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    first = await record(user, goal, "v1", T0)
    assert await record(user, goal, "v2", T0 + JUST_INSIDE) == first
    second = await record(user, goal, "v3", T0 + WINDOW)
    assert second != first
    assert await contents(user, goal) == ["v3", "v2"]
    older = (await revisions.list_revisions(user, goal))[1]
    assert (older["started_at"], older["saved_at"]) == (T0, T0 + JUST_INSIDE)
    # Anchored on the start, not the last save: 1:59.999 after v3 still joins, 2:00 does not,
    # even though each save is seconds after the one before.
    assert await record(user, goal, "v4", T0 + WINDOW + timedelta(seconds=60)) == second
    assert await record(user, goal, "v5", T0 + WINDOW + JUST_INSIDE) == second
    third = await record(user, goal, "v6", T0 + 2 * WINDOW)
    assert third not in (first, second)
    assert await contents(user, goal) == ["v6", "v5", "v2"]


async def test_restore_and_conflict_revisions_never_coalesce(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    ids = [await record(user, goal, "draft", T0, kind="created")]
    ids.append(await record(user, goal, "draft, edited", T0 + timedelta(seconds=1)))
    ids.append(await record(user, goal, "draft", T0 + timedelta(seconds=2), kind="restore"))
    ids.append(await record(user, goal, "typed after restore", T0 + timedelta(seconds=3)))
    ids.append(await record(user, goal, "more typing", T0 + timedelta(seconds=4)))
    ids.append(await record(user, goal, "my lost text", T0 + timedelta(seconds=5), kind="conflict"))
    ids.append(await record(user, goal, "typing on", T0 + timedelta(seconds=6)))
    ids.append(await record(user, goal, "picked", T0 + timedelta(seconds=7), kind="chosen"))
    ids.append(await record(user, goal, "after the pick", T0 + timedelta(seconds=8)))
    assert len(set(ids)) == 8 and ids[3] == ids[4]
    listed = await revisions.list_revisions(user, goal)
    assert [r["kind"] for r in listed] == [
        "edit",
        "chosen",
        "edit",
        "conflict",
        "edit",
        "restore",
        "edit",
        "created",
    ]
    assert await contents(user, goal) == [
        "after the pick",
        "picked",
        "typing on",
        "my lost text",
        "more typing",
        "draft",
        "draft, edited",
        "draft",
    ]


async def test_a_save_with_unchanged_text_adds_nothing(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    first = await record(user, goal, "same text", T0)
    assert await record(user, goal, "same text", T0 + timedelta(hours=2)) == first
    [listed] = await revisions.list_revisions(user, goal)
    assert listed["saved_at"] == T0
    # A title change is a change; putting back an equal text is still a restore.
    assert await record(user, goal, "same text", T0 + timedelta(hours=3), title="New") != first
    restored = await record(user, goal, "same text", T0 + timedelta(hours=4), kind="restore")
    assert len(await revisions.list_revisions(user, goal)) == 3
    assert (await revisions.get_revision(user, restored))["title"] == "Run a marathon"


async def test_restoring_an_old_revision_puts_its_text_back_as_a_new_one(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    old = await record(user, goal, "Plan A", T0, title="Marathon")
    await record(user, goal, "Plan B", T0 + timedelta(minutes=10), title="Half marathon")
    picked = await revisions.get_revision(user, old)
    restored = await revisions.record_revision(
        user,
        goal,
        title=picked["title"],
        content=picked["content"],
        now=T0 + timedelta(minutes=11),
        kind="restore",
    )
    newest = (await revisions.list_revisions(user, goal))[0]
    assert (newest["id"], newest["kind"], newest["title"]) == (restored, "restore", "Marathon")
    assert await contents(user, goal) == ["Plan A", "Plan B", "Plan A"]


async def test_bad_arguments_are_refused_before_anything_is_stored(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    for bad_goal in ("", "nope", None, "z" * 24):
        with pytest.raises(ValueError, match="Not a goal id"):
            await record(user, bad_goal, "x", T0)
    with pytest.raises(ValueError, match="Unknown revision kind"):
        await record(user, goal, "x", T0, kind="autosave")
    with pytest.raises(ValueError, match="timezone-aware"):
        await record(user, goal, "x", T0.replace(tzinfo=None))
    assert await record(user, ObjectId(), "no such goal", T0) is None
    assert await db.revision_heads.count_documents({}) == 0
    assert await db.revisions.count_documents({}) == 0


async def test_goal_id_may_be_given_as_a_string(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    rid = await record(user, str(goal), "text", T0)
    assert [r["id"] for r in await revisions.list_revisions(user, str(goal))] == [rid]
    assert await revisions.list_revisions(user, goal) == await revisions.list_revisions(
        user, str(goal)
    )


async def test_a_100k_character_text_round_trips(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    text = ("Ünïcode ✓ line\n" * 7_000)[:100_000]
    first = await record(user, goal, text, T0)
    await record(user, goal, text + "!", T0 + timedelta(minutes=3))
    assert (await revisions.get_revision(user, first))["content"] == text
    assert [r["size"] for r in await revisions.list_revisions(user, goal)] == [100_001, 100_000]


# The cap -----------------------------------------------------------------------------------


async def test_105_revisions_keep_the_last_100(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    ids = [await record(user, goal, f"text {n}", T0 + n * timedelta(minutes=3)) for n in range(105)]
    assert len(set(ids)) == 105
    listed = await revisions.list_revisions(user, goal)
    assert [r["id"] for r in listed] == ids[:4:-1]  # newest first, ids[104] … ids[5]
    assert [r["saved_at"] for r in listed][-1] == T0 + 5 * timedelta(minutes=3)
    for gone in ids[:5]:
        assert await revisions.get_revision(user, gone) is None
    assert (await revisions.get_revision(user, ids[5]))["content"] == "text 5"
    assert (await revisions.get_revision(user, ids[104]))["content"] == "text 104"
    assert await stored_entries(db, goal) == 100
    exported = [r for r in await revisions.export_revisions(user) if r["goal_id"] == str(goal)]
    assert [r["content"] for r in exported] == [f"text {n}" for n in range(5, 105)]


async def test_the_bucket_ring_keeps_the_last_100_over_many_cycles(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    # Past slot 2's reuse: buckets 5, 6 and 7 have taken over slots 0, 1 and 2.
    texts = [f"text {n}" for n in range((BUCKET_SLOTS + 2) * REVISIONS_PER_BUCKET + 3)]
    ids = []
    for n, text in enumerate(texts):
        ids.append(await record(user, goal, text, T0 + n * timedelta(minutes=3)))
        if n == 110:  # an entry a crash kept from being trimmed; the takeover clears it
            stray = {"seq": 3, "kind": "edit", "title": "t", "content": "t3", "size": 2}
            stray |= {"started_at": T0, "saved_at": T0}
            await db.revisions.update_one(
                {"_id": bucket_key(user, goal, 0)}, {"$set": {"revisions.s000003": stray}}
            )
    assert await contents(user, goal) == texts[:-101:-1]
    assert [r["id"] for r in await revisions.list_revisions(user, goal)] == ids[:-101:-1]
    assert await revisions.get_revision(user, ids[-101]) is None
    assert await stored_entries(db, goal) == 100
    assert await db.revisions.count_documents({"goal_id": goal}) == BUCKET_SLOTS


async def test_a_goals_buckets_are_inserted_once_then_updated(db):
    """Inserts are what is slow on the embedded store: a goal makes at most BUCKET_SLOTS."""
    user = ObjectId()
    goal = await new_goal(db, user)
    written = 0

    async def buckets_after(count: int) -> int:
        nonlocal written
        for n in range(written, count):
            await record(user, goal, f"t{n}", T0 + n * timedelta(minutes=3))
        written = max(written, count)
        return await db.revisions.count_documents({"goal_id": goal})

    assert await buckets_after(1) == 0  # the first revision is only the head
    assert await buckets_after(2) == 1  # seq 0 opens slot 0
    assert await buckets_after(REVISIONS_PER_BUCKET + 1) == 1  # seqs 0-24 kept in slot 0
    assert await buckets_after(REVISIONS_PER_BUCKET + 2) == 2  # seq 25 opens slot 1
    assert await buckets_after(BUCKET_SLOTS * REVISIONS_PER_BUCKET + 1) == BUCKET_SLOTS
    # Bucket 5 (seqs 125-149) takes over slot 0, whose revisions are all past the cap.
    assert await buckets_after(BUCKET_SLOTS * REVISIONS_PER_BUCKET + 2) == BUCKET_SLOTS


async def test_an_entry_a_missed_trim_left_behind_is_never_shown(db):
    """What a crash between a new revision and the cap's trim leaves behind."""
    user = ObjectId()
    goal = await new_goal(db, user)
    ids = [await record(user, goal, f"t{n}", T0 + n * timedelta(minutes=3)) for n in range(101)]
    stray = {"seq": 0, "kind": "edit", "title": "t", "content": "t0", "size": 2}
    stray |= {"started_at": T0, "saved_at": T0}
    await db.revisions.update_one(
        {"_id": bucket_key(user, goal, 0)}, {"$set": {"revisions.s000000": stray}}
    )
    assert await revisions.get_revision(user, ids[0]) is None
    listed = await revisions.list_revisions(user, goal)
    assert [r["id"] for r in listed] == ids[:0:-1]
    assert [r["id"] for r in await revisions.export_revisions(user)] == ids[1:]


async def test_list_limit_returns_the_newest(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    ids = [await record(user, goal, f"t{n}", T0 + n * timedelta(minutes=3)) for n in range(30)]
    assert [r["id"] for r in await revisions.list_revisions(user, goal, limit=3)] == ids[:-4:-1]
    limited = await revisions.list_revisions(user, goal, limit=12)
    assert [r["id"] for r in limited] == ids[:-13:-1]  # the head, then buckets 1 and 0
    assert await revisions.list_revisions(user, goal, limit=0) == []
    assert await revisions.list_revisions(user, goal, limit=-5) == []
    assert len(await revisions.list_revisions(user, goal, limit=1000)) == 30


async def test_listing_carries_no_content(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    for n in range(REVISIONS_PER_BUCKET + 3):
        await record(user, goal, "secret words " * (n + 1), T0 + n * timedelta(minutes=3))
    listed = await revisions.list_revisions(user, goal)
    assert all(set(r) == LISTED_KEYS for r in listed)
    assert "secret" not in repr(listed)
    assert [r["size"] for r in listed] == [
        13 * (n + 1) for n in range(REVISIONS_PER_BUCKET + 2, -1, -1)
    ]


async def test_a_revision_in_both_head_and_bucket_is_listed_once_with_the_heads_text(db):
    """What a crash between the two writes of a new revision leaves behind."""
    user = ObjectId()
    goal = await new_goal(db, user)
    await record(user, goal, "v0", T0)
    rid = await record(user, goal, "v1", T0 + timedelta(minutes=3))
    stale = {"seq": 1, "kind": "edit", "title": "old", "content": "stale", "size": 5}
    stale |= {"started_at": T0, "saved_at": T0}
    await db.revisions.update_one(
        {"_id": bucket_key(user, goal, 0)}, {"$set": {"revisions.s000001": stale}}
    )
    assert await contents(user, goal) == ["v1", "v0"]
    assert (await revisions.get_revision(user, rid))["content"] == "v1"
    assert [r["content"] for r in await revisions.export_revisions(user)] == ["v0", "v1"]


# Scoping -----------------------------------------------------------------------------------


async def test_another_user_reaches_nothing_even_with_exact_ids(two_users):
    a, b, goal_a, goal_b, first, second = two_users
    for given in (goal_a, str(goal_a)):
        assert await revisions.list_revisions(b, given) == []
        assert await revisions.delete_goal_revisions(b, given) == 0
    for rid in (first, second):
        assert revisions.parse_revision_id(b, rid) is None
        assert await revisions.get_revision(b, rid) is None
        # The same goal and seq under B's own prefix is B's namespace: empty.
        assert await revisions.get_revision(b, rid.replace(str(a), str(b))) is None
    exported = await revisions.export_revisions(b)
    assert [(r["goal_id"], r["content"]) for r in exported] == [(str(goal_b), "B1 by June")]
    assert await contents(a, goal_a) == ["42 km by October", "42 km"]


async def test_another_users_goal_gets_no_history_of_the_callers(db, two_users):
    a, b, goal_a, _, _, second = two_users
    assert await record(b, goal_a, "B writes here", T0 + timedelta(hours=1)) is None
    assert await record(b, str(goal_a), "again", T0 + timedelta(hours=2), kind="restore") is None
    assert await db.revision_heads.count_documents({"user_id": b, "goal_id": goal_a}) == 0
    assert await revisions.list_revisions(b, goal_a) == []
    assert await contents(a, goal_a) == ["42 km by October", "42 km"]
    assert (await revisions.get_revision(a, second))["content"] == "42 km by October"


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "x",
        "../",
        None,
        42,
        {"$ne": 1},
        ["a"],
        "0" * 24,
        "z" * 24,
    ],
)
async def test_malformed_revision_ids_get_nothing(two_users, bad_id):
    a, _, _, _, _, _ = two_users
    assert await revisions.get_revision(a, bad_id) is None


async def test_ids_almost_like_a_revision_id_get_nothing(two_users):
    a, b, goal_a, goal_b, first, _ = two_users
    goal = str(goal_a)
    lookalikes = [
        str(a),
        str(goal_a),
        head_key(a, goal_a),
        bucket_key(a, goal_a, 0),
        f"{a}:{goal}:0",
        f"{a}:{goal}:00000",
        f"{a}:{goal}:000000\n",
        f" {first}",
        f"{first}:000000",
        f"{a}:{goal}:-00001",
        f"{a}:{goal}:00000²",
        f"{str(a).upper()}:{goal}:000000",
        f"{a}:{goal.upper()}:000000",
        f"{a}:{goal}:000002",  # past the newest
        f"{a}:{goal}:{10**9}",
        f"{a}:{goal_b}:000000",  # B's goal under A's prefix: A has no such history
        f"{b}:{goal_b}:000000",  # B's real revision, asked for by A
        f"{a}/{goal}/000000",
        f"{a}:{goal}:000000".replace(":", "%3A"),
        f"../{a}:{goal}:000000",
    ]
    for bad in lookalikes:
        assert await revisions.get_revision(a, bad) is None, bad
    assert (await revisions.get_revision(a, first))["content"] == "42 km"
    assert await revisions.list_revisions(a, "nope") == []
    assert await revisions.list_revisions(a, None) == []
    assert await revisions.delete_goal_revisions(a, "nope") == 0


# Deleting and exporting --------------------------------------------------------------------


async def test_deleting_a_goals_history_removes_only_that_goal(db, two_users):
    a, b, goal_a, goal_b, first, _ = two_users
    other_goal = await new_goal(db, a)
    await record(a, other_goal, "keep me", T0)
    for n in range(2, REVISIONS_PER_BUCKET + 5):  # into a second slot
        await record(a, goal_a, f"v{n}", T0 + timedelta(hours=1) + n * timedelta(minutes=3))
    assert await revisions.delete_goal_revisions(a, str(goal_a)) == REVISIONS_PER_BUCKET + 5
    assert await revisions.list_revisions(a, goal_a) == []
    assert await revisions.get_revision(a, first) is None
    assert await db.revisions.count_documents({"goal_id": goal_a}) == 0
    assert await db.revision_heads.count_documents({"goal_id": goal_a}) == 0
    assert await contents(a, other_goal) == ["keep me"]
    assert await contents(b, goal_b) == ["B1 by June"]
    assert await revisions.delete_goal_revisions(a, goal_a) == 0
    # A goal's history can start again from scratch.
    again = await record(a, goal_a, "fresh", T0 + timedelta(days=1))
    assert again == revision_id(a, goal_a, 0)
    assert await contents(a, goal_a) == ["fresh"]


async def test_a_save_arriving_after_its_goal_was_deleted_brings_nothing_back(db):
    user = ObjectId()
    goal = await new_goal(db, user)
    await record(user, goal, "v0", T0)
    await record(user, goal, "v1", T0 + timedelta(minutes=3))
    await db.goals.delete_one({"_id": goal})  # as goals.delete_goal does, then:
    assert await revisions.delete_goal_revisions(user, goal) == 2
    assert await record(user, goal, "late autosave", T0 + timedelta(minutes=4)) is None
    assert await db.revision_heads.count_documents({"goal_id": goal}) == 0
    assert await db.revisions.count_documents({"goal_id": goal}) == 0
    assert await revisions.export_revisions(user) == []


async def test_export_holds_every_revision_of_the_user_as_json(db, two_users):
    a, _, goal_a, _, first, second = two_users
    goal_c = await new_goal(db, a)
    third = await record(a, goal_c, "Plan\nwith lines", T0 + timedelta(hours=1), kind="created")
    for n in range(REVISIONS_PER_BUCKET + 2):  # spills into a second bucket
        await record(a, goal_c, f"c{n}", T0 + timedelta(hours=2) + n * timedelta(minutes=3))
    exported = await revisions.export_revisions(a)
    assert json.loads(json.dumps(exported)) == exported
    by_goal = {}
    for row in exported:
        by_goal.setdefault(row["goal_id"], []).append(row)
    assert set(by_goal) == {str(goal_a), str(goal_c)}
    assert [r["id"] for r in by_goal[str(goal_a)]] == [first, second]
    assert [r["content"] for r in by_goal[str(goal_c)]] == [
        "Plan\nwith lines",
        *(f"c{n}" for n in range(REVISIONS_PER_BUCKET + 2)),
    ]
    assert by_goal[str(goal_c)][0] == {
        "id": third,
        "goal_id": str(goal_c),
        "seq": 0,
        "kind": "created",
        "title": "Run a marathon",
        "content": "Plan\nwith lines",
        "started_at": "2026-11-02T10:00:00+00:00",
        "saved_at": "2026-11-02T10:00:00+00:00",
    }
    assert datetime.fromisoformat(by_goal[str(goal_a)][1]["saved_at"]) == T0 + timedelta(minutes=5)
    assert await revisions.export_revisions(ObjectId()) == []
