"""Sign-up, goals that survive a reload, isolation between users, hostile text."""

import re

from playwright.sync_api import expect

from tests.e2e.flows import (
    assistant_messages,
    new_goal,
    saved,
    send_message,
    sign_in,
    sign_out,
    sign_up,
    unique_email,
    user_messages,
    wait_reply_done,
)

HOSTILE_TITLE = '<script>window.__pwned = "title"</script>'
HOSTILE_CONTENT = "<img src=x onerror=\"window.__pwned = 'content'\"> **bold** stays"
HOSTILE_MESSAGE = "<img src=x onerror=\"window.__pwned = 'chat'\"><script>window.__pwned=1</script>"


def test_workspace_requires_sign_in(page, app):
    page.goto(f"{app.url}/workspace")
    page.wait_for_url(re.compile(r".*/login/?$"))
    expect(page.locator("#auth-submit")).to_be_visible()


def test_goal_typed_is_kept_after_reload(page, app):
    email = unique_email("keeper")
    sign_up(page, app.url, "Kim Keeper", email)
    goal_id = new_goal(page, "Run a half marathon", "Finish in under 2 hours by 1 June 2027.")
    page.reload()
    expect(page.locator(f'#goal-list [data-goal-id="{goal_id}"] .gg-goal-title')).to_have_text(
        re.compile("Run a half marathon")
    )
    expect(page.locator("#goal-title")).to_have_value("Run a half marathon")
    expect(page.locator("#goal-editor")).to_have_value("Finish in under 2 hours by 1 June 2027.")
    user = app.db.users.find_one({"email": email})
    stored = app.db.goals.find_one({"user_id": user["_id"]})
    assert stored["content"] == "Finish in under 2 hours by 1 June 2027."
    assert app.fake.requests == [], "signing in or opening the workspace called the model"


def test_wrong_password_shows_error_and_keeps_email(page, app):
    email = unique_email("oops")
    sign_up(page, app.url, "Olly Oops", email)
    sign_out(page)
    page.fill("#auth-email", email)
    page.fill("#auth-password", "not the password")
    page.click("#auth-submit")
    expect(page.locator("#auth-error")).to_contain_text("don't match")
    expect(page.locator("#auth-email")).to_have_value(email)


def test_duplicate_email_is_refused_with_a_message(page, app):
    email = unique_email("twin")
    sign_up(page, app.url, "Tess Twin", email)
    sign_out(page)
    page.goto(f"{app.url}/signup")
    page.fill("#auth-name", "Other Twin")
    page.fill("#auth-email", email.upper())
    page.fill("#auth-password", "another password")
    page.click("#auth-submit")
    expect(page.locator("#auth-error")).to_contain_text("already exists")
    expect(page.locator("#auth-name")).to_have_value("Other Twin")


def test_second_user_in_fresh_context_sees_nothing_of_the_first(browser, app, page):
    sign_up(page, app.url, "Ada First", unique_email("ada"))
    new_goal(page, "Ada's secret goal", "Only Ada may read this.")
    send_message(page, "Ada's private message")
    wait_reply_done(page)

    other = browser.new_context()
    try:
        second = other.new_page()
        sign_up(second, app.url, "Ben Second", unique_email("ben"))
        expect(second.locator("#goal-list [data-goal-id]")).to_have_count(0)
        expect(second.locator("#chat-messages [data-role]")).to_have_count(0)
        assert "Ada" not in second.locator("body").inner_text()
    finally:
        other.close()


def test_sign_out_then_in_as_another_user_leaves_nothing_behind(page, app):
    first, second = unique_email("first"), unique_email("second")
    sign_up(page, app.url, "Second Person", second)
    sign_out(page)
    sign_up(page, app.url, "First Person", first)
    new_goal(page, "First person's goal", "Private words of the first person.")
    send_message(page, "First person's chat")
    wait_reply_done(page)
    sign_out(page)
    expect(page.locator("body")).not_to_contain_text("First person")

    sign_in(page, app.url, second)
    expect(page.locator("#user-name")).to_have_text("Second Person")
    expect(page.locator("#goal-list [data-goal-id]")).to_have_count(0)
    expect(page.locator("#chat-messages [data-role]")).to_have_count(0)
    assert "First person" not in page.locator("body").inner_text()


def test_session_cookie_is_http_only(page, app):
    sign_up(page, app.url, "Cookie Check", unique_email("cookie"))
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["gg_session"]["httpOnly"] is True
    assert cookies["gg_session"]["sameSite"] == "Lax"
    assert "gg_session" not in page.evaluate("document.cookie")


def test_hostile_titles_content_and_messages_render_as_text(page, app):
    sign_up(page, app.url, "Mallory", unique_email("mallory"))
    new_goal(page, HOSTILE_TITLE, HOSTILE_CONTENT)
    send_message(page, HOSTILE_MESSAGE)
    wait_reply_done(page)
    page.reload()
    expect(page.locator("#goal-list .gg-goal-title").first).to_have_text(HOSTILE_TITLE)
    expect(user_messages(page).last).to_have_text(HOSTILE_MESSAGE)
    expect(assistant_messages(page).last).to_be_visible()
    page.click("#goal-preview-toggle")
    preview = page.locator("#goal-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    assert preview.locator("img").count() == 0
    assert page.locator("#chat-messages img, #goal-list img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_delete_asks_first(page, app):
    sign_up(page, app.url, "Del Eter", unique_email("del"))
    goal_id = new_goal(page, "Goal to delete", "Soon gone.")
    row = page.locator(f'#goal-list [data-goal-id="{goal_id}"]')
    row.get_by_role("button", name="Delete goal").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Goal to delete")
    page.get_by_role("button", name="Keep it").click()
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Delete goal").click()
    page.click("#goal-delete-confirm")
    expect(row).to_have_count(0)
    assert app.db.goals.count_documents({"title": "Goal to delete"}) == 0


def test_preview_renders_markdown_and_editing_resumes_on_the_latest_text(page, app):
    sign_up(page, app.url, "Pre View", unique_email("preview"))
    new_goal(page, "Markdown goal", "# Plan\n\n- **run** 3 times a week")
    page.click("#goal-preview-toggle")
    expect(page.locator("#goal-preview h1")).to_have_text("Plan")
    expect(page.locator("#goal-preview li strong")).to_have_text("run")
    page.click("#goal-preview-toggle")
    expect(page.locator("#goal-editor")).to_have_value("# Plan\n\n- **run** 3 times a week")
    with saved(page):
        page.click("#goal-editor")
        page.keyboard.press("End")
        page.keyboard.type(" until June")
    user = app.db.users.find_one({"name": "Pre View"})
    stored = app.db.goals.find_one({"user_id": user["_id"]})
    assert stored["content"] == "# Plan\n\n- **run** 3 times a week until June"


def test_oversized_goal_text_is_refused_with_a_message_and_kept(page, app):
    sign_up(page, app.url, "Big Writer", unique_email("big"))
    new_goal(page, "Huge goal", "Short start.")
    huge = "x" * 100_001
    page.fill("#goal-editor", huge)
    status = page.locator("#goal-save-status")
    expect(status).to_have_attribute("data-status", "error")
    expect(status).to_contain_text("at most 100,000 characters")
    assert len(page.input_value("#goal-editor")) == 100_001
    user = app.db.users.find_one({"name": "Big Writer"})
    assert app.db.goals.find_one({"user_id": user["_id"]})["content"] == "Short start."
