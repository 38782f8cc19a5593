"""Sign-up, sign-in and sessions: validation, argon2 hashing and the session store."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bson import ObjectId

from goalgetter import mail_delivery
from goalgetter.data import counters, identities, sessions, users
from goalgetter.domain.user_agents import stored_user_agent
from goalgetter.domain.validation import (
    ValidationError,
    check_password,
    normalise_email,
    normalise_name,
)
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# argon2 is slow on purpose (tens of ms, 64 MiB): hash and verify run in a worker thread so
# the event loop keeps serving everyone else meanwhile.
# Verifying against this when the email is unknown keeps both failures equally slow.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def sign_up(name: str, email: str, password: str) -> dict:
    """Create the account; raises ValidationError with the field to blame."""
    name, email = normalise_name(name), normalise_email(email)
    check_password(password)
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    try:
        user = await users.create_user(email, name, password_hash)
    except users.EmailTaken:
        raise ValidationError("email", "email_taken") from None
    await _queue_welcome(user)
    await counters.count(signed_up=1)
    return user


async def sign_up_through_provider(name: str, email: str) -> dict:
    """An account whose way in is a provider (its verified email): no password, so password
    sign-in refuses it until one is set. Raises users.EmailTaken."""
    user = await users.create_user(email, name, None)
    await _queue_welcome(user)
    await counters.count(signed_up=1)
    return user


async def _queue_welcome(user: dict) -> None:
    try:
        await mail_delivery.welcome(user)
    except Exception:
        # The account exists and works; a welcome that could not be queued is not worth
        # refusing it for.
        log.exception("Could not queue the welcome mail for %s", user["_id"])


async def sign_in(email: str, password: str) -> dict:
    email = normalise_email(email)
    if not password:
        raise ValidationError("password", "password_missing")
    user = await users.find_user_by_email(email)
    # An account made through a provider has no password: it fails like an unknown email,
    # after the same work.
    stored_hash = (user or {}).get("password_hash")
    try:
        await asyncio.to_thread(_hasher.verify, stored_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise ValidationError("password", "wrong_credentials") from None
    if not stored_hash:
        raise ValidationError("password", "wrong_credentials")
    return user


async def change_password(user_id: ObjectId, current: str, new: str, keep_session: str) -> int:
    """Set a new password and end every session but `keep_session` (whoever knew the old one
    is signed out); how many ended. The current password must be given when there is one (an
    account made through a provider may set its first). Raises ValidationError."""
    stored_hash = await users.stored_password_hash(user_id)
    if stored_hash:
        try:
            await asyncio.to_thread(_hasher.verify, stored_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise ValidationError("current_password", "current_password_wrong") from None
    await users.set_password_hash(user_id, await new_password_hash(new))
    return await sessions.end_all_for_user(user_id, except_key=keep_session)


async def unlink_provider(user_id: ObjectId, provider: str) -> None:
    """Unlink the person's account at `provider`, never their last way in. Raises
    ValidationError."""
    linked = await identities.list_for_user(user_id)
    mine = [doc for doc in linked if doc["provider"] == provider]
    if not mine:
        raise ValidationError("provider", "provider_not_linked")
    if len(linked) == 1 and not await users.stored_password_hash(user_id):
        raise ValidationError("provider", "provider_last_way_in")
    await identities.unlink(user_id, provider, mine[0]["subject"])


async def new_password_hash(password: str) -> str:
    """The argon2 hash of a new password, after the sign-up rules (ValidationError)."""
    check_password(password)
    return await asyncio.to_thread(_hasher.hash, password)


async def start_session(user_id: ObjectId, user_agent: str = "") -> str:
    """A new session; `user_agent` (the request's header) names its device in Settings."""
    settings = get_settings()
    lifetime = timedelta(days=settings.session_days)
    return await sessions.create_session(
        user_id, settings.resolved_secret_key(), lifetime, stored_user_agent(user_agent)
    )


def session_key(token: str) -> str:
    return sessions.session_key(token, get_settings().resolved_secret_key()) if token else ""


async def user_id_for_token(token: str) -> ObjectId | None:
    return await sessions.user_id_for_key(session_key(token))


async def user_id_for_session_key(key: str) -> ObjectId | None:
    return await sessions.user_id_for_key(key)


async def end_session(token: str) -> None:
    await sessions.delete_session(token, get_settings().resolved_secret_key())
