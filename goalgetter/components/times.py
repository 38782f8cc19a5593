"""Instants shown in the user's time."""

import reflex as rx

from goalgetter.state.session import SessionState

WHEN = "ddd D MMM YYYY, HH:mm"


def local_time(iso: rx.Var[str], fmt: str = WHEN, *, zone_name: bool = False) -> rx.Component:
    """`iso` (UTC) in the user's zone (their schedule's), else the browser's. `zone_name`
    adds the zone's abbreviation ("CET"), known only for a saved zone."""
    return rx.cond(
        SessionState.user_timezone != "",
        rx.moment(iso, format=fmt + (" z" if zone_name else ""), tz=SessionState.user_timezone),
        rx.moment(iso, format=fmt, local=True),
    )
