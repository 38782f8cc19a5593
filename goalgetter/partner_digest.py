"""A partner's email after each check-in: asked for once, sent only once they confirm.

The person gives the partner's address with a share; the partner gets one mail asking
whether they want the updates, and nothing else until they follow its link. After that,
each check-in's recap brings them a short digest of the shared goals' progress, with a
one-click link that ends only the digest (the shared page keeps working). Links are signed
with the app's secret key over the share and the address, so they need no storage, and a
link sent to one address does nothing for another.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bson import ObjectId

from goalgetter import mail_content, mail_delivery
from goalgetter.data import outbox, users
from goalgetter.data import shares as shares_data
from goalgetter.domain import unsubscribe
from goalgetter.domain.shares import latest_progress, recap_bullets
from goalgetter.settings import get_settings

ACTIONS = ("confirm", "stop")


def _signature(action: str, share: dict) -> str:
    secret = get_settings().resolved_secret_key()
    return unsubscribe.signed(secret, f"partner-{action}", share["_id"], share["partner_email"])


def link(action: str, share: dict) -> str:
    base = get_settings().public_url.rstrip("/")
    return f"{base}/partner/{share['_id']}/{action}/{_signature(action, share)}"


def verify(action: str, share: dict, given: str) -> bool:
    return (
        action in ACTIONS
        and bool(share.get("partner_email"))
        and hmac.compare_digest(_signature(action, share), given)
    )


async def invite_partner(user_id: ObjectId, share: dict, now: datetime | None = None) -> bool:
    """Queue the partner's one confirmation mail for this share (none without an address)."""
    if not share.get("partner_email"):
        return False
    owner = await users.get_user(user_id) or {}
    message = mail_content.partner_confirm(
        owner.get("name", ""), share.get("partner_name", ""), share["partner_email"],
        link("confirm", share),
    )  # fmt: skip
    key = f"partner-confirm:{share['_id']}"
    queued = await outbox.enqueue(user_id, key, message, now or datetime.now(UTC))
    if queued:
        mail_delivery.deliver_soon()
    return queued


async def send_digests(user_id: ObjectId, meeting: dict, recap: str) -> int:
    """Queue this check-in's digest for each partner who confirmed; how many."""
    now, queued = datetime.now(UTC), 0
    for share in await shares_data.digest_shares(user_id, now):
        page = await shares_data.shared_page(share)
        message = mail_content.partner_digest(
            page.owner, page.partner, share["partner_email"], meeting["start"],
            ZoneInfo(page.zone), [(goal.title, latest_progress(goal)) for goal in page.goals],
            recap_bullets(recap),
        )  # fmt: skip
        queued += await outbox.enqueue(
            user_id, f"partner-digest:{share['_id'][:24]}:{meeting['id']}",
            mail_delivery.with_stop_link(
                message, link("stop", share), "Stop these emails (the shared page keeps working)",
                "(With a link for your partner to stop these emails.)",
            ),
            now,
        )  # fmt: skip
    if queued:
        mail_delivery.deliver_soon()
    return queued
