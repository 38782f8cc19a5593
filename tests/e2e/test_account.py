"""The account in the browser: details that persist, and deleting it all, after which the
same email starts fresh and sees nothing of the old account, and every tab is signed out."""

import re

from playwright.sync_api import expect

from tests.e2e.flows import new_goal, sign_up, unique_email


def test_details_persist_and_show_in_the_header(page, app):
    sign_up(page, app.url, "Old Name", unique_email("details"))
    page.goto(f"{app.url}/settings")
    # The page's loads fill the form (and remount its fields): type only after they came.
    expect(page.locator("#settings-name")).to_have_value("Old Name")
    page.fill("#settings-name", "")
    page.click("#settings-save")
    expect(page.locator("#settings-error")).to_have_text("Tell us your name.")
    page.fill("#settings-name", "New <b>Name</b>")
    page.fill("#settings-timezone", "Atlantis/Lost")
    page.click("#settings-save")
    expect(page.locator("#settings-error")).to_contain_text("Choose a time zone")
    page.fill("#settings-timezone", "Asia/Tokyo")
    page.fill("#settings-duration", "45")
    page.click("#settings-save")
    expect(page.locator("#settings-saved")).to_be_visible()
    expect(page.locator("#user-name")).to_have_text("New <b>Name</b>")
    page.reload()
    expect(page.locator("#settings-name")).to_have_value("New <b>Name</b>")
    expect(page.locator("#settings-timezone")).to_have_value("Asia/Tokyo")
    expect(page.locator("#settings-duration")).to_have_value("45")


def test_delete_account_signs_out_every_tab_and_the_email_starts_fresh(page, app, context):
    email = unique_email("leaver")
    sign_up(page, app.url, "Leaving Person", email)
    new_goal(page, "A goal that must vanish", "Gone with the account.")
    other_tab = context.new_page()
    other_tab.goto(f"{app.url}/workspace")
    expect(other_tab.locator("#user-name")).to_have_text("Leaving Person")

    page.goto(f"{app.url}/settings")
    page.click("#account-delete")
    expect(page.locator("#account-delete-download")).to_be_visible()
    page.fill("#account-delete-confirm", "someone.else@example.com")
    page.click("#account-delete-submit")
    expect(page.locator("#account-delete-error")).to_be_visible()
    page.fill("#account-delete-confirm", email.upper())
    page.click("#account-delete-submit")
    page.wait_for_url(re.compile(r"/login/?\?deleted=1"))
    expect(page.get_by_text("Your account and everything in it are deleted.")).to_be_visible()

    other_tab.locator("#nav-settings").click()  # its next event finds no session
    other_tab.wait_for_url(re.compile(r"/login"))
    assert app.db.users.find_one({"email": email}) is None

    sign_up(page, app.url, "Fresh Start", email)
    expect(page.get_by_text("A goal that must vanish")).to_have_count(0)
    expect(page.locator("#user-name")).to_have_text("Fresh Start")
