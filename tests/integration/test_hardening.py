"""Security headers on every response, Secure cookies and HSTS behind HTTPS, and the trusted
proxy: the app's own ASGI wrappers around its routes, driven with httpx on the real database.

The browser side (the policy breaks nothing in Chromium, the real server sends the headers)
is tests/e2e/test_headers.py.
"""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from goalgetter import rate_limits
from goalgetter.observability import request_log
from goalgetter.rate_limits import SIGN_UPS_PER_IP
from goalgetter.routes import http_routes
from goalgetter.security_headers import (
    APP_CSP,
    HSTS,
    SCRIPTLESS_CSP,
    app_csp,
    built_pages,
    inline_script_hashes,
    security_headers,
    trusted_proxy,
)
from goalgetter.shared_routes import SHARE_ROUTES, reset_share_limits

BASE = "http://localhost:8000"
PASSWORD = "correct horse battery"
BUDGET = SIGN_UPS_PER_IP.amount


def app_stack():
    """The routes inside the wrappers, in the order goalgetter/goalgetter.py applies them."""
    return trusted_proxy(request_log(security_headers(http_routes(*SHARE_ROUTES))))


@pytest.fixture
async def fresh_limits(settings_env):
    settings_env(AUTH_RATE_LIMITS="true")
    await rate_limits.reset_limiter()
    reset_share_limits()
    yield
    await rate_limits.reset_limiter()
    reset_share_limits()


def client(peer: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app_stack(), client=(peer, 50123))
    return httpx.AsyncClient(transport=transport, base_url=BASE)


async def sign_up(http: httpx.AsyncClient, n: int, **headers: str) -> httpx.Response:
    form = {"name": "Ann", "email": f"ann{n}@example.com", "password": PASSWORD}
    return await http.post("/auth/signup", data=form, headers=headers)


def refused(response: httpx.Response) -> bool:
    return "too_many_attempts" in response.headers.get("location", "")


def assert_base_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


async def test_every_kind_of_response_carries_the_headers(db, settings_env):
    settings_env(COOKIE_SECURE="false")
    async with client() as http:
        answers = [
            await http.get("/health"),
            await http.post("/auth/login", data={"email": "x@example.com", "password": "x"}),
            await http.get("/no/such/page"),
            await http.post("/auth/logout"),
        ]
    assert [a.status_code for a in answers] == [200, 303, 404, 303]
    for answer in answers:
        assert_base_headers(answer)
        assert answer.headers["content-security-policy"] == app_csp(built_pages())
        assert "strict-transport-security" not in answer.headers
    # Without HTTPS the cookie may not be Secure, or the browser would drop it.
    assert "secure" not in answers[3].headers["set-cookie"].lower()


async def test_the_shared_page_keeps_its_stricter_policy(db, fresh_limits):
    async with client() as http:
        gone = await http.get("/s/not-a-token-at-all-000000000000")
    assert gone.status_code == 404
    assert gone.headers["content-security-policy"] == SCRIPTLESS_CSP
    assert "script-src" not in gone.headers["content-security-policy"]
    assert gone.headers["referrer-policy"] == "no-referrer"  # its own, not the default
    assert_base_headers(gone)


async def test_behind_https_every_cookie_is_secure_and_hsts_is_sent(db, settings_env):
    settings_env(COOKIE_SECURE="true", AUTH_RATE_LIMITS="false")
    async with client() as http:
        signed_up = await sign_up(http, 1)
        signed_out = await http.post(
            "/auth/logout", headers={"cookie": "gg_session=whatever; other=1"}
        )
    for answer in (signed_up, signed_out):
        assert answer.headers["strict-transport-security"] == HSTS
        cookies = answer.headers.get_list("set-cookie")
        assert cookies
        for cookie in cookies:
            attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
            assert attributes.count("secure") == 1, cookie
    assert signed_up.headers["location"].endswith("/workspace")


async def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(db, fresh_limits):
    """Off by default: any client could send X-Forwarded-For, so all of these count against
    the peer's one budget."""
    async with client() as http:
        answers = [
            await sign_up(http, n, **{"x-forwarded-for": f"203.0.113.{n}"})
            for n in range(BUDGET + 1)
        ]
    assert not any(refused(a) for a in answers[:BUDGET])
    assert refused(answers[BUDGET])


async def test_a_trusted_proxy_names_the_client_for_the_limits(db, fresh_limits, settings_env):
    settings_env(FORWARDED_ALLOW_IPS="10.0.0.0/8, 127.0.0.1")
    async with client(peer="10.1.2.3") as http:
        # The proxy appends the address it saw; what the client claimed comes before it.
        behind = {"x-forwarded-for": "198.51.100.66, 203.0.113.9"}
        first = [await sign_up(http, n, **behind) for n in range(BUDGET + 1)]
        other = await sign_up(http, 100, **{"x-forwarded-for": "203.0.113.10"})
    assert not any(refused(a) for a in first[:BUDGET])
    assert refused(first[BUDGET])
    assert not refused(other), "another client behind the same proxy has its own budget"


async def test_an_untrusted_peer_cannot_pick_its_address(db, fresh_limits, settings_env):
    settings_env(FORWARDED_ALLOW_IPS="10.0.0.0/8")
    async with client(peer="198.51.100.7") as http:
        answers = [
            await sign_up(http, n, **{"x-forwarded-for": f"203.0.113.{n}"})
            for n in range(BUDGET + 1)
        ]
    assert refused(answers[BUDGET]), "a peer outside the list shares its own one budget"


@pytest.mark.parametrize(
    "forwarded",
    ["", "   ", "not-an-address", "<script>alert(1)</script>", ",,,", "1.2.3.4, ::1, " * 50],
)
async def test_hostile_forwarded_headers_break_nothing(db, fresh_limits, settings_env, forwarded):
    settings_env(FORWARDED_ALLOW_IPS="127.0.0.1")
    async with client() as http:
        answer = await sign_up(http, 1, **{"x-forwarded-for": forwarded})
        health = await http.get("/health", headers={"x-forwarded-for": forwarded})
    assert answer.status_code == 303 and answer.headers["location"].endswith("/workspace")
    assert health.status_code == 200
    assert_base_headers(health)


def test_inline_scripts_are_allowed_by_their_hashes_and_nothing_else(tmp_path):
    pages = tmp_path / "client"
    (pages / "login").mkdir(parents=True)
    first, second = b"window.__a = 1;", b"\n  console.log('b')\n"
    (pages / "index.html").write_bytes(
        b"<html><script>" + first + b'</script><script src="/x.js"></script>'
        b'<script type="module">' + second + b"</script></html>"
    )
    (pages / "login" / "index.html").write_bytes(b"<SCRIPT>" + first + b"</SCRIPT>")
    expected = sorted(
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
        for body in (first, second)
    )
    assert inline_script_hashes(pages) == expected
    policy = app_csp(pages)
    scripts = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert scripts == " ".join(["script-src 'self' 'unsafe-eval'", *expected])
    assert policy.replace(scripts, "") == APP_CSP.replace(
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'", ""
    )
    # No build to read (dev mode): inline scripts are allowed wholesale.
    assert app_csp(None) == APP_CSP == app_csp(tmp_path / "empty")
