"""The coach in the browser: streaming, persistence, errors with retry, stop, clear."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flows import (
    assistant_messages,
    new_goal,
    send_message,
    sign_up,
    unique_email,
    user_messages,
    wait_reply_done,
)
from tests.fakes.anthropic_fake import reply_tokens, system_text

# Records every length the newest assistant bubble had, as the page changed.
RECORD_LENGTHS = """
() => {
  window.__lengths = [];
  const box = document.getElementById('chat-messages');
  new MutationObserver(() => {
    const bubbles = box.querySelectorAll('[data-role="assistant"]');
    if (bubbles.length) window.__lengths.push(bubbles[bubbles.length - 1].innerText.length);
  }).observe(box, {subtree: true, childList: true, characterData: true});
}
"""


def test_reply_streams_token_by_token_and_survives_reload(page, app):
    # The wait before the first token is what the typing dots show: long enough that the
    # check cannot fall between two of its polls on a busy machine.
    app.fake.first_token_delay = 2.0
    app.fake.token_delay = 0.08
    sign_up(page, app.url, "Stream Tester", unique_email("stream"))
    new_goal(page, "Write a novel", "60,000 words by 30 September 2027.")
    page.evaluate(RECORD_LENGTHS)
    send_message(page, "Is my novel goal good enough?")
    expect(page.locator("#chat-typing")).to_be_visible()
    expect(page.locator("#chat-stop")).to_be_visible()
    wait_reply_done(page)
    expected = "".join(reply_tokens("Is my novel goal good enough?")).strip()
    expect(assistant_messages(page).last).to_have_text(expected)
    lengths = page.evaluate("window.__lengths")
    growing = sorted({n for n in lengths if n > 0})
    assert len(growing) >= 5, f"reply arrived in too few steps: {growing}"

    system_prompt = system_text(app.fake.requests[-1]["body"])
    assert "Write a novel" in system_prompt and "60,000 words" in system_prompt
    page.reload()
    expect(user_messages(page).last).to_have_text("Is my novel goal good enough?")
    expect(assistant_messages(page).last).to_have_text(expected)


def test_shift_enter_adds_a_line_and_enter_sends(page, app):
    sign_up(page, app.url, "Multi Line", unique_email("lines"))
    page.click("#chat-input")
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    assert page.input_value("#chat-input") == "first line\nsecond line"
    expect(user_messages(page)).to_have_count(0)
    page.keyboard.press("Enter")
    expect(user_messages(page)).to_have_count(1)
    expect(assistant_messages(page)).to_have_count(1)
    wait_reply_done(page)
    expect(page.locator("#chat-input")).to_have_value("")
    sent = app.fake.requests[-1]["body"]["messages"][-1]["content"]
    assert sent == "first line\nsecond line"


def test_overloaded_shows_error_and_retry_recovers(page, app):
    sign_up(page, app.url, "Retry Tester", unique_email("retry"))
    app.fake.queue("overloaded", "overloaded", "overloaded")  # every attempt the chat makes
    send_message(page, "Help me plan my week")
    expect(page.locator("#chat-error")).to_contain_text("overloaded")
    expect(user_messages(page).last).to_have_text("Help me plan my week")
    expect(assistant_messages(page)).to_have_count(0)
    screenshot(page, "chat-error-retry")
    page.click("#chat-retry")
    wait_reply_done(page)
    expect(assistant_messages(page)).to_have_count(1)
    expect(page.locator("#chat-error")).to_have_count(0)
    user = app.db.users.find_one({"name": "Retry Tester"})
    stored = [m for b in app.db.chat_messages.find({"user_id": user["_id"]}) for m in b["messages"]]
    assert [m["role"] for m in stored] == ["user", "assistant"]


def test_midstream_error_keeps_partial_reply_with_a_note(page, app):
    sign_up(page, app.url, "Partial Tester", unique_email("partial"))
    send_message(page, "Tell me something [[fake:midstream_error]]")
    expect(page.locator("#chat-error")).to_be_visible()
    expect(page.locator("#chat-retry")).to_be_visible()
    partial = "".join(reply_tokens("Tell me something")[:3]).strip()
    expect(assistant_messages(page).last).to_contain_text(partial)
    page.reload()
    expect(assistant_messages(page).last).to_contain_text(partial)


def test_stop_keeps_what_arrived(page, app):
    app.fake.token_delay = 0.3
    sign_up(page, app.url, "Stop Tester", unique_email("stop"))
    send_message(page, "Give me a long answer please")
    expect(assistant_messages(page)).to_have_count(1)
    page.click("#chat-stop")
    wait_reply_done(page)
    expect(assistant_messages(page).last).to_contain_text("stopped")
    shown = assistant_messages(page).last.inner_text()
    full = "".join(reply_tokens("Give me a long answer please")).strip()
    assert len(shown.replace("stopped", "").strip()) < len(full)


def test_clear_history_asks_first(page, app):
    sign_up(page, app.url, "Clear Tester", unique_email("clear"))
    send_message(page, "Remember this")
    wait_reply_done(page)
    page.click("#chat-clear")
    page.get_by_role("button", name="Cancel").click()
    expect(assistant_messages(page)).to_have_count(1)
    page.click("#chat-clear")
    page.click("#chat-clear-confirm")
    expect(page.locator("#chat-messages [data-role]")).to_have_count(0)
    page.reload()
    expect(user_messages(page)).to_have_count(0)


def test_too_long_message_is_refused_and_kept(page, app):
    sign_up(page, app.url, "Long Writer", unique_email("long"))
    text = "word " * 1700  # 8,500 characters: over the 8,000 limit
    page.evaluate(
        "t => { const el = document.getElementById('chat-input');"
        " el.removeAttribute('maxlength'); el.value = t; }",
        text,
    )
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-error")).to_contain_text("at most 8,000 characters")
    assert page.input_value("#chat-input") == text
    expect(user_messages(page)).to_have_count(0)
