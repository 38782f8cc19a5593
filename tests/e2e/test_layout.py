"""Split screen on a laptop, Goals | Coach tabs on a phone (screenshots kept for review)."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flows import new_goal, send_message, sign_up, unique_email, wait_reply_done

PHONE = {"width": 390, "height": 844}


def test_laptop_shows_goals_and_coach_side_by_side(page, app):
    sign_up(page, app.url, "Lena Laptop", unique_email("laptop"))
    new_goal(page, "Learn Spanish", "Hold a 10-minute conversation by 1 May 2027.")
    send_message(page, "How do I stay consistent?")
    wait_reply_done(page)
    expect(page.locator("#goal-editor")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_visible()
    expect(page.locator("#tab-goals")).to_be_hidden()
    goals_box = page.locator("#goal-editor").bounding_box()
    chat_box = page.locator("#chat-input").bounding_box()
    assert goals_box["x"] + goals_box["width"] <= chat_box["x"]
    screenshot(page, "workspace-laptop")


def test_phone_switches_between_goals_and_coach_tabs(browser, app):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_up(page, app.url, "Pia Phone", unique_email("phone"))
        new_goal(page, "Save for a bike", "Put aside 50 EUR every week until August 2027.")
        expect(page.locator("#tab-goals")).to_be_visible()
        expect(page.locator("#goal-editor")).to_be_visible()
        expect(page.locator("#chat-input")).to_be_hidden()
        screenshot(page, "workspace-phone-goals")
        page.click("#tab-coach")
        expect(page.locator("#chat-input")).to_be_visible()
        expect(page.locator("#goal-editor")).to_be_hidden()
        send_message(page, "Is this realistic?")
        wait_reply_done(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the page scrolls sideways on a phone"
        screenshot(page, "workspace-phone-coach")
        page.click("#tab-goals")
        expect(page.locator("#goal-editor")).to_have_value(
            "Put aside 50 EUR every week until August 2027."
        )
    finally:
        context.close()


def test_sign_in_pages_fit_a_phone(browser, app):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{app.url}/signup")
        expect(page.locator("#auth-submit")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "signup-phone")
    finally:
        context.close()
