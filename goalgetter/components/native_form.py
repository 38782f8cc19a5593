"""A form the browser submits itself (Reflex's own forms always prevent that).

Sign-in must be a real navigation: the response sets the httpOnly cookie, and Reflex reads
cookies only when the websocket connects.
"""

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from goalgetter.urls import served_from_one_origin


class NativeForm(BaseHTML):
    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]
    auto_complete: rx.Var[str]


native_form = NativeForm.create


def backend_url(path: str) -> str:
    """URL of a backend route, fixed when the page is compiled.

    One origin (production, one port): the bare path, so any host name the browser used
    works. Otherwise (dev: pages on :3000, backend on :8000) the absolute api_url.
    """
    if served_from_one_origin():
        return path
    return f"{rx.config.get_config().api_url.rstrip('/')}{path}"
