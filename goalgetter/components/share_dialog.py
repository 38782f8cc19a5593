"""Sharing: the dialog that makes a partner's link from the open goal."""

import reflex as rx

from goalgetter.components.buttons import dialog_footer
from goalgetter.domain.shares import MAX_PARTNER_NAME
from goalgetter.domain.validation import MAX_EMAIL_LENGTH
from goalgetter.state.shares import ShareState


def _options() -> rx.Component:
    return rx.vstack(
        rx.el.label(
            "What to share",
            rx.el.select(
                rx.el.option("This goal", value="this"),
                rx.el.option("All my active goals", value="all"),
                name="which",
                id="share-which",
                class_name="gg-input",
            ),
            class_name="gg-field",
        ),
        rx.el.label(
            rx.el.input(type="checkbox", name="progress", id="share-progress"),
            " Include check-in progress and the latest recap",
            class_name="gg-check",
        ),
        rx.el.input(
            name="partner",
            id="share-partner",
            placeholder="Partner's name (optional)",
            max_length=MAX_PARTNER_NAME,
            class_name="gg-input",
            width="100%",
        ),
        rx.el.input(
            name="partner_email",
            id="share-partner-email",
            type="email",
            placeholder="Partner's email, for an update after each check-in (optional)",
            max_length=MAX_EMAIL_LENGTH,
            class_name="gg-input",
            width="100%",
        ),
        rx.el.label(
            "Link works",
            rx.el.select(
                rx.el.option("until I turn it off", value="0"),
                rx.el.option("for 7 days", value="7"),
                rx.el.option("for 30 days", value="30"),
                rx.el.option("for 90 days", value="90"),
                name="expiry",
                id="share-expiry",
                class_name="gg-input",
            ),
            class_name="gg-field",
        ),
        spacing="3",
        width="100%",
    )


def _made() -> rx.Component:
    return rx.vstack(
        rx.text("Send this private link to your partner:", size="2"),
        rx.el.code(ShareState.share_url, id="share-url", class_name="gg-share-url"),
        rx.hstack(
            rx.button(
                rx.icon("copy", size=14),
                "Copy link",
                on_click=rx.set_clipboard(ShareState.share_url),
                id="share-copy",
                type="button",
                variant="soft",
            ),
            rx.button("Done", on_click=ShareState.close_share, id="share-done", type="button"),
            spacing="2",
        ),
        rx.cond(
            ShareState.share_invited != "",
            rx.text(
                "We asked ",
                rx.text.strong(ShareState.share_invited),
                " whether they want an email after each check-in. They get nothing more "
                "unless they say yes.",
                id="share-invited",
                size="2",
            ),
        ),
        rx.text(
            "Anyone with the link can read what you chose, nothing else. Turn it off any "
            "time in Settings.",
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
    )


def share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Share with a partner"),
            rx.dialog.description(
                "A private, read-only page for someone who keeps you accountable.", size="2"
            ),
            rx.cond(
                ShareState.share_url != "",
                _made(),
                rx.form(
                    rx.vstack(
                        _options(),
                        rx.cond(
                            ShareState.share_error != "",
                            rx.text(
                                ShareState.share_error,
                                id="share-error",
                                color_scheme="red",
                                size="2",
                            ),
                        ),
                        dialog_footer(rx.button("Create link", id="share-create", type="submit")),
                        spacing="3",
                        margin_top="1em",
                    ),
                    on_submit=ShareState.create_share,
                ),
            ),
        ),
        open=ShareState.share_open,
        on_open_change=lambda _open: ShareState.close_share(),
    )
