"""The goal list: filters by phase and tag, title search, and pages of PAGE_SIZE goals."""

import reflex as rx

from goalgetter.components.buttons import download_button, icon_action
from goalgetter.components.goal_meta import phase_badge
from goalgetter.components.native_form import backend_url
from goalgetter.domain.phases import PHASE_LABELS, PHASES
from goalgetter.state.goal_templates import TemplatesState
from goalgetter.state.goals import GoalItem, GoalsState
from goalgetter.state.session import SessionState

SEARCH_DEBOUNCE_MS = 300


def _goal_row(goal: GoalItem) -> rx.Component:
    selected = GoalsState.selected_id == goal["id"]
    return rx.hstack(
        rx.el.button(
            rx.text(
                goal["title"],
                trim="end",
                size="2",
                weight=rx.cond(selected, "bold", "regular"),
                class_name="gg-goal-title",
            ),
            rx.hstack(
                phase_badge(goal["phase"]),
                rx.cond(
                    goal["deadline"] != "",
                    rx.text("due ", goal["deadline"], size="1", color_scheme="gray"),
                ),
                rx.foreach(
                    goal["tags"].to(list[str])[:3],
                    lambda tag: rx.text("#", tag, size="1", color_scheme="gray", trim="end"),
                ),
                spacing="2",
                align="center",
                overflow="hidden",
            ),
            on_click=GoalsState.select_goal(goal["id"]),
            class_name="gg-goal-link",
            title=goal["title"],
        ),
        icon_action("trash-2", "Delete goal", GoalsState.ask_delete(goal["id"])),
        custom_attrs={"data-goal-id": goal["id"], "data-phase": goal["phase"]},
        class_name=rx.cond(selected, "gg-goal-item gg-selected", "gg-goal-item"),
        align="center",
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.debounce_input(
            rx.el.input(
                id="goal-search",
                type="search",
                placeholder="Search titles",
                on_change=GoalsState.set_search,
                class_name="gg-input",
                aria_label="Search goal titles",
            ),
            value=GoalsState.search,
            debounce_timeout=SEARCH_DEBOUNCE_MS,
        ),
        rx.el.select(
            rx.el.option("Open goals", value="open"),
            rx.el.option("All phases", value="all"),
            *[rx.el.option(PHASE_LABELS[p], value=p) for p in PHASES],
            id="goal-filter-phase",
            value=rx.cond(GoalsState.filter_phase == "", "open", GoalsState.filter_phase),
            on_change=GoalsState.set_filter_phase,
            class_name="gg-select",
            aria_label="Show goals in phase",
        ),
        rx.el.select(
            rx.el.option("Any tag", value="any"),
            rx.foreach(GoalsState.known_tags, lambda t: rx.el.option(t, value=t)),
            id="goal-filter-tag",
            value=rx.cond(GoalsState.filter_tag == "", "any", GoalsState.filter_tag),
            on_change=GoalsState.set_filter_tag,
            class_name="gg-select",
            aria_label="Show goals with tag",
        ),
        class_name="gg-filters",
    )


def _empty_list() -> rx.Component:
    filtered = (
        (GoalsState.search != "") | (GoalsState.filter_tag != "") | (GoalsState.filter_phase != "")
    )
    return rx.text(
        rx.cond(
            filtered,
            "No goals match. Clear the search or pick another phase or tag.",
            "No goals yet. Start with one thing you want to make happen.",
        ),
        size="2",
        color_scheme="gray",
    )


def goal_list() -> rx.Component:
    all_pdf = f"{backend_url('/export/goals.pdf')}?tz={SessionState.browser_timezone}"
    return rx.vstack(
        rx.hstack(
            rx.heading("Your goals", size="3"),
            rx.spacer(),
            download_button(
                "file-down", "PDF", all_pdf, "goals-export-pdf", title="All active goals as PDF"
            ),
            rx.button(
                rx.icon("plus", size=16),
                "New goal",
                id="goal-new",
                on_click=TemplatesState.open_picker,
                size="2",
            ),
            width="100%",
            align="center",
        ),
        _filters(),
        rx.el.div(
            rx.cond(
                GoalsState.goals.length() > 0,
                rx.foreach(GoalsState.goals, _goal_row),
                _empty_list(),
            ),
            rx.cond(
                GoalsState.has_more,
                rx.button(
                    "Show more",
                    id="goal-list-more",
                    on_click=GoalsState.load_more,
                    variant="ghost",
                    size="1",
                    width="100%",
                ),
            ),
            id="goal-list",
            class_name="gg-goal-list",
        ),
        width="100%",
        spacing="3",
    )
