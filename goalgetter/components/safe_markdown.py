"""Markdown as text the user or the coach wrote: raw HTML is shown as text, never run."""

import reflex as rx


def safe_markdown(text: rx.Var[str]) -> rx.Component:
    return rx.markdown(text, use_raw=False, use_math=False, use_katex=False)
