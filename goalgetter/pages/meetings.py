"""/meetings: start tracking (goal setting) or the check-ins and their schedule (tracking)."""

import reflex as rx

from goalgetter.components.meeting_parts import meeting_list, next_meeting, schedule_form
from goalgetter.pages.workspace import app_header
from goalgetter.state.meetings import MeetingsState


def _start_tracking() -> rx.Component:
    return rx.vstack(
        rx.heading("Ready to make it happen?", size="6"),
        rx.text(
            "Set up your check-ins: a regular meeting with your coach to review progress and "
            "commit to the next steps. Your draft goals become active. From then on the coach "
            "is there in each check-in, from 30 minutes before it starts to an hour after it "
            "ends; your goals stay editable at any time. This cannot be undone.",
            color_scheme="gray",
        ),
        schedule_form("Start tracking", "tracking-start", MeetingsState.start_tracking),
        spacing="3",
        width="100%",
    )


def _tracking() -> rx.Component:
    return rx.vstack(
        next_meeting(),
        meeting_list(),
        rx.heading("Change the schedule", size="3", margin_top="1em"),
        rx.text(
            "Upcoming check-ins are replaced by the new schedule; past ones are kept. The "
            "first new one comes at least a full period after your last check-in.",
            size="2",
            color_scheme="gray",
        ),
        schedule_form("Change schedule", "cadence-change", MeetingsState.change_cadence),
        spacing="3",
        width="100%",
    )


def meetings_page() -> rx.Component:
    return rx.box(
        app_header(),
        rx.el.main(
            rx.cond(
                MeetingsState.phase == "tracking",
                _tracking(),
                rx.cond(MeetingsState.phase != "", _start_tracking()),
            ),
            class_name="gg-page",
        ),
        class_name="gg-shell gg-scroll",
    )
