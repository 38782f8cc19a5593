"""The app as deployed behind an HTTPS reverse proxy, through the real server (granian, as
`reflex run --env prod` starts it): FORWARDED_ALLOW_IPS names the proxy, COOKIE_SECURE is
on. Each client behind the proxy gets its own sign-up budget, every cookie is Secure and
every response carries HSTS."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from goalgetter.rate_limits import SIGN_UPS_PER_IP
from goalgetter.security_headers import HSTS
from tests.fakes.anthropic_fake import free_port
from tests.servers import running_app

PASSWORD = "correct horse battery"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, form: dict, forwarded_for: str):
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )
    try:
        return _opener.open(request, timeout=30)
    except urllib.error.HTTPError as answer:  # the 303s land here without a redirect handler
        return answer


@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory) -> Iterator[str]:
    env = {"FORWARDED_ALLOW_IPS": "127.0.0.1", "COOKIE_SECURE": "true", "AUTH_RATE_LIMITS": "true"}
    env["EMBEDDED_STORE_PORT"] = str(free_port())
    with running_app(workdir=tmp_path_factory.mktemp("proxied"), env=env) as url:
        yield url


def sign_up(url: str, n: int, client: str):
    form = {"name": "Proxied", "email": f"proxied{n}@example.com", "password": PASSWORD}
    return post(f"{url}/auth/signup", form, f"198.51.100.200, {client}")


def refused(answer) -> bool:
    return "too_many_attempts" in (answer.headers.get("location") or "")


def test_each_client_behind_the_proxy_has_its_own_budget(proxied_app):
    budget = SIGN_UPS_PER_IP.amount
    first = [sign_up(proxied_app, n, "203.0.113.1") for n in range(budget + 1)]
    other = sign_up(proxied_app, 100, "203.0.113.2")
    assert [a.status for a in first] == [303] * (budget + 1)
    assert not any(refused(a) for a in first[:budget])
    assert refused(first[budget])
    assert not refused(other) and other.headers["location"].endswith("/workspace")


def test_behind_https_cookies_are_secure_and_hsts_is_sent(proxied_app):
    answer = sign_up(proxied_app, 200, "203.0.113.3")
    cookie = answer.headers["set-cookie"]
    assert "gg_session=" in cookie and "secure" in cookie.lower()
    assert answer.headers["strict-transport-security"] == HSTS
    with urllib.request.urlopen(f"{proxied_app}/login/", timeout=10) as page:
        assert page.headers["strict-transport-security"] == HSTS
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
