"""Pieces of the meetings page: the schedule form, the next check-in, the meeting list."""

import reflex as rx

from goalgetter.components.buttons import icon_action, labelled, quiet_button, zone_list
from goalgetter.components.confirm_dialog import confirm_dialog
from goalgetter.components.times import local_time
from goalgetter.data.meetings import MAX_NOTES_LENGTH
from goalgetter.domain.recurrence import CADENCE_LABELS, MAX_DURATION, MIN_DURATION, WEEKDAY_NAMES
from goalgetter.state.meetings import MeetingItem, MeetingsState
from goalgetter.state.session import SessionState

STATUS_COLORS = {
    "scheduled": "blue",
    "active": "orange",
    "completed": "grass",
    "cancelled": "gray",
    "missed": "red",
}


def _day_select() -> rx.Component:
    monthly = MeetingsState.cadence_choice == "monthly"
    return rx.el.select(
        rx.cond(
            monthly,
            rx.fragment(*[rx.el.option(f"Day {d}", value=str(d)) for d in range(1, 32)]),
            rx.fragment(*[rx.el.option(n, value=str(i)) for i, n in enumerate(WEEKDAY_NAMES)]),
        ),
        name="day",
        id="meeting-day",
        key=MeetingsState.cadence_choice + MeetingsState.form_day,
        default_value=MeetingsState.form_day,
        class_name="gg-select",
    )


def schedule_form(submit_label: str, submit_id: str, on_submit) -> rx.Component:
    return rx.form(
        rx.flex(
            labelled(
                "How often",
                rx.el.select(
                    *[rx.el.option(label, value=key) for key, label in CADENCE_LABELS.items()],
                    name="cadence",
                    id="cadence",
                    value=MeetingsState.cadence_choice,
                    on_change=MeetingsState.choose_cadence,
                    class_name="gg-select",
                ),
            ),
            labelled("Day", _day_select()),
            labelled(
                "Time",
                rx.el.input(
                    type="time",
                    name="time",
                    id="meeting-time",
                    default_value=MeetingsState.form_time,
                    key=MeetingsState.form_time,
                    class_name="gg-input gg-date",
                ),
            ),
            labelled(
                "Time zone",
                rx.el.input(
                    name="timezone",
                    id="meeting-timezone",
                    default_value=rx.cond(
                        MeetingsState.form_timezone != "",
                        MeetingsState.form_timezone,
                        SessionState.browser_timezone,
                    ),
                    key=MeetingsState.form_timezone + SessionState.browser_timezone,
                    list="gg-zones",
                    class_name="gg-input",
                ),
            ),
            zone_list(),
            labelled(
                "Minutes",
                rx.el.input(
                    type="number",
                    name="duration",
                    id="meeting-duration",
                    default_value=MeetingsState.form_duration,
                    key=MeetingsState.form_duration,
                    min=str(MIN_DURATION),
                    max=str(MAX_DURATION),
                    step="5",
                    class_name="gg-input gg-date",
                ),
            ),
            gap="1em",
            wrap="wrap",
            align="end",
        ),
        rx.cond(
            MeetingsState.form_error != "",
            rx.text(
                MeetingsState.form_error, id="meeting-form-error", color_scheme="red", size="2"
            ),
        ),
        rx.button(
            rx.cond(MeetingsState.planning, "Planning your check-ins…", submit_label),
            id=submit_id,
            type="submit",
            size="3",
            margin_top="1em",
            loading=MeetingsState.planning,
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *[(s, rx.badge(s.capitalize(), color_scheme=c)) for s, c in STATUS_COLORS.items()],
        rx.badge(status),
    )


def next_meeting() -> rx.Component:
    meeting = MeetingsState.next_meeting
    return rx.card(
        rx.cond(
            meeting,
            rx.cond(meeting["chat_open"], _meeting_open(meeting), _meeting_ahead(meeting)),
            rx.text("No check-in planned. Change the schedule below to plan the next ones."),
        ),
        id="meetings-next",
        width="100%",
    )


def _page_countdown(instant) -> rx.Component:
    """Time to `instant`, re-rendered every 5 s, each time re-reading the meetings: a window
    opening or closing with the page open shows, and the buttons follow."""
    return rx.moment(instant, from_now=True, interval=5_000, on_change=MeetingsState.refresh)


def _meeting_ahead(meeting) -> rx.Component:
    return rx.vstack(
        rx.text("Next check-in", size="2", color_scheme="gray"),
        rx.heading(local_time(meeting["start"].to(str)), size="5"),
        rx.text(
            "Starts ",
            _page_countdown(meeting["start"].to(str)),
            " · the coach opens 30 minutes before and stays until an hour after.",
            size="2",
        ),
        spacing="1",
    )


def _meeting_open(meeting) -> rx.Component:
    """Its window is open: say so, and lead to the coach."""
    return rx.vstack(
        rx.text("Check-in now", size="2", color_scheme="orange", weight="medium"),
        rx.heading(local_time(meeting["start"].to(str)), size="5"),
        rx.text(
            "Your coach is here until ",
            local_time(meeting["closes"].to(str), "HH:mm"),
            " (closes ",
            _page_countdown(meeting["closes"].to(str)),
            ").",
            size="2",
        ),
        rx.link(
            rx.button(rx.icon("message-circle", size=16), "Talk to your coach", size="2"),
            href="/workspace",
            id="meetings-open-coach",
        ),
        spacing="2",
    )


def _reschedule_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(
                type="datetime-local",
                name="start",
                id="meeting-new-start",
                class_name="gg-input gg-date",
                required=True,
            ),
            rx.button("Move", type="submit", id="meeting-move", size="1"),
            quiet_button("Keep", MeetingsState.close_actions, size="1"),
            wrap="wrap",
        ),
        rx.text(MeetingsState.reschedule_rule, size="1", color_scheme="gray"),
        on_submit=MeetingsState.reschedule,
        reset_on_submit=False,
    )


def _complete_form() -> rx.Component:
    return rx.form(
        rx.text_area(
            name="notes",
            id="meeting-notes",
            placeholder="What happened? What next?",
            max_length=MAX_NOTES_LENGTH,
            width="100%",
        ),
        rx.hstack(
            rx.button("Mark complete", type="submit", id="meeting-complete", size="1"),
            quiet_button("Not now", MeetingsState.close_actions, size="1"),
            margin_top="0.4em",
        ),
        on_submit=MeetingsState.complete,
        width="100%",
    )


def _meeting_row(meeting: MeetingItem) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(local_time(meeting["start"]), weight="medium", size="2"),
            status_badge(meeting["status"]),
            rx.spacer(),
            rx.cond(
                meeting["can_move"],
                rx.button(
                    "Reschedule",
                    size="1",
                    variant="soft",
                    on_click=MeetingsState.ask_reschedule(meeting["id"]),
                ),
            ),
            rx.cond(
                meeting["can_move"],
                icon_action("x", "Cancel this check-in", MeetingsState.ask_cancel(meeting["id"])),
            ),
            rx.cond(
                meeting["can_complete"],
                rx.button(
                    "Complete",
                    size="1",
                    variant="soft",
                    on_click=MeetingsState.ask_complete(meeting["id"]),
                ),
            ),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(MeetingsState.reschedule_id == meeting["id"], _reschedule_form()),
        rx.cond(MeetingsState.complete_id == meeting["id"], _complete_form()),
        rx.cond(
            meeting["notes"] != "", rx.text(meeting["notes"], size="2", class_name="gg-user-text")
        ),
        rx.cond(
            meeting["recap"] != "", rx.text(meeting["recap"], size="2", class_name="gg-user-text")
        ),
        custom_attrs={"data-meeting-id": meeting["id"], "data-status": meeting["status"]},
        key=meeting["id"],
        class_name="gg-meeting",
    )


def meeting_list() -> rx.Component:
    return rx.vstack(
        rx.cond(
            MeetingsState.action_error != "",
            rx.callout(
                MeetingsState.action_error,
                color_scheme="red",
                id="meeting-error",
                role="alert",
                width="100%",
            ),
        ),
        rx.heading("Upcoming", size="3"),
        rx.foreach(MeetingsState.upcoming, _meeting_row),
        rx.heading("Past", size="3", margin_top="1em"),
        rx.cond(
            MeetingsState.past.length() == 0, rx.text("None yet.", color_scheme="gray", size="2")
        ),
        rx.foreach(MeetingsState.past, _meeting_row),
        _cancel_dialog(),
        id="meeting-list",
        width="100%",
        spacing="2",
    )


def _cancel_dialog() -> rx.Component:
    return confirm_dialog(
        title="Cancel this check-in?",
        description=rx.fragment(
            "The check-in on ",
            local_time(MeetingsState.cancel_start),
            " will not take place and your coach will not open for it. This cannot be undone.",
        ),
        keep_label="Keep it",
        confirm_label="Cancel check-in",
        confirm_id="meeting-cancel-confirm",
        is_open=MeetingsState.cancel_id != "",
        on_keep=MeetingsState.keep_meeting,
        on_confirm=MeetingsState.cancel,
    )
