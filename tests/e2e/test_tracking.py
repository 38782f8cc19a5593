"""Tracking in the browser: start it, the gate with its local opening time, a meeting now."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from goalgetter.coach.recap import RECAP_REQUEST
from tests.e2e.flows import new_goal, send_message, sign_up, unique_email, wait_reply_done
from tests.fakes.anthropic_fake import reply_tokens
from tests.polling import wait_until


def _start_tracking(page, app, timezone: str) -> None:
    page.goto(f"{app.url}/meetings")
    page.select_option("#cadence", "weekly")
    page.select_option("#meeting-day", "2")  # Wednesday
    page.fill("#meeting-time", "18:30")
    page.fill("#meeting-timezone", timezone)
    page.fill("#meeting-duration", "45")
    page.click("#tracking-start")
    expect(page.locator("#meetings-next")).to_contain_text("Next check-in")
    expect(page.locator('#meeting-list [data-status="scheduled"]')).to_have_count(4)


def test_outside_a_window_the_gate_says_when_it_opens_in_local_time(page, app):
    email = unique_email("gate")
    sign_up(page, app.url, "Gail Gate", email)
    new_goal(page, "Run 10 km", "Run 10 km in under an hour by June 2027.")
    _start_tracking(page, app, "America/New_York")
    user = app.db.users.find_one({"email": email})
    assert (user["phase"], user["settings"]["timezone"]) == ("tracking", "America/New_York")
    assert app.db.goals.find_one({"user_id": user["_id"]})["phase"] == "active"
    first = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]["meetings"][0]
    opens = first["start"].astimezone(ZoneInfo("America/New_York")) - timedelta(minutes=30)
    assert (opens.hour, opens.minute, opens.weekday()) == (18, 0, 2)

    page.click("#nav-workspace")
    expect(page.locator("#goal-phase")).to_have_value("active")  # the open goal, refreshed
    gate = page.locator("#chat-gate")
    expect(gate).to_be_visible()
    expected = opens.strftime("%A %-d %B, %H:%M ") + opens.tzname()
    expect(page.locator("#chat-gate-time")).to_have_text(expected)
    expect(page.get_by_text("Your goals are set. Now we make them real.")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_disabled()
    expect(page.locator("#chat-send")).to_be_disabled()
    assert app.fake.requests == []


def test_with_a_meeting_starting_now_the_chat_opens(page, app):
    email = unique_email("open")
    sign_up(page, app.url, "Otto Open", email)
    new_goal(page, "Read 12 books", "One book a month in 2027, because reading calms me.")
    _start_tracking(page, app, "Europe/Berlin")
    user = app.db.users.find_one({"email": email})
    page.click("#nav-workspace")
    expect(page.locator("#chat-gate")).to_be_visible()
    now = datetime.now(UTC)
    _move_first_meeting(app, user["_id"], now, now + timedelta(minutes=45))
    page.reload()
    expect(page.locator("#user-name")).to_have_text("Otto Open")  # loaded: the gate was read
    expect(page.locator("#chat-gate")).to_have_count(0)
    expect(page.locator("#chat-input")).to_be_enabled()
    # The coach greets once, asking for progress, with no model call.
    greeting = page.locator('#chat-messages [data-role="assistant"]')
    expect(greeting).to_have_count(1)
    expect(greeting).to_contain_text("Welcome to your check-in, Otto!")
    expect(greeting).to_contain_text("Read 12 books")
    page.reload()
    expect(page.locator("#user-name")).to_have_text("Otto Open")
    expect(greeting).to_have_count(1)
    assert app.fake.requests == []

    send_message(page, "Here is my progress this week.")
    wait_reply_done(page)
    assert len(app.fake.requests) == 1
    series = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]
    assert series["meetings"][0]["attended_at"] is not None

    # A check-in for the open goal, shown on its chart.
    page.fill("#checkin-progress", "40")
    page.select_option("#checkin-confidence", "at_risk")
    page.fill("#checkin-note", "Two books behind <b>plan</b>")
    page.click("#checkin-save")
    chart = page.locator("#goal-progress-chart")
    expect(chart).to_have_attribute("data-points", "1")
    expect(chart.locator(".recharts-line")).to_have_count(1)
    goal_id = str(app.db.goals.find_one({"user_id": user["_id"]})["_id"])
    series = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]
    stored = series["meetings"][0]["checkins"][goal_id]
    assert (stored["progress"], stored["confidence"], stored["note"]) == (
        40,
        "at_risk",
        "Two books behind <b>plan</b>",
    )
    # The meetings page says the check-in is on and leads back to the coach.
    page.click("#nav-meetings")
    expect(page.locator("#meetings-next")).to_contain_text("Check-in now")
    page.click("#meetings-open-coach")
    expect(page.locator("#chat-window")).to_be_visible()


def test_the_chat_opens_by_itself_when_the_window_opens(page, app):
    email = unique_email("soon")
    sign_up(page, app.url, "Sunny Soon", email)
    _start_tracking(page, app, "Europe/Berlin")
    user = app.db.users.find_one({"email": email})
    # The window opens 20 s from now; the page is not reloaded after that.
    start = datetime.now(UTC) + timedelta(minutes=30, seconds=20)
    _move_first_meeting(app, user["_id"], start, start + timedelta(minutes=45))
    page.click("#nav-workspace")
    expect(page.locator("#chat-gate")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_disabled()
    # The countdown's change re-reads the gate: within a minute the chat is open.
    expect(page.locator("#chat-gate")).to_have_count(0, timeout=60_000)
    expect(page.locator("#chat-input")).to_be_enabled()
    expect(page.locator('#chat-messages [data-role="assistant"]')).to_contain_text(
        "Welcome to your check-in, Sunny!"
    )


def test_when_the_window_closes_a_running_reply_finishes_and_the_chat_closes(page, app):
    email = unique_email("late")
    sign_up(page, app.url, "Lena Late", email)
    new_goal(page, "Swim 2 km", "Swim 2 km without a break by May 2027.")
    _start_tracking(page, app, "Europe/Berlin")
    user = app.db.users.find_one({"email": email})
    # The window (start - 30 min to end + 60 min) closes 30 s from now.
    end = datetime.now(UTC) + timedelta(seconds=30) - timedelta(minutes=60)
    _move_first_meeting(app, user["_id"], end - timedelta(minutes=45), end)
    page.click("#nav-workspace")
    closes = (end + timedelta(minutes=60)).astimezone(ZoneInfo("Europe/Berlin"))
    expect(page.locator("#chat-window-time")).to_have_text(closes.strftime("%H:%M %Z"))
    expect(page.locator("#checkin-form")).to_be_visible()

    app.fake.token_delay = 2.5  # about 45 s of reply: the window closes while it streams
    send_message(page, "My last update before the window closes")
    expect(page.locator("#chat-stop")).to_be_visible()
    # The countdown passes the closing time; the page notices without a reload.
    expect(page.locator("#chat-gate")).to_be_visible(timeout=45_000)
    expect(page.locator("#chat-input")).to_be_disabled()
    expect(page.locator("#chat-stop")).to_be_visible()  # the reply is still coming
    expect(page.locator("#checkin-form")).to_have_count(0)
    expect(page.locator("#chat-send")).to_be_visible(timeout=60_000)  # the reply ended
    reply = reply_tokens("My last update before the window closes")
    expect(page.locator('#chat-messages [data-role="assistant"]').last).to_contain_text(
        "".join(reply).strip()
    )
    stored = app.db.chat_messages.find_one({"user_id": user["_id"]})
    assert stored["messages"][-1]["content"] == "".join(reply)
    assert "streaming" not in (stored["messages"][-1].get("metadata") or {})
    expect(page.locator("#chat-send")).to_be_disabled()
    # The scheduler completes the check-in and asks for its recap; waited for here, so the
    # request does not land in a later test.
    app.fake.token_delay = 0.0
    wait_until(
        lambda: _first_meeting(app, user["_id"]).get("recap") is not None,
        timeout=120,
        what="the recap of the closed check-in",
    )
    assert _first_meeting(app, user["_id"])["status"] == "completed"
    asked = [r["body"]["messages"][-1]["content"] for r in app.fake.requests]
    chats = [text for text in asked if not text.endswith(RECAP_REQUEST)]
    assert chats == ["My last update before the window closes"]


def _first_meeting(app, user_id) -> dict:
    return app.db.meeting_series.find_one({"_id": user_id})["state"][0]["meetings"][0]


def _move_first_meeting(app, user_id, start: datetime, end: datetime) -> None:
    app.db.meeting_series.update_one(
        {"_id": user_id},
        {"$set": {"state.0.meetings.0.start": start, "state.0.meetings.0.end": end}},
    )
