"""Input limits and the messages users see when they are crossed."""

from __future__ import annotations

import re

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_GOAL_TITLE_LENGTH = 200
MAX_GOAL_CONTENT_LENGTH = 100_000
MAX_CHAT_MESSAGE_LENGTH = 8_000
DEFAULT_GOAL_TITLE = "Untitled goal"

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
    "too_many_attempts": "Too many attempts. Wait a few minutes and try again.",
    "title_long": f"Titles can be at most {MAX_GOAL_TITLE_LENGTH} characters.",
    "chat_empty": "Write a message first.",
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
