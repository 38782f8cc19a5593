"""What a verified provider answer does to accounts: the linking rules
(goalgetter/domain/oauth_linking.py) applied to the stored accounts and links.

Also the one step that crosses over to password sign-in: a provider account whose email
belongs to an account with a password waits here (a pending link, single-use, 15 minutes)
until that account signs in with its password in the same browser; only then is it linked.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter import accounts
from goalgetter.data import identities, oauth_flows, users
from goalgetter.domain.oauth_linking import Decision, EmailOwner, Outcome, decide
from goalgetter.domain.validation import MAX_NAME_LENGTH, ValidationError, normalise_email
from goalgetter.integrations.oauth_clients import ProviderProfile
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)
# The browser's handle on its pending link (httpOnly, sent only to /auth/ routes).
LINK_COOKIE = "gg_oauth_link"
LINK_COOKIE_PATH = "/auth/"


def usable_email(profile: ProviderProfile) -> str:
    """The provider's email as accounts store it, or "" when it is not one."""
    try:
        return normalise_email(profile.email)
    except ValidationError:
        return ""


def display_name(profile: ProviderProfile, email: str) -> str:
    """The provider's name cut to our limit (not refused: the person typed it elsewhere),
    else the email's local part."""
    name = " ".join(profile.name[: MAX_NAME_LENGTH * 4].split())[:MAX_NAME_LENGTH].strip()
    return name or email.partition("@")[0][:MAX_NAME_LENGTH] or "GoalGetter user"


async def resolve(profile: ProviderProfile, linking_user_id: ObjectId | None = None) -> Decision:
    """Decide, and do what was decided (sign-in mark, link, new account). NEEDS_PASSWORD and
    REFUSE change nothing; the caller answers them."""
    email = usable_email(profile)
    verified = profile.email_verified and bool(email)
    linked = await identities.linked_user_id(profile.provider, profile.subject)
    owner = None
    if linked is None and linking_user_id is None and verified:
        user = await users.find_user_by_email(email)
        if user is not None:
            owner = EmailOwner(user["_id"], bool(user.get("password_hash")))
    decision = decide(
        linked_user_id=linked,
        email_verified=verified,
        email_owner=owner,
        linking_user_id=linking_user_id,
    )
    if decision.outcome is Outcome.SIGN_IN:
        await identities.mark_used(decision.user_id, profile.provider, profile.subject, email)
    elif decision.outcome is Outcome.LINK:
        if not await identities.link(decision.user_id, profile.provider, profile.subject, email):
            return Decision(Outcome.REFUSE, error="oauth_in_use")
    elif decision.outcome is Outcome.CREATE:
        return await _create(profile, email)
    return decision


async def _create(profile: ProviderProfile, email: str) -> Decision:
    try:
        user = await accounts.sign_up_through_provider(display_name(profile, email), email)
    except users.EmailTaken:
        # Someone made this email's account a moment ago: decide again with it in place.
        return await resolve(profile)
    if not await identities.link(user["_id"], profile.provider, profile.subject, email):
        # The same provider account finished a sign-up in another tab first.
        log.warning("Provider account %s linked twice at once", profile.provider)
        return Decision(Outcome.REFUSE, error="oauth_state")
    return Decision(Outcome.CREATE, user["_id"])


async def hold_for_password(profile: ProviderProfile, user_id: ObjectId) -> str:
    """Keep the verified provider account until `user_id` signs in with its password;
    returns the token for the browser's link cookie."""
    token = secrets.token_urlsafe(32)
    await oauth_flows.save(
        "link",
        token,
        get_settings().resolved_secret_key(),
        {
            "user_id": user_id,
            "provider": profile.provider,
            "subject": profile.subject,
            "email": usable_email(profile),
        },
        oauth_flows.PENDING_LINK_LIFETIME,
    )
    return token


async def link_after_password(token: str, user_id: ObjectId) -> str | None:
    """After `user_id` signed in with its password: link the provider account waiting for
    it (once). Returns the provider linked, or None (no pending link, expired, used, or
    waiting for another account: then it is dropped, never moved to this one)."""
    pending = await oauth_flows.take("link", token, get_settings().resolved_secret_key())
    if pending is None or pending["user_id"] != user_id:
        return None
    linked = await identities.link(
        user_id, pending["provider"], pending["subject"], pending["email"], datetime.now(UTC)
    )
    return pending["provider"] if linked else None
