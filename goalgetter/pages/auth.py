"""/login and /signup: plain HTML forms posted to the backend's auth routes."""

import reflex as rx

from goalgetter.components.brand import centered_page, logo
from goalgetter.components.native_form import backend_url, native_form
from goalgetter.domain.validation import MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH
from goalgetter.state.auth_form import AuthFormState


def _field(label: str, input_id: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500", font_size="0.9em"),
        rx.el.input(id=input_id, class_name="gg-input", required=True, **props),
        spacing="1",
        align="stretch",
    )


def _email_field() -> rx.Component:
    # key: remount when the kept address arrives, so the uncontrolled input shows it.
    return _field(
        "Email",
        "auth-email",
        name="email",
        type="email",
        default_value=AuthFormState.email,
        key=AuthFormState.email,
        auto_complete="email",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(
            AuthFormState.error,
            rx.callout(
                AuthFormState.error,
                icon="circle-alert",
                color_scheme="red",
                id="auth-error",
                role="alert",
            ),
        ),
        rx.cond(
            AuthFormState.notice,
            rx.callout(AuthFormState.notice, icon="circle-check", color_scheme="grass"),
        ),
    )


_PROVIDER_LINK_STYLE = {
    "display": "block",
    "text_align": "center",
    "padding": "0.7em",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-3)",
    "color": "var(--gray-12)",
    "font_weight": "500",
    "text_decoration": "none",
}


def _provider_link(provider: str, label: str, shown) -> rx.Component:
    # A plain link, not a client-side route: the provider's round trip must be full page
    # navigations so the websocket reconnects with the new session cookie at the end.
    return rx.cond(
        shown,
        rx.el.a(
            label,
            id=f"oauth-{provider}",
            href=backend_url(f"/auth/{provider}/start"),
            # rx.el.a is the router's link: without this it would route inside the page.
            reload_document=True,
            style=_PROVIDER_LINK_STYLE,
        ),
    )


def _provider_links() -> rx.Component:
    return rx.cond(
        AuthFormState.google_sign_in | AuthFormState.github_sign_in,
        rx.vstack(
            _provider_link("google", "Continue with Google", AuthFormState.google_sign_in),
            _provider_link("github", "Continue with GitHub", AuthFormState.github_sign_in),
            rx.text("or with your email", color_scheme="gray", size="1", align="center"),
            spacing="2",
            align="stretch",
        ),
    )


def _auth_card(
    heading: str, subtitle: str, action: str, fields: list, submit: str, footer: rx.Component
) -> rx.Component:
    return centered_page(
        rx.center(logo("7")),
        rx.card(
            rx.vstack(
                rx.heading(heading, size="6"),
                rx.text(subtitle, color_scheme="gray", size="2"),
                _messages(),
                _provider_links(),
                native_form(
                    rx.vstack(
                        *fields,
                        rx.el.button(
                            submit, id="auth-submit", type="submit", class_name="gg-button"
                        ),
                        spacing="4",
                        align="stretch",
                    ),
                    action=backend_url(action),
                    method="post",
                ),
                footer,
                spacing="4",
                align="stretch",
            ),
            size="4",
        ),
    )


def login_page() -> rx.Component:
    return _auth_card(
        "Welcome back",
        "Sign in and pick up where you left off.",
        "/auth/login",
        [
            _email_field(),
            _field(
                "Password",
                "auth-password",
                name="password",
                type="password",
                auto_complete="current-password",
            ),
        ],
        "Sign in",
        rx.vstack(
            rx.text("New here? ", rx.link("Create an account", href="/signup"), size="2"),
            # A page of the backend's (the reset token must stay out of Reflex's state).
            rx.el.a(
                "Forgot your password?",
                id="forgot-password",
                href=backend_url("/forgot"),
                reload_document=True,
                font_size="0.9em",
                color="var(--accent-11)",
            ),
            spacing="2",
        ),
    )


def signup_page() -> rx.Component:
    return _auth_card(
        "Create your account",
        "Write your goals, talk them through with your coach, and follow through.",
        "/auth/signup",
        [
            _field(
                "Name",
                "auth-name",
                name="name",
                default_value=AuthFormState.name,
                key=AuthFormState.name,
                auto_complete="name",
                max_length=MAX_NAME_LENGTH,
            ),
            _email_field(),
            _field(
                f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
                "auth-password",
                name="password",
                type="password",
                auto_complete="new-password",
                min_length=MIN_PASSWORD_LENGTH,
            ),
        ],
        "Create account",
        rx.text("Already have an account? ", rx.link("Sign in", href="/login"), size="2"),
    )
