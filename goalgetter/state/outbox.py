"""/outbox: the signed-in person's own mail, as sent or kept (no provider configured)."""

from __future__ import annotations

from datetime import UTC
from typing import TypedDict

import reflex as rx

from goalgetter.data import outbox
from goalgetter.state.session import SessionState


class OutboxItem(TypedDict):
    id: str
    kind: str
    status: str
    subject: str
    to: str
    when: str
    text: str
    error: str


def outbox_item(mail: dict) -> OutboxItem:
    return {
        "id": mail["_id"],
        "kind": mail["kind"],
        "status": mail["status"],
        "subject": mail["subject"],
        "to": mail["to"],
        "when": mail["created_at"].replace(tzinfo=UTC).isoformat(),
        # A mail to someone else may hold a link meant for them alone (a partner's confirmation).
        "text": mail.get("shown_text", mail["text"])[:4000],
        "error": mail.get("error", "") if mail["status"] == "failed" else "",
    }


class OutboxState(SessionState):
    items: list[OutboxItem] = []

    @rx.event
    async def open_page(self):
        return await self._open_signed_in_page(OutboxState.load)

    @rx.event
    async def load(self):
        user_id = await self._signed_in_user_id()
        self.items = [outbox_item(mail) for mail in await outbox.user_mail(user_id)]
