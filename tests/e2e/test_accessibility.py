"""Every page, and every dialog a person opens on the way, passes axe-core's WCAG 2.2 A/AA
rules and its landmark rules in Chromium: contrast, names, roles, one `main`, nothing
outside a landmark."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.flows import (
    assistant_messages,
    new_goal,
    open_first_meeting_now,
    send_message,
    sign_up,
    unique_email,
    wait_reply_done,
)


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "text=Goals you actually keep."),
        ("/login", "#auth-submit"),
        ("/signup", "#auth-name"),
        # Plain pages the server writes itself: no scripts, the same rules.
        ("/forgot", "#forgot-submit"),
        ("/reset/not-a-token", "h1"),
        ("/s/not-a-token", "h1"),
    ],
)
def test_public_pages(page: Page, app, path: str, ready: str):
    page.goto(f"{app.url}{path}")
    expect(page.locator(ready)).to_be_visible()
    assert_accessible(page, path)


def test_sign_in_error_is_accessible(page: Page, app):
    page.goto(f"{app.url}/login")
    page.fill("#auth-email", unique_email("nobody"))
    page.fill("#auth-password", "not the password")
    page.click("#auth-submit")
    expect(page.locator("#auth-error")).to_be_visible()
    assert_accessible(page, "/login with an error")


def _with_proposal(page: Page) -> str:
    """A goal written, a question to the coach and its proposal card; the goal's id."""
    goal_id = new_goal(page, "Run 5 km", "Run 5 km in under 30 minutes by June 2027.")
    send_message(page, "Is this goal specific enough?")
    wait_reply_done(page)
    expect(assistant_messages(page).last).to_be_visible()
    send_message(page, "[[fake:propose]] Run 5 km in under 28 minutes by May 2027.")
    wait_reply_done(page)
    expect(page.locator("#proposal-card")).to_have_count(1)
    return goal_id


def _close_dialog(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_workspace_and_its_dialogs(page: Page, app):
    sign_up(page, app.url, "Ada Access", unique_email("axe"))
    assert_accessible(page, "/workspace, no goal yet")
    goal_id = _with_proposal(page)
    assert_accessible(page, "/workspace with a goal, a coach reply and a proposal")

    page.click("#goal-new")
    expect(page.locator("#template-picker")).to_be_visible()
    assert_accessible(page, "/workspace, the new goal dialog")
    _close_dialog(page)

    page.click("#goal-share")
    expect(page.locator("#share-create")).to_be_visible()
    assert_accessible(page, "/workspace, the share dialog")
    page.click("#share-create")
    expect(page.locator("#share-url")).to_contain_text("/s/")
    assert_accessible(page, "/workspace, the share dialog with its link")
    shared_url = page.locator("#share-url").inner_text()
    _close_dialog(page)

    row = page.locator(f'#goal-list [data-goal-id="{goal_id}"]')
    row.get_by_role("button", name="Delete goal").click()
    expect(page.locator("#goal-delete-confirm")).to_be_visible()
    assert_accessible(page, "/workspace, the delete confirmation")
    _close_dialog(page)

    page.goto(shared_url)
    expect(page.locator("#shared-title")).to_be_visible()
    assert_accessible(page, "the shared goal's page")


def test_meetings_settings_outbox_and_account_delete(page: Page, app):
    sign_up(page, app.url, "Ben Access", unique_email("axe"))
    page.click("#nav-meetings")
    expect(page.locator("#tracking-start")).to_be_visible()
    assert_accessible(page, "/meetings")

    page.click("#nav-settings")
    expect(page.locator("#account-delete")).to_be_visible()
    assert_accessible(page, "/settings")
    page.click("#account-delete")
    expect(page.locator("#account-delete-confirm")).to_be_visible()
    assert_accessible(page, "/settings, the account delete dialog")
    _close_dialog(page)

    page.click("#settings-outbox")
    expect(page.get_by_role("heading", name="Your mail")).to_be_visible()
    assert_accessible(page, "/outbox")


def test_tracking_pages_on_a_phone_and_a_desktop(page: Page, app):
    email = unique_email("axe")
    sign_up(page, app.url, "Cy Access", email)
    new_goal(page, "Read 12 books", "One book a month in 2027, because reading calms me.")
    page.click("#nav-meetings")
    page.click("#tracking-start")
    expect(page.locator("#meetings-next")).to_contain_text("Next check-in")
    assert_accessible(page, "/meetings while tracking")
    page.click("#nav-workspace")
    expect(page.locator("#chat-gate")).to_be_visible()
    assert_accessible(page, "/workspace, the coach closed until the check-in")

    open_first_meeting_now(app.db, email)
    page.reload()
    page.fill("#checkin-progress", "40")
    page.click("#checkin-save")
    expect(page.locator("#goal-progress-chart")).to_have_attribute("data-points", "1")
    assert_accessible(page, "/workspace in a check-in, with its form and chart")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#tab-coach")).to_be_visible()
    assert_accessible(page, "/workspace on a phone, the goals tab")
    page.click("#tab-coach")
    expect(page.locator("#chat-input")).to_be_visible()
    assert_accessible(page, "/workspace on a phone, the coach tab")

    page.goto(f"{app.url}/outbox")
    expect(page.locator("#outbox-item").first).to_be_visible()
    page.locator("#outbox-item summary").first.click()
    assert_accessible(page, "/outbox with a mail open, on a phone")


def test_dark_mode(browser, app):
    """Radix follows the system's dark setting: the same rules hold in its dark palette."""
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{app.url}/")
        expect(page.locator("text=Goals you actually keep.")).to_be_visible()
        assert page.evaluate("document.documentElement.classList.contains('dark')")
        assert_accessible(page, "/ in dark mode")
        sign_up(page, app.url, "Dee Dark", unique_email("axe"))
        _with_proposal(page)
        assert_accessible(page, "/workspace in dark mode, with a proposal")
        page.click("#nav-settings")
        expect(page.locator("#account-delete")).to_be_visible()
        assert_accessible(page, "/settings in dark mode")
    finally:
        context.close()
