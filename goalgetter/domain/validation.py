"""Input limits and the messages users see when they are crossed."""

from __future__ import annotations

import re
from datetime import date

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_GOAL_TITLE_LENGTH = 200
MAX_GOAL_CONTENT_LENGTH = 100_000
MAX_CHAT_MESSAGE_LENGTH = 8_000
DEFAULT_GOAL_TITLE = "Untitled goal"
MAX_TAG_LENGTH = 40
MAX_TAGS_PER_GOAL = 20
MAX_MILESTONE_TITLE_LENGTH = 200
MAX_MILESTONES_PER_GOAL = 50
MAX_TEMPLATE_NAME_LENGTH = 100
MAX_TEMPLATE_DESCRIPTION_LENGTH = 300
EARLIEST_DEADLINE = date(2000, 1, 1)
LATEST_DEADLINE = date(2100, 12, 31)

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}$")


MESSAGES = {
    "name_missing": "Tell us your name.",
    "name_long": f"Keep your name under {MAX_NAME_LENGTH} characters.",
    "email_missing": "Enter your email address.",
    "email_invalid": "That doesn't look like an email address.",
    "email_taken": "An account with this email already exists. Sign in instead?",
    "password_missing": "Enter your password.",
    "password_short": f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.",
    "password_long": "That password is too long.",
    "wrong_credentials": "That email and password don't match an account.",
    "current_password_wrong": "Your current password is not right.",
    "provider_not_linked": "That account is not linked.",
    "provider_last_way_in": (
        "This is your only way to sign in. Set a password or link another account first."
    ),
    "too_many_attempts": "Too many attempts. Wait a few minutes and try again.",
    "title_long": f"Titles can be at most {MAX_GOAL_TITLE_LENGTH} characters.",
    "chat_empty": "Write a message first.",
    "tag_empty": "A tag needs at least one letter or digit.",
    "tag_long": f"Tags can be at most {MAX_TAG_LENGTH} characters.",
    "tags_many": f"A goal can have at most {MAX_TAGS_PER_GOAL} tags.",
    "milestone_empty": "Name the milestone first.",
    "milestone_long": f"Milestones can be at most {MAX_MILESTONE_TITLE_LENGTH} characters.",
    "milestones_many": f"A goal can have at most {MAX_MILESTONES_PER_GOAL} milestones.",
    "date_invalid": "Use a date like 2027-03-31.",
    "date_range": (f"Pick a date between {EARLIEST_DEADLINE.year} and {LATEST_DEADLINE.year}."),
    "template_name_missing": "Give the template a name.",
    "template_name_long": f"Template names can be at most {MAX_TEMPLATE_NAME_LENGTH} characters.",
    "template_description_long": (
        f"Descriptions can be at most {MAX_TEMPLATE_DESCRIPTION_LENGTH} characters."
    ),
}


class ValidationError(ValueError):
    """A user-facing message about one field; `code` is safe to put in a URL."""

    def __init__(self, field: str, code: str, message: str | None = None):
        self.field = field
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)


def message_for(code: str) -> str:
    """The message for a code from a URL; unknown codes get a generic one, never echoed."""
    return MESSAGES.get(code, "Something went wrong. Please try again.")


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not email:
        raise ValidationError("email", "email_missing")
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise ValidationError("email", "email_invalid")
    return email


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", "password_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("password", "password_long")
    return password


def normalise_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationError("name", "name_missing")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", "name_long")
    return name


def check_goal_title(title: str) -> str:
    if len(title) > MAX_GOAL_TITLE_LENGTH:
        raise ValidationError("title", "title_long")
    return title


def check_goal_content(content: str) -> str:
    if len(content) > MAX_GOAL_CONTENT_LENGTH:
        raise ValidationError(
            "content",
            "content_long",
            f"A goal can hold at most {MAX_GOAL_CONTENT_LENGTH:,} characters; "
            f"this one has {len(content):,}. Your text is kept here but not saved.",
        )
    return content


def check_chat_message(text: str) -> str:
    message = (text or "").strip()
    if not message:
        raise ValidationError("chat", "chat_empty")
    if len(message) > MAX_CHAT_MESSAGE_LENGTH:
        raise ValidationError(
            "chat",
            "chat_long",
            f"Messages can be at most {MAX_CHAT_MESSAGE_LENGTH:,} characters "
            f"(this one has {len(message):,}).",
        )
    return message


def _one_line(raw: str) -> str:
    return " ".join((raw or "").split())


def normalise_tag(raw: str) -> str:
    """One tag: single-spaced, without a leading '#'; case is kept."""
    tag = _one_line(raw).lstrip("#").strip()
    if not tag:
        raise ValidationError("tags", "tag_empty")
    if len(tag) > MAX_TAG_LENGTH:
        raise ValidationError("tags", "tag_long")
    return tag


def add_tag(tags: list[str], raw: str) -> list[str]:
    """The tags with `raw` added; a tag already there (in any case) is not repeated."""
    tag = normalise_tag(raw)
    if tag.casefold() in {t.casefold() for t in tags}:
        return list(tags)
    if len(tags) >= MAX_TAGS_PER_GOAL:
        raise ValidationError("tags", "tags_many")
    return [*tags, tag]


def normalise_milestone_title(raw: str) -> str:
    title = _one_line(raw)
    if not title:
        raise ValidationError("milestone", "milestone_empty")
    if len(title) > MAX_MILESTONE_TITLE_LENGTH:
        raise ValidationError("milestone", "milestone_long")
    return title


def parse_optional_date(raw: str | None, field: str = "deadline") -> str | None:
    """An ISO date (YYYY-MM-DD) as stored, or None for an empty value."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, "date_invalid") from None
    if not EARLIEST_DEADLINE <= day <= LATEST_DEADLINE:
        raise ValidationError(field, "date_range")
    return day.isoformat()


def normalise_template_name(raw: str) -> str:
    name = _one_line(raw)
    if not name:
        raise ValidationError("template_name", "template_name_missing")
    if len(name) > MAX_TEMPLATE_NAME_LENGTH:
        raise ValidationError("template_name", "template_name_long")
    return name


def check_template_description(raw: str) -> str:
    description = (raw or "").strip()
    if len(description) > MAX_TEMPLATE_DESCRIPTION_LENGTH:
        raise ValidationError("template_description", "template_description_long")
    return description
