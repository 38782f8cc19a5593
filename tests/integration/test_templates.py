"""goal_templates on a real wire server: seeding, per-user scoping, validation and export."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from goalgetter.data import templates, users
from goalgetter.data.templates import (
    create_template,
    delete_template,
    export_templates,
    get_template,
    list_templates,
    seed_templates,
)
from goalgetter.domain.templates import OKR, SMART
from goalgetter.domain.validation import MAX_GOAL_CONTENT_LENGTH, ValidationError

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', 'Tom & Jerry\'s "plan"']
MALFORMED_IDS = ["", "x", "builtin:", "builtin:nope", "builtin:SMART", "{'$ne': None}", "0" * 23]


@pytest.fixture
async def seeded(db):
    await seed_templates(db)
    return db


@pytest.fixture
async def ann_and_bob(seeded):
    ann = await users.create_user("ann@example.com", "Ann", "hash-a")
    bob = await users.create_user("bob@example.com", "Bob", "hash-b")
    return ann["_id"], bob["_id"]


async def _all_docs(db) -> list[dict]:
    return await db.goal_templates.find({}).sort("_id", 1).to_list()


async def _make(user_id: ObjectId, name: str = "Morning plan", minutes: int = 0) -> dict:
    return await create_template(
        user_id,
        name=name,
        description="My own layout",
        content="## Why\nFill me in\n## Steps\n",
        now=NOW + timedelta(minutes=minutes),
    )


# Seeding ----------------------------------------------------------------------------------


async def test_seeding_twice_or_concurrently_leaves_the_same_two_documents(seeded):
    first = await _all_docs(seeded)
    await seed_templates(seeded)
    await asyncio.gather(*(seed_templates(seeded) for _ in range(4)))
    assert await _all_docs(seeded) == first
    assert await seeded.goal_templates.count_documents({}) == 2
    smart = next(doc for doc in first if doc["_id"] == "builtin:smart")
    assert smart == {
        "_id": "builtin:smart",
        "key": "smart",
        "user_id": None,
        "name": SMART.name,
        "description": SMART.description,
        "template_type": "smart",
        "fields": list(SMART.fields),
        "template_content": SMART.template_content,
        "is_active": True,
    }


async def test_a_changed_builtin_text_in_code_replaces_the_stored_one(seeded):
    # The database still holds the text an older release seeded.
    await seeded.goal_templates.update_one(
        {"_id": "builtin:okr"},
        {"$set": {"template_content": "## Old\n", "fields": ["Old"], "is_active": False}},
    )
    await seed_templates(seeded)
    okr = await seeded.goal_templates.find_one({"_id": "builtin:okr"})
    assert (okr["template_content"], okr["fields"], okr["is_active"]) == (
        OKR.template_content,
        list(OKR.fields),
        True,
    )


async def test_a_builtin_removed_from_code_is_retired_but_custom_ones_stay(ann_and_bob):
    ann, _ = ann_and_bob
    db = templates.get_db()
    retired = {"_id": "builtin:gtd", "user_id": None, "name": "GTD", "is_active": True}
    await db.goal_templates.insert_one(retired)
    mine = await _make(ann)
    await seed_templates(db)
    assert (await db.goal_templates.find_one({"_id": "builtin:gtd"}))["is_active"] is False
    assert await get_template(ann, "builtin:gtd") is None
    assert [t["id"] for t in await list_templates(ann)] == [
        "builtin:smart",
        "builtin:okr",
        mine["id"],
    ]


# Scoping ----------------------------------------------------------------------------------


async def test_builtins_are_readable_by_everyone_and_deletable_by_no_one(ann_and_bob):
    for user in ann_and_bob:
        smart = await get_template(user, "builtin:smart")
        assert smart == {
            "id": "builtin:smart",
            "name": SMART.name,
            "description": SMART.description,
            "template_type": "smart",
            "is_builtin": True,
            "fields": list(SMART.fields),
            "template_content": SMART.template_content,
        }
        assert await delete_template(user, "builtin:smart") is False
        assert await delete_template(user, "builtin:okr") is False
    assert await templates.get_db().goal_templates.count_documents({"user_id": None}) == 2


async def test_another_user_cannot_get_or_delete_a_template_even_with_its_id(ann_and_bob):
    ann, bob = ann_and_bob
    mine = await _make(ann)
    for given in (mine["id"], ObjectId(mine["id"])):
        assert await get_template(bob, given) is None
        assert await delete_template(bob, given) is False
    assert mine["id"] not in [t["id"] for t in await list_templates(bob)]
    assert await export_templates(bob) == []
    assert (await get_template(ann, mine["id"]))[
        "template_content"
    ] == "## Why\nFill me in\n## Steps\n"


@pytest.mark.parametrize("bad_id", [*MALFORMED_IDS, "fresh-objectid", None, {"$ne": None}])
async def test_malformed_or_unknown_ids_find_nothing(ann_and_bob, bad_id):
    ann, _ = ann_and_bob
    await _make(ann)
    if bad_id == "fresh-objectid":
        bad_id = str(ObjectId())
    assert await get_template(ann, bad_id) is None
    assert await delete_template(ann, bad_id) is False
    assert await templates.get_db().goal_templates.count_documents({}) == 3


async def test_the_owner_can_delete_their_template_once(ann_and_bob):
    ann, _ = ann_and_bob
    mine = await _make(ann)
    assert await delete_template(ann, mine["id"]) is True
    assert await get_template(ann, mine["id"]) is None
    assert await delete_template(ann, mine["id"]) is False
    assert [t["id"] for t in await list_templates(ann)] == ["builtin:smart", "builtin:okr"]


@pytest.mark.parametrize("not_a_user", [None, "", str(ObjectId()), {"$ne": None}])
async def test_functions_refuse_anything_but_a_user_objectid(seeded, not_a_user):
    # A None owner would otherwise match the built-ins' `user_id: None`.
    with pytest.raises(TypeError):
        await create_template(not_a_user, name="Shared?", description="", content="", now=NOW)
    for call in (list_templates, export_templates):
        with pytest.raises(TypeError):
            await call(not_a_user)
    with pytest.raises(TypeError):
        await delete_template(not_a_user, "builtin:smart")
    assert await seeded.goal_templates.count_documents({}) == 2


# Creating ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "description", "content", "field", "message"),
    [
        ("", "", "", "template_name", "Give the template a name."),
        (" \n\t ", "", "", "template_name", "Give the template a name."),
        ("n" * 101, "", "", "template_name", "Template names can be at most 100 characters."),
        ("Fine", "d" * 301, "", "template_description", "at most 300 characters."),
        (
            "Fine",
            "",
            "x" * (MAX_GOAL_CONTENT_LENGTH + 1),
            "template_content",
            "A template can hold at most 100,000 characters; this one has 100,001.",
        ),
    ],
)
async def test_create_rejects_bad_input_with_a_clear_message(
    ann_and_bob, name, description, content, field, message
):
    ann, _ = ann_and_bob
    with pytest.raises(ValidationError) as caught:
        await create_template(ann, name=name, description=description, content=content, now=NOW)
    assert caught.value.field == field
    assert message in caught.value.message
    assert await templates.get_db().goal_templates.count_documents({"user_id": ann}) == 0


async def test_create_accepts_limits_and_tidies_the_name(ann_and_bob):
    ann, _ = ann_and_bob
    at_limit = await create_template(
        ann, name="n" * 100, description="d" * 300, content="c" * MAX_GOAL_CONTENT_LENGTH, now=NOW
    )
    assert (len(at_limit["name"]), len(at_limit["template_content"])) == (100, 100_000)
    spaced = await create_template(ann, name="  My   plan \n", description="", content="", now=NOW)
    assert (spaced["name"], spaced["fields"], spaced["is_builtin"]) == ("My plan", [], False)


async def test_create_rejects_programming_errors(ann_and_bob):
    ann, _ = ann_and_bob
    with pytest.raises(ValueError, match="template type"):
        await create_template(
            ann, name="X", description="", content="", template_type="evil", now=NOW
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        await create_template(
            ann, name="X", description="", content="", now=NOW.replace(tzinfo=None)
        )


async def test_save_as_template_stores_the_goal_for_its_owner(ann_and_bob):
    ann, _ = ann_and_bob
    content = SMART.template_content.replace("_The date you will be done._", "By 1 May 2027.")
    saved = await create_template(
        ann,
        name="Marathon",
        description="From my goal",
        content=content,
        template_type="smart",
        now=NOW,
    )
    assert saved["fields"] == list(SMART.fields)
    stored = await templates.get_db().goal_templates.find_one({"_id": ObjectId(saved["id"])})
    assert (stored["user_id"], stored["created_at"], stored["is_active"]) == (ann, NOW, True)
    assert await get_template(ann, saved["id"]) == saved
    explicit = await create_template(
        ann, name="Mine", description="", content="text", fields=["  A ", "", "B"], now=NOW
    )
    assert explicit["fields"] == ["A", "B"]


async def test_hostile_names_are_stored_and_returned_verbatim(ann_and_bob):
    ann, _ = ann_and_bob
    for minutes, name in enumerate(HOSTILE):
        created = await create_template(
            ann,
            name=name,
            description=name,
            content=f"## {name}\n",
            now=NOW + timedelta(minutes=minutes),
        )
        assert (await get_template(ann, created["id"]))["name"] == name
        assert created["description"] == name
    assert [t["name"] for t in await list_templates(ann)][2:] == HOSTILE[::-1]


# Listing and export -----------------------------------------------------------------------


async def test_list_shows_builtins_first_then_own_newest_first_without_content(ann_and_bob):
    ann, bob = ann_and_bob
    older = await _make(ann, "Older", minutes=0)
    newer = await _make(ann, "Newer", minutes=5)
    same_time = await _make(ann, "Same time as newer", minutes=5)
    await _make(bob, "Bob's")
    listed = await list_templates(ann)
    assert [t["id"] for t in listed] == [
        "builtin:smart",
        "builtin:okr",
        same_time["id"],
        newer["id"],
        older["id"],
    ]
    assert listed[0] == {
        "id": "builtin:smart",
        "name": SMART.name,
        "description": SMART.description,
        "template_type": "smart",
        "is_builtin": True,
    }
    assert listed[-1] == {
        "id": older["id"],
        "name": "Older",
        "description": "My own layout",
        "template_type": "custom",
        "is_builtin": False,
    }
    assert [t["name"] for t in await list_templates(bob)] == [SMART.name, OKR.name, "Bob's"]


async def test_export_holds_only_own_templates_as_json(ann_and_bob):
    ann, bob = ann_and_bob
    first = await _make(ann, "First", minutes=0)
    await _make(ann, "<script>x</script>", minutes=1)
    await _make(bob, "Bob's")
    exported = await export_templates(ann)
    assert json.loads(json.dumps(exported)) == exported
    assert [t["name"] for t in exported] == ["First", "<script>x</script>"]
    assert exported[0] == {
        "id": first["id"],
        "name": "First",
        "description": "My own layout",
        "template_type": "custom",
        "fields": ["Why", "Steps"],
        "template_content": "## Why\nFill me in\n## Steps\n",
        "is_active": True,
        "created_at": "2026-11-03T09:30:00+00:00",
    }
