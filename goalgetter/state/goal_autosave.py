"""Autosave of the goal's title and text, and what happens when a save cannot land.

The page stamps each edit as it sends it (assets/autosave.js); GoalsState.confirmed_edits
gives a stamp back only once the text it came with is stored, so the page can say "Saved"
only when every edit of the goal is. A save that cannot reach the database keeps its text
here, says so, and is retried with growing pauses until it lands.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from goalgetter.data import goals as goals_data
from goalgetter.domain.validation import ValidationError, check_goal_content, check_goal_title
from goalgetter.state.goals import GOAL_MISSING, SAVE_FAILED, GoalsState
from goalgetter.state.session import NotSignedIn
from goalgetter.state.smart_grade import SmartGradeState

# Seconds between retries of a save that could not reach the database; the last repeats.
RETRY_PAUSES = (1, 2, 4, 8, 15, 30)
MAX_RETRIES = 40  # about 18 minutes; after that the next edit tries again


def edit_stamp(value: object) -> int:
    """The page's stamp of an edit; anything else (a hostile or an old page) counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class AutosaveState(GoalsState):
    _retrying: bool = False

    def _receive(self, goal_id: str, field: str, edit: object) -> None:
        # A tab's events arrive in order: the newest received is the newest typed.
        self._received_edits[f"{goal_id}:{field}"] = edit_stamp(edit)

    # The editors send the goal id they were showing: their last change can arrive after
    # another goal was opened (a pending edit is sent when the editor loses focus).
    @rx.event
    async def save_title(self, goal_id: str, title: str, edit: int = 0):
        self._receive(goal_id, "title", edit)
        if goal_id == self.selected_id:
            self._title = title
            self._refresh_smart()
        try:
            check_goal_title(title)
        except ValidationError as error:
            self._show_status(goal_id, "error", error.message)
            return
        async for update in self._save(goal_id, title=title):
            yield update

    @rx.event
    async def save_content(self, goal_id: str, content: str, edit: int = 0):
        self._receive(goal_id, "content", edit)
        is_open = goal_id == self.selected_id
        if is_open:
            self._content = content
            self._refresh_smart()
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

    async def _save(self, goal_id: str, kind: str = "edit", **fields: str):
        if not goal_id:
            return
        self._show_status(goal_id, "saving")
        yield
        if not await self._store(goal_id, kind, fields):
            if not self._retrying:
                yield AutosaveState.retry_unsaved
        elif goal_id == self.selected_id and self.save_status == "saved":
            yield SmartGradeState.grade_open_goal  # in the background, once a minute at most

    async def _store(self, goal_id: str, kind: str, fields: dict[str, str]) -> bool:
        """One save; False when the database could not be reached (the text is kept)."""
        try:
            user_id = await self._signed_in_user_id()
            outcome = await goals_data.save_text(
                user_id, goal_id, base_version=self._versions.get(goal_id), kind=kind, **fields
            )
        except NotSignedIn:
            raise
        except Exception:
            self._unsaved[goal_id] = {**self._unsaved.get(goal_id, {}), **fields}
            self._show_status(goal_id, "error", SAVE_FAILED)
            return False
        if outcome.status != "saved":
            # Settled either way: shown as missing, kept as a revision, or in the dialog.
            self._unsaved.pop(goal_id, None)
        if outcome.status == "missing":
            self._show_status(goal_id, "error", GOAL_MISSING)
        elif outcome.status == "conflict" and goal_id != self.selected_id:
            # A late save of a goal no longer open: kept in its history, never overwriting.
            mine = {"title": outcome.goal["title"], "content": outcome.goal["content"], **fields}
            await goals_data.keep_as_revision(user_id, goal_id, **mine)
            self._versions.pop(goal_id, None)
        elif outcome.status == "conflict":
            self._show_conflict(goal_id, outcome.goal)
        else:
            self._saved(goal_id, outcome.goal, fields)
        return True

    @rx.event(background=True)
    async def retry_unsaved(self):
        """Retries every save that could not reach the database, until all are stored."""
        async with self:
            if self._retrying:
                return
            self._retrying = True
        try:
            for attempt in range(MAX_RETRIES):
                await asyncio.sleep(RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)])
                async with self:
                    for goal_id, fields in list(self._unsaved.items()):
                        await self._store(goal_id, "edit", dict(fields))
                    if not self._unsaved:
                        return
        finally:
            async with self:
                self._retrying = False

    @rx.event
    async def keep_mine(self):
        """Save this tab's text over the other one (which stays in the history)."""
        self._versions[self.selected_id] = self._conflict_version
        self.conflict_open = False
        async for update in self._save(
            self.selected_id,
            title=self.conflict_mine_title,
            content=self.conflict_mine_content,
            kind="chosen",
        ):
            yield update

    @rx.event
    async def use_theirs(self):
        """Reopen on the other text; this tab's text is kept as a revision to restore."""
        user_id = await self._signed_in_user_id()
        await goals_data.keep_as_revision(
            user_id,
            self.selected_id,
            title=self.conflict_mine_title,
            content=self.conflict_mine_content,
        )
        self._unsaved.pop(self.selected_id, None)
        await self._open(user_id, self.selected_id)
