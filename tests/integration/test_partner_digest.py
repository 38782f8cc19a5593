"""A partner's email after each check-in: one confirmation mail, nothing more until they
follow it; then a digest per check-in with the shared goals' progress and the recap, and a
one-click stop that ends only the digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from goalgetter import partner_digest
from goalgetter.coach.offline import OfflineCoach
from goalgetter.coach.recap import write_recap
from goalgetter.data import goals, shares
from goalgetter.data.checkins import record_checkin
from goalgetter.data.client import get_db
from goalgetter.domain.shares import DIGEST_NEEDS_PROGRESS, PARTNER_INVITES_PER_DAY
from goalgetter.domain.validation import ValidationError
from goalgetter.partner_routes import PARTNER_ROUTES
from goalgetter.state.outbox import outbox_item
from tests.integration.test_reminders import FIRST, mails, start

OFFLINE = OfflineCoach(token_delay_seconds=0)


@pytest.fixture
async def web():
    transport = httpx.ASGITransport(app=Starlette(routes=PARTNER_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://partner") as client:
        yield client


def path_of(url: str) -> str:
    return httpx.URL(url).path


async def first_check_in(user_id) -> dict:
    state = await start(user_id)
    return next(m for m in state["meetings"] if m["status"] == "scheduled")


async def shared_with_sam(user_id, goal_ids, email="sam@example.com"):
    _, share = await shares.create_share(
        user_id, goal_ids=goal_ids, include_progress=True, partner_name="<i>Sam</i> Lee",
        partner_email=email,
    )  # fmt: skip
    await partner_digest.invite_partner(user_id, share)
    return share


async def test_the_partner_is_asked_once_and_gets_nothing_more_until_they_confirm(ann, web):
    first = await first_check_in(ann)
    goal = await goals.create_goal(ann, "Run 10k", "Under an hour by June")
    share = await shared_with_sam(ann, [str(goal["_id"])], email=" Sam@Example.com ")
    assert share["partner_email"] == "sam@example.com" and share["digest"] == "pending"
    await partner_digest.invite_partner(ann, share)  # asked twice: still one mail
    [ask] = await mails("partner-confirm")
    assert ask["to"] == "sam@example.com" and ask["user_id"] == ann
    confirm = partner_digest.link("confirm", share)
    assert confirm in ask["text"] and confirm in ask["html"]
    # The person's own /outbox shows the mail, not the link meant for the partner.
    assert confirm not in outbox_item(ask)["text"]
    await write_recap(ann, first, coach=OFFLINE)
    assert await mails("partner-digest") == []
    page = await web.get(path_of(confirm))
    assert page.status_code == 200 and 'id="partner-confirm"' in page.text
    assert "Ann" in page.text and (await stored(share))["digest"] == "pending"  # a GET asks
    done = await web.post(path_of(confirm))
    assert done.status_code == 200 and (await stored(share))["digest"] == "on"


async def test_after_each_check_in_the_partner_gets_progress_and_recap_once(ann, web):
    first = await first_check_in(ann)
    run = await goals.create_goal(ann, "Run 10k", "Under an hour by June")
    await goals.create_goal(ann, "Private goal", "Not for Sam")
    share = await shared_with_sam(ann, [str(run["_id"])])
    await web.post(path_of(partner_digest.link("confirm", share)))
    at = FIRST + timedelta(minutes=10)
    await record_checkin(ann, first["id"], str(run["_id"]), {"progress": 40}, now=at)
    recap = await write_recap(ann, first, coach=OFFLINE)
    await write_recap(ann, first, coach=OFFLINE)
    [digest] = await mails("partner-digest")
    assert digest["to"] == "sam@example.com"
    assert digest["subject"] == "Ann's check-in: Thursday 4 March at 18:00 (Europe/Berlin time)"
    assert "- Run 10k: 40%" in digest["text"] and "Private goal" not in digest["text"]
    bullets = [line.lstrip("- ") for line in recap.splitlines() if line.strip()]
    assert bullets and all(f"- {b}" in digest["text"] for b in bullets)
    assert "Hi &lt;i&gt;Sam&lt;/i&gt;," in digest["html"] and "<i>" not in digest["html"]
    stop = partner_digest.link("stop", share)
    assert digest["headers"]["List-Unsubscribe"] == f"<{stop}>"
    assert "ann@example.com" not in digest["text"] + digest["html"]


async def test_stopping_ends_only_the_digest_and_a_turned_off_share_sends_none(ann, web):
    first = await first_check_in(ann)
    goal = await goals.create_goal(ann, "Read", "12 books this year")
    share = await shared_with_sam(ann, [str(goal["_id"])])
    other = await shared_with_sam(ann, [str(goal["_id"])], email="kim@example.com")
    for each in (share, other):
        await web.post(path_of(partner_digest.link("confirm", each)))
    stop = partner_digest.link("stop", share)
    one_click = await web.post(path_of(stop), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and (await stored(share))["digest"] == "stopped"
    assert await shares.revoke_share(ann, other["_id"])
    await write_recap(ann, first, coach=OFFLINE)
    assert await mails("partner-digest") == []
    assert await shares.live_share(share["_id"]) is not None  # the page still works
    # A link of a turned-off share, a forged one, another share's: all 404, nothing changes.
    assert (await web.post(path_of(partner_digest.link("confirm", other)))).status_code == 404
    forged = path_of(partner_digest.link("confirm", share))[:-4] + "AAAA"
    assert (await web.post(forged)).status_code == 404
    swapped = path_of(stop).replace(share["_id"], other["_id"])
    assert (await web.post(swapped)).status_code == 404
    assert (await web.get("/partner/nothing/confirm/x")).status_code == 404
    assert (await stored(share))["digest"] == "stopped"


async def test_bad_partner_emails_are_refused_clearly_and_create_nothing(ann):
    goal = await goals.create_goal(ann, "Swim", "1 km")
    ids = [str(goal["_id"])]
    cases = [
        ("not an email", True, "That doesn't look like an email address."),
        ("<script>@x", True, "That doesn't look like an email address."),
        ("sam@example.com", False, DIGEST_NEEDS_PROGRESS),
    ]
    for email, progress, message in cases:
        with pytest.raises(ValidationError) as refused:
            await shares.create_share(
                ann, goal_ids=ids, include_progress=progress, partner_email=email
            )
        assert refused.value.field == "partner_email" and refused.value.message == message
    assert await shares.list_shares(ann) == []
    for n in range(PARTNER_INVITES_PER_DAY):
        await shares.create_share(
            ann, goal_ids=ids, include_progress=True, partner_email=f"p{n}@example.com"
        )
    with pytest.raises(ValidationError, match="Try again tomorrow"):
        await shares.create_share(
            ann, goal_ids=ids, include_progress=True, partner_email="one@more.com"
        )
    tomorrow = datetime.now(UTC) + timedelta(days=1, minutes=1)
    await shares.create_share(
        ann, goal_ids=ids, include_progress=True, partner_email="one@more.com", now=tomorrow
    )


async def stored(share: dict) -> dict:
    return await get_db().shares.find_one({"_id": share["_id"]})
