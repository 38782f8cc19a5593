"""/: what GoalGetter is, and the way in."""

import reflex as rx

from goalgetter.components.brand import ACCENT, centered_page, logo


def _point(icon: str, text: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=18, color=rx.color(ACCENT, 9)), rx.text(text, size="3"), align="center"
    )


def home_page() -> rx.Component:
    return centered_page(
        logo("8"),
        rx.heading("Goals you actually keep.", size="7"),
        rx.text(
            "Write your goals on the left. Talk them through with a direct, energising coach "
            "on the right. Then meet on a schedule and follow through.",
            size="3",
            color_scheme="gray",
        ),
        rx.vstack(
            _point("pen-line", "A goal document that saves as you type"),
            _point("flame", "A coach that challenges vague goals and praises real commitments"),
            _point("calendar-check", "Check-ins that keep you accountable"),
            spacing="2",
        ),
        rx.hstack(
            rx.link(rx.button("Get started", size="3"), href="/signup"),
            rx.link(rx.button("Sign in", size="3", variant="soft"), href="/login"),
            spacing="3",
        ),
    )
