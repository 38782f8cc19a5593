"""What a person does in the browser, as reusable steps."""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"
WORKSPACE = re.compile(r".*/workspace/?$")
SIGNED_OUT = re.compile(r".*/login/?\?signed_out=1$")


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(page: Page, base_url: str, name: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/signup")
    page.fill("#auth-name", name)
    page.fill("#auth-email", email)
    page.fill("#auth-password", password)
    page.click("#auth-submit")
    page.wait_for_url(WORKSPACE)
    expect(page.locator("#user-name")).to_have_text(name)


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#auth-email", email)
    page.fill("#auth-password", password)
    page.click("#auth-submit")
    page.wait_for_url(WORKSPACE)


def sign_out(page: Page) -> None:
    page.click("#signout")
    page.wait_for_url(SIGNED_OUT)


def start_goal(page: Page, template: str = "blank") -> None:
    """New goal → pick a template ("blank", "builtin:smart", "builtin:okr" or an own id)."""
    before = page.locator("#goal-list [data-goal-id]").count()
    page.click("#goal-new")
    page.click(f'#template-picker [data-template-id="{template}"]')
    expect(page.locator("#goal-list [data-goal-id]")).to_have_count(before + 1)
    expect(page.locator("#template-picker")).to_have_count(0)


def new_goal(page: Page, title: str, content: str) -> str:
    """Creates a blank goal, types it, waits for the server to confirm; returns its id."""
    start_goal(page)
    with saved(page):
        page.fill("#goal-title", title)
    with saved(page):
        page.click("#goal-editor")
        page.keyboard.type(content)
    return page.locator("#goal-list .gg-selected").get_attribute("data-goal-id")


@contextlib.contextmanager
def saved(page: Page):
    """Waits, after the block, for the server to confirm a newer version of the goal."""
    status = page.locator("#goal-save-status")
    before = int(status.get_attribute("data-version") or 0)
    yield
    page.wait_for_function(
        "v => { const s = document.getElementById('goal-save-status');"
        " return s && s.dataset.status === 'saved' && Number(s.dataset.version) > v"
        " && !document.documentElement.classList.contains('gg-unsaved'); }",
        arg=before,
    )


def send_message(page: Page, text: str) -> None:
    """Sends and waits until the page shows it (the reply may still be coming)."""
    before = user_messages(page).count()
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    expect(user_messages(page)).to_have_count(before + 1)


def assistant_messages(page: Page):
    return page.locator('#chat-messages [data-role="assistant"]')


def user_messages(page: Page):
    return page.locator('#chat-messages [data-role="user"]')


def wait_reply_done(page: Page) -> None:
    # Only valid after send_message: by then the page is in the generating state.
    expect(page.locator("#chat-send")).to_be_visible()
    expect(page.locator("#chat-typing")).to_have_count(0)


def open_first_meeting_now(db, email: str, minutes: int = 45) -> None:
    """Moves the person's first check-in to start now (tests' clock: its window is open)."""
    user = db.users.find_one({"email": email})
    start = datetime.now(UTC)
    db.meeting_series.update_one(
        {"_id": user["_id"]},
        {
            "$set": {
                "state.0.meetings.0.start": start,
                "state.0.meetings.0.end": start + timedelta(minutes=minutes),
            }
        },
    )
