"""Sharing in the browser: make a link, open it with no account, see only what was chosen,
turn it off in Settings, and the link answers 404."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flows import new_goal, send_message, sign_up, unique_email, wait_reply_done


def test_a_partner_sees_only_the_shared_goal_until_it_is_turned_off(page, app, browser):
    sign_up(page, app.url, "Share Owner", unique_email("share"))
    new_goal(page, "Secret side project", "Nobody may read this.")
    new_goal(page, "Run a marathon", "42 km by **October**, 4 runs a week.")
    send_message(page, "A private word with my coach")
    wait_reply_done(page)

    page.click("#goal-share")
    page.fill("#share-partner", "Sam")
    page.click("#share-create")
    link = page.locator("#share-url")
    expect(link).to_contain_text("/s/")
    url = link.inner_text().strip()
    assert url.startswith("http")
    screenshot(page, "share-dialog")
    page.click("#share-done")

    partner = browser.new_context(viewport={"width": 390, "height": 844})  # a phone, no cookies
    visit = partner.new_page()
    response = visit.goto(url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(visit.locator("article.goal h2")).to_have_text(["Run a marathon"])
    expect(visit.locator("article.goal strong")).to_have_text("October")
    html = visit.content()
    for hidden in ("Secret side project", "Nobody may read", "A private word", "Coach here"):
        assert hidden not in html
    screenshot(visit, "shared-page-phone")

    page.click("#nav-settings")
    row = page.locator("#shares-list [data-share-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Run a marathon")
    expect(row).to_contain_text("For Sam")
    expect(row).to_contain_text("Opened 1 time")
    row.locator("#share-revoke").click()
    expect(page.locator("#shares-list [data-share-id]")).to_have_count(0)

    assert visit.goto(url).status == 404
    expect(visit.locator("h1")).to_have_text("This link is not available")
    partner.close()


def test_a_partner_confirms_the_emails_after_each_check_in(page, app, browser):
    sign_up(page, app.url, "Digest Owner", unique_email("digest"))
    new_goal(page, "Read 12 books", "One a month, every month of 2027.")
    page.click("#goal-share")
    page.fill("#share-partner-email", "sam.partner@example.com")
    page.click("#share-create")  # the digest is progress: refused without it, nothing lost
    expect(page.locator("#share-error")).to_contain_text("Include check-in progress")
    expect(page.locator("#share-partner-email")).to_have_value("sam.partner@example.com")
    page.check("#share-progress")
    page.click("#share-create")
    expect(page.locator("#share-invited")).to_contain_text("sam.partner@example.com")
    page.click("#share-done")

    page.click("#nav-settings")
    row = page.locator("#shares-list [data-share-id]")
    expect(row).to_contain_text("to sam.partner@example.com: waiting for their confirmation")
    ask = app.db.outbox.find_one({"kind": "partner-confirm", "to": "sam.partner@example.com"})
    confirm = next(w for w in ask["text"].split() if "/partner/" in w)
    partner = browser.new_context()
    visit = partner.new_page()
    visit.goto(app.url + urlsplit(confirm).path)
    visit.click("#partner-confirm")
    expect(visit.locator("h1")).to_have_text("You're in")
    partner.close()
    page.reload()
    expect(page.locator("#shares-list [data-share-id]")).to_contain_text(
        "Email after each check-in to sam.partner@example.com"
    )
