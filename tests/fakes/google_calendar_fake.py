"""A loopback Google Calendar API v3 (events) for tests, on the loopback OAuth server.

Its routes join FakeOAuth's server (`add_routes`), and requests are authorised by the access
tokens that server issued (`account_for`), so the app's real google-api-python-client,
google-auth refreshes and authlib exchange all run over real HTTP.

Each Google account has one primary calendar. Implemented: events insert (client-chosen ids
in base32hex; a taken id answers 409 "duplicate", also once the event was deleted), get,
patch, update, delete (a deleted event stays, status "cancelled", and answers 410 after),
and list with pages (pageToken/nextPageToken), `showDeleted`, and incremental sync: every
list's last page carries a nextSyncToken, and a list with a syncToken returns the events
changed since, deleted ones included. `expire_sync_tokens()` makes every token issued so far
answer 410 fullSyncRequired, as Google does when a token gets too old.

What the person does in Google Calendar is `person_moves`, `person_deletes` and
`person_adds`; `fail_next(n, status)` makes the next n API calls fail, `hang_next(n)` answer
too late.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.oauth_fake import FakeOAuth, GoogleAccount

API_PATH = "/calendar/v3"
HANG_SECONDS = 5.0
_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")


@dataclass
class FakeGoogleCalendar:
    oauth: FakeOAuth
    calendars: dict[str, dict[str, dict]] = field(default_factory=dict)  # email → id → event
    requests: list[dict] = field(default_factory=list)  # method, path, query of API calls
    _changed: dict[tuple[str, str], int] = field(default_factory=dict)  # (email, id) → change
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _token_generation: int = 0
    _failures: list[int] = field(default_factory=list)
    _hangs: int = 0
    _hang_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        """GOOGLE_CALENDAR_API_URL for the app."""
        return f"{self.oauth.url}{API_PATH}/"

    def install(self) -> FakeGoogleCalendar:
        base = f"{API_PATH}/calendars/{{calendar_id}}/events"
        self.oauth.add_routes(
            Route(base, self._list, methods=["GET"]),
            Route(base, self._insert, methods=["POST"]),
            Route(f"{base}/{{event_id}}", self._get, methods=["GET"]),
            Route(f"{base}/{{event_id}}", self._patch, methods=["PATCH"]),
            Route(f"{base}/{{event_id}}", self._update, methods=["PUT"]),
            Route(f"{base}/{{event_id}}", self._delete, methods=["DELETE"]),
        )
        return self

    def settings_env(self) -> dict[str, str]:
        return {**self.oauth.settings_env(), "GOOGLE_CALENDAR_API_URL": self.api_url}

    def reset(self) -> None:
        with self._lock:
            self.calendars.clear()
            self.requests.clear()
            self._changed.clear()
            self._failures.clear()

    # --- what tests arrange and look at ------------------------------------------------------

    def events(self, email: str, *, deleted: bool = False) -> list[dict]:
        with self._lock:
            found = list(self.calendars.get(email, {}).values())
        return [e for e in found if deleted or e["status"] != "cancelled"]

    def event(self, email: str, event_id: str) -> dict | None:
        with self._lock:
            return self.calendars.get(email, {}).get(event_id)

    def person_moves(self, email: str, event_id: str, start: datetime, end: datetime) -> None:
        with self._lock:
            event = self.calendars[email][event_id]
            event["start"] = {"dateTime": start.isoformat(), "timeZone": "UTC"}
            event["end"] = {"dateTime": end.isoformat(), "timeZone": "UTC"}
            self._touch(email, event)

    def person_makes_all_day(self, email: str, event_id: str, day: str) -> None:
        with self._lock:
            event = self.calendars[email][event_id]
            event["start"], event["end"] = {"date": day}, {"date": day}
            self._touch(email, event)

    def person_deletes(self, email: str, event_id: str) -> None:
        with self._lock:
            event = self.calendars[email][event_id]
            event["status"] = "cancelled"
            self._touch(email, event)

    def person_adds(self, email: str, summary: str, start: datetime, end: datetime) -> dict:
        body = {
            "summary": summary,
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": end.isoformat()},
        }
        with self._lock:
            return self._store(email, body)

    def revoke_everything(self) -> None:
        """The person removes the app's access in their Google account: every token issued
        so far stops working."""
        with self.oauth._lock:
            issued = [*self.oauth._access, *self.oauth._refresh]
        self.oauth.revoked.update(issued)

    def expire_sync_tokens(self) -> None:
        self._token_generation += 1

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        with self._lock:
            self._failures += [status] * count

    def reset_failures(self) -> None:
        with self._lock:
            self._failures.clear()
            self._hangs = 0

    def hang_next(self, count: int = 1, seconds: float = HANG_SECONDS) -> None:
        """The next `count` API calls answer only after `seconds` (a client gives up first)."""
        with self._lock:
            self._hangs, self._hang_seconds = count, seconds

    # --- the API --------------------------------------------------------------------------------

    async def _calendar(self, request: Request) -> tuple[str | None, Response | None]:
        query = dict(request.query_params)
        self.requests.append({"method": request.method, "path": request.url.path, "query": query})
        with self._lock:
            status = self._failures.pop(0) if self._failures else None
            hang, self._hangs = self._hangs > 0, max(0, self._hangs - 1)
        if hang:
            await asyncio.sleep(self._hang_seconds)  # a Google that does not answer in time
        if status is not None:
            return None, _error(status, "backendError", "Backend Error")
        account = self.oauth.account_for(request)
        if not isinstance(account, GoogleAccount):
            return None, _error(401, "authError", "Invalid Credentials")
        wanted = request.path_params["calendar_id"]
        if wanted not in ("primary", account.email):
            return None, _error(404, "notFound", "Not Found")
        return account.email, None

    def _touch(self, email: str, event: dict) -> None:
        number = next(self._counter)
        event["updated"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        event["etag"] = f'"{number}"'
        self._changed[(email, event["id"])] = number

    def _store(self, email: str, body: dict) -> dict:
        event_id = body.get("id") or secrets.token_hex(13)
        event = {
            **body,
            "kind": "calendar#event",
            "id": event_id,
            "status": "confirmed",
            "iCalUID": f"{event_id}@google.com",
            "created": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "sequence": 0,
        }
        self.calendars.setdefault(email, {})[event_id] = event
        self._touch(email, event)
        return event

    async def _insert(self, request: Request) -> Response:
        email, refused = await self._calendar(request)
        if refused:
            return refused
        body = await request.json()
        wanted = body.get("id")
        if wanted is not None and not _EVENT_ID.fullmatch(str(wanted)):
            return _error(400, "invalid", "Invalid resource id value.")
        with self._lock:
            if wanted is not None and wanted in self.calendars.get(email, {}):
                return _error(409, "duplicate", "The requested identifier already exists.")
            return JSONResponse(self._store(email, body))

    def _found(self, email: str, request: Request) -> tuple[dict | None, Response | None]:
        event = self.calendars.get(email, {}).get(request.path_params["event_id"])
        if event is None:
            return None, _error(404, "notFound", "Not Found")
        return event, None

    async def _get(self, request: Request) -> Response:
        email, refused = await self._calendar(request)
        if refused:
            return refused
        with self._lock:
            event, missing = self._found(email, request)
            return missing or JSONResponse(event)

    async def _patch(self, request: Request, *, replace: bool = False) -> Response:
        email, refused = await self._calendar(request)
        if refused:
            return refused
        body = await request.json()
        with self._lock:
            event, missing = self._found(email, request)
            if missing:
                return missing
            if event["status"] == "cancelled":
                return _error(410, "deleted", "Resource has been deleted")
            kept = {k: event[k] for k in ("kind", "id", "iCalUID", "created", "status")}
            if replace:
                event.clear()
            event.update({**body, **kept})
            event["sequence"] = event.get("sequence", 0) + 1
            self._touch(email, event)
            return JSONResponse(event)

    async def _update(self, request: Request) -> Response:
        return await self._patch(request, replace=True)

    async def _delete(self, request: Request) -> Response:
        email, refused = await self._calendar(request)
        if refused:
            return refused
        with self._lock:
            event, missing = self._found(email, request)
            if missing:
                return missing
            if event["status"] == "cancelled":
                return _error(410, "deleted", "Resource has been deleted")
            event["status"] = "cancelled"
            self._touch(email, event)
        return Response(status_code=204)

    async def _list(self, request: Request) -> Response:
        email, refused = await self._calendar(request)
        if refused:
            return refused
        query = request.query_params
        size = max(1, min(int(query.get("maxResults", 250)), 2500))
        if "pageToken" in query:
            cursor = json.loads(base64.urlsafe_b64decode(query["pageToken"]))
        else:
            cursor = {"since": 0, "offset": 0, "deleted": query.get("showDeleted") == "true"}
            if "syncToken" in query:
                since = _read_sync_token(query["syncToken"], self._token_generation)
                if since is None:
                    return _error(410, "fullSyncRequired", "Sync token is no longer valid.")
                cursor.update(since=since, deleted=True)
            with self._lock:
                cursor["until"] = max(self._changed.values(), default=0)
        return JSONResponse(self._page(email, cursor, size))

    def _page(self, email: str, cursor: dict, size: int) -> dict:
        with self._lock:
            changed = sorted(
                (number, self.calendars[owner][event_id])
                for (owner, event_id), number in self._changed.items()
                if owner == email and cursor["since"] < number <= cursor["until"]
            )
        events = [e for _, e in changed if cursor["deleted"] or e["status"] != "cancelled"]
        offset = cursor["offset"]
        answer = {"kind": "calendar#events", "items": events[offset : offset + size]}
        if offset + size < len(events):
            following = {**cursor, "offset": offset + size}
            answer["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps(following).encode()
            ).decode()
        else:
            answer["nextSyncToken"] = f"s{self._token_generation}-{cursor['until']}"
        return answer


def _read_sync_token(token: str, generation: int) -> int | None:
    """The change number a token was issued at; None when it expired or is not one of ours."""
    match = re.fullmatch(r"s(\d+)-(\d+)", token)
    if match is None or int(match[1]) != generation:
        return None
    return int(match[2])


def _error(status: int, reason: str, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"domain": "global", "reason": reason, "message": message}],
            }
        },
        status_code=status,
    )
