"""Settings: Google Calendar, two-way (shown only when Google is configured)."""

import reflex as rx

from goalgetter.components.native_form import backend_url
from goalgetter.components.times import local_time
from goalgetter.state.google_calendar import GoogleCalendarState as State

_LINK_STYLE = {
    "display": "inline-flex",
    "alignItems": "center",
    "gap": "6px",
    "padding": "6px 12px",
    "borderRadius": "6px",
    "background": "var(--accent-3)",
    "color": "var(--accent-11)",
    "fontSize": "14px",
    "textDecoration": "none",
}


def _status() -> rx.Component:
    return rx.text(
        rx.match(
            State.calendar_connection,
            ("connected", rx.fragment("Connected to ", rx.text.strong(State.calendar_account))),
            ("revoked", rx.fragment("Disconnected")),
            rx.fragment("Not connected"),
        ),
        rx.cond(
            (State.calendar_connection == "connected") & (State.calendar_last_sync != ""),
            rx.fragment(" · last synced ", local_time(State.calendar_last_sync)),
        ),
        rx.cond(
            (State.calendar_connection == "connected") & (State.calendar_last_sync == ""),
            rx.fragment(" · first sync under way"),
        ),
        id="google-calendar-status",
        custom_attrs={"data-state": State.calendar_connection},
        size="2",
    )


def _connect() -> rx.Component:
    return rx.el.a(
        rx.icon("calendar-plus", size=14),
        rx.cond(State.calendar_connection == "revoked", "Connect again", "Connect Google Calendar"),
        id="google-calendar-connect",
        href=backend_url("/integrations/google-calendar/connect"),
        # rx.el.a is the router's link: the connection is a full navigation to Google.
        reload_document=True,
        style=_LINK_STYLE,
    )


def _disconnect() -> rx.Component:
    return rx.button(
        rx.icon("calendar-x", size=14),
        "Disconnect",
        on_click=State.disconnect_google_calendar,
        id="google-calendar-disconnect",
        color_scheme="red",
        variant="soft",
        type="button",
    )


def google_calendar_section() -> rx.Component:
    return rx.cond(
        State.calendar_available,
        rx.vstack(
            rx.heading("Google Calendar", size="4"),
            rx.text(
                "Your check-ins appear in your Google Calendar and stay up to date. Move or "
                "delete one there and GoalGetter follows, within the rules for moving and "
                "cancelling check-ins. Disconnecting removes the upcoming ones.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                State.calendar_message != "",
                rx.text(State.calendar_message, id="google-calendar-message", size="2"),
            ),
            _status(),
            rx.cond(
                State.calendar_trouble != "",
                rx.text(State.calendar_trouble, color_scheme="red", size="2"),
            ),
            rx.cond(State.calendar_connection == "connected", _disconnect(), _connect()),
            spacing="2",
            width="100%",
            margin_bottom="1.5em",
        ),
    )
