"""The open goal's revisions: list them, compare one with the current text, restore it."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from goalgetter.data import goals as goals_data
from goalgetter.data import revisions as revisions_data
from goalgetter.domain.revisions import diff_lines, diff_summary
from goalgetter.domain.timezones import local_time_label
from goalgetter.state.goals import GoalsState

KIND_LABELS = {
    "created": "Created",
    "edit": "Edited",
    "restore": "Restored",
    "conflict": "Not chosen in a conflict",
    "chosen": "Chosen in a conflict",
    "coach": "Coach's proposal, accepted",
}
REVISION_MISSING = "That revision is no longer in the history."


class RevisionItem(TypedDict):
    id: str
    when: str
    kind: str
    title: str
    size: int


class DiffRow(TypedDict):
    kind: str
    text: str


class HistoryState(GoalsState):
    history_open: bool = False
    revisions: list[RevisionItem] = []
    shown_revision: str = ""
    shown_title: str = ""
    diff: list[DiffRow] = []
    diff_note: str = ""
    history_error: str = ""

    @rx.event
    async def open_history(self):
        user_id = await self._signed_in_user_id()
        zone = self._display_zone()
        found = await revisions_data.list_revisions(user_id, self.selected_id)
        self.revisions = [
            {
                "id": r["id"],
                "when": local_time_label(r["saved_at"], zone),
                "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                "title": r["title"],
                "size": r["size"],
            }
            for r in found
        ]
        self.shown_revision = self.history_error = ""
        self.diff = []
        self.history_open = True

    @rx.event
    def close_history(self):
        self.history_open = False

    @rx.event
    async def show_revision(self, revision_id: str):
        revision = await revisions_data.get_revision(await self._signed_in_user_id(), revision_id)
        if revision is None or str(revision["goal_id"]) != self.selected_id:
            self.history_error = REVISION_MISSING
            return
        self.shown_revision = revision_id
        self.shown_title = revision["title"]
        self.diff = diff_lines(self._content, revision["content"])
        title_note = "" if revision["title"] == self._title else " · title differs"
        self.diff_note = diff_summary(self._content, revision["content"]) + title_note
        self.history_error = ""

    @rx.event
    async def restore_revision(self):
        user_id = await self._signed_in_user_id()
        revision = await revisions_data.get_revision(user_id, self.shown_revision)
        if revision is None or str(revision["goal_id"]) != self.selected_id:
            self.history_error = REVISION_MISSING
            return
        outcome = await goals_data.save_text(
            user_id,
            self.selected_id,
            base_version=self._versions.get(self.selected_id),
            title=revision["title"],
            content=revision["content"],
            kind="restore",
        )
        self.history_open = False
        if outcome.status == "saved":
            self._show_goal(outcome.goal)
            self._update_item(outcome.goal)
            self.save_status = "saved"
        elif outcome.status == "conflict":
            self._show_conflict(self.selected_id, outcome.goal)
        else:
            self.save_status, self.save_error = "error", REVISION_MISSING
