"""Finding an account by email through its key: sign-up claims it, sign-in reads it."""

from __future__ import annotations

import pytest
from bson import ObjectId

from goalgetter.data import users


async def test_sign_up_claims_the_email_key_once(db):
    ann = await users.create_user("ann@example.com", "Ann", "hash")
    assert await db.email_keys.find_one({"_id": "ann@example.com"}) == {
        "_id": "ann@example.com",
        "user_id": ann["_id"],
    }
    with pytest.raises(users.EmailTaken):
        await users.create_user("ann@example.com", "Another Ann", "hash2")
    assert await db.users.count_documents({"email": "ann@example.com"}) == 1
    assert (await users.find_user_by_email("ann@example.com"))["name"] == "Ann"


async def test_an_unknown_email_finds_nobody(db):
    await users.create_user("ann@example.com", "Ann", "hash")
    for unknown in ("bob@example.com", "", "ANN@example.com", "<script>@x", "a" * 5000):
        assert await users.find_user_by_email(unknown) is None


async def test_accounts_older_than_keys_get_them_once(db):
    legacy = [
        {"_id": ObjectId(), "email": f"old{n}@example.com", "name": f"Old {n}"} for n in range(3)
    ]
    await db.users.insert_many(legacy)
    assert await users.find_user_by_email("old1@example.com") is None
    assert await users.add_missing_email_keys() == 3
    assert (await users.find_user_by_email("old1@example.com"))["_id"] == legacy[1]["_id"]
    assert await users.add_missing_email_keys() == 0  # once per database


async def test_an_account_without_its_key_still_refuses_its_email(db):
    await db.users.insert_one({"_id": ObjectId(), "email": "old@example.com", "name": "Old"})
    with pytest.raises(users.EmailTaken):  # the unique email index still holds
        await users.create_user("old@example.com", "New", "hash")
    # The claim made before the refusal is given back: nothing points at a missing account.
    assert await db.email_keys.find_one({"_id": "old@example.com"}) is None
    assert await db.users.count_documents({"email": "old@example.com"}) == 1
