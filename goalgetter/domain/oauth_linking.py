"""Who a provider sign-in (Google, GitHub) becomes: the linking rules, as one pure decision.

The rule that matters: an email address alone never hands over an account. A provider
account that is not linked yet reaches an existing user only once that user has proved the
account is theirs (signed in with its password, or started the link while signed in); an
email the provider has not verified never links and never makes an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PROVIDERS = ("google", "github")
PROVIDER_NAMES = {"google": "Google", "github": "GitHub"}


class Outcome(StrEnum):
    SIGN_IN = "sign_in"  # the provider account is linked: sign its user in
    LINK = "link"  # link it to the signed-in user who asked for it, then sign in
    CREATE = "create"  # a new person: make the account, link it, sign in
    NEEDS_PASSWORD = "needs_password"  # the email's account must prove itself first
    REFUSE = "refuse"  # nothing happens; `error` says why


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    user_id: object = None  # whom to sign in or link to (SIGN_IN, LINK, NEEDS_PASSWORD)
    error: str = ""  # REFUSE only: a code from MESSAGES


@dataclass(frozen=True)
class EmailOwner:
    """The existing account whose email the provider reported."""

    user_id: object
    has_password: bool


def decide(
    *,
    linked_user_id: object,
    email_verified: bool,
    email_owner: EmailOwner | None,
    linking_user_id: object = None,
) -> Decision:
    """`linked_user_id`: whom this provider account is linked to (None: nobody);
    `email_owner`: the account holding the provider's email (None: no such account);
    `linking_user_id`: the signed-in user who started this flow to link it (else None)."""
    if linking_user_id is not None:
        if linked_user_id is None:
            return Decision(Outcome.LINK, linking_user_id)
        if linked_user_id == linking_user_id:
            return Decision(Outcome.SIGN_IN, linked_user_id)
        return Decision(Outcome.REFUSE, error="oauth_in_use")
    if linked_user_id is not None:
        return Decision(Outcome.SIGN_IN, linked_user_id)
    if not email_verified:
        return Decision(Outcome.REFUSE, error="oauth_unverified_email")
    if email_owner is None:
        return Decision(Outcome.CREATE)
    if email_owner.has_password:
        return Decision(Outcome.NEEDS_PASSWORD, email_owner.user_id)
    # An account made through the other provider: no password to prove it with here.
    return Decision(Outcome.REFUSE, error="oauth_linked_elsewhere")


MESSAGES = {
    "oauth_unavailable": "That sign-in option is not available.",
    "oauth_cancelled": "Sign-in was cancelled at the provider. Nothing was changed.",
    "oauth_state": (
        "That sign-in expired, was already used, or was started in another browser. "
        "Nothing was changed; please start again."
    ),
    "oauth_provider_down": (
        "We could not reach the provider just now. Nothing was changed; try again in a "
        "moment, or sign in with your email and password."
    ),
    "oauth_failed": (
        "The provider's answer could not be verified, so you are not signed in. Nothing was "
        "changed; please try again."
    ),
    "oauth_unverified_email": (
        "Your account at the provider has no verified email address. Verify it there first, "
        "or sign up with your email and a password."
    ),
    "oauth_link_password": (
        "An account with this email already exists. Sign in with its password once to link "
        "the provider to it; after that, the provider signs you in."
    ),
    "oauth_linked_elsewhere": (
        "An account with this email already exists and signs in with another provider. "
        "Sign in that way, then link this one in Settings."
    ),
    "oauth_in_use": "That provider account is already linked to another GoalGetter account.",
}
