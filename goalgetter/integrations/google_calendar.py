"""Google Calendar: the connection's OAuth exchange (authlib) and the Calendar API client
(google-api-python-client with google-auth credentials).

The connection is its own authorization, apart from sign-in: scope `calendar.events` (with
`openid email`, to show which Google account is connected), offline access and a consent
prompt so Google hands out a refresh token, state and PKCE S256. Google's endpoints come
from the OpenID configuration at GOOGLE_DISCOVERY_URL (token, revocation, userinfo) and the
Calendar API's base from GOOGLE_CALENDAR_API_URL, so tests use a loopback fake.

`CalendarClient` is blocking (httplib2 underneath): callers run its methods in a thread
(asyncio.to_thread), never on the event loop. The service is built from the discovery
document shipped beside this module, so building it fetches nothing. Failures come out as:
CalendarUnavailable (unreachable, timed out, 429, 5xx: try again later), CalendarRevoked
(the grant is gone or lacks the scope: the person must connect again), SyncTokenGone (410
on a sync token: read everything again), EventGone (404/410 for one event) and EventExists
(409: an insert's id is taken).
"""

from __future__ import annotations

import contextlib
import functools
import json
from datetime import datetime
from pathlib import Path

import google_auth_httplib2
import httplib2
import httpx2
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from goalgetter.integrations import oauth_clients
from goalgetter.integrations.oauth_clients import ProviderRefused, ProviderUnavailable
from goalgetter.settings import Settings

SCOPE = "https://www.googleapis.com/auth/calendar.events"
CONNECT_SCOPE = f"openid email {SCOPE}"
PRIMARY = "primary"
DISCOVERY = Path(__file__).with_name("google_calendar_discovery.json")
PAGE_SIZE = 250


class CalendarUnavailable(Exception):
    pass


class CalendarNotGranted(ProviderRefused):
    """The person let the app in but unticked calendar access on Google's consent page."""


class CalendarRevoked(Exception):
    pass


class SyncTokenGone(Exception):
    pass


class EventGone(Exception):
    pass


class EventExists(Exception):
    """409: an event with this id is in the calendar already (or was, and was deleted)."""


@functools.cache
def _discovery() -> dict:
    return json.loads(DISCOVERY.read_text())


# The connection ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _oauth_app(client_id: str, secret: str, discovery_url: str) -> StarletteOAuth2App:
    # Its own registration: sign-in asks for other scopes and for no offline access.
    return OAuth().register(
        "google_calendar",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=discovery_url,
        client_kwargs={
            "scope": CONNECT_SCOPE,
            "code_challenge_method": "S256",
            "timeout": oauth_clients.PROVIDER_TIMEOUT_SECONDS,
            "verify": oauth_clients._tls_context(),
        },
    )


def oauth_app(settings: Settings) -> StarletteOAuth2App:
    return _oauth_app(
        settings.google_client_id, settings.google_client_secret, settings.google_discovery_url
    )


def configured(settings: Settings) -> bool:
    return "google" in oauth_clients.configured_providers(settings)


async def authorization_request(settings: Settings, redirect_uri: str) -> dict:
    """{"url", "state", "code_verifier", "nonce"}: where to send the browser."""
    with oauth_clients._provider_errors():
        return await oauth_app(settings).create_authorization_url(
            redirect_uri, access_type="offline", prompt="consent", include_granted_scopes="true"
        )


async def exchange(settings: Settings, *, code: str, redirect_uri: str, verifier: str):
    """(refresh token, Google address) for the code; ProviderRefused when Google gave no
    refresh token or not the calendar scope."""
    app = oauth_app(settings)
    with oauth_clients._provider_errors():
        token = await app.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=verifier
        )
        if not token.get("refresh_token"):
            raise ProviderRefused("no refresh token")
        if SCOPE not in str(token.get("scope", SCOPE)).split():
            raise CalendarNotGranted("calendar access was not granted")
        info = await app.userinfo(token=token)
    return token["refresh_token"], str(info.get("email") or "")


async def endpoints(settings: Settings) -> tuple[str, str]:
    """(token endpoint, revocation endpoint) from Google's OpenID configuration (read once
    per process)."""
    with oauth_clients._provider_errors():
        metadata = await oauth_app(settings).load_server_metadata()
    return metadata["token_endpoint"], metadata.get("revocation_endpoint", "")


async def revoke(settings: Settings, refresh_token: str) -> bool:
    """Revoke the grant at Google; False when Google could not be told (unreachable, 5xx)."""
    try:
        _, revocation = await endpoints(settings)
        async with httpx2.AsyncClient(
            timeout=settings.google_calendar_timeout_seconds, verify=oauth_clients._tls_context()
        ) as http:
            answer = await http.post(revocation, data={"token": refresh_token})
    except (ProviderUnavailable, ProviderRefused, httpx2.TransportError, KeyError):
        return False
    # 400 invalid_token: already revoked or expired, which is what was asked.
    return answer.status_code in (200, 400)


# The Calendar API ------------------------------------------------------------------------------


class CalendarClient:
    """One person's primary calendar. Blocking: call its methods through asyncio.to_thread,
    one at a time (the credentials are refreshed in place)."""

    def __init__(self, credentials: Credentials, settings: Settings):
        self.credentials = credentials
        http = httplib2.Http(timeout=settings.google_calendar_timeout_seconds)
        self._service = build_from_document(
            _discovery(),
            http=google_auth_httplib2.AuthorizedHttp(credentials, http=http),
            client_options={"api_endpoint": settings.google_calendar_api_url},
        )

    def insert(self, body: dict) -> dict:
        with _calendar_errors():
            return self._service.events().insert(calendarId=PRIMARY, body=body).execute()

    def patch(self, event_id: str, body: dict) -> dict:
        with _calendar_errors(event=True):
            return (
                self._service.events()
                .patch(calendarId=PRIMARY, eventId=event_id, body=body)
                .execute()
            )

    def delete(self, event_id: str) -> None:
        """Delete the event; one already gone is no error."""
        with contextlib.suppress(EventGone), _calendar_errors(event=True):
            self._service.events().delete(calendarId=PRIMARY, eventId=event_id).execute()

    def changes(self, sync_token: str | None) -> tuple[list[dict], str]:
        """(events changed since `sync_token`, deleted ones with status "cancelled"; the
        token for next time). None: every event, a full read."""
        events, page = [], None
        while True:
            query = {"calendarId": PRIMARY, "maxResults": PAGE_SIZE, "showDeleted": True}
            if sync_token:
                query["syncToken"] = sync_token
            if page:
                query["pageToken"] = page
            with _calendar_errors(sync=True):
                answer = self._service.events().list(**query).execute()
            events += answer.get("items", [])
            page = answer.get("nextPageToken")
            if not page:
                return events, answer.get("nextSyncToken", "")


def credentials(
    refresh_token: str, settings: Settings, token_uri: str, access: tuple | None = None
) -> Credentials:
    """Credentials refreshed against `token_uri` when their access token (`access`: a
    (token, expiry) kept from an earlier call) is missing or expired."""
    token, expiry = access or (None, None)
    return Credentials(
        token,
        refresh_token=refresh_token,
        token_uri=token_uri,
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret,
        scopes=[SCOPE],
        expiry=expiry,
    )


def event_start_end(event: dict) -> tuple[datetime | None, datetime | None]:
    """An event's start and end instants; None for an all-day event (a date, no time)."""
    times = []
    for field in ("start", "end"):
        value = (event.get(field) or {}).get("dateTime")
        try:
            parsed = datetime.fromisoformat(value) if value else None
        except ValueError:
            parsed = None
        times.append(parsed if parsed is not None and parsed.utcoffset() is not None else None)
    return times[0], times[1]


@contextlib.contextmanager
def _calendar_errors(*, event: bool = False, sync: bool = False):
    try:
        yield
    except HttpError as error:
        status = error.status_code or 0
        if sync and status == 410:
            raise SyncTokenGone(str(error)) from error
        if event and status in (404, 410):
            raise EventGone(str(error)) from error
        if status == 409:
            raise EventExists(str(error)) from error
        if status in (401, 403) and not _rate_limited(error):
            raise CalendarRevoked(str(error)) from error
        if status == 429 or status >= 500 or _rate_limited(error):
            raise CalendarUnavailable(str(error)) from error
        raise
    except RefreshError as error:
        # invalid_grant: revoked, expired or the password changed. A 5xx of the token
        # endpoint is retryable, and google-auth says so.
        if getattr(error, "retryable", False):
            raise CalendarUnavailable(str(error)) from error
        raise CalendarRevoked(str(error)) from error
    except (TimeoutError, TransportError, httplib2.HttpLib2Error, OSError) as error:
        raise CalendarUnavailable(str(error) or type(error).__name__) from error


def _rate_limited(error: HttpError) -> bool:
    """Google answers quota problems with 403 and a reason, not only with 429."""
    reasons = {
        detail.get("reason") for detail in (error.error_details or []) if isinstance(detail, dict)
    }
    return bool(reasons & {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
