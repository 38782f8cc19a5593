"""Fair use of the coach, per person: messages per minute and model tokens per day.

Counted by the `limits` library in the same storage as the sign-in limits (Redis when
REDIS_URL is set, shared by every worker; else this process's memory). A send is admitted
before anything is stored or sent to the model; a reply's tokens are charged when it ends
(input, output and cache writes: what the model had to read or write), so the reply that
crosses the day's budget still finishes, and the next send is refused until the window
resets. Fixed windows: a minute from the first message, a day from the first reply.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from limits import RateLimitItemPerDay, RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter

from goalgetter.rate_limits import build_storage
from goalgetter.settings import get_settings

CHARGED = ("input_tokens", "output_tokens", "cache_creation_input_tokens")


class QuotaReached(Exception):
    """The person's budget is spent until `resets_at`; `message` says so."""

    def __init__(self, message: str, resets_at: datetime):
        super().__init__(message)
        self.message = message
        self.resets_at = resets_at


def _when(resets_at: datetime, now: datetime) -> str:
    seconds = max(1, round((resets_at - now).total_seconds()))
    if seconds < 90:
        return f"in {seconds} s"
    if seconds < 90 * 60:
        return f"in {round(seconds / 60)} min"
    return f"at {resets_at:%H:%M} UTC"


class CoachQuota:
    def __init__(self, storage: Storage | None, messages_per_minute: int, tokens_per_day: int):
        self.windows = FixedWindowRateLimiter(storage) if storage else None
        self.messages = RateLimitItemPerMinute(messages_per_minute, namespace="goalgetter")
        self.tokens = RateLimitItemPerDay(tokens_per_day, namespace="goalgetter")

    async def admit(self, user_id: ObjectId) -> None:
        """Counts one message; QuotaReached (nothing counted) when a budget is spent."""
        if self.windows is None:
            return
        key = str(user_id)
        if not await self.windows.test(self.tokens, "coach-tokens", key):
            await self._refuse(
                self.tokens, "coach-tokens", key, opening="You've used today's coaching"
            )
        if not await self.windows.hit(self.messages, "coach-messages", key):
            await self._refuse(
                self.messages, "coach-messages", key, opening="That's a lot of messages"
            )

    async def charge(self, user_id: ObjectId, usage: dict) -> None:
        """Counts a reply's tokens against the day (counted even past the budget)."""
        tokens = sum(int(usage.get(name) or 0) for name in CHARGED)
        if self.windows is not None and tokens > 0:
            await self.windows.hit(self.tokens, "coach-tokens", str(user_id), cost=tokens)

    async def _refuse(self, item, *key: str, opening: str) -> None:
        stats = await self.windows.get_window_stats(item, *key)
        now = datetime.now(UTC)
        resets_at = datetime.fromtimestamp(stats.reset_time, UTC)
        raise QuotaReached(
            f"{opening} — your coach is ready again {_when(resets_at, now)}. Nothing was sent.",
            resets_at,
        )


_quota: CoachQuota | None = None


def get_quota() -> CoachQuota:
    """This process's coach quota, built from the settings on first use (from async code)."""
    global _quota
    if _quota is None:
        settings = get_settings()
        _quota = CoachQuota(
            build_storage(settings) if settings.coach_quotas else None,
            settings.coach_messages_per_minute,
            settings.coach_tokens_per_day,
        )
    return _quota


def reset_quota() -> None:
    """Tests: build anew from the settings on next use."""
    global _quota
    _quota = None
