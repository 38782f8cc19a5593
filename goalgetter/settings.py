"""Every setting GoalGetter reads, with the embedded default used when it is unset.

Each outside service is optional: leave its variable empty and the app uses the embedded
stand-in (see README, "Configuration").
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import tempfile
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Database: unset -> the embedded mongoeco SQLite wire server under data_dir.
    mongodb_uri: str = ""
    mongodb_db: str = "goalgetter"
    embedded_store_port: int = 27217

    # Reflex state and the sign-in/sign-up rate limits: unset -> disk state and in-process
    # limits, one worker.
    redis_url: str = ""
    # Brute-force limits on sign-in and sign-up (goalgetter/rate_limits.py). Leave on: only
    # test harnesses whose browsers all share one address turn them off.
    auth_rate_limits: bool = True

    # Coach: unset key -> the offline coach.
    anthropic_api_key: str = ""
    anthropic_model: str = "claude-sonnet-5-5"
    anthropic_base_url: str = ""
    anthropic_timeout_seconds: float = 60.0
    anthropic_max_retries: int = 2
    # The chat: at most this long in silence per attempt, and this many attempts, each
    # failure shown at once (the timeout and retries above are for background work).
    anthropic_chat_timeout_seconds: float = 15.0
    anthropic_chat_attempts: int = 3
    # Fair use, per person (goalgetter/coach/quotas.py).
    coach_quotas: bool = True
    coach_messages_per_minute: int = 10
    coach_tokens_per_day: int = 300_000
    anthropic_max_tokens: int = 1024

    # Email: unset -> outbox only (stored, written as .eml under data_dir/outbox, shown on
    # /outbox). RESEND_API_URL points the SDK elsewhere (tests, staging).
    resend_api_key: str = ""
    resend_api_url: str = "https://api.resend.com"
    email_from: str = "GoalGetter <coach@goalgetter.app>"
    # Where people reach the app: the links in mail.
    public_url: str = "http://localhost:3000"

    # OAuth sign-in and Google Calendar: unset -> email + password only.
    google_client_id: str = ""
    google_client_secret: str = ""
    github_client_id: str = ""
    github_client_secret: str = ""
    # Where the providers live (tests point these at a loopback fake): Google's OpenID
    # configuration document names its other endpoints; GitHub has no such document.
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    github_authorize_url: str = "https://github.com/login/oauth/authorize"
    github_token_url: str = "https://github.com/login/oauth/access_token"
    github_api_url: str = "https://api.github.com"
    # Google Calendar sync (goalgetter/calendar_sync.py): the Calendar API's base address
    # (the token and revocation endpoints come from GOOGLE_DISCOVERY_URL), how often each
    # connected person's calendar is read for their changes, and how long one call may take.
    google_calendar_api_url: str = "https://www.googleapis.com/calendar/v3/"
    google_calendar_poll_seconds: int = 300
    google_calendar_timeout_seconds: float = 10.0

    # Unset -> generated once into data_dir/secret_key.
    secret_key: str = ""
    data_dir: Path = PROJECT_ROOT / "data"

    session_days: int = 30
    # Behind HTTPS: the cookies are sent over TLS only, and every response carries HSTS.
    cookie_secure: bool = False

    # Hardening (README, "Running it in production: hardening").
    # The reverse proxies allowed to name the client in X-Forwarded-For / -Proto: addresses
    # or networks, comma-separated, or `*`. Empty (the default): nobody, the peer is the
    # client, so a client cannot pick its own address for the per-address limits.
    forwarded_allow_ips: str = ""
    # "json": one JSON object a line (each request, each coach reply), for a log collector.
    log_format: str = "text"
    # GET /status with `Authorization: Bearer <this>`; empty or shorter than 16 characters:
    # /status answers 404.
    status_token: str = ""
    # Errors to Sentry (goalgetter/observability.py scrubs texts and tokens first).
    sentry_dsn: str = ""
    sentry_environment: str = "production"
    # On SIGTERM, how long coach replies under way may take to end and be stored.
    shutdown_grace_seconds: float = 10.0

    @property
    def uses_embedded_store(self) -> bool:
        return not self.mongodb_uri

    @property
    def coach_is_offline(self) -> bool:
        return not self.anthropic_api_key

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            _publish_once(key_file, secrets.token_urlsafe(48))
        return key_file.read_text().strip()


def _publish_once(target: Path, text: str) -> None:
    """Create `target` holding `text` (mode 0o600), atomically; if it exists, keep it.

    Written in full to a temporary file beside it, then hard-linked into place: another
    worker sees either no file or the whole key, never an empty one, and the first writer
    wins, so workers starting together agree on one key.
    """
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")  # 0o600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            pass  # another worker was first: use its key
        except OSError:
            # No hard links on this file system: an atomic rename, unless one appeared.
            if not target.exists():
                os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@functools.cache
def get_settings() -> Settings:
    return Settings()
