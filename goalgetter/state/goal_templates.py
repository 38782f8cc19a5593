"""Starting a goal from a template, and saving a goal as the user's own template."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

import reflex as rx

from goalgetter.data import templates as templates_data
from goalgetter.domain.validation import DEFAULT_GOAL_TITLE, ValidationError
from goalgetter.state.goals import GoalsState

BLANK = "blank"
TEMPLATE_MISSING = "That template is no longer available."


class TemplateOption(TypedDict):
    id: str
    name: str
    description: str
    template_type: str
    is_builtin: bool


class TemplatesState(GoalsState):
    picker_open: bool = False
    templates: list[TemplateOption] = []
    picker_error: str = ""
    save_template_open: bool = False
    template_error: str = ""
    template_saved: str = ""

    @rx.event
    async def open_picker(self):
        self.templates = await templates_data.list_templates(await self._signed_in_user_id())
        self.picker_error = ""
        self.picker_open = True

    @rx.event
    def close_picker(self):
        self.picker_open = False

    @rx.event
    async def choose_template(self, template_id: str):
        if template_id == BLANK:
            await self._create_and_open(DEFAULT_GOAL_TITLE)
        else:
            user_id = await self._signed_in_user_id()
            template = await templates_data.get_template(user_id, template_id)
            if template is None:
                self.picker_error = TEMPLATE_MISSING
                return None
            await self._create_and_open(
                DEFAULT_GOAL_TITLE,
                template["template_content"],
                template_type="custom" if not template["is_builtin"] else template["template_type"],
            )
        self.picker_open = False
        return rx.set_focus("goal-title")

    @rx.event
    async def delete_template(self, template_id: str):
        user_id = await self._signed_in_user_id()
        await templates_data.delete_template(user_id, template_id)
        self.templates = await templates_data.list_templates(user_id)

    @rx.event
    def open_save_template(self):
        self.template_error = self.template_saved = ""
        self.save_template_open = True

    @rx.event
    def close_save_template(self):
        self.save_template_open = False

    @rx.event
    async def save_as_template(self, form: dict):
        try:
            saved = await templates_data.create_template(
                await self._signed_in_user_id(),
                name=form.get("name", ""),
                description=form.get("description", ""),
                content=self._content,
                now=datetime.now(UTC),
            )
        except ValidationError as error:
            self.template_error = error.message
            return
        self.template_saved = saved["name"]
        self.save_template_open = False
