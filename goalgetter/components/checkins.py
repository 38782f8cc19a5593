"""The check-in form (during a meeting) and the open goal's progress chart."""

import reflex as rx

from goalgetter.components.buttons import labelled
from goalgetter.domain.checkins import CONFIDENCE_LABELS, MAX_CHECKIN_NOTE_LENGTH
from goalgetter.state.checkins import CheckinState
from goalgetter.state.goals import GoalsState


def _form() -> rx.Component:
    return rx.form(
        rx.text("Check-in", weight="bold", size="2"),
        rx.flex(
            labelled(
                "Progress %",
                rx.el.input(
                    type="number",
                    name="progress",
                    id="checkin-progress",
                    min="0",
                    max="100",
                    required=True,
                    class_name="gg-input gg-date",
                ),
            ),
            labelled(
                "Confidence",
                rx.el.select(
                    *[rx.el.option(label, value=key) for key, label in CONFIDENCE_LABELS.items()],
                    name="confidence",
                    id="checkin-confidence",
                    class_name="gg-select",
                ),
            ),
            gap="1em",
            wrap="wrap",
        ),
        rx.el.textarea(
            name="note",
            id="checkin-note",
            placeholder="What moved, what got in the way?",
            max_length=MAX_CHECKIN_NOTE_LENGTH,
            class_name="gg-input",
            rows="2",
            width="100%",
        ),
        rx.hstack(
            rx.button("Save check-in", type="submit", id="checkin-save", size="2"),
            rx.cond(CheckinState.checkin_saved, rx.text("✓ Saved", size="1", color_scheme="grass")),
            rx.cond(
                CheckinState.checkin_error != "",
                rx.text(CheckinState.checkin_error, size="1", color_scheme="red", role="alert"),
            ),
            align="center",
        ),
        on_submit=CheckinState.save_checkin,
        id="checkin-form",
        class_name="gg-checkin",
    )


def _chart() -> rx.Component:
    return rx.box(
        rx.text("Progress over check-ins", size="2", weight="medium"),
        rx.recharts.line_chart(
            rx.recharts.line(data_key="progress", stroke=rx.color("orange", 9), type_="monotone"),
            rx.recharts.x_axis(data_key="when"),
            rx.recharts.y_axis(domain=[0, 100]),
            rx.recharts.graphing_tooltip(),
            data=CheckinState.progress_points,
            height=180,
            width="100%",
        ),
        id="goal-progress-chart",
        custom_attrs={"data-points": CheckinState.progress_points.length()},
        width="100%",
    )


def checkins() -> rx.Component:
    """Remounted for each goal: its mount loads that goal's check-ins."""
    return rx.box(
        rx.cond(CheckinState.checkin_meeting != "", _form()),
        rx.cond(CheckinState.progress_points.length() > 0, _chart()),
        key=GoalsState.selected_id,
        on_mount=CheckinState.load_checkins,
        width="100%",
    )
