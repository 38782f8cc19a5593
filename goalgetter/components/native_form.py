"""A form the browser submits itself (Reflex's own forms always prevent that).

Sign-in must be a real navigation: the response sets the httpOnly cookie, and Reflex reads
cookies only when the websocket connects.
"""

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(BaseHTML):
    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]
    auto_complete: rx.Var[str]


native_form = NativeForm.create


def backend_url(path: str) -> str:
    """Absolute URL of a backend route (dev serves it on another port than the pages)."""
    return f"{rx.config.get_config().api_url.rstrip('/')}{path}"
