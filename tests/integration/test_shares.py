"""Sharing goals with a partner: the link's whole life over HTTP, on the real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from goalgetter import shared_routes
from goalgetter.data import chat_messages, goals, shares, users
from goalgetter.domain.validation import ValidationError
from goalgetter.shared_routes import MISSES_PER_IP, SHARE_ROUTES


@pytest.fixture(autouse=True)
def fresh_share_limits():
    shared_routes.reset_share_limits()
    yield
    shared_routes.reset_share_limits()


@pytest.fixture
async def web():
    transport = httpx.ASGITransport(app=Starlette(routes=SHARE_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://partner") as client:
        yield client


async def test_a_share_shows_exactly_the_chosen_goal_and_nothing_else(ann, web):
    shown = await goals.create_goal(ann, "Run a marathon", "**42 km** by October.")
    await goals.create_goal(ann, "Secret side project", "Nobody should see this.")
    await chat_messages.append_message(ann, "user", "My private chat line")
    token, _ = await shares.create_share(
        ann, goal_ids=[str(shown["_id"])], include_progress=False, partner_name="Sam"
    )
    page = await web.get(f"/s/{token}")
    assert page.status_code == 200
    assert "<strong>42 km</strong>" in page.text and "Run a marathon" in page.text
    assert "Ann's goals" in page.text and "Shared with Sam." in page.text
    for hidden in ("Secret side project", "Nobody should see", "private chat", "ann@example"):
        assert hidden not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in page.headers["x-robots-tag"] and 'content="noindex' in page.text
    assert "script" not in page.headers["content-security-policy"]
    pdf = await web.get(f"/s/{token}/goals.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    [listed] = await shares.list_shares(ann)
    assert listed["opened_count"] == 2 and listed["last_opened_at"] is not None


async def test_revoked_expired_and_unknown_links_all_answer_404_alike(ann, web):
    goal = await goals.create_goal(ann, "Read", "12 books")
    token, share = await shares.create_share(
        ann, goal_ids=[str(goal["_id"])], include_progress=False
    )
    assert (await web.get(f"/s/{token}")).status_code == 200
    assert await shares.revoke_share(ann, share["_id"])
    revoked = await web.get(f"/s/{token}")
    past = datetime.now(UTC) - timedelta(days=8)
    old, _ = await shares.create_share(
        ann, goal_ids=[str(goal["_id"])], include_progress=False, expiry_days=7, now=past
    )
    expired = await web.get(f"/s/{old}")
    unknown = await web.get("/s/" + "x" * 32)
    assert revoked.status_code == expired.status_code == unknown.status_code == 404
    assert revoked.text == expired.text == unknown.text
    assert "Read" not in revoked.text
    assert [s["_id"] for s in await shares.list_shares(ann)] != [share["_id"]]


async def test_archived_goals_drop_out_and_all_active_follows_the_goals(ann, web):
    first = await goals.create_goal(ann, "Swim", "1 km")
    await goals.set_phase(ann, first["_id"], "active")
    token, _ = await shares.create_share(ann, goal_ids=None, include_progress=False)
    one, _ = await shares.create_share(ann, goal_ids=[str(first["_id"])], include_progress=False)
    assert "Swim" in (await web.get(f"/s/{token}")).text
    second = await goals.create_goal(ann, "Cycle", "100 km")
    await goals.set_phase(ann, second["_id"], "active")
    assert "Cycle" in (await web.get(f"/s/{token}")).text
    await goals.set_phase(ann, first["_id"], "archived")
    assert "Swim" not in (await web.get(f"/s/{token}")).text
    assert "Swim" not in (await web.get(f"/s/{one}")).text
    await goals.delete_goal(ann, second["_id"])
    assert "Cycle" not in (await web.get(f"/s/{token}")).text


async def test_another_persons_goal_cannot_be_shared_or_revoked(ann):
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    bobs = await goals.create_goal(bob, "Bob's goal", "private")
    for goal_ids in ([str(bobs["_id"])], ["not-an-id"], [], [{"$ne": None}]):
        with pytest.raises(ValidationError):
            await shares.create_share(ann, goal_ids=goal_ids, include_progress=False)
    _, bobs_share = await shares.create_share(
        bob, goal_ids=[str(bobs["_id"])], include_progress=False
    )
    assert not await shares.revoke_share(ann, bobs_share["_id"])
    assert await shares.list_shares(ann) == []
    with pytest.raises(ValidationError):
        await shares.create_share(bob, goal_ids=None, include_progress=False, expiry_days=5)
    with pytest.raises(ValidationError):
        await shares.create_share(
            bob, goal_ids=None, include_progress=False, partner_name="x" * 101
        )


async def test_guessing_links_is_rate_limited_per_address(ann, web):
    goal = await goals.create_goal(ann, "Read", "12 books")
    token, _ = await shares.create_share(ann, goal_ids=[str(goal["_id"])], include_progress=False)
    stored = await shares.list_shares(ann)
    assert stored[0]["_id"] != token and len(token) >= 32  # only the hash is kept
    for guess in range(MISSES_PER_IP.amount):
        assert (await web.get(f"/s/guess{guess:027d}")).status_code == 404
    refused = await web.get(f"/s/guess{'9' * 27}")
    assert refused.status_code == 429
    assert (await web.get(f"/s/{token}")).status_code == 429  # this address is done for now
