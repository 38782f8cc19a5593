"""Reaching out in the browser: after tracking starts, invitations land in the outbox, and the
Settings feed URL serves a calendar with the next check-in; replacing it kills the old URL."""

import httpx
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.flows import sign_up, unique_email
from tests.e2e.test_tracking import _start_tracking


def test_invitations_and_the_calendar_feed(page, app):
    sign_up(page, app.url, "Cal Endar", unique_email("calendar"))
    _start_tracking(page, app, "Europe/Berlin")
    page.goto(f"{app.url}/outbox")
    invitations = page.locator('#outbox-list [data-kind="invitation"]')
    expect(invitations).to_have_count(4)
    expect(invitations.first).to_have_attribute("data-status", "outbox")

    page.click("#nav-settings")
    url_box = page.locator("#calendar-feed-url")
    expect(url_box).to_contain_text("/calendar/")
    old = url_box.inner_text().strip()
    feed = httpx.get(old, timeout=10)
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.text).walk("VEVENT")
    assert len(events) == 4 and all(str(e["summary"]) == "GoalGetter check-in" for e in events)
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0].strftime("%A %H:%M") == "Wednesday 18:30"

    page.click("#calendar-feed-rotate")
    expect(url_box).not_to_have_text(old)
    assert httpx.get(old, timeout=10).status_code == 404
    assert httpx.get(url_box.inner_text().strip(), timeout=10).status_code == 200
