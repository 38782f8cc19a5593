"""What operators see: structured logs and errors in Sentry, and never a person's words.

LOG_FORMAT=json writes one JSON object a line: every log record, one `request` line per HTTP
request (its request id, method, path with tokens cut out, status, duration) and one
`coach_reply` line per coach reply (its id, the person's id hashed, how long to the first
token and in all, how it ended). No line holds a message text, a query string, a cookie or
a token: paths are cut (`/reset/<token>` → `/reset/:token`) and people are keyed by an HMAC
of their id under the secret key, so log readers can follow one person without knowing who.

SENTRY_DSN sends errors to Sentry. `scrub_event` runs on every event before it leaves: the
request keeps its method and cut path only (no body, query, cookies or headers but a few
harmless ones), log messages keep their template (never the formatted arguments), exception
values lose quoted strings, emails and anything token-like, and locals are never captured.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import hmac
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goalgetter.settings import Settings, get_settings

log = logging.getLogger("goalgetter.requests")
reply_log = logging.getLogger("goalgetter.coach.replies")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Runs long enough to be a token, key or id (urlsafe base64, hex, base64).
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-+/=]{16,}")
_EMAIL = re.compile(r"[^\s@'\"<>]+@[^\s@'\"<>]+")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_KEPT_HEADERS = {"host", "user-agent", "content-type", "content-length", "x-request-id"}
MAX_VALUE_CHARS = 200


# -- Structured logs ---------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object a line; an `event` dict passed as `extra` becomes its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "event", None) or {})
        if (current := request_id.get()) and "request_id" not in line:
            line["request_id"] = current
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(settings: Settings) -> None:
    """JSON lines on stderr when LOG_FORMAT=json; otherwise logging is left as it is."""
    if settings.log_format.strip().lower() != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)


def json_logs() -> bool:
    return get_settings().log_format.strip().lower() == "json"


def safe_path(path: str) -> str:
    """The path with every token-like segment replaced (`/s/<token>/goals.pdf` →
    `/s/:token/goals.pdf`); a file name keeps its extension."""
    parts = []
    for segment in path.split("/"):
        stem, dot, extension = segment.partition(".")
        if _TOKEN_LIKE.fullmatch(stem):
            segment = f":token{dot}{extension}"
        parts.append(segment)
    return "/".join(parts)[:MAX_VALUE_CHARS]


def hashed_user(user_id: object) -> str:
    """A stable pseudonym for a person in logs: an HMAC of the id under the secret key."""
    digest = hmac.new(_log_key(), str(user_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


@functools.cache
def _log_key() -> bytes:
    secret = get_settings().resolved_secret_key().encode()
    return hmac.new(secret, b"goalgetter log pseudonyms", hashlib.sha256).digest()


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1").strip()
            if _SAFE_REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


def request_log(app: ASGIApp) -> ASGIApp:
    """`app` answering each HTTP request with an X-Request-ID (the proxy's when it sent a
    sane one) and, under LOG_FORMAT=json, logging one line per request."""
    logging_on = json_logs()

    async def logged(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = _incoming_request_id(scope)
        token = request_id.set(rid)
        started, status = time.perf_counter(), 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            if logging_on:
                _log_request(scope, rid, status, time.perf_counter() - started)
            request_id.reset(token)

    return logged


def _log_request(scope: Scope, rid: str, status: int, seconds: float) -> None:
    event = {
        "event": "request",
        "request_id": rid,
        "method": scope.get("method", ""),
        "path": safe_path(scope.get("path", "")),
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
    }
    log.info("request", extra={"event": event})


class CoachReplyLog:
    """Times one coach reply and logs it once it has ended (one line, no text)."""

    def __init__(self, reply_id: str, user_id: object):
        self.reply_id, self.user_id = reply_id, user_id
        self.started = time.perf_counter()
        self.first_token: float | None = None

    def timing_first_token(
        self, show: Callable[[str, str], Awaitable[bool]]
    ) -> Callable[[str, str], Awaitable[bool]]:
        """`show` (the page's stream callback), noting when it is first called."""

        async def shown(message_id: str, text: str) -> bool:
            if self.first_token is None:
                self.first_token = time.perf_counter()
            return await show(message_id, text)

        return shown

    def ended(self, outcome: object, failure: str) -> None:
        with contextlib.suppress(Exception):  # a log line is never worth failing a reply
            reply_log.info("coach reply", extra={"event": self._event(outcome, failure)})

    def _event(self, outcome: object, failure: str) -> dict:
        meta = getattr(outcome, "meta", None) or {}
        usage = meta.get("usage") or {}
        if failure:
            ended = "not_sent" if outcome is None else "failed"
        elif meta.get("stopped"):
            ended = "stopped"
        else:
            ended = meta.get("error_kind") or "ok"
        first = self.first_token
        return {
            "event": "coach_reply",
            "request_id": self.reply_id,
            "user": hashed_user(self.user_id),
            "ended": ended,
            "duration_ms": round((time.perf_counter() - self.started) * 1000, 1),
            "first_token_ms": round((first - self.started) * 1000, 1) if first else None,
            "characters": len(getattr(outcome, "text", "") or ""),
            "output_tokens": usage.get("output_tokens"),
        }


# -- Sentry ------------------------------------------------------------------------------


def redact(text: str) -> str:
    """`text` without quoted strings, emails or token-like runs, cut short."""
    text = _QUOTED.sub("'…'", text)
    text = _EMAIL.sub("<email>", text)
    text = _TOKEN_LIKE.sub("<redacted>", text)
    return text[:MAX_VALUE_CHARS]


def _scrub_request(request: dict) -> dict:
    url = str(request.get("url") or "")
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    kept = {"method": request.get("method"), "url": f"{scheme}{sep}{host}{slash}"}
    kept["url"] += safe_path(path.split("?", 1)[0]).lstrip("/") if sep else ""
    headers = request.get("headers") or {}
    kept["headers"] = {k: v for k, v in headers.items() if k.lower() in _KEPT_HEADERS}
    return kept


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's `before_send`: what may leave, from an event about to be sent."""
    if "request" in event:
        event["request"] = _scrub_request(event["request"])
    event.pop("user", None)
    event.pop("extra", None)
    if logentry := event.get("logentry"):
        event["logentry"] = {"message": redact(str(logentry.get("message") or ""))}
    if isinstance(event.get("message"), str):
        event["message"] = redact(event["message"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = redact(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
    for crumb in values or []:
        crumb.pop("data", None)
        if isinstance(crumb.get("message"), str):
            crumb["message"] = redact(crumb["message"])
    return event


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    """Sentry's `before_breadcrumb`: a log line keeps its template, never its arguments."""
    record = (hint or {}).get("log_record")
    if record is not None:
        crumb["message"] = str(record.msg)
    crumb.pop("data", None)
    if isinstance(crumb.get("message"), str):
        crumb["message"] = redact(crumb["message"])
    return crumb


def init_sentry(settings: Settings) -> bool:
    """Start the Sentry SDK when SENTRY_DSN is set; whether it started."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_environment,
        # Collect as little as the SDK allows; scrub_event then cuts what is left.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(_KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "gen_ai": {"inputs": False, "outputs": False},
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=0.0,
    )
    return True


def report_error(exception: BaseException) -> None:
    """Send an error the app handled itself (a Reflex event that raised) to Sentry."""
    if "sentry_sdk" in sys.modules:
        import sentry_sdk

        sentry_sdk.capture_exception(exception)


def setup() -> None:
    """At the app's import, in each worker: logs, then Sentry."""
    settings = get_settings()
    configure_logging(settings)
    init_sentry(settings)
