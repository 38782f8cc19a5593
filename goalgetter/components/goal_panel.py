"""Left side of the workspace: the goal list and the editor for the selected goal."""

import reflex as rx

from goalgetter.components.brand import ACCENT
from goalgetter.components.confirm_dialog import confirm_dialog
from goalgetter.components.safe_markdown import safe_markdown
from goalgetter.domain.validation import MAX_GOAL_TITLE_LENGTH
from goalgetter.state.goals import GoalItem, GoalsState

AUTOSAVE_DEBOUNCE_MS = 400


def _goal_row(goal: GoalItem) -> rx.Component:
    selected = GoalsState.selected_id == goal["id"]
    return rx.hstack(
        rx.el.button(
            rx.text(
                goal["title"], trim="end", size="2", weight=rx.cond(selected, "bold", "regular")
            ),
            on_click=GoalsState.select_goal(goal["id"]),
            class_name="gg-goal-link",
            title=goal["title"],
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            on_click=GoalsState.ask_delete(goal["id"]),
            variant="ghost",
            color_scheme="gray",
            size="1",
            aria_label="Delete goal",
        ),
        custom_attrs={"data-goal-id": goal["id"]},
        class_name=rx.cond(selected, "gg-goal-item gg-selected", "gg-goal-item"),
        align="center",
        width="100%",
    )


def goal_list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Your goals", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=16),
                "New goal",
                id="goal-new",
                on_click=GoalsState.new_goal,
                size="2",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            GoalsState.goals.length() > 0,
            rx.el.div(
                rx.foreach(GoalsState.goals, _goal_row), id="goal-list", class_name="gg-goal-list"
            ),
            rx.el.div(
                rx.text(
                    "No goals yet. Start with one thing you want to make happen.",
                    size="2",
                    color_scheme="gray",
                ),
                id="goal-list",
                class_name="gg-goal-list",
            ),
        ),
        width="100%",
        spacing="3",
    )


def save_status() -> rx.Component:
    return rx.el.span(
        rx.match(
            GoalsState.save_status,
            ("saving", rx.text("Saving…", size="1", color_scheme="gray")),
            ("saved", rx.text("✓ Saved", size="1", color_scheme="grass")),
            ("error", rx.text(GoalsState.save_error, size="1", color_scheme="red")),
            rx.text("", size="1"),
        ),
        id="goal-save-status",
        custom_attrs={
            "data-status": GoalsState.save_status,
            "data-version": GoalsState.saved_version,
        },
        role="status",
        aria_live="polite",
    )


def editor() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.debounce_input(
                rx.input(
                    id="goal-title",
                    on_change=lambda title: GoalsState.save_title(GoalsState.selected_id, title),
                    placeholder="Name your goal",
                    max_length=MAX_GOAL_TITLE_LENGTH,
                    size="3",
                    class_name="gg-title-input",
                ),
                value=GoalsState.loaded_title,
                debounce_timeout=AUTOSAVE_DEBOUNCE_MS,
                force_notify_on_blur=True,
                key=GoalsState.selected_id,
            ),
            rx.button(
                rx.cond(GoalsState.preview, rx.icon("pencil", size=14), rx.icon("eye", size=14)),
                rx.cond(GoalsState.preview, "Edit", "Preview"),
                on_click=GoalsState.toggle_preview,
                variant="soft",
                size="2",
                id="goal-preview-toggle",
            ),
            width="100%",
            align="center",
        ),
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
                    on_change=lambda text: GoalsState.save_content(GoalsState.selected_id, text),
                    placeholder=(
                        "What do you want to achieve? By when? Why does it matter?\n\n"
                        "Markdown works: # headings, **bold**, - lists."
                    ),
                    class_name="gg-editor",
                ),
                value=GoalsState.loaded_content,
                debounce_timeout=AUTOSAVE_DEBOUNCE_MS,
                force_notify_on_blur=True,
                key=GoalsState.selected_id,
            ),
        ),
        save_status(),
        width="100%",
        flex="1",
        spacing="2",
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
                    align="center",
                ),
                flex="1",
                width="100%",
            ),
        ),
        delete_dialog(),
        height="100%",
        width="100%",
        spacing="3",
    )
