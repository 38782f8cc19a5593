"""Shares: private, revocable read-only links to chosen goals, for an accountability partner.

A share's `_id` is the SHA-256 of its token, so the token itself is never stored: a stolen
database names no working link. The token has 192 random bits; the page looks the share up
by the hash (an exact `_id`) and compares it in constant time as well. A revoked or expired
share answers exactly like one that never existed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from goalgetter.data import goals as goals_data
from goalgetter.data import meetings, users
from goalgetter.data.checkins import group_by_goal
from goalgetter.data.client import get_db
from goalgetter.domain.shares import (
    DIGEST_ON,
    DIGEST_PENDING,
    MAX_SHARED_GOALS,
    PARTNER_INVITES_PER_DAY,
    SHOWN_PHASES,
    SharedPage,
    check_expiry_days,
    check_partner_email,
    check_partner_name,
    recap_bullets,
    shared_goal,
)
from goalgetter.domain.timezones import first_zone
from goalgetter.domain.validation import ValidationError

TOKEN_BYTES = 24  # 192 bits
UNKNOWN_GOAL = "Only your own goals can be shared."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_share(
    user_id: ObjectId,
    *,
    goal_ids: list[str] | None,
    include_progress: bool,
    partner_name: str = "",
    partner_email: str = "",
    expiry_days: int = 0,
    now: datetime | None = None,
) -> tuple[str, dict]:
    """(the token, the share). `goal_ids` None: every active goal, as it is when opened.
    With `partner_email`, the digest waits for the partner's confirmation."""
    now = now or datetime.now(UTC)
    chosen = None if goal_ids is None else await _own_goal_ids(user_id, goal_ids)
    days = check_expiry_days(expiry_days)
    email = check_partner_email(partner_email, include_progress)
    if email:
        await _check_invites_today(user_id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    share = {
        "_id": token_hash(token),
        "user_id": user_id,
        "goal_ids": chosen,
        "include_progress": bool(include_progress),
        "partner_name": check_partner_name(partner_name),
        "partner_email": email,
        "digest": DIGEST_PENDING if email else None,
        "created_at": now,
        "expires_at": now + timedelta(days=days) if days else None,
        "revoked_at": None,
        "opened_count": 0,
        "last_opened_at": None,
    }
    await get_db().shares.insert_one(share)
    return token, share


async def _own_goal_ids(user_id: ObjectId, goal_ids: list[str]) -> list[ObjectId]:
    if not goal_ids or len(goal_ids) > MAX_SHARED_GOALS:
        raise ValidationError("share", "share_goals", f"Share 1 to {MAX_SHARED_GOALS} goals.")
    if not all(isinstance(goal_id, str) for goal_id in goal_ids):
        raise ValidationError("share", "share_goal_unknown", UNKNOWN_GOAL)
    chosen = []
    for goal_id in dict.fromkeys(goal_ids):
        goal = await goals_data.get_goal(user_id, goal_id)
        if goal is None:
            raise ValidationError("share", "share_goal_unknown", UNKNOWN_GOAL)
        chosen.append(goal["_id"])
    return chosen


async def _check_invites_today(user_id: ObjectId, now: datetime) -> None:
    """A few partner invitations a day: the confirmation mail goes to someone else."""
    since = now - timedelta(days=1)
    invited = [
        s for s in await list_shares(user_id, revoked_too=True)
        if s.get("partner_email") and s["created_at"].replace(tzinfo=UTC) > since
    ]  # fmt: skip
    if len(invited) >= PARTNER_INVITES_PER_DAY:
        raise ValidationError(
            "partner_email",
            "partner_invites",
            f"You invited {PARTNER_INVITES_PER_DAY} partners by email today. Try again tomorrow.",
        )


async def list_shares(user_id: ObjectId, *, revoked_too: bool = False) -> list[dict]:
    """The user's shares that still work or could (not revoked), newest first."""
    wanted = {"user_id": user_id} if revoked_too else {"user_id": user_id, "revoked_at": None}
    cursor = get_db().shares.find(wanted)
    return await cursor.sort("created_at", -1).to_list()


async def revoke_share(user_id: ObjectId, share_id: str, now: datetime | None = None) -> bool:
    """End one of the user's shares; its link answers 404 from then on."""
    if not isinstance(share_id, str) or len(share_id) != 64:
        return False
    db = get_db()
    # By `_id` alone (another filter would scan); the owner is compared here.
    share = await db.shares.find_one({"_id": share_id}, {"user_id": 1, "revoked_at": 1})
    if share is None or share["user_id"] != user_id or share.get("revoked_at"):
        return False
    await db.shares.update_one(
        {"_id": share_id}, {"$set": {"revoked_at": now or datetime.now(UTC)}}
    )
    return True


def is_live(share: dict, now: datetime) -> bool:
    expires_at = share.get("expires_at")
    return not share.get("revoked_at") and not (
        expires_at and expires_at.replace(tzinfo=UTC) <= now
    )


async def open_share(token: str, now: datetime | None = None) -> dict | None:
    """The share this token opens, counted as opened; None if there is none (unknown,
    revoked or expired: the same answer)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    now, wanted = now or datetime.now(UTC), token_hash(token)
    share = await get_db().shares.find_one({"_id": wanted})
    if share is None or not hmac.compare_digest(share["_id"], wanted):
        return None
    if not is_live(share, now):
        return None
    await get_db().shares.update_one(
        {"_id": wanted}, {"$inc": {"opened_count": 1}, "$set": {"last_opened_at": now}}
    )
    return share


async def shared_page(share: dict) -> SharedPage:
    """What the share shows now (goals archived or deleted since drop out)."""
    user_id = share["user_id"]
    user = await users.get_user(user_id) or {}
    zone = first_zone((user.get("settings") or {}).get("timezone"))
    chosen = share.get("goal_ids")
    phases = ("active",) if chosen is None else SHOWN_PHASES
    # One read of the person's goals (by the user index), then the chosen ones in order.
    found = await goals_data.goals_with_content(user_id, limit=500, phases=phases)
    if chosen is None:
        shown = found[:MAX_SHARED_GOALS]
    else:
        by_id = {g["_id"]: g for g in found}
        shown = [by_id[goal_id] for goal_id in chosen if goal_id in by_id]
    with_progress = bool(share.get("include_progress")) and user.get("phase") == "tracking"
    progress, recap = await _progress(user_id) if with_progress else ({}, ())
    return SharedPage(
        owner=(user.get("name") or "").split(" ")[0],
        partner=share.get("partner_name", ""),
        goals=tuple(shared_goal(g, progress.get(str(g["_id"]))) for g in shown),
        with_progress=with_progress,
        recap=recap,
        zone=zone.key,
    )


async def _progress(user_id: ObjectId) -> tuple[dict[str, list[dict]], tuple[str, ...]]:
    """Each goal's check-ins, and the latest recap's bullets: one read of the meetings."""
    upcoming, past = await meetings.list_meetings(user_id, past_limit=None)
    latest = next((m for m in past if m.get("recap")), None)
    return group_by_goal([*upcoming, *past]), recap_bullets(latest["recap"]) if latest else ()


async def live_share(share_id: str, now: datetime | None = None) -> dict | None:
    """A share by its id (the token's hash, as in a partner's signed link), if it works."""
    if not isinstance(share_id, str) or len(share_id) != 64:
        return None
    share = await get_db().shares.find_one({"_id": share_id})
    return share if share is not None and is_live(share, now or datetime.now(UTC)) else None


async def set_digest(share_id: str, state: str) -> None:
    await get_db().shares.update_one({"_id": share_id}, {"$set": {"digest": state}})


async def digest_shares(user_id: ObjectId, now: datetime) -> list[dict]:
    """The user's working shares whose partner confirmed the email after each check-in."""
    found = await list_shares(user_id)
    return [s for s in found if s.get("digest") == DIGEST_ON and is_live(s, now)]


async def delete_user_shares(user_id: ObjectId) -> int:
    return (await get_db().shares.delete_many({"user_id": user_id})).deleted_count


def share_goal_ids(share: dict) -> list[str]:
    return [str(g) for g in share.get("goal_ids") or []]
