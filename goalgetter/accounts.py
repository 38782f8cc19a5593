"""Sign-up, sign-in and sessions: validation, argon2 hashing and the session store."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bson import ObjectId

from goalgetter import mail_delivery
from goalgetter.data import sessions, users
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
    return user


async def sign_up_through_provider(name: str, email: str) -> dict:
    """An account whose way in is a provider (its verified email): no password, so password
    sign-in refuses it until one is set. Raises users.EmailTaken."""
    user = await users.create_user(email, name, None)
    await _queue_welcome(user)
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
