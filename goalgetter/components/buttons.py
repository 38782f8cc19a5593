"""Small buttons used across panels and dialogs."""

import reflex as rx


def icon_action(icon: str, label, on_click, *, icon_size: int = 14, **props) -> rx.Component:
    """A quiet icon-only button; `label` is what screen readers say (it may be a Var)."""
    return rx.icon_button(
        rx.icon(icon, size=icon_size),
        on_click=on_click,
        variant="ghost",
        color_scheme="gray",
        size=props.pop("size", "1"),
        aria_label=label,
        **props,
    )


def dialog_footer(*buttons: rx.Component, close_label: str = "Cancel") -> rx.Component:
    """The row under a dialog: a button that closes it, then the dialog's own buttons."""
    return rx.hstack(
        rx.dialog.close(rx.button(close_label, variant="soft", color_scheme="gray", type="button")),
        *buttons,
        justify="end",
        width="100%",
        margin_top="1em",
    )
