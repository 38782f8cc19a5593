"""The logo, page shell and shared style."""

import reflex as rx

ACCENT = "orange"


def logo(size: str = "5", wordmark_class: str = "") -> rx.Component:
    return rx.hstack(
        rx.icon("target", size=24, color=rx.color(ACCENT, 9), aria_label="GoalGetter"),
        rx.heading(
            "GoalGetter",
            size=size,
            weight="bold",
            letter_spacing="-0.02em",
            class_name=wordmark_class,
        ),
        align="center",
        spacing="2",
    )


def centered_page(*children: rx.Component) -> rx.Component:
    # The page's one `main` landmark: screen readers jump to it.
    return rx.el.main(
        rx.center(
            rx.vstack(*children, width="100%", max_width="420px", spacing="5", align="stretch"),
            min_height="100dvh",
            padding="1.5em",
            background=f"radial-gradient(circle at 20% 0%, {rx.color(ACCENT, 3)}, transparent 60%)",
        )
    )
