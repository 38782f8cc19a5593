"""The history dialog: the open goal's revisions, a diff against the current text, restore."""

import reflex as rx

from goalgetter.components.buttons import dialog_footer
from goalgetter.state.goal_history import DiffRow, HistoryState, RevisionItem


def _revision_row(revision: RevisionItem) -> rx.Component:
    shown = HistoryState.shown_revision == revision["id"]
    return rx.el.button(
        rx.text(revision["when"], size="2", weight="medium"),
        rx.text(
            revision["kind"], " · ", revision["title"], size="1", color_scheme="gray", trim="end"
        ),
        on_click=HistoryState.show_revision(revision["id"]),
        class_name=rx.cond(shown, "gg-revision gg-selected", "gg-revision"),
        custom_attrs={"data-revision-id": revision["id"]},
    )


def _diff_row(row: DiffRow) -> rx.Component:
    return rx.el.div(
        rx.match(row["kind"], ("added", "+ "), ("removed", "− "), ("gap", ""), "  "),
        row["text"],
        class_name="gg-diff-" + row["kind"],
    )


def _diff() -> rx.Component:
    return rx.cond(
        HistoryState.shown_revision != "",
        rx.vstack(
            rx.text(
                "Compared with your current text: ",
                HistoryState.diff_note,
                size="1",
                color_scheme="gray",
            ),
            rx.text(
                "Lines marked + are in this revision only; − in your current text only.",
                size="1",
                color_scheme="gray",
            ),
            rx.el.pre(
                rx.foreach(HistoryState.diff, _diff_row), id="revision-diff", class_name="gg-diff"
            ),
            rx.button(
                rx.icon("rotate-ccw", size=14),
                "Restore this version",
                id="revision-restore",
                on_click=HistoryState.restore_revision,
            ),
            width="100%",
            spacing="2",
        ),
        rx.text(
            "Pick a revision to compare it with your current text.", size="2", color_scheme="gray"
        ),
    )


def history_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("History"),
            rx.dialog.description(
                "Every saved change is kept: edits within two minutes count as one, "
                "and the last 100 stay.",
                size="2",
            ),
            rx.cond(
                HistoryState.history_error != "",
                rx.text(HistoryState.history_error, color_scheme="red", size="2"),
            ),
            rx.flex(
                rx.el.div(
                    rx.foreach(HistoryState.revisions, _revision_row),
                    id="revision-list",
                    class_name="gg-revision-list",
                ),
                rx.box(_diff(), flex="1", min_width="0", width="100%"),
                gap="1em",
                direction=rx.breakpoints(initial="column", md="row"),
                margin_top="1em",
            ),
            dialog_footer(close_label="Close"),
            id="goal-history-dialog",
            max_width="960px",
        ),
        open=HistoryState.history_open,
        on_open_change=lambda _open: HistoryState.close_history(),
    )
