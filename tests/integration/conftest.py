"""Integration fixtures shared by every module here."""

from __future__ import annotations

import pytest

from goalgetter import rate_limits
from goalgetter.coach import quotas
from goalgetter.data import users
from goalgetter.settings import get_settings


@pytest.fixture(autouse=True)
async def fresh_rate_limits():
    """Every test starts with no sign-in or sign-up counted (they all come from 127.0.0.1),
    and no coach message or token counted."""
    await rate_limits.reset_limiter()
    quotas.reset_quota()
    yield
    await rate_limits.reset_limiter()
    quotas.reset_quota()


@pytest.fixture
async def ann(db):
    """A person with an account (no usable password: these tests need none)."""
    return (await users.create_user("ann@example.com", "Ann Lee", "hash"))["_id"]


@pytest.fixture
def settings_env(monkeypatch):
    """Settings from the environment, read afresh: `settings_env(NAME="value", ...)`."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()
