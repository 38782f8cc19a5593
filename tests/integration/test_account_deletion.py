"""Deleting an account leaves nothing of the person in any collection the app writes, and
touches nothing of anyone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import ObjectId, json_util

from goalgetter import accounts, mail_delivery, partner_digest
from goalgetter.account_deletion import delete_account
from goalgetter.data import (
    calendar_feeds,
    chat_messages,
    goals,
    identities,
    meeting_series,
    meetings,
    oauth_flows,
    shares,
    templates,
    users,
)
from goalgetter.data.client import get_db
from goalgetter.settings import get_settings
from tests.integration.test_meetings_data import weekly

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


async def live_a_full_life(email: str, name: str) -> ObjectId:
    """An account that has used every part of the app that stores something."""
    user = await accounts.sign_up(name, email, "long enough password")
    user_id, secret = user["_id"], get_settings().resolved_secret_key()
    await accounts.start_session(user_id)
    goal = await goals.create_goal(user_id, "Run a marathon", "42 km by October")
    await goals.save_text(user_id, goal["_id"], base_version=goal["version"], content="42 km!")
    await goals.add_milestone(user_id, goal["_id"], "Half marathon", None)
    await templates.create_template(user_id, name="Mine", description="", content="## Why", now=NOW)
    await chat_messages.append_message(user_id, "user", f"I am {name}")
    state = await meetings.start_tracking(
        user_id, weekly(at="18:00", zone="Europe/Berlin", weekday=3, after=NOW), now=NOW
    )
    await mail_delivery.invite(user_id, state, state["meetings"][:1], NOW)
    await meeting_series.archive(get_db(), user_id, state["meetings"][:1], [])
    _, share = await shares.create_share(
        user_id, goal_ids=None, include_progress=True, partner_email=f"partner.{email}"
    )
    await partner_digest.invite_partner(user_id, share)
    await calendar_feeds.feed_token(user_id, secret)
    await identities.link(user_id, "github", f"gh-{name}", email)
    await oauth_flows.save("link", f"t-{name}", secret, {"user_id": user_id}, timedelta(minutes=9))
    return user_id


async def traces_of(user_id: ObjectId, email: str) -> dict[str, int]:
    """Per collection, how many documents mention the person (their id, or their email)."""
    db, found = get_db(), {}
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            text = json_util.dumps(doc)
            if str(user_id) in text or email in text:
                found[name] = found.get(name, 0) + 1
    return found


async def test_nothing_of_the_person_is_left_and_nothing_of_anyone_else_goes(db):
    ann = await live_a_full_life("ann@example.com", "Ann Lee")
    bob = await live_a_full_life("bob@example.com", "Bob Stone")
    before = await traces_of(ann, "ann@example.com")
    assert len(before) >= 15, before  # the test reaches (nearly) every collection
    bobs = await traces_of(bob, "bob@example.com")
    counts = await delete_account(ann)
    assert counts["account"] == 1 and counts["goals"] == 1 and counts["sessions"] == 1
    assert await traces_of(ann, "ann@example.com") == {}
    assert await traces_of(bob, "bob@example.com") == bobs
    assert (
        await users.get_user(ann) is None
        and await users.find_user_by_email("ann@example.com") is None
    )


async def test_the_same_email_signs_up_fresh_and_sees_nothing_of_the_old_account(db):
    old = await live_a_full_life("ann@example.com", "Ann Lee")
    await delete_account(old)
    new = await accounts.sign_up("Ann Again", "ann@example.com", "another long password")
    assert new["_id"] != old
    assert await goals.goals_with_content(new["_id"], limit=50) == []
    assert await chat_messages.recent_messages(new["_id"], 10) == []
    assert await shares.list_shares(new["_id"]) == []
    assert await identities.linked_user_id("github", "gh-Ann Lee") is None
    assert (await accounts.sign_in("ann@example.com", "another long password"))["_id"] == new["_id"]
