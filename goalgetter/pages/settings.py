"""/settings: the person's details and sign-in, their mail, calendar and shared links."""

import reflex as rx

from goalgetter.components.account_delete import account_delete_section
from goalgetter.components.settings_account import account_sections
from goalgetter.components.settings_google_calendar import google_calendar_section
from goalgetter.components.settings_sessions import sessions_section
from goalgetter.pages.workspace import app_header
from goalgetter.state.account_settings import CalendarFeedState, NotificationsState
from goalgetter.state.shares import ShareRow, ShareState


def _share_row(share: ShareRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(share["shows"], weight="medium", size="2"),
            rx.text(
                rx.cond(share["partner"] != "", "For " + share["partner"] + " · ", ""),
                "Created ",
                share["created"],
                " · Expires: ",
                share["expires"],
                size="1",
                color_scheme="gray",
            ),
            rx.text(share["opened"], size="1", color_scheme="gray"),
            rx.cond(
                share["digest"] != "",
                rx.text(share["digest"], class_name="gg-share-digest", size="1"),
            ),
            spacing="1",
            flex="1",
        ),
        rx.button(
            rx.icon("link-2-off", size=14),
            "Turn off",
            on_click=ShareState.revoke_share(share["id"]),
            id="share-revoke",
            class_name="gg-share-revoke",
            color_scheme="red",
            variant="soft",
            size="1",
            type="button",
        ),
        custom_attrs={"data-share-id": share["id"]},
        class_name="gg-share-row",
        align="center",
        width="100%",
    )


def _shares() -> rx.Component:
    return rx.vstack(
        rx.heading("Shared with partners", size="4"),
        rx.text(
            "Private read-only links to your goals. Turning one off ends it at once.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            ShareState.shares_error != "",
            rx.text(ShareState.shares_error, color_scheme="red", size="2"),
        ),
        rx.el.div(
            rx.cond(
                ShareState.shares.length() == 0,
                rx.text(
                    "Nothing shared. Use Share on a goal to create a link.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.foreach(ShareState.shares, _share_row),
            id="shares-list",
            class_name="gg-shares-list",
        ),
        spacing="2",
        width="100%",
    )


def _toggle(label: str, checked, on_change, toggle_id: str) -> rx.Component:
    return rx.el.label(
        rx.switch(checked=checked, on_change=on_change, id=toggle_id),
        rx.text(label, size="2"),
        class_name="gg-check",
    )


def _mail() -> rx.Component:
    return rx.vstack(
        rx.heading("Email", size="4"),
        _toggle(
            "Check-in invitations and reminders (a day and an hour before)",
            NotificationsState.email_reminders,
            NotificationsState.set_reminders,
            "settings-email-reminders",
        ),
        _toggle(
            "The recap after each check-in",
            NotificationsState.email_recaps,
            NotificationsState.set_recaps,
            "settings-email-recaps",
        ),
        _toggle(
            "A nudge when a milestone is due",
            NotificationsState.email_nudges,
            NotificationsState.set_nudges,
            "settings-email-nudges",
        ),
        rx.link("Your mail: everything GoalGetter sent you", href="/outbox", id="settings-outbox"),
        spacing="2",
        width="100%",
        margin_bottom="1.5em",
    )


def _calendar() -> rx.Component:
    return rx.vstack(
        rx.heading("Your check-ins in your calendar", size="4"),
        rx.text(
            "Subscribe to this private address in Apple Calendar, Outlook, Thunderbird or "
            "Google Calendar (From URL). Anyone with it can see your check-in times.",
            size="2",
            color_scheme="gray",
        ),
        rx.el.code(CalendarFeedState.feed_url, id="calendar-feed-url", class_name="gg-share-url"),
        rx.hstack(
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                on_click=rx.set_clipboard(CalendarFeedState.feed_url),
                variant="soft",
                type="button",
            ),
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Replace the address",
                on_click=CalendarFeedState.rotate_feed,
                id="calendar-feed-rotate",
                variant="soft",
                color_scheme="gray",
                type="button",
            ),
            spacing="2",
        ),
        spacing="2",
        width="100%",
        margin_bottom="1.5em",
    )


def settings_page() -> rx.Component:
    return rx.box(
        app_header(),
        rx.el.main(
            rx.heading("Settings", size="6"),
            account_sections(),
            sessions_section(),
            _mail(),
            _calendar(),
            google_calendar_section(),
            _shares(),
            account_delete_section(),
            class_name="gg-page",
        ),
        class_name="gg-shell gg-scroll",
    )
