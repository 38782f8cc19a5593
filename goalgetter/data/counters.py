"""The product's own health figures, counted where each event happens: one document
(`_id` "product" in `counters`) updated with `$inc`, so /status reads one document instead
of scanning users, goals and meetings (a count scans on the embedded store).

It counts events, never people by name: no user id, email or text is ever written here, so
deleting an account leaves nothing of the person in it. "Once per person" events are made
once by a flag on the person's own document (`users.<flag>`), set with a compare-and-set,
which goes with the account.

A count that cannot be written is logged and dropped: the event it counts (a sign-up, a
check-in) is never refused for it.
"""

from __future__ import annotations

import logging

from bson import ObjectId

from goalgetter.data.client import get_db

log = logging.getLogger(__name__)

PRODUCT = "product"
SIGNED_UP = "signed_up"
FINISHED_GOAL_SETTING = "finished_goal_setting"  # people whose first goal became active
MOVED_TO_TRACKING = "moved_to_tracking"
CHECKINS_ATTENDED = "checkins_attended"
CHECKINS_MISSED = "checkins_missed"
GOALS_COMPLETED = "goals_completed"
NAMES = (
    SIGNED_UP,
    FINISHED_GOAL_SETTING,
    MOVED_TO_TRACKING,
    CHECKINS_ATTENDED,
    CHECKINS_MISSED,
    GOALS_COMPLETED,
)
# The flag on a person's document that makes FINISHED_GOAL_SETTING count them once.
_GOAL_SET_FLAG = "counted_goal_set"


async def count(**increments: int) -> None:
    """Adds to the named counters (NAMES) in one write."""
    unknown = set(increments) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    increments = {name: amount for name, amount in increments.items() if amount}
    if not increments:
        return
    try:
        await get_db().counters.update_one({"_id": PRODUCT}, {"$inc": increments}, upsert=True)
    except Exception:
        log.exception("Could not count %s", sorted(increments))


async def count_goal_set_once(user_id: ObjectId) -> None:
    """FINISHED_GOAL_SETTING, the first time this person has an active goal."""
    try:
        flagged = await get_db().users.update_one(
            {"_id": user_id, _GOAL_SET_FLAG: {"$exists": False}}, {"$set": {_GOAL_SET_FLAG: True}}
        )
    except Exception:
        log.exception("Could not flag a finished goal setting")
        return
    if flagged.modified_count:
        await count(**{FINISHED_GOAL_SETTING: 1})


async def product_counts() -> dict[str, int]:
    """Every counter (0 for one never counted)."""
    stored = await get_db().counters.find_one({"_id": PRODUCT}) or {}
    return {name: int(stored.get(name) or 0) for name in NAMES}


def _fraction(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def health_figures(counts: dict[str, int]) -> dict:
    """The counters, and the fractions an operator watches."""
    checkins = counts[CHECKINS_ATTENDED] + counts[CHECKINS_MISSED]
    return {
        **counts,
        "finished_goal_setting_fraction": _fraction(
            counts[FINISHED_GOAL_SETTING], counts[SIGNED_UP]
        ),
        "moved_to_tracking_fraction": _fraction(counts[MOVED_TO_TRACKING], counts[SIGNED_UP]),
        "checkin_attendance": _fraction(counts[CHECKINS_ATTENDED], checkins),
    }
