"""Reading the session token from a Cookie header (`session_token`)."""

from __future__ import annotations

import pytest

from goalgetter.routes import SESSION_COOKIE
from goalgetter.state.session import session_token

TOKEN = "tok_3f9a1c0b8e7d4a2b9c6d5e4f3a2b1c0d"


def test_cookie_name_is_gg_session():
    assert SESSION_COOKIE == "gg_session"


@pytest.mark.parametrize(
    "header",
    [
        f"gg_session={TOKEN}",
        f"gg_session={TOKEN};",
        f"theme=dark; gg_session={TOKEN}",
        f"gg_session={TOKEN}; theme=dark; lang=en",
        f"  theme=dark;   gg_session={TOKEN}  ",
        f'gg_session="{TOKEN}"',
    ],
)
def test_token_is_read_from_the_cookie_header(header):
    assert session_token(header) == TOKEN


@pytest.mark.parametrize(
    "header",
    [
        "",
        None,
        "   ",
        "theme=dark; lang=en",
        f"gg_sessionx={TOKEN}",
        f"xgg_session={TOKEN}",
        f"GG_SESSION={TOKEN}",
    ],
)
def test_missing_session_cookie_gives_empty_token(header):
    assert session_token(header) == ""


@pytest.mark.parametrize("header", ["gg_session", ";;;", "=", "; ; =;"])
def test_headers_without_a_session_value_give_empty_token(header):
    assert session_token(header) == ""


@pytest.mark.parametrize(
    "header",
    [
        "gg_session=\x00\x01",
        'gg_session="unterminated',
        "gg_session=a b c",
        "\x00\x01\x02",
        "gg_session=" + "z" * 100_000,
    ],
)
def test_malformed_headers_never_raise_and_never_give_the_real_token(header):
    token = session_token(header)
    assert isinstance(token, str)
    assert token != TOKEN


@pytest.mark.parametrize("stray", ['junk"', "[x]=1", "flag"], ids=["quote", "brackets", "nameless"])
def test_a_stray_malformed_cookie_does_not_hide_the_session(stray):
    assert session_token(f"{stray}; gg_session={TOKEN}") == TOKEN


def test_empty_cookie_value_gives_empty_token():
    assert session_token("gg_session=; theme=dark") == ""


def test_url_safe_token_characters_survive():
    token = "AbC-_09xyz" * 4
    assert session_token(f"gg_session={token}") == token
