"""Input limits and the messages users see when they cross them."""

from __future__ import annotations

import pytest

from goalgetter.domain.validation import (
    MAX_CHAT_MESSAGE_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_GOAL_CONTENT_LENGTH,
    MAX_GOAL_TITLE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MESSAGES,
    MIN_PASSWORD_LENGTH,
    ValidationError,
    check_chat_message,
    check_goal_content,
    check_goal_title,
    check_password,
    message_for,
    normalise_email,
    normalise_name,
)


def fails_with(function, value, field: str, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        function(value)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.message
    assert str(caught.value) == caught.value.message
    return caught.value


# --- email --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada.Lovelace@Example.COM", "ada.lovelace@example.com"),
        ("  ada@example.com \n", "ada@example.com"),
        ("ada+goals@mail.example.co.uk", "ada+goals@mail.example.co.uk"),
        ("ÉLODIE@exemple.fr", "élodie@exemple.fr"),
    ],
)
def test_email_is_trimmed_and_lowercased(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_missing_email(raw):
    error = fails_with(normalise_email, raw, "email", "email_missing")
    assert error.message == MESSAGES["email_missing"]


@pytest.mark.parametrize(
    "raw",
    [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@example.c",
        "ada@@example.com",
        "ada@exa@mple.com",
        "ada lovelace@example.com",
        "ada@example.com.",
        "<script>@x.com",
        "<script>alert(1)</script>@x.com",
        'ada"@example.com',
        "ada'@example.com",
        "ada@exam<ple.com",
    ],
)
def test_invalid_email_forms_are_rejected(raw):
    error = fails_with(normalise_email, raw, "email", "email_invalid")
    assert error.message == MESSAGES["email_invalid"]
    assert raw not in error.message


def test_email_length_limit():
    domain = "@example.com"
    at_limit = "a" * (MAX_EMAIL_LENGTH - len(domain)) + domain
    assert normalise_email(at_limit) == at_limit
    fails_with(normalise_email, "a" + at_limit, "email", "email_invalid")


# --- password -----------------------------------------------------------------------------


def test_password_of_minimum_length_is_accepted_unchanged():
    password = "  x" * 3  # spaces are part of a password; nothing is trimmed
    assert len(password) >= MIN_PASSWORD_LENGTH
    assert check_password(password) == password
    assert check_password("a" * MIN_PASSWORD_LENGTH) == "a" * MIN_PASSWORD_LENGTH


@pytest.mark.parametrize("password", ["", None, "a" * (MIN_PASSWORD_LENGTH - 1)])
def test_short_password(password):
    error = fails_with(check_password, password, "password", "password_short")
    assert str(MIN_PASSWORD_LENGTH) in error.message


def test_password_length_limit():
    assert check_password("p" * MAX_PASSWORD_LENGTH) == "p" * MAX_PASSWORD_LENGTH
    error = fails_with(check_password, "p" * (MAX_PASSWORD_LENGTH + 1), "password", "password_long")
    assert "p" * 10 not in error.message


# --- name ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("  Ada   Lovelace \t", "Ada Lovelace"),
        ("Ada\nLovelace", "Ada Lovelace"),
        ("Zoë Ødegård", "Zoë Ødegård"),
    ],
)
def test_name_whitespace_is_collapsed(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", None])
def test_missing_name(raw):
    fails_with(normalise_name, raw, "name", "name_missing")


def test_name_length_limit_counts_after_collapsing_spaces():
    assert normalise_name("n" * MAX_NAME_LENGTH) == "n" * MAX_NAME_LENGTH
    assert normalise_name(" " * 50 + "n" * MAX_NAME_LENGTH + " " * 50) == "n" * MAX_NAME_LENGTH
    error = fails_with(normalise_name, "n" * (MAX_NAME_LENGTH + 1), "name", "name_long")
    assert str(MAX_NAME_LENGTH) in error.message


# --- goal title and content ---------------------------------------------------------------


def test_goal_title_limit():
    assert check_goal_title("t" * MAX_GOAL_TITLE_LENGTH) == "t" * MAX_GOAL_TITLE_LENGTH
    assert check_goal_title("") == ""
    fails_with(check_goal_title, "t" * (MAX_GOAL_TITLE_LENGTH + 1), "title", "title_long")


def test_goal_content_at_the_limit_is_kept_unchanged():
    content = "  line\n" * (MAX_GOAL_CONTENT_LENGTH // 7)
    assert check_goal_content(content) == content
    full = "c" * MAX_GOAL_CONTENT_LENGTH
    assert check_goal_content(full) is full


def test_goal_content_over_the_limit_says_how_long_it_is():
    content = "c" * (MAX_GOAL_CONTENT_LENGTH + 5)
    error = fails_with(check_goal_content, content, "content", "content_long")
    assert f"{MAX_GOAL_CONTENT_LENGTH:,}" in error.message
    assert f"{len(content):,}" in error.message
    assert "not saved" in error.message


# --- chat messages ------------------------------------------------------------------------


def test_chat_message_is_trimmed():
    assert check_chat_message("  How is my goal?\n") == "How is my goal?"


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n", None])
def test_empty_or_blank_chat_message(text):
    error = fails_with(check_chat_message, text, "chat", "chat_empty")
    assert error.message == MESSAGES["chat_empty"]


def test_chat_message_length_limit():
    at_limit = "m" * MAX_CHAT_MESSAGE_LENGTH
    assert check_chat_message(at_limit) == at_limit
    # Surrounding whitespace does not count towards the limit.
    assert check_chat_message(f"   {at_limit}   ") == at_limit
    too_long = at_limit + "m"
    error = fails_with(check_chat_message, too_long, "chat", "chat_long")
    assert f"{MAX_CHAT_MESSAGE_LENGTH:,}" in error.message
    assert f"{len(too_long):,}" in error.message


# --- messages for codes -------------------------------------------------------------------


def test_known_codes_map_to_their_messages():
    for code, message in MESSAGES.items():
        assert message_for(code) == message


@pytest.mark.parametrize(
    "code",
    ["", "nope", "<script>alert(1)</script>", "email_taken ", "EMAIL_TAKEN", "__class__"],
)
def test_unknown_codes_get_a_generic_message_that_never_echoes_the_code(code):
    message = message_for(code)
    assert message == "Something went wrong. Please try again."
    if code.strip():
        assert code.strip() not in message


def test_validation_error_with_unknown_code_needs_an_explicit_message():
    error = ValidationError("field", "custom_code", "Custom text")
    assert (error.field, error.code, error.message) == ("field", "custom_code", "Custom text")
    with pytest.raises(KeyError):
        ValidationError("field", "no_such_code")
