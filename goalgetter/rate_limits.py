"""Brute-force protection for sign-in and sign-up, counted by the `limits` library.

The counts live in Redis when REDIS_URL is set (shared by every worker), else in this
process's memory: the embedded default, one worker, counts forgotten on restart.

Each budget is a fixed window: it opens with the first hit on its key and closes `expiry`
later, so a lockout ends at most 15 minutes (sign-in) or an hour (sign-up) after it began.
A refused attempt is turned away before any password work: no argon2 hash or verify.

Client address: `request.client.host`, the peer the ASGI server reports. Behind a reverse
proxy that is the proxy's address, so every client behind it would share one per-address
budget, unless FORWARDED_ALLOW_IPS names the proxy: then the server's proxy-header handling
(goalgetter/security_headers.py `trusted_proxy`) has already put the client the proxy saw
there. Nothing here reads X-Forwarded-For itself: from anyone else, any client can send one.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request

from goalgetter.domain.validation import ValidationError, normalise_email
from goalgetter.settings import Settings, get_settings

FAILED_SIGN_INS_PER_EMAIL = RateLimitItemPerMinute(5, 15, namespace="goalgetter")
SIGN_IN_ATTEMPTS_PER_IP = RateLimitItemPerMinute(30, 15, namespace="goalgetter")
SIGN_UPS_PER_IP = RateLimitItemPerHour(10, namespace="goalgetter")

TOO_MANY_ATTEMPTS = "too_many_attempts"

# REDIS_URL's schemes (the ones Reflex accepts) -> the `limits` async storage schemes.
_REDIS_SCHEMES = {"redis": "async+redis", "rediss": "async+rediss", "unix": "async+redis+unix"}


def storage_uri(redis_url: str) -> str:
    """The `limits` storage for REDIS_URL: Redis when set, this process's memory when not."""
    if not redis_url:
        return "async+memory://"
    scheme, _, rest = redis_url.partition("://")
    if scheme not in _REDIS_SCHEMES:
        raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
    return f"{_REDIS_SCHEMES[scheme]}://{rest}"


def _email_key(email: str) -> str | None:
    """The per-email key: a digest of the normalised address, so no address sits in Redis.
    None for input that is not an email address (there is no account to guess at)."""
    try:
        return hashlib.sha256(normalise_email(email).encode()).hexdigest()
    except ValidationError:
        return None


class AuthLimiter:
    """The sign-in and sign-up budgets over one storage; `None` storage counts nothing."""

    def __init__(self, storage: Storage | None):
        self.storage = storage
        self._windows = FixedWindowRateLimiter(storage) if storage else None

    async def _spend(self, item: RateLimitItem, *key: str) -> None:
        if self._windows and not await self._windows.hit(item, *key):
            raise ValidationError("form", TOO_MANY_ATTEMPTS)

    async def _give_back(self, item: RateLimitItem, *key: str) -> None:
        if self.storage:
            await self.storage.incr(item.key_for(*key), item.get_expiry(), amount=-1)

    async def check_sign_up(self, ip: str) -> None:
        """Counts one sign-up attempt from `ip`; ValidationError once over the budget."""
        await self._spend(SIGN_UPS_PER_IP, "sign-up", ip)

    @asynccontextmanager
    async def sign_in_attempt(self, ip: str, email: str) -> AsyncIterator[None]:
        """Wraps the password check; ValidationError before it once over a budget.

        Every attempt counts against `ip`. Against the email only failures count, yet the
        failure is reserved before the check and given back unless the check raises
        `wrong_credentials`: parallel guesses cannot all pass while none has failed yet.
        """
        await self._spend(SIGN_IN_ATTEMPTS_PER_IP, "sign-in", ip)
        email_key = _email_key(email)
        if email_key is None:
            yield
            return
        await self._spend(FAILED_SIGN_INS_PER_EMAIL, "sign-in-failures", email_key)
        failed = False
        try:
            yield
        except ValidationError as error:
            failed = error.code == "wrong_credentials"
            raise
        finally:
            if not failed:
                await self._give_back(FAILED_SIGN_INS_PER_EMAIL, "sign-in-failures", email_key)


def build_storage(settings: Settings) -> Storage:
    """The counts' storage for these settings. Needs a running event loop: the memory
    storage schedules its expiry task on it."""
    uri = storage_uri(settings.redis_url)
    # The asyncio client of the `redis` package (limits' default here would be coredis).
    options = {"implementation": "redispy"} if settings.redis_url else {}
    return storage_from_string(uri, **options)


def build_limiter(settings: Settings) -> AuthLimiter:
    return AuthLimiter(build_storage(settings) if settings.auth_rate_limits else None)


_limiter: AuthLimiter | None = None


def get_limiter() -> AuthLimiter:
    """The process's limiter, built from the settings on first use (from async code)."""
    global _limiter
    if _limiter is None:
        _limiter = build_limiter(get_settings())
    return _limiter


async def reset_limiter() -> None:
    """Tests: forget every count, and build anew from the settings on next use."""
    global _limiter
    limiter, _limiter = _limiter, None
    if limiter and limiter.storage:
        await limiter.storage.reset()
        if client := getattr(getattr(limiter.storage, "bridge", None), "storage", None):
            await client.aclose()  # the redis.asyncio client


def client_ip(request: Request) -> str:
    """The client's address: the peer, or what a trusted proxy said (module docstring)."""
    return request.client.host if request.client else "unknown"


async def check_sign_up(request: Request) -> None:
    await get_limiter().check_sign_up(client_ip(request))


def sign_in_attempt(request: Request, email: str):
    """`async with sign_in_attempt(request, email):` around the password check."""
    return get_limiter().sign_in_attempt(client_ip(request), email)
