"""Backend URLs in the compiled pages: relative on one origin, absolute api_url on two."""

from __future__ import annotations

import pytest
import reflex as rx

from goalgetter.components.native_form import backend_url
from goalgetter.pages.auth import login_page, signup_page
from goalgetter.urls import origin_of, served_from_one_origin


@pytest.fixture
def config(monkeypatch):
    """Reflex's config, with api_url / deploy_url set per test and restored afterwards."""
    config = rx.config.get_config()

    def set_urls(api_url: str, deploy_url: str | None):
        monkeypatch.setattr(config, "api_url", api_url)
        monkeypatch.setattr(config, "deploy_url", deploy_url)

    return set_urls


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://localhost:3000/some/path?q=1", "http://localhost:3000"),
        ("HTTPS://App.Example.COM", "https://app.example.com"),
        ("https://app.example.com:443/", "https://app.example.com"),
        ("http://app.example.com:80", "http://app.example.com"),
        ("http://app.example.com:443", "http://app.example.com:443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("", None),
        (None, None),
        ("/relative", None),
        ("http://host:notaport", None),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("api_url", "deploy_url"),
    [
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://localhost:3000/", "http://LOCALHOST:3000"),
        ("https://goals.example.org", "https://goals.example.org:443"),
    ],
)
def test_on_one_origin_backend_urls_are_relative(config, api_url, deploy_url):
    config(api_url, deploy_url)
    assert served_from_one_origin()
    assert backend_url("/auth/login") == "/auth/login"


@pytest.mark.parametrize(
    ("api_url", "deploy_url"),
    [
        ("http://localhost:8000", "http://localhost:3000"),  # dev: two ports
        ("https://api.example.com/", "https://app.example.com"),
        ("https://app.example.com", "http://app.example.com"),
        ("http://localhost:8000", None),
    ],
)
def test_on_two_origins_backend_urls_are_absolute(config, api_url, deploy_url):
    config(api_url, deploy_url)
    assert not served_from_one_origin()
    assert backend_url("/auth/login") == f"{api_url.rstrip('/')}/auth/login"


def test_the_auth_forms_post_where_the_config_says_when_compiled(config):
    config("http://localhost:3000", "http://localhost:3000")
    assert 'action:"/auth/login"' in str(login_page())
    assert 'action:"/auth/signup"' in str(signup_page())

    config("http://localhost:8000", "http://localhost:3000")
    assert 'action:"http://localhost:8000/auth/login"' in str(login_page())
