"""/outbox: every email the app sent or kept for the signed-in person."""

import reflex as rx

from goalgetter.components.times import local_time
from goalgetter.pages.workspace import app_header
from goalgetter.state.outbox import OutboxItem, OutboxState


def _item(mail: OutboxItem) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            rx.badge(
                mail["status"],
                color_scheme=rx.match(
                    mail["status"],
                    ("sent", "grass"),
                    ("failed", "red"),
                    ("outbox", "gray"),
                    "orange",
                ),
            ),
            " ",
            rx.text.strong(mail["subject"]),
            rx.text(" · ", local_time(mail["when"]), size="1", color_scheme="gray", as_="span"),
        ),
        rx.text("To ", mail["to"], size="1", color_scheme="gray"),
        rx.cond(mail["error"] != "", rx.text(mail["error"], size="1", color_scheme="red")),
        rx.el.pre(mail["text"], class_name="gg-mail-text"),
        id="outbox-item",
        class_name="gg-outbox-item",
        custom_attrs={"data-kind": mail["kind"], "data-status": mail["status"]},
    )


def outbox_page() -> rx.Component:
    return rx.box(
        app_header(),
        rx.el.main(
            rx.heading("Your mail", size="6"),
            rx.text(
                "Every email GoalGetter sent you, or kept here when no mail provider is set up.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                OutboxState.items.length() == 0,
                rx.text("No mail yet.", size="2", color_scheme="gray"),
            ),
            rx.el.div(rx.foreach(OutboxState.items, _item), id="outbox-list"),
            class_name="gg-page",
        ),
        class_name="gg-shell gg-scroll",
    )
