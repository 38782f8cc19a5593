"""Phase, deadline, tags and milestones of the open goal."""

from __future__ import annotations

import json

import reflex as rx

from goalgetter.data import goals as goals_data
from goalgetter.domain import validation
from goalgetter.domain.phases import allowed_moves
from goalgetter.domain.validation import (
    ValidationError,
    normalise_milestone_title,
    parse_optional_date,
)
from goalgetter.state.goals import GOAL_MISSING, GoalsState


def clear_if_unchanged(element_id: str, submitted: str) -> rx.event.EventSpec:
    """Empty a field after its value was accepted, unless the person typed on meanwhile.

    Clearing at submit would lose refused input; clearing blindly on the answer would wipe
    what was typed while it travelled.
    """
    return rx.call_script(
        f"(e => {{ if (e && e.value === {json.dumps(submitted)}) e.value = ''; }})"
        f"(document.getElementById({json.dumps(element_id)}))"
    )


class GoalMetaState(GoalsState):
    async def _apply(self, change) -> bool:
        """Run one metadata change of the open goal and show its result; False if refused."""
        try:
            goal = await change(await self._signed_in_user_id(), self.selected_id)
        except ValidationError as error:
            self.meta_error = error.message
            return False
        if goal is None:
            self.meta_error = GOAL_MISSING
            return False
        self.meta_error = ""
        self._show_meta(goal)
        self._update_item(goal)
        return True

    @rx.event
    async def set_phase(self, target: str):
        await self._apply(lambda user, goal: goals_data.set_phase(user, goal, target))

    @rx.event
    async def set_deadline(self, raw: str):
        try:
            deadline = parse_optional_date(raw)
        except ValidationError as error:
            self.meta_error = error.message
            return
        await self._apply(lambda user, goal: goals_data.set_deadline(user, goal, deadline))

    @rx.event
    async def add_tag(self, form: dict):
        raw = str(form.get("tag", ""))
        try:
            tags = validation.add_tag(self.tags, raw)
        except ValidationError as error:
            self.meta_error = error.message
            return
        if await self._apply(lambda user, goal: goals_data.set_tags(user, goal, tags)):
            self.known_tags = sorted({*self.known_tags, *tags}, key=str.casefold)
            return clear_if_unchanged("goal-tag-input", raw)
        return None

    @rx.event
    async def remove_tag(self, tag: str):
        tags = [t for t in self.tags if t != tag]
        await self._apply(lambda user, goal: goals_data.set_tags(user, goal, tags))

    @rx.event
    async def add_milestone(self, form: dict):
        try:
            title = normalise_milestone_title(form.get("title", ""))
            due = parse_optional_date(form.get("due"), field="milestone")
        except ValidationError as error:
            self.meta_error = error.message
            return
        added = await self._apply(
            lambda user, goal: goals_data.add_milestone(user, goal, title, due)
        )
        if added:
            return clear_if_unchanged("milestone-title", form.get("title", ""))
        return None

    @rx.event
    async def toggle_milestone(self, milestone_id: str, done: bool):
        changed = await self._apply(
            lambda user, goal: goals_data.set_milestone_done(user, goal, milestone_id, done)
        )
        all_done = self.milestones and all(m["done"] for m in self.milestones)
        if changed and done and all_done and "completed" in allowed_moves(self.phase):
            self.celebration = "offer"

    @rx.event
    async def remove_milestone(self, milestone_id: str):
        await self._apply(lambda user, goal: goals_data.remove_milestone(user, goal, milestone_id))

    @rx.event
    async def complete_goal(self):
        moved = await self._apply(lambda user, goal: goals_data.set_phase(user, goal, "completed"))
        self.celebration = "done" if moved else ""

    @rx.event
    def end_celebration(self):
        self.celebration = ""
