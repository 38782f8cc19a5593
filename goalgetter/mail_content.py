"""What each email says, in plain text and HTML (escaped), with links into the app."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo


def _html(paragraphs: list[str], link: str, action: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    button = (
        f'<p><a href="{escape(link)}" style="background:#f76b15;color:#fff;padding:10px 16px;'
        f'border-radius:8px;text-decoration:none">{escape(action)}</a></p>'
        if link
        else ""
    )
    return (
        '<div style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;'
        f'color:#1c2024;max-width:560px">{body}{button}'
        '<p style="color:#8b8d98;font-size:13px">GoalGetter, your goal coach.</p></div>'
    )


def unsubscribe_html(url: str) -> str:
    return (
        '<p style="color:#8b8d98;font-size:12px">Don\'t want these? '
        f'<a href="{escape(url)}" style="color:#8b8d98">Unsubscribe</a>.</p>'
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


def _when_local(start: datetime, zone: ZoneInfo) -> str:
    local = start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({zone.key} time)"


def reminder(
    kind: str, name: str, to: str, start: datetime, zone: ZoneInfo, public_url: str
) -> dict:
    first = (name or "there").split(" ")[0]
    when = _when_local(start, zone)
    soon = "tomorrow" if kind == "reminder-24h" else "in an hour"
    link = f"{public_url.rstrip('/')}/workspace"
    paragraphs = [
        f"Hi {first}, your check-in with your coach is {soon}: {when}.",
        "Take two minutes before it to look at your goals: what moved, what got stuck, and "
        "what you will commit to next. The chat opens 30 minutes before the start.",
    ]
    text = "\n\n".join([*paragraphs, f"Open GoalGetter: {link}"])
    return {
        "kind": kind,
        "to": to,
        "subject": f"Your check-in is {soon}: {when}",
        "text": text,
        "html": _html(paragraphs, link, "Open GoalGetter"),
        "headers": {},
        "attachments": [],
    }


def invitation(
    kind: str, name: str, to: str, start: datetime, zone: ZoneInfo, public_url: str, ics: str
) -> dict:
    """An invitation (kind "invitation"), an update ("update") or a cancellation, with its
    .ics for calendar apps."""
    first = (name or "there").split(" ")[0]
    when = _when_local(start, zone)
    link = f"{public_url.rstrip('/')}/meetings"
    lead = {
        "invitation": f"Hi {first}, your next check-in with your coach is on {when}.",
        "update": f"Hi {first}, your check-in has moved to {when}.",
        "cancellation": f"Hi {first}, your check-in on {when} is cancelled.",
    }[kind]
    paragraphs = [lead, "The attached invitation keeps your calendar up to date."]
    subject = {
        "invitation": f"Check-in: {when}",
        "update": f"Check-in moved: {when}",
        "cancellation": f"Check-in cancelled: {when}",
    }[kind]
    method = "CANCEL" if kind == "cancellation" else "REQUEST"
    return {
        "kind": kind,
        "to": to,
        "subject": subject,
        "text": "\n\n".join([*paragraphs, f"Your check-ins: {link}"]),
        "html": _html(paragraphs, link, "See your check-ins"),
        "headers": {},
        "attachments": [
            {
                "filename": "invite.ics",
                "content_type": f"text/calendar; method={method}; charset=utf-8",
                "content": ics,
            }
        ],
    }


def recap(name: str, to: str, start: datetime, zone: ZoneInfo, text: str, public_url: str) -> dict:
    first = (name or "there").split(" ")[0]
    when = _when_local(start, zone)
    bullets = [line.strip().lstrip("-*• ").strip() for line in text.splitlines() if line.strip()]
    link = f"{public_url.rstrip('/')}/meetings"
    intro = f"Hi {first}, here is the recap of your check-in on {when}:"
    items = "".join(f"<li>{escape(b)}</li>" for b in bullets)
    html = _html([intro], link, "See your check-ins").replace("</p>", f"</p><ul>{items}</ul>", 1)
    return {
        "kind": "recap",
        "to": to,
        "subject": f"Your check-in recap: {when}",
        "text": "\n".join([intro, "", *(f"- {b}" for b in bullets), "", f"Your check-ins: {link}"]),
        "html": html,
        "headers": {},
        "attachments": [],
    }


def calendar_refused(
    name: str, to: str, start: datetime, zone: ZoneInfo, change: str, reason: str, public_url: str
) -> dict:
    """A change made in Google Calendar that the check-in rules refused (`change`: "moved"
    or "deleted"): what the app did about it, and why."""
    when = _when_local(start, zone)
    link = f"{public_url.rstrip('/')}/meetings"
    undone = {
        "moved": f"so it is back at {when} in your Google Calendar",
        "deleted": f"so it is back in your Google Calendar, on {when}",
    }[change]
    paragraphs = [
        f"Hi {_first(name, 'there')}, your check-in was {change} in Google Calendar, but that "
        f"change can't be made: {reason}",
        f"Your check-in stays as it was, {undone}. You can move or cancel check-ins on the "
        "check-ins page.",
    ]
    return {
        "kind": "calendar-refused",
        "to": to,
        "subject": f"Your check-in stays on {when}",
        "text": "\n\n".join([*paragraphs, f"Your check-ins: {link}"]),
        "html": _html(paragraphs, link, "See your check-ins"),
        "headers": {},
        "attachments": [],
    }


def _first(name: str, fallback: str) -> str:
    return (name or fallback).split(" ")[0]


def partner_confirm(owner: str, partner: str, to: str, confirm_url: str) -> dict:
    """The one mail a partner gets unasked: whether they want the updates at all."""
    who = _first(owner, "Someone")
    paragraphs = [
        f"Hi {_first(partner, 'there')}, {who} shared their goals with you on GoalGetter and "
        "would like you to get a short email after each of their check-ins: their progress on "
        "each shared goal and the recap.",
        "Nothing more is sent unless you confirm. If you don't know them, ignore this email.",
    ]
    hidden = "(the confirmation link, sent only to your partner)"
    return {
        "kind": "partner-confirm",
        "to": to,
        "subject": f"{who} asks you to follow their goals",
        "text": "\n\n".join([*paragraphs, f"Yes, send me the updates: {confirm_url}"]),
        "shown_text": "\n\n".join([*paragraphs, f"Yes, send me the updates: {hidden}"]),
        "html": _html(paragraphs, confirm_url, "Yes, send me the updates"),
        "headers": {},
        "attachments": [],
    }


def partner_digest(
    owner: str, partner: str, to: str, start: datetime, zone: ZoneInfo,
    progress: list[tuple[str, str]], bullets: tuple[str, ...],
) -> dict:  # fmt: skip
    """After a check-in: each shared goal's progress, and the recap."""
    who, when = _first(owner, "Your partner"), _when_local(start, zone)
    intro = f"Hi {_first(partner, 'there')}, {who} had a check-in on {when}."
    lines = [f"{title}: {percent}" for title, percent in progress]
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    recap = "".join(f"<li>{escape(b)}</li>" for b in bullets)
    html = _html([intro], "", "").replace(
        "</p>",
        f"</p><p><strong>Progress</strong></p><ul>{items}</ul>"
        + (f"<p><strong>Recap</strong></p><ul>{recap}</ul>" if bullets else ""),
        1,
    )
    text = [intro, "", "Progress:", *(f"- {line}" for line in lines)]
    if bullets:
        text += ["", "Recap:", *(f"- {b}" for b in bullets)]
    return {
        "kind": "partner-digest",
        "to": to,
        "subject": f"{who}'s check-in: {when}",
        "text": "\n".join(text),
        "html": html,
        "headers": {},
        "attachments": [],
    }


def password_reset(name: str, to: str, link: str) -> dict:
    """The link that sets a new password; /outbox shows the mail without it."""
    paragraphs = [
        f"Hi {_first(name, 'there')}, someone (we hope you) asked to reset the password of "
        "your GoalGetter account.",
        "The link below works once, for one hour. Setting a new password signs you out "
        "everywhere else. If you did not ask for this, ignore this email: your password "
        "stays as it is.",
    ]
    return {
        "kind": "password-reset",
        "to": to,
        "subject": "Reset your GoalGetter password",
        "text": "\n\n".join([*paragraphs, f"Choose a new password: {link}"]),
        "shown_text": "\n\n".join([*paragraphs, "(the link is only in the email itself)"]),
        "html": _html(paragraphs, link, "Choose a new password"),
        "headers": {},
        "attachments": [],
    }


def milestone_nudge(
    name: str, to: str, goal: str, milestone: str, day: str, zone: ZoneInfo, public_url: str
) -> dict:
    """A milestone's due day has come and it is not done yet."""
    first = _first(name, "there")
    when = f"{datetime.fromisoformat(day):%A} {int(day[8:])} {datetime.fromisoformat(day):%B}"
    link = f"{public_url.rstrip('/')}/workspace"
    paragraphs = [
        f"Hi {first}, your milestone \u201c{milestone}\u201d for \u201c{goal}\u201d is due "
        f"today, {when} ({zone.key} time).",
        "Done? Tick it off and enjoy it. Not yet? Decide the very next step, or talk it "
        "through with your coach and set a date you will keep.",
    ]
    return {
        "kind": "milestone-nudge",
        "to": to,
        "subject": f"Due today: {milestone}",
        "text": "\n\n".join([*paragraphs, f"Open your goals: {link}"]),
        "html": _html(paragraphs, link, "Open your goals"),
        "headers": {},
        "attachments": [],
    }
