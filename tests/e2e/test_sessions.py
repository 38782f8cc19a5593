"""Where a person is signed in, in Chromium: two browsers as the same person; one ends the
other's session, then every session at once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import WAIT_MS
from tests.e2e.flows import SIGNED_OUT, sign_in, sign_up, unique_email

LOGIN = re.compile(r".*/login/?(\?.*)?$")


@pytest.fixture
def two_browsers(browser: Browser, app) -> Iterator[tuple[Page, Page, str]]:
    """The same person signed in on a laptop and on a phone (separate cookie jars)."""
    laptop_context = browser.new_context(viewport={"width": 1280, "height": 800})
    phone_context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        user_agent=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
        ),
    )
    for context in (laptop_context, phone_context):
        context.set_default_timeout(WAIT_MS)
    laptop, phone = laptop_context.new_page(), phone_context.new_page()
    email = unique_email("two")
    sign_up(laptop, app.url, "Two Devices", email)
    sign_in(phone, app.url, email)
    yield laptop, phone, email
    laptop_context.close()
    phone_context.close()


def rows(page: Page):
    return page.locator("#sessions-list .gg-session-row")


def test_settings_lists_both_and_one_ends_the_other(two_browsers, app):
    laptop, phone, _ = two_browsers
    laptop.goto(f"{app.url}/settings")
    expect(rows(laptop)).to_have_count(2)
    this = laptop.locator('#sessions-list [data-current="true"]')
    expect(this).to_have_count(1)
    expect(this).to_contain_text("This device")
    expect(this.locator(".gg-device")).to_contain_text("Chrome on Linux")
    other = laptop.locator('#sessions-list [data-current="false"]')
    expect(other.locator(".gg-device")).to_have_text("Mobile Safari on iPhone")
    expect(other).to_contain_text("Last seen")

    other.locator("#session-revoke").click()
    expect(rows(laptop)).to_have_count(1)
    expect(laptop.locator('#sessions-list [data-current="true"]')).to_have_count(1)

    phone.click("#nav-settings")  # its next event finds no session
    phone.wait_for_url(LOGIN)
    expect(phone.locator("#auth-email")).to_be_visible()
    # The laptop is still signed in.
    laptop.reload()
    expect(rows(laptop)).to_have_count(1)


def test_sign_out_everywhere_sends_the_other_browser_to_login(two_browsers, app):
    laptop, phone, email = two_browsers
    expect(phone.locator("#user-name")).to_have_text("Two Devices")
    laptop.goto(f"{app.url}/settings")
    expect(rows(laptop)).to_have_count(2)

    laptop.click("#signout-everywhere")
    laptop.wait_for_url(SIGNED_OUT)

    phone.click("#goal-new")  # its next action
    phone.wait_for_url(LOGIN)
    expect(phone.locator("#auth-email")).to_be_visible()
    user = app.db.users.find_one({"email": email})
    assert app.db.sessions.count_documents({"user_id": user["_id"]}) == 0
    # Reloading does not bring the phone back in.
    phone.goto(f"{app.url}/workspace")
    phone.wait_for_url(LOGIN)
