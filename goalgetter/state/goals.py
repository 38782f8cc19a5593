"""The goal list and the editor on the left of the workspace.

Phase, deadline, tags and milestones are handled in state/goal_meta.py, history in
state/goal_history.py and templates in state/goal_templates.py; they share the open goal
through this state.
"""

from __future__ import annotations

from typing import TypedDict

import reflex as rx
from bson import ObjectId

from goalgetter.data import goals as goals_data
from goalgetter.domain.phases import allowed_moves
from goalgetter.domain.smart import analyse_goal
from goalgetter.domain.validation import (
    DEFAULT_GOAL_TITLE,
)
from goalgetter.state.session import SessionState

GOAL_MISSING = "That goal no longer exists (deleted in another tab?)."
SAVE_FAILED = "Couldn't reach the database. Your text is kept here and saving is retried."
CONFLICT = "This goal was changed in another tab or device. Choose which text to keep."


class GoalItem(TypedDict):
    id: str
    title: str
    phase: str
    deadline: str
    tags: list[str]


class Milestone(TypedDict):
    id: str
    title: str
    due: str
    done: bool


class SmartLetter(TypedDict):
    letter: str
    name: str
    passed: bool
    hint: str
    reason: str  # the coach's reason for its verdict; "" for the live heuristics


def goal_item(goal: dict) -> GoalItem:
    meta = goal.get("metadata") or {}
    return {
        "id": str(goal["_id"]),
        "title": goal.get("title") or DEFAULT_GOAL_TITLE,
        "phase": goal.get("phase", "draft"),
        "deadline": meta.get("deadline") or "",
        "tags": list(meta.get("tags") or []),
    }


def smart_letters(
    title: str, content: str, deadline: str = "", graded: dict | None = None
) -> list[SmartLetter]:
    """The live heuristics' letters, or the coach's verdicts (`graded`: {letter: {passed,
    reason}}) where it gave one, with its reason as the hint."""
    letters = []
    for check in analyse_goal(title, content, deadline).checks:
        verdict = (graded or {}).get(check.letter)
        passed, reason = (verdict["passed"], verdict["reason"]) if verdict else (check.passed, "")
        hint = reason or check.hint
        letters.append(
            {
                "letter": check.letter,
                "name": check.name,
                "passed": passed,
                "hint": hint,
                "reason": reason,
            }
        )
    return letters


class GoalsState(SessionState):
    goals: list[GoalItem] = []
    has_more: bool = False
    filter_phase: str = ""  # "" = everything but the archive; "all"; or one phase
    filter_tag: str = ""
    search: str = ""
    known_tags: list[str] = []
    selected_id: str = ""
    # Changes whenever the editors must reopen on text from the server (restore, conflict).
    editor_key: str = ""
    # What the editor was opened with. Typing does not write these back: echoing the text to
    # a debounced field while the person types would overwrite their newest keystrokes.
    loaded_title: str = ""
    loaded_content: str = ""
    preview_text: str = ""
    preview: bool = False
    save_status: str = ""  # "", "saving", "saved", "error"
    save_error: str = ""
    saved_version: int = 0
    phase: str = ""
    deadline: str = ""
    tags: list[str] = []
    milestones: list[Milestone] = []
    smart: list[SmartLetter] = []
    meta_error: str = ""
    # "offer": every milestone is done, completing the goal is offered; "done": celebrating.
    celebration: str = ""
    delete_candidate: str = ""
    mobile_tab: str = "goals"
    conflict_open: bool = False
    conflict_mine_title: str = ""
    conflict_mine_content: str = ""
    conflict_theirs_title: str = ""
    conflict_theirs_content: str = ""
    _conflict_version: int = 0
    # The newest text of the open goal, saved or not, and why it is not saved, if it is not.
    _title: str = ""
    _content: str = ""
    _content_error: str = ""
    # The version each goal opened in this tab was last saved at: what its next save is based
    # on, also for a late save of a goal that is no longer open.
    _versions: dict[str, int] = {}
    # Edits are stamped by the page as they are sent (assets/autosave.js), per
    # "<goal id>:<field>": the stamp of the newest edit received, and of the newest stored,
    # which the page compares with what it typed. The page says "Saved" only when every edit
    # is stored.
    confirmed_edits: dict[str, int] = {}
    _received_edits: dict[str, int] = {}
    # Text that could not reach the database, per goal and field: retried until stored.
    _unsaved: dict[str, dict[str, str]] = {}
    # The coach's SMART verdicts on the open goal: {"of": (goal id, title, content, deadline)
    # it judged, "letters": {letter: {passed, reason}}} (state/smart_grade.py).
    _smart_grade: dict = {}

    @rx.var
    def allowed_phases(self) -> list[str]:
        return [self.phase, *allowed_moves(self.phase)] if self.phase else []

    @rx.var
    def delete_candidate_title(self) -> str:
        found = [g["title"] for g in self.goals if g["id"] == self.delete_candidate]
        return found[0] if found else ""

    @rx.event
    async def load(self):
        user_id = await self._signed_in_user_id()
        await self._load_list(user_id)
        open_goal = (
            await goals_data.get_goal(user_id, self.selected_id) if self.selected_id else None
        )
        if open_goal:
            # A reload or a reconnect: keep the open goal's newest text, even unsaved; its
            # phase, deadline, tags and milestones as stored (starting tracking, another tab).
            self.loaded_title, self.loaded_content = self._title, self._content
            self._show_meta(open_goal)
            return
        await self._open(user_id, self.goals[0]["id"] if self.goals else "")

    async def _load_list(self, user_id: ObjectId, more: bool = False) -> None:
        page = await goals_data.list_goals(
            user_id,
            phase=self.filter_phase,
            tag=self.filter_tag,
            search=self.search,
            offset=len(self.goals) if more else 0,
        )
        items = [goal_item(g) for g in page.goals]
        self.goals = [*self.goals, *items] if more else items
        self.has_more = page.has_more
        self.known_tags = page.tags

    @rx.event
    async def load_more(self):
        await self._load_list(await self._signed_in_user_id(), more=True)

    @rx.event
    async def set_filter_phase(self, phase: str):
        self.filter_phase = "" if phase == "open" else phase
        await self._load_list(await self._signed_in_user_id())

    @rx.event
    async def set_filter_tag(self, tag: str):
        self.filter_tag = "" if tag == "any" else tag
        await self._load_list(await self._signed_in_user_id())

    @rx.event
    async def set_search(self, search: str):
        self.search = search[:200]
        await self._load_list(await self._signed_in_user_id())

    async def _open(self, user_id: ObjectId, goal_id: str) -> None:
        goal = await goals_data.get_goal(user_id, goal_id) if goal_id else None
        await self._mend_list_row(user_id, goal_id, goal)
        self.selected_id = str(goal["_id"]) if goal else ""
        self._show_goal(goal, keep_unsaved=True)

    async def _mend_list_row(self, user_id: ObjectId, goal_id: str, goal: dict | None) -> None:
        """A list row that disagrees with its goal (left so by a crash) is put right."""
        shown = next((row for row in self.goals if row["id"] == goal_id), None)
        if shown is None or (goal is not None and goal_item(goal) == shown):
            return
        await goals_data.mend_list_entry(user_id, shown["id"], goal)
        at = self.goals.index(shown)
        self.goals = [*self.goals[:at], *([goal_item(goal)] if goal else []), *self.goals[at + 1 :]]

    def _show_goal(self, goal: dict | None, keep_unsaved: bool = False) -> None:
        """Open `goal` in the editor as the server has it (None: nothing open). With
        `keep_unsaved`, this tab's text for it that is still waiting to be stored wins;
        otherwise that text is dropped (a restore or a choice replaced it)."""
        if keep_unsaved:
            unsaved = self._unsaved.get(self.selected_id, {})
        else:
            unsaved = {}
            self._unsaved.pop(self.selected_id, None)
        goal = {**(goal or {}), **unsaved}
        self.loaded_title = self._title = goal.get("title", "")
        self.loaded_content = self._content = goal.get("content", "")
        self.preview_text = self._content
        self.save_status = self.save_error = self._content_error = ""
        self.saved_version = goal.get("version", 0)
        if self.selected_id:
            self._versions[self.selected_id] = self.saved_version
        if unsaved:
            self._show_status(self.selected_id, "error", SAVE_FAILED)
        elif self.selected_id:
            # The editor reopens on the stored text: edits typed before it are settled.
            self._confirm_edits(self.selected_id, ("title", "content"))
        self.editor_key = f"{self.selected_id}-{self.saved_version}"
        self._show_meta(goal)
        self.conflict_open = False

    def _show_meta(self, goal: dict) -> None:
        meta = goal.get("metadata") or {}
        grade = goal.get("smart_grade") or {}
        if "content" in goal and grade.get("version") == goal.get("version"):
            self._smart_grade = {}
            self.deadline = meta.get("deadline") or ""
            self._take_smart_grade(goal, grade.get("letters"))
        self.meta_error = self.celebration = ""
        self.phase = goal.get("phase", "")
        self.deadline = meta.get("deadline") or ""
        self.tags = list(meta.get("tags") or [])
        self.milestones = [
            {"id": m["id"], "title": m["title"], "due": m.get("due") or "", "done": m["done"]}
            for m in meta.get("milestones") or []
        ]
        self._refresh_smart()

    def _refresh_smart(self) -> None:
        # A deadline set here counts for T as much as one written in the text. The coach's
        # verdicts count only while the editor holds exactly what it judged.
        judged = [self.selected_id, self._title, self._content, self.deadline]
        graded = self._smart_grade.get("letters") if self._smart_grade.get("of") == judged else None
        self.smart = smart_letters(self._title, self._content, self.deadline, graded)

    def _take_smart_grade(self, goal: dict, letters: dict | None) -> None:
        """The coach's verdicts on `goal` as stored (None: keep the heuristics)."""
        if letters is None or str(goal["_id"]) != self.selected_id:
            return
        deadline = (goal.get("metadata") or {}).get("deadline") or ""
        judged = [self.selected_id, goal["title"], goal["content"], deadline]
        self._smart_grade = {"of": judged, "letters": letters}
        self._refresh_smart()

    def _update_item(self, goal: dict) -> None:
        """The list row of `goal`, moved to the top (it is the most recently changed)."""
        item = goal_item(goal)
        self.goals = [item, *[g for g in self.goals if g["id"] != item["id"]]]

    async def show_changed_goal(self, user_id: ObjectId, goal: dict, *, created: bool) -> None:
        """A goal changed outside the editor (a proposal accepted): its row, and the editor
        when it is open there; a goal just created is opened."""
        self._update_item(goal)
        goal_id = str(goal["_id"])
        if created:
            await self._open(user_id, goal_id)
            return
        if goal_id != self.selected_id:
            return
        if "content" in goal:
            self._show_goal(goal)
        else:
            self._show_meta(goal)

    @rx.event
    async def select_goal(self, goal_id: str):
        await self._open(await self._signed_in_user_id(), goal_id)
        if goal_id and not self.selected_id:
            self.save_error = GOAL_MISSING
        self.mobile_tab = "goals"

    async def _create_and_open(self, title: str, content: str = "", template_type="custom"):
        user_id = await self._signed_in_user_id()
        goal = await goals_data.create_goal(user_id, title, content, template_type=template_type)
        self._update_item(goal)
        await self._open(user_id, str(goal["_id"]))
        self.preview = False

    def _show_status(self, goal_id: str, status: str, error: str = "") -> None:
        if goal_id != self.selected_id:
            return
        if status == "saved" and (self._content_error or goal_id in self._unsaved):
            # A title saved fine, but the text is still not: keep saying so.
            status, error = "error", self._content_error or SAVE_FAILED
        self.save_status, self.save_error = status, error

    def _confirm_edits(self, goal_id: str, fields) -> None:
        """The page may call these edits of the goal stored (see state/goal_autosave.py)."""
        keys = [f"{goal_id}:{field}" for field in fields]
        self.confirmed_edits = {
            **self.confirmed_edits,
            **{key: self._received_edits.get(key, 0) for key in keys},
        }

    def _saved(self, goal_id: str, goal: dict, fields) -> None:
        unsaved = self._unsaved.get(goal_id, {})
        for field in fields:
            unsaved.pop(field, None)
        if not unsaved:
            self._unsaved.pop(goal_id, None)
        self._confirm_edits(goal_id, fields)
        self._versions[goal_id] = goal["version"]
        if goal_id == self.selected_id:
            self.saved_version = goal["version"]
        self._show_status(goal_id, "saved")
        self._update_item(goal)

    def _show_conflict(self, goal_id: str, theirs: dict) -> None:
        self.conflict_mine_title, self.conflict_mine_content = self._title, self._content
        self.conflict_theirs_title = theirs["title"]
        self.conflict_theirs_content = theirs["content"]
        self._conflict_version = theirs["version"]
        self.conflict_open = True
        self._show_status(goal_id, "error", CONFLICT)

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
