"""/workspace: goals on the left, coach on the right; tabs under 768 px."""

import reflex as rx

from goalgetter.components.brand import logo
from goalgetter.components.buttons import download_button
from goalgetter.components.chat_panel import chat_panel
from goalgetter.components.goal_panel import goal_panel
from goalgetter.components.native_form import backend_url, native_form
from goalgetter.state.goals import GoalsState
from goalgetter.state.session import SIGN_OUT_FORM_ID, SessionState

DESKTOP = "flex"


def app_header() -> rx.Component:
    # A `header` (the banner landmark) holding the navigation; each page's own content is in
    # its `main`.
    return rx.el.header(_header_bar())


def _header_bar() -> rx.Component:
    return rx.hstack(
        logo(wordmark_class="gg-hide-narrow"),
        rx.el.nav(
            rx.link("Goals", href="/workspace", id="nav-workspace"),
            rx.link("Check-ins", href="/meetings", id="nav-meetings"),
            rx.link("Settings", href="/settings", id="nav-settings"),
            class_name="gg-nav",
        ),
        rx.spacer(),
        rx.text(
            SessionState.user_name,
            size="2",
            color_scheme="gray",
            class_name="gg-hide-narrow",
            id="user-name",
        ),
        download_button(
            "download",
            "My data",
            backend_url("/export/my-data.json"),
            "download-my-data",
            title="Download my data (JSON)",
            label_class="gg-hide-narrow",
        ),
        # The server first empties this tab's state (SessionState.sign_out), then this form
        # is posted: a real navigation whose response deletes the httpOnly cookie.
        native_form(
            rx.button(
                rx.icon("log-out", size=14),
                rx.el.span("Sign out", class_name="gg-hide-narrow"),
                id="signout",
                aria_label="Sign out",
                variant="soft",
                color_scheme="gray",
                size="2",
                type="submit",
                on_click=[rx.prevent_default, SessionState.sign_out],
            ),
            action=backend_url("/auth/logout"),
            method="post",
            id=SIGN_OUT_FORM_ID,
        ),
        class_name="gg-header",
        align="center",
        spacing="3",
    )


def _tab(label: str, value: str, icon: str) -> rx.Component:
    return rx.el.button(
        rx.icon(icon, size=16),
        label,
        on_click=GoalsState.show_tab(value),
        class_name=rx.cond(GoalsState.mobile_tab == value, "gg-tab gg-tab-active", "gg-tab"),
        id=f"tab-{value}",
        role="tab",
        aria_selected=rx.cond(GoalsState.mobile_tab == value, "true", "false"),
    )


def _panel(content: rx.Component, tab: str) -> rx.Component:
    shown = GoalsState.mobile_tab == tab
    # Phones show the active tab only; from 768 px (Radix "md") both panels are side by side.
    return rx.box(
        content,
        class_name="gg-panel",
        display=[rx.cond(shown, DESKTOP, "none"), rx.cond(shown, DESKTOP, "none"), DESKTOP],
    )


def workspace_page() -> rx.Component:
    return rx.box(
        app_header(),
        rx.el.main(
            rx.hstack(
                _tab("Goals", "goals", "target"),
                _tab("Coach", "coach", "message-circle"),
                class_name="gg-tabs",
                role="tablist",
            ),
            rx.box(
                _panel(goal_panel(), "goals"),
                _panel(chat_panel(), "coach"),
                class_name="gg-split",
            ),
            class_name="gg-main",
        ),
        class_name="gg-shell",
    )
