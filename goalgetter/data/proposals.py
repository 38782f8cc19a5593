"""Deciding the coach's proposals: each is accepted or rejected once, and an accepted one is
applied through the same data paths as the person's own edit.

Proposals live with the coach's message that made them (`metadata.proposals` of that message
in its chat bucket, goalgetter/data/chat_messages.py), so they survive a reload and go with
the message when the history is cleared. A decision first claims the proposal with one
compare-and-set on its status (pending → applying, or pending → rejected): of two clicks,
two tabs or two processes, exactly one wins and the other sees the outcome. Then the change
is applied, version-checked where the text changes (goals.save_text with the version the
coach saw, stored as a "coach" revision so History can undo it), and the final status
stored: accepted, conflict (the goal changed since; nothing applied) or failed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId

from goalgetter.data import goals as goals_data
from goalgetter.data.chat_messages import MessageRef
from goalgetter.data.client import get_db
from goalgetter.domain.proposals import apply_replacement
from goalgetter.domain.validation import ValidationError

log = logging.getLogger(__name__)
_PROPOSAL_ID = re.compile(r"p[0-9a-f]{12}")
GOAL_GONE = "That goal no longer exists."
CHANGED_SINCE = "The goal was edited after the coach proposed this, so nothing was changed."


@dataclass(frozen=True)
class Decision:
    """The proposal as it stands after the decision, and the goal it changed (if any)."""

    proposal: dict
    goal: dict | None = None


async def read_proposal(user_id: ObjectId, message_id: str, proposal_id: str) -> dict | None:
    """One of the user's proposals, by its message and id; None when there is no such one."""
    ref = MessageRef.parse(message_id)
    if ref is None or not ref.owned_by(user_id) or not _PROPOSAL_ID.fullmatch(str(proposal_id)):
        return None
    bucket = await get_db().chat_messages.find_one(
        {"_id": ref.bucket_id}, {"messages": {"$slice": [ref.index, 1]}}
    )
    found = (bucket or {}).get("messages") or []
    proposals = ((found[0].get("metadata") or {}).get("proposals") or []) if found else []
    return next((p for p in proposals if p.get("id") == proposal_id), None)


async def _move(ref: MessageRef, proposal_id: str, before: str, fields: dict) -> bool:
    """Set `fields` on the proposal if its status is still `before`; whether it was."""
    path = f"messages.{ref.index}.metadata.proposals.$[p]"
    result = await get_db().chat_messages.update_one(
        {"_id": ref.bucket_id},
        {"$set": {f"{path}.{key}": value for key, value in fields.items()}},
        array_filters=[{"p.id": proposal_id, "p.status": before}],
    )
    return result.modified_count == 1


async def decide(
    user_id: ObjectId,
    message_id: str,
    proposal_id: str,
    *,
    accept: bool,
    now: datetime | None = None,
) -> Decision | None:
    """Accept or reject one of the user's pending proposals; None when it is not theirs or
    does not exist. A proposal decided already comes back as it is, unchanged."""
    proposal = await read_proposal(user_id, message_id, proposal_id)
    if proposal is None:
        return None
    if proposal.get("status") != "pending":
        return Decision(proposal)
    ref, now = MessageRef.parse(message_id), now or datetime.now(UTC)
    claim = {"status": "applying" if accept else "rejected", "decided_at": now}
    if not await _move(ref, proposal_id, "pending", claim):
        return Decision(await read_proposal(user_id, message_id, proposal_id) or proposal)
    if not accept:
        return Decision({**proposal, **claim})
    outcome, goal, note = "failed", None, ""
    try:
        outcome, goal, note = await _apply(user_id, proposal, now)
    except ValidationError as error:
        note = error.message
    except Exception:
        log.exception("Applying proposal %s failed", proposal_id)
        note = "It could not be saved; nothing was changed."
    final = {"status": outcome, "note": note}
    if goal is not None and proposal["kind"] == "new_goal":
        final["goal_id"] = str(goal["_id"])
    await _move(ref, proposal_id, "applying", final)
    return Decision({**proposal, **claim, **final}, goal)


async def _apply(user_id: ObjectId, proposal: dict, now: datetime) -> tuple[str, dict | None, str]:
    """(status, the goal as changed, a note for the card)."""
    change, goal_id = proposal["change"], proposal["goal_id"]
    match proposal["kind"]:
        case "goal_edit":
            return await _apply_edit(user_id, proposal, now)
        case "new_goal":
            goal = await goals_data.create_goal(
                user_id, change["title"], change["content"], template_type="coach", now=now
            )
            return "accepted", goal, ""
        case "milestones":
            goal = await goals_data.add_milestones(user_id, goal_id, change["items"])
        case "deadline":
            goal = await goals_data.set_deadline(user_id, goal_id, change["deadline"])
        case "phase":
            goal = await goals_data.set_phase(user_id, goal_id, change["phase"])
        case _:
            return "failed", None, "This kind of change is not known."
    return ("accepted", goal, "") if goal is not None else ("failed", None, GOAL_GONE)


async def _apply_edit(user_id: ObjectId, proposal: dict, now: datetime) -> tuple:
    change, base_version = proposal["change"], proposal["base_version"]
    content = change["content"]
    if change["replace"] is not None:
        # A passage swap still makes sense on newer text that holds the passage once.
        current = await goals_data.get_goal(user_id, proposal["goal_id"])
        if current is None:
            return "failed", None, GOAL_GONE
        if current["content"].count(change["replace"]["old"]) != 1:
            return "conflict", current, CHANGED_SINCE
        content = apply_replacement(current["content"], change["replace"])
        base_version = current["version"]
    saved = await goals_data.save_text(
        user_id,
        proposal["goal_id"],
        base_version=base_version,
        title=change["title"],
        content=content,
        now=now,
        kind="coach",
    )
    if saved.status == "saved":
        return "accepted", saved.goal, ""
    if saved.status == "conflict":
        return "conflict", saved.goal, CHANGED_SINCE
    return "failed", None, GOAL_GONE
