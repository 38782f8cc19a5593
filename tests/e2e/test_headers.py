"""The app's Content-Security-Policy in real Chromium: nothing the app does is blocked
(sign up, a goal saved, a coach reply streamed over the websocket, every page, sign out and
in), and each relaxation in it is still needed — the same flow under a policy without it
is blocked — so the policy is as strict as Reflex allows (goalgetter/security_headers.py).
The policy served lists the pages' inline scripts by hash, read from the build at start."""

from __future__ import annotations

import contextlib
import re
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import WAIT_MS
from tests.e2e.flows import (
    assistant_messages,
    new_goal,
    send_message,
    sign_in,
    sign_out,
    sign_up,
    unique_email,
    wait_reply_done,
)
from tests.fakes.anthropic_fake import reply_tokens
from tests.servers import CHROMIUM_ARGS

# Every violation the page reports, kept on the window (and counted across navigations
# through the console, where Chromium also reports each one).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || ''));
});
"""


class Violations:
    def __init__(self, context: BrowserContext):
        self.seen: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.seen.append(text)


def use_policy(context: BrowserContext, policy: str) -> None:
    """Serve every document under `policy` instead of the app's own (a measurement).

    Chromium does not route the request a redirect leads to, so a page (`/login` → 307 →
    `/login/`) is fetched with its redirects followed and served at the address asked for;
    a form's 303 is passed on as it is."""

    def swap(route) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        follow = route.request.method == "GET"
        response = route.fetch(max_redirects=20 if follow else 0)
        headers = {**response.headers, "content-security-policy": policy}
        route.fulfill(response=response, headers=headers)

    context.route(re.compile(r".*"), swap)


def walk_the_app(page: Page, url: str) -> None:
    """Everything a person does that needs scripts, styles and the websocket."""
    email = unique_email("csp")
    sign_up(page, url, "Policy Tester", email)
    page.goto(f"{url}/workspace")  # a document of its own (a measurement routes those)
    new_goal(page, "Run 10 km", "By June, three runs a week.")
    send_message(page, "Is this a good goal?")
    wait_reply_done(page)
    expected = "".join(reply_tokens("Is this a good goal?")).strip()
    expect(assistant_messages(page).last).to_have_text(expected)
    for path, marker in (("/meetings", "#cadence"), ("/settings", "#settings-name")):
        page.goto(f"{url}{path}")
        expect(page.locator(marker)).to_be_visible()
    page.goto(f"{url}/workspace")
    sign_out(page)
    sign_in(page, url, email)


def test_the_app_works_under_its_policy_with_no_violation(context, app):
    app.fake.token_delay = 0.02
    violations = Violations(context)
    page = context.new_page()
    document = page.goto(f"{app.url}/login")
    policy = document.headers["content-security-policy"]
    scripts = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    # The built pages were read: their inline scripts are allowed by hash, no others.
    assert "'sha256-" in scripts and "'unsafe-inline'" not in scripts
    assert policy == served_policy(app.url)
    assert document.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in document.headers["content-security-policy"]
    walk_the_app(page, app.url)
    assert page.evaluate("window.__csp") == []
    assert violations.seen == []


@pytest.fixture(scope="module")
def measuring_browser(browser: Browser) -> Iterator[Browser]:
    """A Chromium of its own: a document served through a route loses its address space,
    and Local Network Access checks would then block its websocket to localhost."""
    chromium = browser.browser_type.launch(
        executable_path="/usr/bin/chromium",
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
    )
    yield chromium
    chromium.close()


def served_policy(url: str) -> str:
    with urllib.request.urlopen(f"{url}/login/", timeout=10) as response:
        return response.headers["content-security-policy"]


def without(policy: str, directive: str, dropped: re.Pattern) -> str:
    parts = [d.strip() for d in policy.split(";")]
    return "; ".join(
        " ".join(dropped.sub("", d).split()) if d.startswith(directive) else d for d in parts
    )


@pytest.mark.parametrize(
    ("directive", "dropped", "blocked"),
    [
        # rx.call_script (the browser's time zone on each page, signing out) runs via eval.
        ("script-src", r"'unsafe-eval'", "eval"),
        # The built pages' own inline scripts, allowed by their hashes.
        ("script-src", r"'sha256-[^']+'", "inline script"),
        # Radix and Emotion write style attributes and elements.
        ("style-src", r"'unsafe-inline'", "style"),
    ],
)
def test_each_relaxation_is_still_needed(measuring_browser, app, directive, dropped, blocked):
    served = served_policy(app.url)
    stricter = without(served, directive, re.compile(dropped))
    assert stricter != served
    context = measuring_browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    try:
        use_policy(context, stricter)
        violations = Violations(context)
        page = context.new_page()
        # However far the flow gets, the browser must have refused something.
        with contextlib.suppress(Exception):
            walk_the_app(page, app.url)
    finally:
        context.close()
    assert any(blocked in text.lower() for text in violations.seen), violations.seen


def test_static_files_and_routes_carry_the_headers_too(app):
    for path in ("/favicon.svg", "/health", "/login"):
        with urllib.request.urlopen(f"{app.url}{path}", timeout=10) as response:
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-request-id"], path
            assert "strict-transport-security" not in response.headers  # COOKIE_SECURE off
