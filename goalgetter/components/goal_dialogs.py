"""Dialogs of the goal editor: choosing a template, saving one, and a version conflict."""

import reflex as rx

from goalgetter.components.buttons import dialog_footer, icon_action
from goalgetter.components.safe_markdown import safe_markdown
from goalgetter.domain.validation import (
    MAX_TEMPLATE_DESCRIPTION_LENGTH,
    MAX_TEMPLATE_NAME_LENGTH,
)
from goalgetter.state.goal_autosave import AutosaveState
from goalgetter.state.goal_templates import BLANK, TemplateOption, TemplatesState
from goalgetter.state.goals import GoalsState


def _option(template_id, name, description, removable=False) -> rx.Component:
    return rx.hstack(
        rx.el.button(
            rx.vstack(
                rx.text(name, weight="medium", size="2"),
                rx.text(description, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            ),
            on_click=TemplatesState.choose_template(template_id),
            custom_attrs={"data-template-id": template_id},
            class_name="gg-template-option",
        ),
        rx.cond(
            removable,
            icon_action("trash-2", "Delete template", TemplatesState.delete_template(template_id)),
        ),
        width="100%",
        align="center",
    )


def _template_row(template: TemplateOption) -> rx.Component:
    return _option(
        template["id"], template["name"], template["description"], ~template["is_builtin"]
    )


def template_picker() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Start a new goal"),
            rx.dialog.description(
                "Begin blank, or let a template ask the right questions.", size="2"
            ),
            rx.vstack(
                _option(BLANK, "Blank", "An empty page: write it your way."),
                rx.foreach(TemplatesState.templates, _template_row),
                rx.cond(
                    TemplatesState.picker_error != "",
                    rx.text(TemplatesState.picker_error, color_scheme="red", size="2"),
                ),
                id="template-picker",
                spacing="2",
                margin_top="1em",
                width="100%",
            ),
            dialog_footer(),
        ),
        open=TemplatesState.picker_open,
        on_open_change=lambda _open: TemplatesState.close_picker(),
    )


def save_template_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Save as template"),
            rx.dialog.description(
                "Your own templates appear under New goal. Only you can see them.", size="2"
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(
                        name="name",
                        id="template-name",
                        placeholder="Template name",
                        default_value=GoalsState.loaded_title,
                        max_length=MAX_TEMPLATE_NAME_LENGTH,
                        class_name="gg-input",
                        width="100%",
                    ),
                    rx.el.input(
                        name="description",
                        id="template-description",
                        placeholder="What is it for? (optional)",
                        max_length=MAX_TEMPLATE_DESCRIPTION_LENGTH,
                        class_name="gg-input",
                        width="100%",
                    ),
                    rx.cond(
                        TemplatesState.template_error != "",
                        rx.text(
                            TemplatesState.template_error,
                            id="template-error",
                            color_scheme="red",
                            size="2",
                        ),
                    ),
                    dialog_footer(rx.button("Save template", id="template-save", type="submit")),
                    spacing="3",
                    margin_top="1em",
                ),
                on_submit=TemplatesState.save_as_template,
            ),
        ),
        open=TemplatesState.save_template_open,
        on_open_change=lambda _open: TemplatesState.close_save_template(),
    )


def _version(label: str, title, content, button: rx.Component, side: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, weight="bold", size="2"),
        rx.box(
            rx.text(title, weight="medium"),
            safe_markdown(content),
            class_name="gg-preview gg-conflict-text",
            id=f"conflict-{side}",
        ),
        button,
        flex="1",
        min_width="14em",
        width="100%",
    )


def conflict_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("This goal changed somewhere else"),
            rx.alert_dialog.description(
                "Another tab or device saved a newer version while you were typing. "
                "Pick the text to keep; the other stays in the goal's history.",
                size="2",
            ),
            rx.flex(
                _version(
                    "Your text (this tab)",
                    GoalsState.conflict_mine_title,
                    GoalsState.conflict_mine_content,
                    rx.button(
                        "Keep mine", id="conflict-keep-mine", on_click=AutosaveState.keep_mine
                    ),
                    "mine",
                ),
                _version(
                    "The newer saved text",
                    GoalsState.conflict_theirs_title,
                    GoalsState.conflict_theirs_content,
                    rx.button(
                        "Use this one",
                        id="conflict-use-theirs",
                        variant="soft",
                        on_click=AutosaveState.use_theirs,
                    ),
                    "theirs",
                ),
                gap="1em",
                wrap="wrap",
                margin_top="1em",
            ),
            id="goal-conflict",
            max_width="900px",
        ),
        open=GoalsState.conflict_open,
    )
