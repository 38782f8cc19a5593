"""Waiting on the coach in the browser: a busy coach says so at once, a reload mid-reply shows
each message once, and text not yet sent survives a reload."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flows import (
    assistant_messages,
    send_message,
    sign_up,
    unique_email,
    user_messages,
    wait_reply_done,
)


def test_a_busy_coach_says_so_at_once_and_stop_ends_the_wait(page, app):
    sign_up(page, app.url, "Busy Waiter", unique_email("busy"))
    app.fake.queue("rate_limited_30")
    send_message(page, "Are you there?")
    notice = page.locator("#chat-notice")
    expect(notice).to_have_text("The coach is busy — trying again in 30 s.")
    screenshot(page, "chat-busy-notice")
    page.click("#chat-stop")
    expect(notice).to_have_count(0)
    expect(page.locator("#chat-send")).to_be_visible()
    expect(assistant_messages(page)).to_have_count(0)
    assert len(app.fake.requests) == 1  # stopped before the second attempt
    send_message(page, "Now?")
    wait_reply_done(page)
    expect(assistant_messages(page)).to_have_count(1)


def test_a_reload_while_the_reply_is_on_its_way_shows_each_message_once(page, app):
    sign_up(page, app.url, "Reload Waiter", unique_email("reloadwait"))
    app.fake.first_token_delay = 3
    send_message(page, "Take your time")
    expect(page.locator("#chat-typing")).to_be_visible()
    page.reload()
    expect(user_messages(page)).to_have_count(1)
    expect(user_messages(page)).to_have_text(["Take your time"])
    expect(assistant_messages(page)).to_have_count(1, timeout=15_000)
    expect(page.locator("#chat-typing")).to_have_count(0)
    expect(user_messages(page)).to_have_count(1)


def test_text_not_yet_sent_survives_a_reload_and_goes_once_sent(page, app):
    sign_up(page, app.url, "Draft Keeper", unique_email("draft"))
    page.fill("#chat-input", "Half a thought about my goals")
    page.reload()
    expect(page.locator("#chat-input")).to_have_value("Half a thought about my goals")
    page.press("#chat-input", "Enter")
    wait_reply_done(page)
    page.reload()
    expect(user_messages(page)).to_have_count(1)
    expect(page.locator("#chat-input")).to_have_value("")
