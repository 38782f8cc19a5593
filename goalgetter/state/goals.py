"""The goal list and the editor on the left of the workspace."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from goalgetter.data import goals as goals_data
from goalgetter.domain.validation import (
    DEFAULT_GOAL_TITLE,
    ValidationError,
    check_goal_content,
    check_goal_title,
)
from goalgetter.state.session import SessionState

GOAL_MISSING = "That goal no longer exists (deleted in another tab?)."


class GoalItem(TypedDict):
    id: str
    title: str


def _item(goal: dict) -> GoalItem:
    return {"id": str(goal["_id"]), "title": goal.get("title") or DEFAULT_GOAL_TITLE}


class GoalsState(SessionState):
    goals: list[GoalItem] = []
    selected_id: str = ""
    # What the editor was opened with. Typing does not write these back: echoing the text to
    # a debounced field while the person types would overwrite their newest keystrokes.
    loaded_title: str = ""
    loaded_content: str = ""
    preview_text: str = ""
    preview: bool = False
    save_status: str = ""  # "", "saving", "saved", "error"
    save_error: str = ""
    saved_version: int = 0
    delete_candidate: str = ""
    mobile_tab: str = "goals"
    _content: str = ""

    @rx.var
    def delete_candidate_title(self) -> str:
        found = [g["title"] for g in self.goals if g["id"] == self.delete_candidate]
        return found[0] if found else ""

    @rx.event
    async def load(self):
        items = [_item(g) for g in await goals_data.list_goals(self.signed_in_user_id())]
        self.goals = items
        keep = next((g["id"] for g in items if g["id"] == self.selected_id), None)
        await self._open(keep or (items[0]["id"] if items else ""))

    async def _open(self, goal_id: str) -> None:
        goal = await goals_data.get_goal(self.signed_in_user_id(), goal_id) if goal_id else None
        self.selected_id = str(goal["_id"]) if goal else ""
        self.loaded_title = goal["title"] if goal else ""
        self.loaded_content = self._content = goal["content"] if goal else ""
        self.preview_text = self._content
        self.save_status, self.save_error = "", ""
        self.saved_version = goal["version"] if goal else 0

    @rx.event
    async def select_goal(self, goal_id: str):
        await self._open(goal_id)
        if goal_id and not self.selected_id:
            self.save_error = GOAL_MISSING
        self.mobile_tab = "goals"

    @rx.event
    async def new_goal(self):
        goal = await goals_data.create_goal(self.signed_in_user_id(), DEFAULT_GOAL_TITLE)
        self.goals = [_item(goal), *self.goals]
        await self._open(str(goal["_id"]))
        self.preview = False
        return rx.set_focus("goal-title")

    @rx.event
    async def save_title(self, title: str):
        try:
            check_goal_title(title)
        except ValidationError as error:
            self.save_status, self.save_error = "error", error.message
            return
        async for update in self._save(title=title):
            yield update

    @rx.event
    async def save_content(self, content: str):
        self._content = content
        try:
            check_goal_content(content)
        except ValidationError as error:
            self.save_status, self.save_error = "error", error.message
            return
        async for update in self._save(content=content):
            yield update

    async def _save(self, **fields: str):
        if not self.selected_id:
            return
        self.save_status, self.save_error = "saving", ""
        yield
        try:
            saved = await goals_data.update_goal(
                self.signed_in_user_id(), self.selected_id, **fields
            )
        except Exception:
            self.save_status = "error"
            self.save_error = "Couldn't save. Your text is still here; keep typing to retry."
            return
        if saved is None:
            self.save_status, self.save_error = "error", GOAL_MISSING
            return
        self.save_status, self.saved_version = "saved", saved["version"]
        self.goals = [_item(saved), *[g for g in self.goals if g["id"] != self.selected_id]]

    @rx.event
    def toggle_preview(self):
        self.preview = not self.preview
        # The editor is unmounted while previewing, so it can safely reopen on the latest text.
        self.preview_text = self.loaded_content = self._content

    @rx.event
    def ask_delete(self, goal_id: str):
        self.delete_candidate = goal_id

    @rx.event
    def cancel_delete(self):
        self.delete_candidate = ""

    @rx.event
    async def confirm_delete(self):
        goal_id, self.delete_candidate = self.delete_candidate, ""
        await goals_data.delete_goal(self.signed_in_user_id(), goal_id)
        self.goals = [g for g in self.goals if g["id"] != goal_id]
        if goal_id == self.selected_id:
            await self._open(self.goals[0]["id"] if self.goals else "")

    @rx.event
    def show_tab(self, tab: str):
        self.mobile_tab = "coach" if tab == "coach" else "goals"
