"""Settings: the sessions where the person is signed in, each with a button to end it."""

import reflex as rx

from goalgetter.components.times import local_time
from goalgetter.state.sessions_list import SessionRow, SessionsListState


def _session_row(session: SessionRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(session["device"], weight="medium", size="2", class_name="gg-device"),
                rx.cond(
                    session["current"],
                    rx.badge("This device", color_scheme="grass", id="session-current"),
                ),
                spacing="2",
                align="center",
            ),
            rx.text(
                "Last seen ",
                local_time(session["last_seen"]),
                " · Signed in ",
                local_time(session["created"]),
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            flex="1",
        ),
        rx.button(
            rx.icon("log-out", size=14),
            rx.cond(session["current"], "Sign out", "Sign out this session"),
            on_click=SessionsListState.revoke_session(session["id"]),
            id="session-revoke",
            class_name="gg-session-revoke",
            color_scheme="red",
            variant="soft",
            size="1",
            type="button",
        ),
        custom_attrs={
            "data-session-id": session["id"],
            "data-current": rx.cond(session["current"], "true", "false"),
        },
        class_name="gg-session-row",
        align="center",
        width="100%",
    )


def sessions_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Where you're signed in", size="4"),
        rx.text(
            "Each browser or device signed in to your account. Sign out one you don't "
            "recognise, or every one at once (this one too).",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            SessionsListState.sessions_error != "",
            rx.text(SessionsListState.sessions_error, color_scheme="red", size="2"),
        ),
        rx.vstack(
            rx.foreach(SessionsListState.sessions, _session_row),
            id="sessions-list",
            class_name="gg-sessions-list",
            spacing="3",
            width="100%",
            padding_y="0.5em",
        ),
        rx.button(
            rx.icon("shield-off", size=14),
            "Sign out everywhere",
            on_click=SessionsListState.sign_out_everywhere,
            id="signout-everywhere",
            color_scheme="red",
            variant="outline",
            type="button",
        ),
        spacing="2",
        width="100%",
        margin_bottom="1.5em",
    )
