"""The awkward moments: quick switches, reloads with unsaved text, Stop before the first
token, a user change mid-reply, a session ended in another tab."""

import re

from playwright.sync_api import expect

from tests.e2e.flows import (
    assistant_messages,
    new_goal,
    send_message,
    sign_in,
    sign_out,
    sign_up,
    unique_email,
    user_messages,
    wait_reply_done,
)
from tests.polling import wait_until


def _goal(app, user_name: str, title: str) -> dict | None:
    user = app.db.users.find_one({"name": user_name})
    return app.db.goals.find_one({"user_id": user["_id"], "title": title})


def test_a_title_typed_just_before_switching_goals_stays_with_its_goal(page, app):
    sign_up(page, app.url, "Quick Switcher", unique_email("switch"))
    first = new_goal(page, "First goal", "First text.")
    second = new_goal(page, "Second goal", "Second text.")
    page.click(f'#goal-list [data-goal-id="{first}"] .gg-goal-link')
    expect(page.locator("#goal-title")).to_have_value("First goal")
    page.fill("#goal-title", "First goal, renamed")
    page.click(f'#goal-list [data-goal-id="{second}"] .gg-goal-link')  # within the debounce
    expect(page.locator("#goal-title")).to_have_value("Second goal")
    expect(page.locator(f'#goal-list [data-goal-id="{first}"] .gg-goal-title')).to_have_text(
        "First goal, renamed"
    )
    assert _goal(app, "Quick Switcher", "Second goal")["content"] == "Second text."
    assert _goal(app, "Quick Switcher", "First goal, renamed")["content"] == "First text."


def test_unsaved_oversized_text_survives_a_reload(page, app):
    sign_up(page, app.url, "Reload Writer", unique_email("reload"))
    new_goal(page, "Long goal", "Saved part.")
    huge = "y" * 100_001
    page.fill("#goal-editor", huge)
    expect(page.locator("#goal-save-status")).to_have_attribute("data-status", "error")
    page.fill("#goal-title", "Long goal, renamed")  # a title save must not claim "Saved"
    expect(page.locator("#goal-list .gg-selected .gg-goal-title")).to_have_text(
        "Long goal, renamed"
    )
    expect(page.locator("#goal-save-status")).to_have_attribute("data-status", "error")
    page.reload()
    expect(page.locator("#goal-title")).to_have_value("Long goal, renamed")
    assert len(page.input_value("#goal-editor")) == 100_001


def test_stop_works_before_the_first_token(page, app):
    app.fake.first_token_delay = 30.0
    sign_up(page, app.url, "Early Stopper", unique_email("early"))
    send_message(page, "Take your time")
    expect(page.locator("#chat-typing")).to_be_visible()
    page.click("#chat-stop")
    wait_reply_done(page)
    expect(assistant_messages(page)).to_have_count(0)
    expect(user_messages(page)).to_have_text(["Take your time"])
    send_message(page, "Now answer quickly")  # the chat is usable again at once


def test_a_reply_cut_short_by_sign_out_never_reaches_the_next_user(page, app):
    second = unique_email("next")
    sign_up(page, app.url, "Next User", second)
    sign_out(page)
    sign_up(page, app.url, "Leaving User", unique_email("leaving"))
    app.fake.token_delay = 0.4
    send_message(page, "A long answer please")
    expect(assistant_messages(page)).to_have_count(1)
    sign_out(page)
    sign_in(page, app.url, second)
    expect(page.locator("#user-name")).to_have_text("Next User")
    leaving = app.db.users.find_one({"name": "Leaving User"})["_id"]
    wait_until(lambda: _reply_finished(app, leaving), timeout=20, what="the cut-short reply")
    expect(page.locator("#chat-messages [data-role]")).to_have_count(0)
    assert "Coach here" not in page.locator("body").inner_text()


def _reply_finished(app, user_id) -> bool:
    replies = [
        m
        for bucket in app.db.chat_messages.find({"user_id": user_id})
        for m in bucket["messages"]
        if m["role"] == "assistant"
    ]
    return bool(replies) and "streaming" not in replies[-1]["metadata"]


def test_signing_out_in_one_tab_ends_the_session_in_the_other(context, app):
    first, second = context.new_page(), context.new_page()
    sign_up(first, app.url, "Two Tabs", unique_email("tabs"))
    second.goto(f"{app.url}/workspace")
    expect(second.locator("#user-name")).to_have_text("Two Tabs")
    sign_out(first)
    second.click("#goal-new")
    second.wait_for_url(re.compile(r".*/login/?$"))
    user = app.db.users.find_one({"name": "Two Tabs"})
    assert app.db.goals.count_documents({"user_id": user["_id"]}) == 0
