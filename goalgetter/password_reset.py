"""A forgotten password: a reset link by mail, and setting a new password with it.

Asking tells the visitor nothing about whether the email has an account (the routes answer
the same either way, and do this work after answering). Using a link sets the password with
the sign-up rules, ends every session of the person and drops their other links.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter import accounts, mail_content, mail_delivery
from goalgetter.data import outbox, password_resets, sessions, users
from goalgetter.domain.validation import ValidationError, check_password, normalise_email
from goalgetter.settings import get_settings

LINK_UNUSABLE = "reset_link_unusable"


def reset_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/reset/{token}"


async def request_reset(email: str, now: datetime | None = None) -> bool:
    """Mail a reset link when `email` has an account; whether one was queued (for tests and
    logs only: the visitor is never told)."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return False
    user = await users.find_user_by_email(email)
    if user is None:
        return False
    settings, now = get_settings(), now or datetime.now(UTC)
    token = await password_resets.create(user["_id"], settings.resolved_secret_key(), now)
    message = mail_content.password_reset(
        user["name"], user["email"], reset_link(settings.public_url, token)
    )
    # Each request is its own mail: the key names the request, never the token.
    key = f"password-reset:{user['_id']}:{secrets.token_hex(8)}"
    if await outbox.enqueue(user["_id"], key, message, now):
        mail_delivery.deliver_soon()
    return True


async def link_works(token: str, now: datetime | None = None) -> bool:
    """Whether the link may still be used (the form is shown); uses nothing up."""
    secret = get_settings().resolved_secret_key()
    return await password_resets.peek(token, secret, now) is not None


async def reset_password(token: str, password: str, now: datetime | None = None) -> ObjectId:
    """Set the new password; returns the person's id. ValidationError("password", …) leaves
    the link usable; ValidationError("token", LINK_UNUSABLE) for a link unknown, used or
    expired. Every session of the person ends and their other links stop working."""
    check_password(password)  # first: a typo must not use the link up
    user_id = await password_resets.take(token, get_settings().resolved_secret_key(), now)
    if user_id is None or await users.get_user(user_id) is None:
        raise ValidationError("token", LINK_UNUSABLE, RESET_MESSAGES[LINK_UNUSABLE])
    await users.set_password_hash(user_id, await accounts.new_password_hash(password))
    await password_resets.delete_all_for_user(user_id)
    await sessions.end_all_for_user(user_id)
    return user_id


RESET_MESSAGES = {
    LINK_UNUSABLE: (
        "This reset link does not work any more: it was used already, is older than an "
        "hour, or is incomplete. Ask for a new one."
    ),
}
