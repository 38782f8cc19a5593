"""The meetings page: a refused reschedule says why, and one check-in is cancelled."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.flows import sign_up, unique_email
from tests.e2e.test_tracking import _move_first_meeting, _start_tracking

BERLIN = ZoneInfo("Europe/Berlin")


def test_cancel_and_a_reschedule_the_rules_refuse(page, app):
    email = unique_email("plan")
    sign_up(page, app.url, "Petra Plan", email)
    _start_tracking(page, app, "Europe/Berlin")
    rows = page.locator("#meeting-list [data-meeting-id]")
    first, second = rows.nth(0), rows.nth(1)
    first_id = first.get_attribute("data-meeting-id")

    # Moving the first check-in into the second one's week is refused, with the rule.
    second_start = app.db.meeting_series.find_one(
        {"_id": app.db.users.find_one({"email": email})["_id"]}
    )["state"][0]["meetings"][1]["start"]
    target = (second_start + timedelta(hours=2)).astimezone(BERLIN)
    first.get_by_role("button", name="Reschedule").click()
    page.fill("#meeting-new-start", target.strftime("%Y-%m-%dT%H:%M"))
    page.click("#meeting-move")
    expect(page.locator("#meeting-error")).to_contain_text("already")
    # Too soon: less than an hour from now.
    soon = (datetime.now(UTC) + timedelta(minutes=20)).astimezone(BERLIN)
    page.fill("#meeting-new-start", soon.strftime("%Y-%m-%dT%H:%M"))
    page.click("#meeting-move")
    expect(page.locator("#meeting-error")).to_contain_text("one hour from now")

    # Cancelling asks first; "Keep it" keeps it.
    second.get_by_role("button", name="Cancel this check-in").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(second_start.astimezone(BERLIN).strftime("%-d %b %Y, %H:%M"))
    question.get_by_role("button", name="Keep it").click()
    expect(question).to_have_count(0)
    expect(page.locator('#meeting-list [data-status="cancelled"]')).to_have_count(0)
    second.get_by_role("button", name="Cancel this check-in").click()
    page.click("#meeting-cancel-confirm")
    expect(page.locator('#meeting-list [data-status="cancelled"]')).to_have_count(1)
    user = app.db.users.find_one({"email": email})
    meetings = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]["meetings"]
    assert [m["status"] for m in meetings][:2] == ["scheduled", "cancelled"]
    assert meetings[0]["id"] == first_id and meetings[0]["rescheduled"] is False


def test_changing_the_schedule_starts_from_the_current_one_and_keeps_the_past(page, app):
    email = unique_email("cadence")
    sign_up(page, app.url, "Cade Change", email)
    _start_tracking(page, app, "America/New_York")
    # The form shows the schedule in force, not the defaults.
    expect(page.locator("#cadence")).to_have_value("weekly")
    expect(page.locator("#meeting-day")).to_have_value("2")
    expect(page.locator("#meeting-time")).to_have_value("18:30")
    expect(page.locator("#meeting-timezone")).to_have_value("America/New_York")
    expect(page.locator("#meeting-duration")).to_have_value("45")
    user = app.db.users.find_one({"email": email})
    # One meeting in the past (its window closed): it stays through the change.
    past_start = datetime.now(UTC) - timedelta(days=3)
    app.db.meeting_series.update_one(
        {"_id": user["_id"]},
        {
            "$set": {
                "state.0.meetings.0.start": past_start,
                "state.0.meetings.0.end": past_start + timedelta(minutes=45),
                "state.0.meetings.0.status": "completed",
            }
        },
    )
    page.reload()
    page.select_option("#cadence", "monthly")
    page.select_option("#meeting-day", "31")
    page.click("#cadence-change")
    expect(page.locator("#meeting-day")).to_have_value("31")
    meetings = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]["meetings"]
    assert meetings[0]["status"] == "completed" and meetings[0]["start"] == past_start.replace(
        microsecond=past_start.microsecond // 1000 * 1000
    )
    upcoming = [m for m in meetings if m["status"] == "scheduled"]
    assert upcoming and all(
        m["start"].astimezone(ZoneInfo("America/New_York")).hour == 18 for m in upcoming
    )


def test_completing_a_check_in_with_notes_brings_a_recap(page, app):
    email = unique_email("recap")
    sign_up(page, app.url, "Rita Recap", email)
    _start_tracking(page, app, "Europe/Berlin")
    user = app.db.users.find_one({"email": email})
    start = datetime.now(UTC) - timedelta(minutes=10)
    app.db.meeting_series.update_one(
        {"_id": user["_id"]},
        {
            "$set": {
                "state.0.meetings.0.start": start,
                "state.0.meetings.0.end": start + timedelta(minutes=45),
            }
        },
    )
    page.reload()
    row = page.locator("#meeting-list [data-meeting-id]").first
    row.get_by_role("button", name="Complete").click()
    page.fill("#meeting-notes", "Good week: <b>3 runs</b> done.")
    page.click("#meeting-complete")
    done = page.locator('#meeting-list [data-status="completed"]')
    expect(done).to_have_count(1)
    expect(done).to_contain_text("Good week: <b>3 runs</b> done.")
    # The recap arrives after the click; the fake model does not answer in bullets, so it
    # is built from the (empty) check-ins.
    expect(done).to_contain_text("No check-ins were recorded in this meeting.")
    stored = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]["meetings"][0]
    assert stored["status"] == "completed" and stored["recap"].startswith("- ")


def test_the_page_follows_a_window_opening_without_a_reload(page, app):
    email = unique_email("live")
    sign_up(page, app.url, "Liv Live", email)
    _start_tracking(page, app, "Europe/Berlin")
    first = page.locator("#meeting-list [data-meeting-id]").nth(0)
    expect(first.get_by_role("button", name="Reschedule")).to_be_visible()
    # The first check-in's window now opens 15 s from now (the page is not reloaded).
    start = datetime.now(UTC) + timedelta(minutes=30, seconds=15)
    user_id = app.db.users.find_one({"email": email})["_id"]
    _move_first_meeting(app, user_id, start, start + timedelta(minutes=45))
    expect(page.locator("#meetings-next")).to_contain_text("Check-in now", timeout=60_000)
    closes = (start + timedelta(minutes=45 + 60)).astimezone(BERLIN).strftime("%H:%M")
    expect(page.locator("#meetings-next")).to_contain_text(f"Your coach is here until {closes}")
    expect(first.get_by_role("button", name="Reschedule")).to_have_count(0)
    expect(first.get_by_role("button", name="Cancel this check-in")).to_have_count(0)
    expect(first.get_by_role("button", name="Complete")).to_be_visible()
