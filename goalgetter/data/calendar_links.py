"""A person's Google Calendar connection: the refresh token (encrypted), the sync position,
and which Google event holds each of their check-ins.

`calendar_links`, `_id` = the user's ObjectId (one document per person who ever connected):

- `status`: "connected", or "revoked" when Google refused the grant (shown on Settings;
  connecting again replaces it); `account`: the Google address it is connected to;
- `token`: the refresh token, Fernet-encrypted under a key derived (HKDF) from the app's
  secret key, never stored in clear; gone once revoked;
- `sync_token`: Google's nextSyncToken of the last read (None: the next read is a full one);
- `events`: meeting id → {event_id, start, end, pending, checked}: the event as Google last
  had it as far as the app knows (what it wrote, or the change it read back). `pending`:
  an insert under way with this client-chosen id (retried with the same id, so a crash
  after Google stored it makes no second event); `checked` False: carried over from an
  earlier connection, to be confirmed (or recreated) in the calendar connected now;
- `lease`, `lease_until`: one sync of this person at a time, across processes.

Which connected people are due for a read sits in one directory document
(`calendar_sync_due`, `_id` "due": user id → when), so the scheduler's pass reads one
document rather than scanning (the embedded store scans for any filter but an exact `_id`).
"""

from __future__ import annotations

import base64
import functools
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pymongo import ReturnDocument

from goalgetter.data.client import get_db
from goalgetter.data.conditional import set_when

DUE = "due"
_KEY_INFO = b"goalgetter google-calendar refresh-token v1"


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_token(refresh_token: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(refresh_token.encode()).decode()


def decrypt_token(stored: str | None, secret_key: str) -> str | None:
    """The refresh token; None when there is none or it does not open under this key (a
    changed secret key: the person connects again)."""
    if not stored:
        return None
    try:
        return _fernet(secret_key).decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _from_stored(link: dict) -> dict:
    for field in ("connected_at", "last_sync_at", "error_at", "lease_until"):
        link[field] = _utc(link.get(field))
    for entry in (link.get("events") or {}).values():
        entry["start"], entry["end"] = _utc(entry.get("start")), _utc(entry.get("end"))
    link.setdefault("events", {})
    return link


async def get(user_id: ObjectId) -> dict | None:
    link = await get_db().calendar_links.find_one({"_id": user_id})
    return None if link is None else _from_stored(link)


async def connect(
    user_id: ObjectId,
    account: str,
    refresh_token: str,
    secret_key: str,
    now: datetime,
    before: dict | None = None,
) -> None:
    """Store a new grant (replacing `before`, the link there was) and make the person due
    for a read now. Events of an earlier connection to the same account are kept, unchecked
    (they may have been deleted meanwhile); of another account, left to be retired."""
    same_account = before is not None and before.get("account") == account
    events = {
        meeting_id: {**entry, "checked": False}
        for meeting_id, entry in ((before or {}).get("events") or {}).items()
        if same_account
    }
    await get_db().calendar_links.update_one(
        {"_id": user_id},
        {
            "$set": {
                "user_id": user_id,
                "status": "connected",
                "account": account,
                "token": encrypt_token(refresh_token, secret_key),
                "connected_at": now,
                "sync_token": None,
                "last_sync_at": None,
                "last_error": "",
                "error_at": None,
                "events": events,
                "lease": None,
                "lease_until": None,
            }
        },
        upsert=True,
    )
    await schedule_read(user_id, now)


async def claim(user_id: ObjectId, now: datetime, hold: timedelta) -> dict | None:
    """The connected link, leased to this caller (its `lease` inside) until now + hold; None
    when not connected or another sync holds it."""
    lease = secrets.token_hex(8)
    free = {
        "$and": [
            {"$eq": ["$status", "connected"]},
            {"$lte": [{"$ifNull": ["$lease_until", now]}, now]},
        ]
    }
    link = await get_db().calendar_links.find_one_and_update(
        {"_id": user_id},
        [{"$set": set_when(free, {"lease": lease, "lease_until": now + hold})}],
        return_document=ReturnDocument.AFTER,
    )
    if link is None or link.get("lease") != lease:
        return None
    return _from_stored(link)


async def release(user_id: ObjectId, lease: str, fields: dict | None = None) -> None:
    """End this caller's lease, writing `fields` in the same update."""
    mine = {"$eq": ["$lease", lease]}
    changes = {name: {"$literal": value} for name, value in (fields or {}).items()}
    changes.update(set_when(mine, {"lease": None, "lease_until": None}))
    await get_db().calendar_links.update_one({"_id": user_id}, [{"$set": changes}])


async def set_event(user_id: ObjectId, meeting_id: str, entry: dict) -> None:
    await get_db().calendar_links.update_one(
        {"_id": user_id}, {"$set": {f"events.{meeting_id}": entry}}
    )


async def drop_event(user_id: ObjectId, meeting_id: str) -> None:
    await get_db().calendar_links.update_one(
        {"_id": user_id}, {"$unset": {f"events.{meeting_id}": ""}}
    )


async def synced(
    user_id: ObjectId, lease: str, sync_token: str | None, now: datetime, next_read: datetime
) -> None:
    """A sync done: where Google's changes were read up to, and the lease ended."""
    fields = {"sync_token": sync_token, "last_sync_at": now, "last_error": ""}
    await release(user_id, lease, fields)
    await schedule_read(user_id, next_read)


async def failed(
    user_id: ObjectId, lease: str, error: str, now: datetime, next_read: datetime
) -> None:
    """Google could not be reached or answered 5xx: kept connected, read again later."""
    await release(user_id, lease, {"last_error": error[:300], "error_at": now})
    await schedule_read(user_id, next_read)


async def mark_revoked(user_id: ObjectId, error: str, now: datetime) -> None:
    """Google refused the grant (revoked at Google, expired): no token kept, no more reads;
    the event mapping stays for a later connection to take over."""
    await get_db().calendar_links.update_one(
        {"_id": user_id},
        {
            "$set": {
                "status": "revoked",
                "token": None,
                "sync_token": None,
                "last_error": error[:300],
                "error_at": now,
            }
        },
    )
    await _unschedule(user_id)


async def remove(user_id: ObjectId) -> None:
    """Everything stored of the person's connection."""
    await get_db().calendar_links.delete_many({"_id": user_id})
    await _unschedule(user_id)


# The directory of reads due ------------------------------------------------------------------


async def schedule_read(user_id: ObjectId, at: datetime) -> None:
    await get_db().calendar_sync_due.update_one(
        {"_id": DUE}, {"$set": {f"users.{user_id}": at}}, upsert=True
    )


async def _unschedule(user_id: ObjectId) -> None:
    await get_db().calendar_sync_due.update_one(
        {"_id": DUE}, {"$unset": {f"users.{user_id}": ""}}, upsert=True
    )


async def due_users(now: datetime) -> list[ObjectId]:
    """Connected people whose calendar is due for a read by `now`, the longest waiting first."""
    directory = await get_db().calendar_sync_due.find_one({"_id": DUE}) or {}
    due = [
        (at.replace(tzinfo=UTC), user)
        for user, at in (directory.get("users") or {}).items()
        if at.replace(tzinfo=UTC) <= now and ObjectId.is_valid(user)
    ]
    return [ObjectId(user) for _, user in sorted(due)]
