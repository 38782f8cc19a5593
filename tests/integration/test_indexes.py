"""Every filter on a field other than `_id` that the app sends on a person's pages and on
account deletion starts with a declared index's leading field, so a real MongoDB answers it
from the index instead of scanning everyone's documents."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from goalgetter import mail_content
from goalgetter.data import account_data, outbox, shares, templates
from goalgetter.data.client import get_db
from tests.integration.command_log import watching

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def filtered_fields(command_name: str, command: dict) -> list[dict]:
    if command_name in ("find", "count", "findAndModify"):
        return [command.get("filter") or command.get("query") or {}]
    if command_name == "delete":
        return [statement["q"] for statement in command["deletes"]]
    if command_name == "update":
        return [statement["q"] for statement in command["updates"]]
    return []


def leading_fields(query: dict) -> set[str]:
    """The fields an index must lead with to serve this query (each branch of an $or)."""
    if "$or" in query:
        return {field for branch in query["$or"] for field in leading_fields(branch)}
    return {next(iter(query))} if query and "_id" not in query else set()


async def test_every_person_scoped_query_has_an_index(db, mongo_uri):
    user_id = ObjectId()
    welcome = mail_content.welcome("Ann", "ann@example.com", "https://app.example")
    await outbox.enqueue(user_id, f"welcome:{user_id}", welcome, NOW)
    async with watching(mongo_uri) as commands:
        assert [m["kind"] for m in await outbox.user_mail(user_id)] == ["welcome"]
        await shares.list_shares(user_id)
        await templates.list_templates(user_id)
        await account_data.delete_owned(user_id)
    assert await get_db().outbox.count_documents({}) == 0

    checked = 0
    for name, collection, command in commands.commands:
        for query in filtered_fields(name, command):
            for field in leading_fields(query):
                indexes = await get_db()[collection].index_information()
                leading = {index["key"][0][0] for index in indexes.values()}
                assert field in leading, f"{collection}: nothing leads with {field!r}"
                checked += 1
    assert checked >= 10  # the listings and each collection account deletion filters
