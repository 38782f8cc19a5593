"""Settings: deleting the account, after the person types their email (and may first
download everything)."""

import reflex as rx

from goalgetter.components.buttons import dialog_footer, download_button
from goalgetter.components.native_form import backend_url
from goalgetter.domain.validation import MAX_EMAIL_LENGTH
from goalgetter.state.account_profile import AccountState


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Delete your account?"),
            rx.dialog.description(
                "Your goals, their history, your chat with the coach, check-ins, templates, "
                "shared links and mail are deleted for good, and every device is signed out. "
                "This cannot be undone.",
                size="2",
            ),
            rx.vstack(
                rx.text("Keep a copy first:", size="2"),
                download_button(
                    "download",
                    "Download my data (JSON)",
                    backend_url("/export/my-data.json"),
                    "account-delete-download",
                ),
                rx.form(
                    rx.vstack(
                        rx.el.label(
                            rx.text(
                                "Type ",
                                rx.text.strong(AccountState.user_email),
                                " to confirm",
                                size="2",
                            ),
                            rx.el.input(
                                name="email",
                                id="account-delete-confirm",
                                type="email",
                                auto_complete="off",
                                max_length=MAX_EMAIL_LENGTH,
                                class_name="gg-input",
                                width="100%",
                            ),
                            class_name="gg-field",
                        ),
                        rx.cond(
                            AccountState.delete_error != "",
                            rx.text(
                                AccountState.delete_error,
                                id="account-delete-error",
                                color_scheme="red",
                                size="2",
                            ),
                        ),
                        dialog_footer(
                            rx.button(
                                "Delete everything",
                                id="account-delete-submit",
                                color_scheme="red",
                                type="submit",
                            ),
                            close_label="Keep my account",
                        ),
                        width="100%",
                    ),
                    on_submit=AccountState.delete_account,
                    reset_on_submit=False,
                ),
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=AccountState.delete_open,
        on_open_change=lambda _open: AccountState.close_delete(),
    )


def account_delete_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Delete account", size="4"),
        rx.text("Remove your account and everything in it.", size="2", color_scheme="gray"),
        rx.button(
            rx.icon("trash-2", size=14),
            "Delete my account",
            on_click=AccountState.open_delete,
            id="account-delete",
            color_scheme="red",
            variant="soft",
            type="button",
        ),
        _dialog(),
        spacing="2",
        margin_bottom="1.5em",
    )
