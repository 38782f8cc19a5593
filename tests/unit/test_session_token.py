"""The session cookie on the websocket: the token replaced by its key, and read back."""

from __future__ import annotations

import pytest

from goalgetter import accounts
from goalgetter.routes import SESSION_COOKIE
from goalgetter.settings import get_settings
from goalgetter.socket_session import hide_session_token, session_key_from_cookie

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
    assert session_key_from_cookie(header) == TOKEN


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
    assert session_key_from_cookie(header) == ""


@pytest.mark.parametrize("header", ["gg_session", ";;;", "=", "; ; =;"])
def test_headers_without_a_session_value_give_empty_token(header):
    assert session_key_from_cookie(header) == ""


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
    token = session_key_from_cookie(header)
    assert isinstance(token, str)
    assert token != TOKEN


@pytest.mark.parametrize("stray", ['junk"', "[x]=1", "flag"], ids=["quote", "brackets", "nameless"])
def test_a_stray_malformed_cookie_does_not_hide_the_session(stray):
    assert session_key_from_cookie(f"{stray}; gg_session={TOKEN}") == TOKEN


def test_empty_cookie_value_gives_empty_token():
    assert session_key_from_cookie("gg_session=; theme=dark") == ""


def test_url_safe_token_characters_survive():
    token = "AbC-_09xyz" * 4
    assert session_key_from_cookie(f"gg_session={token}") == token


def _handshake(*cookies: str) -> dict:
    headers = [(b"host", b"127.0.0.1"), *((b"cookie", c.encode()) for c in cookies)]
    return {"type": "websocket", "path": "/_event/", "headers": headers}


def _cookies(scope: dict) -> list[str]:
    return [value.decode() for name, value in scope["headers"] if name == b"cookie"]


def test_the_handshake_carries_the_key_never_the_token(monkeypatch):
    monkeypatch.setattr(get_settings(), "secret_key", "k" * 40)

    scope = hide_session_token(_handshake(f"theme=dark; gg_session={TOKEN}"))
    (cookie,) = _cookies(scope)
    assert TOKEN not in cookie
    assert session_key_from_cookie(cookie) == accounts.session_key(TOKEN)
    assert "theme=dark" in cookie
    assert (b"host", b"127.0.0.1") in scope["headers"]


def test_a_key_presented_as_a_cookie_is_hashed_again(monkeypatch):
    monkeypatch.setattr(get_settings(), "secret_key", "k" * 40)

    key = accounts.session_key(TOKEN)
    (cookie,) = _cookies(hide_session_token(_handshake(f"gg_session={key}")))
    assert session_key_from_cookie(cookie) not in (key, "")


def test_no_session_cookie_stays_without_one():
    (cookie,) = _cookies(hide_session_token(_handshake("theme=dark")))
    assert session_key_from_cookie(cookie) == ""
