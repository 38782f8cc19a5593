"""The outbox in the browser: with no mail provider, the welcome mail is kept and shown."""

from playwright.sync_api import expect

from tests.e2e.flows import sign_up, unique_email


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
