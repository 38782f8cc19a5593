"""What each email says, in plain text and HTML (escaped), with links into the app."""

from __future__ import annotations

from html import escape


def _html(paragraphs: list[str], link: str, action: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    button = (
        f'<p><a href="{escape(link)}" style="background:#f76b15;color:#fff;padding:10px 16px;'
        f'border-radius:8px;text-decoration:none">{escape(action)}</a></p>'
    )
    return (
        '<div style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;'
        f'color:#1c2024;max-width:560px">{body}{button}'
        '<p style="color:#8b8d98;font-size:13px">GoalGetter, your goal coach.</p></div>'
    )


def welcome(name: str, to: str, public_url: str) -> dict:
    first = (name or "there").split(" ")[0]
    link = f"{public_url.rstrip('/')}/workspace"
    paragraphs = [
        f"Welcome, {first}!",
        "Write your first goal on the left and talk it through with your coach on the right: "
        "what you want, by when, and why it matters. The coach will push you to make it "
        "specific, measurable and real.",
    ]
    text = "\n\n".join([*paragraphs, f"Start here: {link}", "GoalGetter, your goal coach."])
    return {
        "kind": "welcome",
        "to": to,
        "subject": f"Welcome to GoalGetter, {first}",
        "text": text,
        "html": _html(paragraphs, link, "Write your first goal"),
        "headers": {},
        "attachments": [],
    }
