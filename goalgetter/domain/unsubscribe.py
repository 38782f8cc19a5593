"""One-click unsubscribe: a signed link per person and kind of mail, valid without signing in.

The signature is an HMAC of the person's id and the group under the app's secret key, so a
link cannot be made for someone else or for another group, and needs no storage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

GROUPS = {
    "reminders": "Check-in invitations and reminders",
    "recaps": "Check-in recaps",
    "nudges": "Milestone nudges",
}
KIND_GROUPS = {
    "invitation": "reminders", "update": "reminders", "cancellation": "reminders",
    "reminder-24h": "reminders", "reminder-1h": "reminders", "recap": "recaps",
    "milestone-nudge": "nudges",
}  # fmt: skip


def signed(secret_key: str, *parts: str) -> str:
    """A short URL-safe HMAC of `parts`: links that work without signing in and need no
    storage (this module's unsubscribe links, a partner's digest links)."""
    digest = hmac.new(secret_key.encode(), ":".join(parts).encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def signature(secret_key: str, user_id: str, group: str) -> str:
    return signed(secret_key, "unsubscribe", user_id, group)


def verify(secret_key: str, user_id: str, group: str, given: str) -> bool:
    return group in GROUPS and hmac.compare_digest(signature(secret_key, user_id, group), given)


def link(public_url: str, secret_key: str, user_id: str, group: str) -> str:
    sig = signature(secret_key, user_id, group)
    return f"{public_url.rstrip('/')}/unsubscribe/{user_id}/{group}/{sig}"


def headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail apps offer a one-click unsubscribe of their own."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
