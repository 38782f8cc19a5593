"""Left side of the workspace: the goal list and the editor for the selected goal."""

import reflex as rx
from reflex.vars.function import FunctionStringVar

from goalgetter.components.brand import ACCENT
from goalgetter.components.buttons import download_button
from goalgetter.components.checkins import checkins
from goalgetter.components.confirm_dialog import confirm_dialog
from goalgetter.components.goal_dialogs import (
    conflict_dialog,
    save_template_dialog,
    template_picker,
)
from goalgetter.components.goal_history import history_dialog
from goalgetter.components.goal_list import goal_list
from goalgetter.components.goal_meta import celebration_dialog, meta_bar, milestones
from goalgetter.components.native_form import backend_url
from goalgetter.components.safe_markdown import safe_markdown
from goalgetter.components.share_dialog import share_dialog
from goalgetter.domain.validation import MAX_GOAL_TITLE_LENGTH
from goalgetter.state.goal_autosave import AutosaveState
from goalgetter.state.goal_history import HistoryState
from goalgetter.state.goal_templates import TemplatesState
from goalgetter.state.goals import GoalsState
from goalgetter.state.session import SessionState
from goalgetter.state.shares import ShareState

AUTOSAVE_DEBOUNCE_MS = 400


def save_status() -> rx.Component:
    """The server's word on the last save, and the page's own while edits are unconfirmed.

    assets/autosave.js marks the page `gg-unsaved` from the first keystroke until every edit
    of the open goal is confirmed stored; the stylesheet then shows "Saving…" instead of the
    server's word, unless that word is an error.
    """
    return rx.el.span(
        rx.el.span(
            rx.match(
                GoalsState.save_status,
                ("saving", rx.text("Saving…", size="1", color_scheme="gray")),
                ("saved", rx.text("✓ Saved", size="1", color_scheme="grass")),
                ("error", rx.text(GoalsState.save_error, size="1", color_scheme="red")),
                rx.text("", size="1"),
            ),
            class_name="gg-server-status",
        ),
        rx.text("Saving…", size="1", color_scheme="gray", class_name="gg-local-status"),
        id="goal-save-status",
        custom_attrs={
            "data-status": GoalsState.save_status,
            "data-version": GoalsState.saved_version,
            "data-goal": GoalsState.selected_id,
            "data-editor": GoalsState.editor_key,
            "data-confirmed": GoalsState.confirmed_edits.to_string(),
        },
        role="status",
        aria_live="polite",
    )


def _stamped(field: str) -> rx.Var:
    """The stamp of the edit being sent (assets/autosave.js), evaluated as it is sent."""
    return FunctionStringVar.create("window.ggAutosave.sending").call(GoalsState.selected_id, field)


def _tool(icon: str, label: str, tool_id: str, **props) -> rx.Component:
    return rx.button(rx.icon(icon, size=14), label, id=tool_id, variant="soft", size="1", **props)


def _toolbar() -> rx.Component:
    pdf = (
        f"{backend_url('/export/goal/')}{GoalsState.selected_id}.pdf"
        f"?tz={SessionState.browser_timezone}"
    )
    return rx.hstack(
        _tool(
            "eye",
            rx.cond(GoalsState.preview, "Edit", "Preview"),
            "goal-preview-toggle",
            on_click=GoalsState.toggle_preview,
        ),
        _tool("history", "History", "goal-history", on_click=HistoryState.open_history),
        download_button("file-down", "PDF", pdf, "goal-export-pdf", size="1"),
        _tool(
            "bookmark-plus",
            "Save as template",
            "goal-save-template",
            on_click=TemplatesState.open_save_template,
        ),
        _tool("share-2", "Share", "goal-share", on_click=ShareState.open_share),
        rx.cond(
            TemplatesState.template_saved != "",
            rx.text("Saved as template ✓", size="1", color_scheme="grass", id="template-saved"),
        ),
        wrap="wrap",
        spacing="2",
        width="100%",
    )


def editor() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.debounce_input(
                rx.input(
                    id="goal-title",
                    on_change=lambda title: AutosaveState.save_title(
                        GoalsState.selected_id, title, _stamped("title")
                    ),
                    placeholder="Name your goal",
                    max_length=MAX_GOAL_TITLE_LENGTH,
                    size="3",
                    class_name="gg-title-input",
                ),
                value=GoalsState.loaded_title,
                debounce_timeout=AUTOSAVE_DEBOUNCE_MS,
                force_notify_on_blur=True,
                key=GoalsState.editor_key,
            ),
            width="100%",
            align="center",
        ),
        _toolbar(),
        meta_bar(),
        rx.cond(
            GoalsState.preview,
            rx.box(
                safe_markdown(GoalsState.preview_text),
                id="goal-preview",
                class_name="gg-preview",
            ),
            rx.debounce_input(
                rx.text_area(
                    id="goal-editor",
                    on_change=lambda text: AutosaveState.save_content(
                        GoalsState.selected_id, text, _stamped("content")
                    ),
                    placeholder=(
                        "What do you want to achieve? By when? Why does it matter?\n\n"
                        "Markdown works: # headings, **bold**, - lists."
                    ),
                    class_name="gg-editor",
                ),
                value=GoalsState.loaded_content,
                debounce_timeout=AUTOSAVE_DEBOUNCE_MS,
                force_notify_on_blur=True,
                key=GoalsState.editor_key,
            ),
        ),
        save_status(),
        checkins(),
        milestones(),
        width="100%",
        spacing="3",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        title="Delete this goal?",
        description=rx.text(
            "\u201c",
            GoalsState.delete_candidate_title,
            "\u201d will be deleted. This cannot be undone.",
        ),
        keep_label="Keep it",
        confirm_label="Delete",
        confirm_id="goal-delete-confirm",
        is_open=GoalsState.delete_candidate != "",
        on_keep=GoalsState.cancel_delete,
        on_confirm=GoalsState.confirm_delete,
    )


def goal_panel() -> rx.Component:
    return rx.vstack(
        goal_list(),
        rx.divider(),
        rx.cond(
            GoalsState.selected_id != "",
            editor(),
            rx.center(
                rx.vstack(
                    rx.icon("target", size=40, color=rx.color(ACCENT, 8)),
                    rx.text("Create a goal to start writing.", color_scheme="gray"),
                    rx.cond(
                        GoalsState.save_error != "",
                        rx.text(
                            GoalsState.save_error,
                            id="goal-missing",
                            color_scheme="red",
                            role="alert",
                        ),
                    ),
                    align="center",
                ),
                flex="1",
                width="100%",
            ),
        ),
        delete_dialog(),
        template_picker(),
        save_template_dialog(),
        share_dialog(),
        conflict_dialog(),
        history_dialog(),
        celebration_dialog(),
        class_name="gg-goal-panel",
        height="100%",
        width="100%",
        spacing="3",
    )
