"""The outbox in the browser: with no mail provider, the welcome mail is kept and shown."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.flows import sign_up, unique_email
from tests.polling import wait_until


def test_the_welcome_mail_shows_in_the_outbox(page, app):
    sign_up(page, app.url, "Mail Reader", unique_email("mail"))
    page.click("#nav-settings")
    page.click("#settings-outbox")
    item = page.locator('#outbox-list [data-kind="welcome"]')
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-status", "outbox")
    expect(item).to_contain_text("Welcome to GoalGetter, Mail")
    item.locator("summary").click()
    expect(item.locator(".gg-mail-text")).to_contain_text("/workspace")


def test_mail_choices_persist(page, app):
    sign_up(page, app.url, "Quiet Person", unique_email("quiet"))
    page.goto(f"{app.url}/settings")
    reminders = page.locator("#settings-email-reminders")
    expect(reminders).to_have_attribute("data-state", "checked")
    reminders.click()
    expect(reminders).to_have_attribute("data-state", "unchecked")
    page.reload()
    expect(page.locator("#settings-email-reminders")).to_have_attribute("data-state", "unchecked")
    expect(page.locator("#settings-email-recaps")).to_have_attribute("data-state", "checked")


def test_a_check_in_planned_61_minutes_ahead_is_reminded_an_hour_before(page, app):
    """The running app's own scheduler (its 30 s tick, the real clock) queues the reminder."""
    email = unique_email("soon")
    sign_up(page, app.url, "Soon Person", email)
    start = (datetime.now(UTC) + timedelta(minutes=62)).replace(second=0, microsecond=0)
    page.goto(f"{app.url}/meetings")
    page.select_option("#cadence", "weekly")
    page.select_option("#meeting-day", str(start.weekday()))
    page.fill("#meeting-time", start.strftime("%H:%M"))
    page.fill("#meeting-timezone", "UTC")
    page.fill("#meeting-duration", "30")
    page.click("#tracking-start")
    expect(page.locator("#meetings-next")).to_contain_text("Next check-in")
    user = app.db.users.find_one({"email": email})
    first = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]["meetings"][0]
    assert first["start"] == start

    def reminded() -> bool:
        return app.db.outbox.count_documents({"user_id": user["_id"], "kind": "reminder-1h"}) == 1

    # Due at start - 1 h, about a minute from now; the tick looks every 30 s.
    wait_until(reminded, timeout=240, what="the 1 h reminder", interval=1)
    page.goto(f"{app.url}/outbox")
    item = page.locator('#outbox-list [data-kind="reminder-1h"]')
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Your check-in is in an hour")
    # Planned less than a day ahead: the invitation covers it, no 24 h reminder.
    expect(page.locator('#outbox-list [data-kind="reminder-24h"]')).to_have_count(0)
    expect(page.locator('#outbox-list [data-kind="invitation"]')).not_to_have_count(0)
