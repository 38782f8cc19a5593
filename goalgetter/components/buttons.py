"""Small buttons and form pieces used across panels, pages and dialogs."""

import reflex as rx

from goalgetter.domain.timezones import CHOOSABLE_ZONES


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


def quiet_button(label: str, on_click=None, **props) -> rx.Component:
    """The secondary choice beside a form's main button: it never submits the form."""
    return rx.button(
        label,
        type="button",
        variant="soft",
        color_scheme="gray",
        on_click=on_click,
        **props,
    )


def dialog_footer(*buttons: rx.Component, close_label: str = "Cancel") -> rx.Component:
    """The row under a dialog: a button that closes it, then the dialog's own buttons."""
    return rx.hstack(
        rx.dialog.close(quiet_button(close_label)),
        *buttons,
        justify="end",
        width="100%",
        margin_top="1em",
    )


def labelled(label: str, control: rx.Component) -> rx.Component:
    """A small grey caption above a form control."""
    return rx.el.label(
        rx.text(label, size="1", color_scheme="gray"), control, class_name="gg-field"
    )


def zone_list() -> rx.Component:
    """The time zones an input with `list="gg-zones"` suggests as the person types."""
    return rx.el.datalist(*[rx.el.option(value=z) for z in CHOOSABLE_ZONES], id="gg-zones")


def download_button(icon: str, label: str, href, button_id: str, **props) -> rx.Component:
    """A link that looks like a button and downloads from a GET route; the server names the
    file (Content-Disposition: attachment).

    A real link, not `rx.download`: in dev the routes live on the backend's origin, and a
    download from another origin needs a link the browser follows itself (Reflex's download
    event takes only paths of the page's own origin). `reload_document` keeps the page
    router from treating it as an in-app navigation.
    """
    size = props.pop("size", "2")
    return rx.button(
        rx.el.a(
            rx.icon(icon, size=14, aria_hidden="true"),
            rx.el.span(label, class_name=props.pop("label_class", "")),
            href=href,
            download="",
            reload_document=True,
            id=button_id,
        ),
        as_child=True,
        variant="soft",
        size=size,
        **props,
    )
