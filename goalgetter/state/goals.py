"""The goal list and the editor on the left of the workspace."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx
from bson import ObjectId

from goalgetter.data import goals as goals_data
from goalgetter.domain.validation import (
    DEFAULT_GOAL_TITLE,
    ValidationError,
    check_goal_content,
    check_goal_title,
)
from goalgetter.state.session import NotSignedIn, SessionState

GOAL_MISSING = "That goal no longer exists (deleted in another tab?)."
SAVE_FAILED = "Couldn't save. Your text is still here; keep typing to retry."


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
    # The newest text of the open goal, saved or not, and why it is not saved, if it is not.
    _title: str = ""
    _content: str = ""
    _content_error: str = ""

    @rx.var
    def delete_candidate_title(self) -> str:
        found = [g["title"] for g in self.goals if g["id"] == self.delete_candidate]
        return found[0] if found else ""

    @rx.event
    async def load(self):
        user_id = await self._signed_in_user_id()
        self.goals = [_item(g) for g in await goals_data.list_goals(user_id)]
        if any(g["id"] == self.selected_id for g in self.goals):
            # A reload or a reconnect: keep the open goal's newest text, even unsaved.
            self.loaded_title, self.loaded_content = self._title, self._content
            return
        await self._open(user_id, self.goals[0]["id"] if self.goals else "")

    async def _open(self, user_id: ObjectId, goal_id: str) -> None:
        goal = await goals_data.get_goal(user_id, goal_id) if goal_id else None
        self.selected_id = str(goal["_id"]) if goal else ""
        self.loaded_title = self._title = goal["title"] if goal else ""
        self.loaded_content = self._content = goal["content"] if goal else ""
        self.preview_text = self._content
        self.save_status = self.save_error = self._content_error = ""
        self.saved_version = goal["version"] if goal else 0

    @rx.event
    async def select_goal(self, goal_id: str):
        await self._open(await self._signed_in_user_id(), goal_id)
        if goal_id and not self.selected_id:
            self.save_error = GOAL_MISSING
        self.mobile_tab = "goals"

    @rx.event
    async def new_goal(self):
        user_id = await self._signed_in_user_id()
        goal = await goals_data.create_goal(user_id, DEFAULT_GOAL_TITLE)
        self.goals = [_item(goal), *self.goals]
        await self._open(user_id, str(goal["_id"]))
        self.preview = False
        return rx.set_focus("goal-title")

    # The editors send the goal id they were showing: their last change can arrive after
    # another goal was opened (a pending edit is flushed when the editor unmounts).
    @rx.event
    async def save_title(self, goal_id: str, title: str):
        if goal_id == self.selected_id:
            self._title = title
        try:
            check_goal_title(title)
        except ValidationError as error:
            self._show_status(goal_id, "error", error.message)
            return
        async for update in self._save(goal_id, title=title):
            yield update

    @rx.event
    async def save_content(self, goal_id: str, content: str):
        is_open = goal_id == self.selected_id
        if is_open:
            self._content = content
        try:
            check_goal_content(content)
        except ValidationError as error:
            if is_open:
                self._content_error = error.message
            self._show_status(goal_id, "error", error.message)
            return
        if is_open:
            self._content_error = ""
        async for update in self._save(goal_id, content=content):
            yield update

    def _show_status(self, goal_id: str, status: str, error: str = "") -> None:
        if goal_id != self.selected_id:
            return
        if status == "saved" and self._content_error:
            # A title saved fine, but the text is still not: keep saying so.
            status, error = "error", self._content_error
        self.save_status, self.save_error = status, error

    async def _save(self, goal_id: str, **fields: str):
        if not goal_id:
            return
        self._show_status(goal_id, "saving")
        yield
        try:
            user_id = await self._signed_in_user_id()
            saved = await goals_data.update_goal(user_id, goal_id, **fields)
        except NotSignedIn:
            raise
        except Exception:
            self._show_status(goal_id, "error", SAVE_FAILED)
            return
        if saved is None:
            self._show_status(goal_id, "error", GOAL_MISSING)
            return
        if goal_id == self.selected_id:
            self.saved_version = saved["version"]
        self._show_status(goal_id, "saved")
        self.goals = [_item(saved), *[g for g in self.goals if g["id"] != goal_id]]

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
        user_id = await self._signed_in_user_id()
        await goals_data.delete_goal(user_id, goal_id)
        self.goals = [g for g in self.goals if g["id"] != goal_id]
        if goal_id == self.selected_id:
            await self._open(user_id, self.goals[0]["id"] if self.goals else "")

    @rx.event
    def show_tab(self, tab: str):
        self.mobile_tab = "coach" if tab == "coach" else "goals"
