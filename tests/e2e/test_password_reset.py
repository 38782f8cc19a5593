"""A forgotten password in Chromium: /login → /forgot → the mail in the outbox → the link →
a new password, signed in; the old password and the used link no longer work, and a browser
signed in before the reset is sent to /login at its next action."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.flows import PASSWORD, SIGNED_OUT, WORKSPACE, sign_in, sign_up, unique_email
from tests.polling import wait_until

NEW_PASSWORD = "a fresh start for real"


def reset_path(app, email: str) -> str:
    """The link's path, from the mail as the outbox keeps it (queued after the answer)."""
    found: dict = {}

    def mailed() -> bool:
        found["mail"] = app.db.outbox.find_one({"to": email, "kind": "password-reset"})
        return found["mail"] is not None

    wait_until(mailed, timeout=20, what="the reset mail")
    return re.search(r"/reset/[A-Za-z0-9_-]+", found["mail"]["text"]).group(0)


def test_forgot_outbox_reset_and_sign_in(page, app, browser):
    email = unique_email("forgetful")
    sign_up(page, app.url, "Forgetful Person", email)
    elsewhere = browser.new_context()
    other = elsewhere.new_page()
    sign_in(other, app.url, email)
    page.click("#signout")
    page.wait_for_url(SIGNED_OUT)

    page.click("#forgot-password")
    page.wait_for_url(re.compile(r".*/forgot$"))
    page.fill("#forgot-email", email.upper())
    page.click("#forgot-submit")
    expect(page.locator("#forgot-done")).to_contain_text("If an account exists for that email")

    path = reset_path(app, email)
    page.goto(f"{app.url}{path}")
    page.fill("#reset-password", NEW_PASSWORD)
    page.click("#reset-submit")
    page.wait_for_url(WORKSPACE)
    expect(page.locator("#user-name")).to_have_text("Forgetful Person")

    other.click("#nav-settings")  # signed in before the reset: its next event finds nothing
    other.wait_for_url(re.compile(r".*/login"))
    elsewhere.close()

    page.goto(f"{app.url}{path}")
    expect(page.locator("#reset-error")).to_contain_text("does not work any more")

    page.goto(f"{app.url}/workspace")
    page.click("#signout")
    page.wait_for_url(SIGNED_OUT)
    page.fill("#auth-email", email)
    page.fill("#auth-password", PASSWORD)
    page.click("#auth-submit")
    expect(page.locator("#auth-error")).to_be_visible()
    # A new tab: this one's form would be refilled with the address kept from the error.
    sign_in(page.context.new_page(), app.url, email, NEW_PASSWORD)


def test_an_unknown_email_gets_the_same_answer_and_no_mail(page, app):
    email = unique_email("nobody")
    page.goto(f"{app.url}/forgot")
    page.fill("#forgot-email", email)
    page.click("#forgot-submit")
    expect(page.locator("#forgot-done")).to_contain_text("If an account exists for that email")
    assert app.db.outbox.find_one({"to": email}) is None
