"""Delivering queued mail: each due email claimed, sent, and its outcome recorded.

`deliver_due(now)` is one pass; the app runs it right after queuing (sign-up's welcome) and
from every scheduler tick, so a mail queued while the app was down goes out at start-up. A
send that fails with 429, 5xx or a timeout is tried again after 1, 5 and 30 minutes with the
same Idempotency-Key; after the last attempt it stays in the outbox as failed, with the
error, visible on /outbox. Messages themselves come from goalgetter/mail_content.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter import mail_content
from goalgetter.background import BackgroundTasks
from goalgetter.data import outbox, users
from goalgetter.domain import unsubscribe
from goalgetter.domain.timezones import first_zone
from goalgetter.integrations import ics
from goalgetter.integrations.mail import MailFailed, make_sender
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)
_tasks = BackgroundTasks()


@dataclasses.dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


async def deliver_due(now: datetime, sender=None) -> DeliveryReport:
    sender = sender or make_sender(get_settings())
    report, settled = DeliveryReport(), []
    try:
        for key in await outbox.due_ids(now):
            mail = await outbox.claim(key, now)
            if mail is None:
                if await outbox.is_settled(key):
                    settled.append(key)
            elif await _deliver(mail, sender, now, report):
                settled.append(key)
    finally:  # off the pending list together: one write per pass, not one per mail
        await outbox.forget(settled)
    return report


async def _deliver(mail: dict, sender, now: datetime, report: DeliveryReport) -> bool:
    """Send one claimed mail and record how it went; whether it is settled for good."""
    attempts = mail.get("attempts", 0) + 1
    try:
        sent_as = await sender.send(mail)
    except MailFailed as failure:
        if failure.retryable and attempts < outbox.MAX_ATTEMPTS:
            due = now + outbox.RETRY_WAITS[attempts - 1]
            await outbox.settle(
                mail, "queued", now, attempts=attempts, due_at=due, error=str(failure)
            )
            report.retried += 1
            return False
        await outbox.settle(mail, "failed", now, attempts=attempts, error=str(failure))
        report.failed += 1
        return True
    await outbox.settle(mail, sender.status, now, attempts=attempts, sent_as=sent_as, error="")
    report.sent += 1
    return True


def deliver_soon() -> None:
    """A delivery pass now, as a task of its own (the request that queued mail never waits)."""
    _tasks.start(_deliver_quietly())


async def settled() -> None:
    """Wait for the delivery passes under way (shutdown, benches)."""
    await _tasks.settled()


async def _deliver_quietly() -> None:
    with contextlib.suppress(Exception):
        await deliver_due(datetime.now(UTC))


async def welcome(user: dict, now: datetime | None = None) -> None:
    """Queue the welcome mail (once per account) and send it soon."""
    now = now or datetime.now(UTC)
    message = mail_content.welcome(user["name"], user["email"], get_settings().public_url)
    if await outbox.enqueue(ObjectId(user["_id"]), f"welcome:{user['_id']}", message, now):
        deliver_soon()


async def _person(user_id: ObjectId) -> dict | None:
    return await users.get_user(user_id)


async def remind(
    user_id: ObjectId,
    state: dict,
    due: list[tuple[dict, str]],
    now: datetime,
    person: dict | None = None,
) -> int:
    """Queue the reminders `due` (meeting, kind) for the person; how many were new (none
    when they turned reminders off). `person`: their user document, when already read."""
    person = person or await _person(user_id)
    return len(await outbox.enqueue_many(reminder_mails(user_id, state, due, person), now))


def reminder_mails(
    user_id: ObjectId, state: dict, due: list[tuple[dict, str]], person: dict | None
) -> list[outbox.Mail]:
    """The reminders `remind` queues, to queue with other mail (the scheduler's tick)."""
    if person is None or not users.wants(person, "reminders"):
        return []
    zone, url = first_zone(state["schedule"].get("timezone")), get_settings().public_url
    mails = []
    for meeting, kind in due:
        message = mail_content.reminder(
            kind, person["name"], person["email"], meeting["start"], zone, url
        )
        key = f"{kind}:{meeting['id']}:{int(meeting['start'].timestamp())}"
        mails.append((user_id, key, with_unsubscribe(message, user_id)))
    return mails


async def invite(
    user_id: ObjectId,
    state: dict,
    meeting_list: list[dict],
    now: datetime,
    person: dict | None = None,
) -> int:
    """Queue an invitation (or an update, or a cancellation) with its .ics for each meeting,
    once per version of it (its SEQUENCE), and start a delivery pass; how many were new.
    `person` as for `remind`."""
    person = person or await _person(user_id)
    mails = invitation_mails(user_id, state, meeting_list, now, person)
    queued = len(await outbox.enqueue_many(mails, now))
    if queued:
        deliver_soon()
    return queued


def invitation_mails(
    user_id: ObjectId, state: dict, meeting_list: list[dict], now: datetime, person: dict | None
) -> list[outbox.Mail]:
    """The mail `invite` queues, to queue with other mail (the scheduler's tick, whose
    delivery pass runs after it)."""
    if person is None or not users.wants(person, "reminders"):
        return []
    settings = get_settings()
    zone, mails = first_zone(state["schedule"].get("timezone")), []
    for meeting in meeting_list:
        sequence = meeting.get("sequence", 0)
        kind = "update" if sequence else "invitation"
        if meeting["status"] == "cancelled":
            kind = "cancellation"
        calendar = ics.invitation(
            meeting,
            zone,
            to=person["email"],
            organizer=_address(settings.email_from),
            link=f"{settings.public_url.rstrip('/')}/meetings",
            stamp=now,
            cancel=kind == "cancellation",
        )
        message = mail_content.invitation(
            kind,
            person["name"],
            person["email"],
            meeting["start"],
            zone,
            settings.public_url,
            calendar,
        )
        key = f"{kind}:{meeting['id']}:{sequence}"
        mails.append((user_id, key, with_unsubscribe(message, user_id)))
    return mails


def with_unsubscribe(message: dict, user_id: ObjectId) -> dict:
    """The message with its one-click unsubscribe link: in the text, and as headers."""
    settings = get_settings()
    group = unsubscribe.KIND_GROUPS[message["kind"]]
    url = unsubscribe.link(settings.public_url, settings.resolved_secret_key(), str(user_id), group)
    return with_stop_link(message, url, f"Stop these emails ({unsubscribe.GROUPS[group].lower()})")


def with_stop_link(message: dict, url: str, label: str, shown: str = "") -> dict:
    """`message` with a link that stops it, in the text and HTML and as List-Unsubscribe
    headers; `shown`: the text /outbox shows instead, when the link is someone else's."""
    stopping = {
        **message,
        "text": f"{message['text']}\n\n{label}: {url}",
        "html": message["html"] + mail_content.unsubscribe_html(url),
        "headers": {**message.get("headers", {}), **unsubscribe.headers(url)},
    }
    if shown:
        stopping["shown_text"] = f"{message['text']}\n\n{shown}"
    return stopping


def _address(sender: str) -> str:
    """The bare address of "Name <address>"."""
    return sender.rpartition("<")[2].rstrip(">").strip() or sender


async def send_recap(user_id: ObjectId, meeting: dict, recap: str) -> bool:
    """Queue the check-in's recap (once per check-in), unless recaps are turned off."""
    person = await _person(user_id)
    if person is None or not users.wants(person, "recaps"):
        return False
    state_zone = (person.get("settings") or {}).get("timezone")
    message = mail_content.recap(
        person["name"], person["email"], meeting["start"], first_zone(state_zone), recap,
        get_settings().public_url,
    )  # fmt: skip
    key = f"recap:{meeting['id']}"
    queued = await outbox.enqueue(
        user_id, key, with_unsubscribe(message, user_id), datetime.now(UTC)
    )
    if queued:
        deliver_soon()
    return queued
