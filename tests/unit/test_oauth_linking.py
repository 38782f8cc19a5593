"""The linking rules: verified or not, an existing account or a new person, linked or not,
and a link started by a signed-in user."""

from __future__ import annotations

import pytest

from goalgetter.domain.oauth_linking import MESSAGES, Decision, EmailOwner, Outcome, decide

ADA, BOB = "user-ada", "user-bob"
ADA_WITH_PASSWORD = EmailOwner(ADA, has_password=True)
ADA_PROVIDER_ONLY = EmailOwner(ADA, has_password=False)
UNVERIFIED = Decision(Outcome.REFUSE, error="oauth_unverified_email")

TABLE = [
    # linked to, verified, email's account, linking user -> decision
    (ADA, True, ADA_WITH_PASSWORD, None, Decision(Outcome.SIGN_IN, ADA)),
    (ADA, False, ADA_WITH_PASSWORD, None, Decision(Outcome.SIGN_IN, ADA)),
    (ADA, True, None, None, Decision(Outcome.SIGN_IN, ADA)),  # email changed since
    (ADA, True, EmailOwner(BOB, True), None, Decision(Outcome.SIGN_IN, ADA)),
    (None, True, None, None, Decision(Outcome.CREATE)),
    (None, False, None, None, UNVERIFIED),
    (None, True, ADA_WITH_PASSWORD, None, Decision(Outcome.NEEDS_PASSWORD, ADA)),
    (None, False, ADA_WITH_PASSWORD, None, UNVERIFIED),
    (None, True, ADA_PROVIDER_ONLY, None, Decision(Outcome.REFUSE, error="oauth_linked_elsewhere")),
    (None, False, ADA_PROVIDER_ONLY, None, UNVERIFIED),
    (None, True, None, ADA, Decision(Outcome.LINK, ADA)),
    (None, False, None, ADA, Decision(Outcome.LINK, ADA)),  # both proven by the person
    (None, True, EmailOwner(BOB, True), ADA, Decision(Outcome.LINK, ADA)),
    (ADA, True, None, ADA, Decision(Outcome.SIGN_IN, ADA)),  # already linked: nothing new
    (BOB, True, ADA_WITH_PASSWORD, ADA, Decision(Outcome.REFUSE, error="oauth_in_use")),
]  # fmt: skip


@pytest.mark.parametrize(("linked", "verified", "owner", "linking", "expected"), TABLE)
def test_linking_rules(linked, verified, owner, linking, expected):
    decision = decide(
        linked_user_id=linked, email_verified=verified, email_owner=owner, linking_user_id=linking
    )
    assert decision == expected
    if decision.outcome is Outcome.REFUSE:
        assert decision.error in MESSAGES


def test_an_email_alone_never_signs_in_as_its_account():
    """Every unlinked, not-linking case with an existing account: never SIGN_IN or LINK."""
    for verified in (True, False):
        for owner in (ADA_WITH_PASSWORD, ADA_PROVIDER_ONLY):
            decision = decide(linked_user_id=None, email_verified=verified, email_owner=owner)
            assert decision.outcome not in (Outcome.SIGN_IN, Outcome.LINK, Outcome.CREATE)
