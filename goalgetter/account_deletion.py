"""Deleting an account: every tab signed out, the calendars cleaned, every document gone.

Sessions end first, so no tab of the person can write while their data is deleted (each
event checks the server-side session); the account and its email key go last, so a
deletion cut short can be run again by signing in, and the email is then free for a new
account that sees nothing of the old one.
"""

from __future__ import annotations

import logging

from bson import ObjectId

from goalgetter.data import account_data, password_resets, sessions, users

log = logging.getLogger(__name__)


async def delete_account(user_id: ObjectId) -> dict[str, int]:
    """Delete the person and everything of theirs; counts of what went, by kind."""
    counts = {"sessions": await sessions.delete_all_for_user(user_id)}
    counts |= await account_data.delete_owned(user_id)
    counts["password_resets"] = await password_resets.delete_all_for_user(user_id)
    counts["account"] = int(await users.delete_user(user_id))
    return counts
