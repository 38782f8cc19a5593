"""Two-way Google Calendar sync of a person's check-ins.

One sync of a person (`sync_user`) is: read what changed in their primary calendar since the
last read (Google's syncToken; a 410 means read everything again), apply the changes made to
the app's events, then make the calendar match the check-ins (`_push`):

- a check-in planned → an event created, with an id chosen here and written down before the
  insert, so a retry after a lost answer finds it (409) instead of making a second one;
- moved in the app → the event moved; cancelled → deleted; replaced by a new schedule →
  deleted; past and archived → left in the calendar, forgotten here;
- moved in Google → a reschedule through the app's own rule (data/meetings.reschedule), or,
  when the rule refuses, moved back and the person told why by mail;
- deleted in Google → a cancel through the app's own rule (data/meetings.cancel), or created
  again and the person told why. A past check-in deleted from the calendar is only forgotten.
  (These two: goalgetter/calendar_incoming.py.)

What each event looked like at Google the last time the app wrote or read it is kept per
check-in (data/calendar_links.py), so a change the person made is told apart from the app's
own writes coming back in the next read, and from an app change still to be written.

The scheduler's tick calls `poll_soon` (the people due, every GOOGLE_CALENDAR_POLL_SECONDS),
and every change to check-ins calls `push_soon`: both run beside the caller, which never
waits for Google. Google's calls are blocking and run in threads. Google down, slow or
answering 5xx: recorded, tried again at the next read; the grant refused: the connection is
marked revoked (Settings shows it) and reads stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import secrets
import weakref
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bson import ObjectId

from goalgetter import calendar_incoming
from goalgetter.background import BackgroundTasks
from goalgetter.data import calendar_links, meetings
from goalgetter.data import meeting_state as ms
from goalgetter.domain.timezones import first_zone
from goalgetter.integrations import google_calendar as gc
from goalgetter.integrations.oauth_clients import ProviderRefused, ProviderUnavailable
from goalgetter.settings import get_settings

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # one sync of a person at a time, across processes
POLL_CONCURRENCY = 4
EVENT_SUMMARY = "Check-in with your GoalGetter coach"

_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
_access_tokens: dict[str, tuple] = {}  # (user, grant) → (access token, expiry): fewer refreshes
_tasks = BackgroundTasks()
_poll: asyncio.Task | None = None


@dataclasses.dataclass
class SyncReport:
    read: int = 0  # changed events read
    full: bool = False  # everything was read (first read, or the sync token expired)
    moved: int = 0  # check-ins moved because they were moved in Google
    cancelled: int = 0  # check-ins cancelled because they were deleted in Google
    refused: int = 0  # Google changes undone (the rules refused them)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    problem: str = ""  # "unavailable" or "revoked" when the sync stopped


# Running a sync ------------------------------------------------------------------------------


def _lock(user_id: ObjectId) -> asyncio.Lock:
    lock = _locks.get(str(user_id))
    if lock is None:
        lock = _locks[str(user_id)] = asyncio.Lock()
    return lock


async def sync_user(user_id: ObjectId, now: datetime | None = None) -> SyncReport | None:
    """One sync of the person's calendar; None when not connected (or another process is
    syncing it right now)."""
    now = now or datetime.now(UTC)
    settings = get_settings()
    async with _lock(user_id):
        link = await calendar_links.claim(user_id, now, LEASE)
        if link is None:
            return None
        report, lease = SyncReport(), link["lease"]
        next_read = now + timedelta(seconds=settings.google_calendar_poll_seconds)
        try:
            client = await _client(user_id, link)
            sync_token = await _pull(client, link, user_id, now, report)
            await _push(client, link, user_id, now, report)
            _keep_access(user_id, link, client)
            await calendar_links.synced(user_id, lease, sync_token, now, next_read)
        except gc.CalendarRevoked as error:
            report.problem = "revoked"
            log.info("Google Calendar of %s: access refused (%s)", user_id, error)
            await calendar_links.mark_revoked(user_id, str(error), now)
            await calendar_links.release(user_id, lease)
        except Exception as error:  # Google down or answering nonsense: the next read retries
            report.problem = "unavailable"
            if not isinstance(error, gc.CalendarUnavailable):
                log.exception("Google Calendar sync of %s failed", user_id)
            problem = str(error) or type(error).__name__
            await calendar_links.failed(user_id, lease, problem, now, next_read)
        return report


def _grant_key(user_id: ObjectId, link: dict) -> str:
    return f"{user_id}:{hashlib.sha256((link.get('token') or '').encode()).hexdigest()[:16]}"


async def _client(user_id: ObjectId, link: dict) -> gc.CalendarClient:
    settings = get_settings()
    refresh_token = calendar_links.decrypt_token(link.get("token"), settings.resolved_secret_key())
    if refresh_token is None:
        raise gc.CalendarRevoked("the stored grant can no longer be read")
    try:
        token_uri, _ = await gc.endpoints(settings)
    except (ProviderUnavailable, ProviderRefused, KeyError) as error:
        raise gc.CalendarUnavailable(str(error)) from error
    access = _access_tokens.get(_grant_key(user_id, link))
    credentials = gc.credentials(refresh_token, settings, token_uri, access)
    return await asyncio.to_thread(gc.CalendarClient, credentials, settings)


def _keep_access(user_id: ObjectId, link: dict, client: gc.CalendarClient) -> None:
    credentials = client.credentials
    if credentials.token:
        _access_tokens[_grant_key(user_id, link)] = (credentials.token, credentials.expiry)


def push_soon(user_id: ObjectId) -> None:
    """Bring the calendar up to date with the person's check-ins, beside the caller (a
    person not connected costs one read)."""
    if not gc.configured(get_settings()):
        return
    _tasks.start(_quietly(sync_user(user_id)))


async def finish_pending() -> None:
    """Wait for the syncs started by `push_soon` and `poll_soon` (shutting down, tests)."""
    pending = [*_tasks.running(), *([_poll] if _poll is not None else [])]
    await asyncio.gather(*pending, return_exceptions=True)


async def _quietly(work) -> None:
    try:
        await work
    except Exception:
        log.exception("Google Calendar sync failed")


async def poll_due(now: datetime) -> list[SyncReport | None]:
    """A sync of every connected person due for a read by `now`, a few at a time."""
    slots = asyncio.Semaphore(POLL_CONCURRENCY)

    async def one(user_id: ObjectId) -> SyncReport | None:
        async with slots:
            try:
                return await sync_user(user_id, now)
            except Exception:
                log.exception("Google Calendar sync of %s failed", user_id)
                return None

    return list(await asyncio.gather(*(one(u) for u in await calendar_links.due_users(now))))


def poll_soon(now: datetime) -> None:
    """The scheduler tick's call: a poll pass beside the tick, unless one is still running."""
    global _poll
    if not gc.configured(get_settings()) or (_poll is not None and not _poll.done()):
        return
    _poll = asyncio.create_task(_quietly(poll_due(now)))


# Reading Google's changes ----------------------------------------------------------------------


async def _pull(
    client: gc.CalendarClient, link: dict, user_id: ObjectId, now: datetime, report: SyncReport
) -> str:
    """Apply the changes made in Google since the last read; the next sync token."""
    sync_token = link.get("sync_token")
    report.full = not sync_token
    try:
        events, next_token = await asyncio.to_thread(client.changes, sync_token)
    except gc.SyncTokenGone:
        report.full = True
        events, next_token = await asyncio.to_thread(client.changes, None)
    report.read = len(events)
    mapping = link["events"]
    owners = {entry["event_id"]: meeting_id for meeting_id, entry in mapping.items()}
    for event in events:
        meeting_id = owners.get(event.get("id"))
        if meeting_id is not None and meeting_id in mapping:
            await calendar_incoming.apply(user_id, meeting_id, mapping, event, now, report)
    return next_token


# Writing the check-ins to Google ---------------------------------------------------------------


def event_body(meeting: dict, zone: ZoneInfo) -> dict:
    link = f"{get_settings().public_url.rstrip('/')}/meetings"
    return {
        "summary": EVENT_SUMMARY,
        "description": f"Your check-in with your goal coach. Open GoalGetter: {link}",
        "start": {"dateTime": meeting["start"].astimezone(zone).isoformat(), "timeZone": zone.key},
        "end": {"dateTime": meeting["end"].astimezone(zone).isoformat(), "timeZone": zone.key},
        "source": {"title": "GoalGetter", "url": link},
        "extendedProperties": {"private": {"goalgetterMeeting": meeting["id"]}},
    }


async def _push(
    client: gc.CalendarClient, link: dict, user_id: ObjectId, now: datetime, report: SyncReport
) -> None:
    state = await meetings.series(user_id)
    mapping = link["events"]
    current = {m["id"]: m for m in state["meetings"]} if state else {}
    zone = first_zone(state["schedule"].get("timezone") if state else None)
    for meeting_id, meeting in current.items():
        entry = mapping.get(meeting_id)
        if meeting["status"] == "cancelled":
            if entry is not None:
                await _delete(client, user_id, mapping, meeting_id, report)
        elif entry is None:
            if meeting["status"] in ms.OPEN and meeting["end"] > now:
                await _write(client, user_id, mapping, meeting, zone, report)
        elif _stale(entry, meeting):
            await _write(client, user_id, mapping, meeting, zone, report)
    for meeting_id, entry in list(mapping.items()):
        if meeting_id in current:
            continue
        if entry["start"] is not None and entry["start"] > now:  # replaced by a new schedule
            await _delete(client, user_id, mapping, meeting_id, report)
        else:  # finished and archived: the event stays in the calendar as it is
            del mapping[meeting_id]
            await calendar_links.drop_event(user_id, meeting_id)


def _stale(entry: dict, meeting: dict) -> bool:
    return (
        entry.get("pending")
        or not entry.get("checked", True)
        or (entry["start"], entry["end"]) != (meeting["start"], meeting["end"])
    )


async def _write(client, user_id, mapping, meeting, zone, report) -> None:
    """Create the meeting's event, or move the one there is to where the check-in is."""
    meeting_id = meeting["id"]
    entry = mapping.get(meeting_id)
    body = event_body(meeting, zone)
    done = None
    if entry is not None and not entry.get("pending"):
        try:
            done = await asyncio.to_thread(client.patch, entry["event_id"], body)
            report.updated += 1
        except gc.EventGone:  # deleted at Google (or another calendar now): made again
            entry = None
    if done is None:
        event_id = entry["event_id"] if entry else f"gg{meeting_id}{secrets.token_hex(4)}"
        planned = {"event_id": event_id, "start": None, "end": None, "pending": True}
        mapping[meeting_id] = planned
        await calendar_links.set_event(user_id, meeting_id, planned)
        try:
            done = await asyncio.to_thread(client.insert, {**body, "id": event_id})
        except gc.EventExists:  # an earlier attempt got there
            done = await asyncio.to_thread(client.patch, event_id, body)
        report.created += 1
    start, end = gc.event_start_end(done)
    written = {"event_id": done["id"], "start": start, "end": end, "pending": False}
    mapping[meeting_id] = written
    await calendar_links.set_event(user_id, meeting_id, written)


async def _delete(client, user_id, mapping, meeting_id: str, report: SyncReport) -> None:
    await asyncio.to_thread(client.delete, mapping[meeting_id]["event_id"])
    report.deleted += 1
    del mapping[meeting_id]
    await calendar_links.drop_event(user_id, meeting_id)


# The connection ------------------------------------------------------------------------------


async def status(user_id: ObjectId) -> dict:
    """What Settings shows: {"state": "none" | "connected" | "revoked", "account",
    "last_sync_at", "problem"}."""
    link = await calendar_links.get(user_id)
    if link is None:
        return {"state": "none", "account": "", "last_sync_at": None, "problem": ""}
    return {
        "state": link["status"],
        "account": link.get("account") or "",
        "last_sync_at": link.get("last_sync_at"),
        "problem": link.get("last_error") or "",
    }


async def disconnect(user_id: ObjectId, *, every_event: bool = False) -> None:
    """Revoke the grant at Google, delete the app's upcoming events (`every_event`: all of
    them) while it still can, and forget the connection. Google being down or the grant
    gone already still forgets it here."""
    async with _lock(user_id):
        link = await calendar_links.get(user_id)
        if link is None:
            return
        await _retire(user_id, link, every_event=every_event)
        await calendar_links.remove(user_id)


def retire_soon(user_id: ObjectId, link: dict) -> None:
    """A grant replaced by one for another Google account: its upcoming events deleted
    from that calendar and the grant revoked, beside the caller."""
    _tasks.start(_quietly(_retire(user_id, link)))


async def _retire(user_id: ObjectId, link: dict, *, every_event: bool = False) -> None:
    settings, now = get_settings(), datetime.now(UTC)
    refresh_token = calendar_links.decrypt_token(link.get("token"), settings.resolved_secret_key())
    if refresh_token is not None and link["status"] == "connected":
        with contextlib.suppress(gc.CalendarUnavailable, gc.CalendarRevoked):
            client = await _client(user_id, link)
            for entry in link["events"].values():
                if every_event or entry["start"] is None or entry["start"] > now:
                    await asyncio.to_thread(client.delete, entry["event_id"])
        await gc.revoke(settings, refresh_token)
    _access_tokens.pop(_grant_key(user_id, link), None)


async def delete_user_calendar(user_id: ObjectId) -> None:
    """Account deletion: the grant revoked, every event the app created deleted, nothing of
    the connection kept."""
    await disconnect(user_id, every_event=True)
