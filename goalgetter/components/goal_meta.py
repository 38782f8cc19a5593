"""Phase, deadline, tags, milestones and the live SMART score of the open goal."""

import reflex as rx

from goalgetter.components.buttons import icon_action, labelled
from goalgetter.domain.phases import PHASE_LABELS, PHASES
from goalgetter.domain.validation import MAX_MILESTONE_TITLE_LENGTH, MAX_TAG_LENGTH
from goalgetter.state.goal_meta import GoalMetaState
from goalgetter.state.goals import GoalsState, Milestone, SmartLetter

PHASE_COLORS = {"draft": "gray", "active": "orange", "completed": "grass", "archived": "brown"}


def phase_badge(phase: rx.Var[str]) -> rx.Component:
    return rx.match(
        phase,
        *[(p, rx.badge(PHASE_LABELS[p], color_scheme=PHASE_COLORS[p], size="1")) for p in PHASES],
        rx.fragment(),
    )


def _phase_select() -> rx.Component:
    # A native select: easy on phones and keyboards. The server checks every move again.
    return labelled(
        "Phase",
        rx.el.select(
            *[
                rx.el.option(
                    PHASE_LABELS[p], value=p, disabled=~GoalsState.allowed_phases.contains(p)
                )
                for p in PHASES
            ],
            id="goal-phase",
            value=GoalsState.phase,
            on_change=GoalMetaState.set_phase,
            class_name="gg-select",
        ),
    )


def _deadline() -> rx.Component:
    return labelled(
        "Deadline",
        rx.el.input(
            type="date",
            id="goal-deadline",
            default_value=GoalsState.deadline,
            key=GoalsState.editor_key + GoalsState.deadline,
            on_change=GoalMetaState.set_deadline,
            min="2000-01-01",
            max="2100-12-31",
            class_name="gg-input gg-date",
        ),
    )


def _letter(check: SmartLetter) -> rx.Component:
    # With Claude configured, its reason for the verdict is the tooltip.
    return rx.el.span(
        check["letter"],
        title=rx.cond(check["reason"] != "", check["name"] + ": " + check["reason"], check["name"]),
        class_name=rx.cond(check["passed"], "gg-smart gg-smart-ok", "gg-smart"),
        custom_attrs={
            "data-passed": rx.cond(check["passed"], "true", "false"),
            "data-by": rx.cond(check["reason"] != "", "coach", "heuristics"),
        },
        aria_label=check["name"] + rx.cond(check["passed"], ": yes", ": missing"),
    )


def _hint(check: SmartLetter) -> rx.Component:
    return rx.cond(
        check["passed"],
        rx.fragment(),
        rx.el.li(rx.el.strong(check["letter"], " "), check["hint"]),
    )


def smart_score() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text("SMART", size="1", color_scheme="gray", weight="medium"),
            rx.hstack(rx.foreach(GoalsState.smart, _letter), spacing="1"),
            align="center",
            spacing="2",
        ),
        rx.el.ul(rx.foreach(GoalsState.smart, _hint), class_name="gg-smart-hints"),
        id="smart-score",
        width="100%",
    )


def _tag_chip(tag: rx.Var[str]) -> rx.Component:
    return rx.badge(
        rx.el.span(tag, class_name="gg-chip-text", title=tag),
        rx.el.button(
            rx.icon("x", size=12),
            on_click=GoalMetaState.remove_tag(tag),
            class_name="gg-chip-remove",
            aria_label="Remove tag " + tag,
        ),
        variant="soft",
        size="2",
        class_name="gg-chip",
    )


def _tags() -> rx.Component:
    return rx.hstack(
        rx.icon("tag", size=14, color=rx.color("gray", 9)),
        rx.foreach(GoalsState.tags, _tag_chip),
        rx.form(
            rx.el.input(
                name="tag",
                id="goal-tag-input",
                placeholder="Add tag",
                max_length=MAX_TAG_LENGTH,
                class_name="gg-input gg-tag-input",
                list="gg-known-tags",
            ),
            rx.el.datalist(
                rx.foreach(GoalsState.known_tags, lambda t: rx.el.option(value=t)),
                id="gg-known-tags",
            ),
            on_submit=GoalMetaState.add_tag,
        ),
        id="goal-tags",
        wrap="wrap",
        align="center",
        spacing="2",
        width="100%",
    )


def _milestone_row(milestone: Milestone) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            checked=milestone["done"],
            on_change=lambda done: GoalMetaState.toggle_milestone(milestone["id"], done),
            aria_label="Done: " + milestone["title"],
        ),
        rx.text(
            milestone["title"],
            size="2",
            class_name=rx.cond(milestone["done"], "gg-done", ""),
            flex="1",
        ),
        rx.cond(milestone["due"] != "", rx.text(milestone["due"], size="1", color_scheme="gray")),
        icon_action(
            "x",
            "Remove milestone " + milestone["title"],
            GoalMetaState.remove_milestone(milestone["id"]),
            icon_size=12,
        ),
        custom_attrs={
            "data-milestone-id": milestone["id"],
            "data-done": rx.cond(milestone["done"], "true", "false"),
        },
        class_name="gg-milestone",
        align="center",
        width="100%",
    )


def milestones() -> rx.Component:
    return rx.vstack(
        rx.text("Milestones", size="2", weight="medium"),
        rx.el.div(rx.foreach(GoalsState.milestones, _milestone_row), id="goal-milestones"),
        rx.form(
            rx.hstack(
                rx.el.input(
                    name="title",
                    id="milestone-title",
                    placeholder="Next milestone",
                    max_length=MAX_MILESTONE_TITLE_LENGTH,
                    class_name="gg-input",
                    flex="1",
                    min_width="8em",
                ),
                rx.el.input(
                    name="due",
                    id="milestone-due",
                    type="date",
                    class_name="gg-input gg-date",
                    aria_label="Due date (optional)",
                ),
                rx.button(
                    rx.icon("plus", size=14), "Add", id="milestone-add", type="submit", size="2"
                ),
                wrap="wrap",
                width="100%",
                spacing="2",
            ),
            on_submit=GoalMetaState.add_milestone,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def meta_bar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _phase_select(), _deadline(), smart_score(), wrap="wrap", spacing="4", width="100%"
        ),
        _tags(),
        rx.cond(
            GoalsState.meta_error != "",
            rx.text(
                GoalsState.meta_error,
                id="goal-meta-error",
                size="1",
                color_scheme="red",
                role="alert",
            ),
        ),
        width="100%",
        spacing="2",
    )


def celebration_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.center(rx.text("🎉", class_name="gg-celebrate")),
            rx.alert_dialog.title(
                rx.cond(
                    GoalsState.celebration == "done", "Goal completed!", "Every milestone done!"
                )
            ),
            rx.alert_dialog.description(
                rx.cond(
                    GoalsState.celebration == "done",
                    "You said you would, and you did. Take a moment to enjoy it.",
                    "That is the whole path walked. Mark this goal completed?",
                )
            ),
            rx.hstack(
                rx.cond(
                    GoalsState.celebration == "done",
                    rx.button("Thanks!", on_click=GoalMetaState.end_celebration),
                    rx.hstack(
                        rx.button(
                            "Not yet",
                            variant="soft",
                            color_scheme="gray",
                            on_click=GoalMetaState.end_celebration,
                        ),
                        rx.button(
                            "Mark completed",
                            id="goal-complete",
                            on_click=GoalMetaState.complete_goal,
                        ),
                    ),
                ),
                justify="end",
                margin_top="1em",
            ),
            id="goal-celebration",
        ),
        open=GoalsState.celebration != "",
        on_open_change=lambda _open: GoalMetaState.end_celebration(),
    )
