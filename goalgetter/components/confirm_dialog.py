"""A yes/no question before something that cannot be undone."""

import reflex as rx

from goalgetter.components.buttons import quiet_button


def confirm_dialog(
    *,
    title: str,
    description: rx.Component | str,
    keep_label: str,
    confirm_label: str,
    confirm_id: str,
    is_open: rx.Var[bool],
    on_keep: rx.EventHandler,
    on_confirm: rx.EventHandler,
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(quiet_button(keep_label, on_keep)),
                rx.alert_dialog.action(
                    rx.button(confirm_label, color_scheme="red", id=confirm_id, on_click=on_confirm)
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=is_open,
        # Escape or a click outside: the same as answering no.
        on_open_change=lambda _is_open: on_keep(),
    )
