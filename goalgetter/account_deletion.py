"""Deleting an account: every tab signed out, the calendars cleaned, every document gone.

Sessions end first, so no tab of the person can write while their data is deleted (each
event checks the server-side session); the account and its email key go last, so a
deletion cut short can be run again by signing in, and the email is then free for a new
account that sees nothing of the old one.
"""

from __future__ import annotations

import logging

from bson import ObjectId

from goalgetter import calendar_sync
from goalgetter.data import account_data, calendar_links, password_resets, sessions, users

log = logging.getLogger(__name__)


async def delete_account(user_id: ObjectId) -> dict[str, int]:
    """Delete the person and everything of theirs; counts of what went, by kind."""
    counts = {"sessions": await sessions.delete_all_for_user(user_id)}
    try:
        # Events the app made in their Google Calendar deleted, the grant revoked at Google.
        await calendar_sync.delete_user_calendar(user_id)
    except Exception:
        # Google down must not keep a person's data here: what is stored goes regardless.
        log.exception("Could not clean the Google Calendar of %s", user_id)
        await calendar_links.remove(user_id)
    counts |= await account_data.delete_owned(user_id)
    counts["password_resets"] = await password_resets.delete_all_for_user(user_id)
    counts["account"] = int(await users.delete_user(user_id))
    return counts
