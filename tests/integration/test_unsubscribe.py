"""The person decides: reminders can be turned off, and every reminder carries a one-click
unsubscribe link (signed, no sign-in) and the RFC 8058 headers."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette

from goalgetter import mail_delivery, scheduler
from goalgetter.data import users
from goalgetter.data.client import get_db
from goalgetter.domain import unsubscribe
from goalgetter.settings import get_settings
from goalgetter.unsubscribe_routes import UNSUBSCRIBE_ROUTES
from tests.integration.test_reminders import FIRST, T0, start


async def post_or_get(method: str, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=Starlette(routes=UNSUBSCRIBE_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.request(method, path, **kwargs)


async def test_a_reminder_carries_its_one_click_unsubscribe_which_works(ann):
    await start(ann)
    await scheduler.tick(FIRST - timedelta(hours=24))
    [mail] = await get_db().outbox.find({"kind": "reminder-24h"}).to_list()
    link = mail["headers"]["List-Unsubscribe"].strip("<>")
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail["text"] and "Unsubscribe</a>" in mail["html"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    shown = await post_or_get("GET", f"/{path}")
    assert shown.status_code == 200 and 'id="unsubscribe-confirm"' in shown.text
    assert users.wants(await users.get_user(ann), "reminders")  # a GET changes nothing
    done = await post_or_get("POST", f"/{path}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more emails" in done.text
    assert not users.wants(await users.get_user(ann), "reminders")
    await scheduler.tick(FIRST - timedelta(hours=1))
    assert await get_db().outbox.count_documents({"kind": "reminder-1h"}) == 0


async def test_a_forged_or_foreign_link_stops_nothing(ann):
    bob = (await users.create_user("bob@example.com", "Bob", "hash"))["_id"]
    secret = get_settings().resolved_secret_key()
    bobs = unsubscribe.signature(secret, str(bob), "reminders")
    for path in (
        f"/unsubscribe/{ann}/reminders/{bobs}",
        f"/unsubscribe/{ann}/everything/{unsubscribe.signature(secret, str(ann), 'everything')}",
        f"/unsubscribe/not-an-id/reminders/{bobs}",
    ):
        assert (await post_or_get("POST", path)).status_code == 404
    assert users.wants(await users.get_user(ann), "reminders")


async def test_with_reminders_off_no_invitation_is_queued(ann):
    await users.set_notification(ann, "reminders", False)
    state = await start(ann)
    assert await mail_delivery.invite(ann, state, state["meetings"], T0) == 0
    assert await get_db().outbox.count_documents({"user_id": ann}) == 0
