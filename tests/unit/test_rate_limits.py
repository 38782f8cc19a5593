"""Which `limits` storage REDIS_URL selects, and the budgets' sizes."""

from __future__ import annotations

import pytest

from goalgetter import rate_limits
from goalgetter.domain.validation import MESSAGES


@pytest.mark.parametrize(
    ("redis_url", "uri"),
    [
        ("", "async+memory://"),
        ("redis://127.0.0.1:6379/0", "async+redis://127.0.0.1:6379/0"),
        ("rediss://:secret@cache.example:6380", "async+rediss://:secret@cache.example:6380"),
        ("unix:///run/redis.sock?db=1", "async+redis+unix:///run/redis.sock?db=1"),
    ],
)
def test_storage_uri_follows_redis_url(redis_url, uri):
    assert rate_limits.storage_uri(redis_url) == uri


def test_a_redis_url_without_a_known_scheme_is_refused():
    with pytest.raises(ValueError, match="REDIS_URL"):
        rate_limits.storage_uri("127.0.0.1:6379")


def test_the_budgets():
    assert str(rate_limits.FAILED_SIGN_INS_PER_EMAIL) == "5 per 15 minute"
    assert str(rate_limits.SIGN_IN_ATTEMPTS_PER_IP) == "30 per 15 minute"
    assert str(rate_limits.SIGN_UPS_PER_IP) == "10 per 1 hour"
    assert "Too many attempts" in MESSAGES[rate_limits.TOO_MANY_ATTEMPTS]


def test_the_email_key_is_a_digest_of_the_normalised_address():
    key = rate_limits._email_key("  Ada@Example.COM ")
    assert key == rate_limits._email_key("ada@example.com")
    assert key is not None and "ada" not in key and len(key) == 64
    assert rate_limits._email_key("not-an-email") is None
