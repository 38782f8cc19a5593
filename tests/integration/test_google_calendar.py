"""Two-way Google Calendar sync against the loopback Google (OAuth + Calendar API v3): the
app's real authlib exchange, google-api-python-client built from the shipped discovery
document, google-auth refreshes, all over real HTTP; the wire-protocol database.

Connecting goes through the app's routes (httpx on Starlette, keeping the session cookie),
consent through the fake's authorize endpoint. Syncs are driven with an injected clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from goalgetter import calendar_sync, scheduler_service
from goalgetter.data import calendar_links, meetings
from goalgetter.data.client import get_db
from goalgetter.google_calendar_routes import GOOGLE_CALENDAR_ROUTES
from goalgetter.routes import http_routes
from goalgetter.settings import get_settings
from tests.fakes.google_calendar_fake import FakeGoogleCalendar
from tests.fakes.oauth_fake import FakeOAuth
from tests.integration.test_auth_routes import BASE, DEPLOY, signup
from tests.integration.test_meetings_data import weekly

# Monday 1 March 2027, 08:00 UTC; weekly check-ins on Thursdays at 18:00 Berlin (17:00 UTC).
T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
FIRST = datetime(2027, 3, 4, 17, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
CONNECT = "/integrations/google-calendar/connect"


@pytest.fixture(scope="module")
def fake_google():
    oauth = FakeOAuth().start()
    yield FakeGoogleCalendar(oauth).install()
    oauth.stop()


@pytest.fixture
def google(fake_google, monkeypatch):
    fake_google.oauth.reset()
    fake_google.reset()
    for name, value in {**fake_google.settings_env(), "SECRET_KEY": "k" * 48}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield fake_google
    get_settings.cache_clear()


@pytest.fixture
async def browser(db, google):
    """The app's routes and a signed-in person's cookies."""
    transport = httpx.ASGITransport(app=http_routes(*GOOGLE_CALENDAR_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def sign_up(http: httpx.AsyncClient, email: str) -> object:
    assert (await signup(http, name="Cal Endar", email=email)).status_code == 303
    return (await get_db().users.find_one({"email": email}))["_id"]


async def consent(http: httpx.AsyncClient) -> httpx.Response:
    """Connect from Settings, consent at Google; the app's answer to Google's redirect."""
    start = await http.get(CONNECT)
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as outside:
        back = await outside.get(start.headers["location"])
    assert back.status_code == 302, back.text
    parts = urlsplit(back.headers["location"])
    answer = await http.get(f"{parts.path}?{parts.query}")
    await calendar_sync.finish_pending()
    return answer


def outcome(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}".endswith(f"{DEPLOY}/settings")
    return parse_qs(target.query)["calendar"][0]


@pytest.fixture
async def connected(browser, google):
    """A person tracking weekly (four check-ins planned) whose Google Calendar is connected."""
    email = "cal@example.com"
    google.oauth.google_account(email)
    user_id = await sign_up(browser, email)
    schedule = weekly(at="18:00", zone="Europe/Berlin", weekday=3, after=T0)
    await meetings.start_tracking(user_id, schedule, now=T0)
    assert outcome(await consent(browser)) == "connected"
    return user_id, email


async def scheduled(user_id) -> list[dict]:
    state = await meetings.series(user_id)
    return [m for m in state["meetings"] if m["status"] == "scheduled"]


def event_times(event: dict) -> tuple[datetime, datetime]:
    return (
        datetime.fromisoformat(event["start"]["dateTime"]),
        datetime.fromisoformat(event["end"]["dateTime"]),
    )


async def event_of(google, user_id, email: str, meeting_id: str) -> dict:
    link = await calendar_links.get(user_id)
    return google.event(email, link["events"][meeting_id]["event_id"])


async def mails(kind: str) -> list[dict]:
    return await get_db().outbox.find({"kind": kind}).to_list()


# --- connecting --------------------------------------------------------------------------------


async def test_connecting_stores_the_grant_encrypted_and_puts_each_check_in_in_the_calendar(
    connected, google
):
    user_id, email = connected
    [asked] = [r["params"] for r in google.oauth.requests if r["path"] == "/o/oauth2/v2/auth"]
    assert "https://www.googleapis.com/auth/calendar.events" in asked["scope"].split()
    assert asked["access_type"] == "offline" and asked["prompt"] == "consent"
    assert asked["code_challenge_method"] == "S256" and asked["state"]
    assert asked["redirect_uri"] == f"{BASE}/integrations/google-calendar/callback"
    assert await get_db().oauth_flows.count_documents({}) == 0  # used up

    stored = await get_db().calendar_links.find_one({"_id": user_id})
    [refresh_token] = [
        t for t, grant in google.oauth._refresh.items() if grant.account.email == email
    ]
    assert refresh_token not in str(stored)
    key = get_settings().resolved_secret_key()
    assert calendar_links.decrypt_token(stored["token"], key) == refresh_token
    assert calendar_links.decrypt_token(stored["token"], "another key" * 4) is None
    assert stored["status"] == "connected" and stored["account"] == email

    planned = await scheduled(user_id)
    events = google.events(email)
    assert len(planned) == len(events) == 4
    assert sorted(event_times(e) for e in events) == sorted((m["start"], m["end"]) for m in planned)
    first = await event_of(google, user_id, email, planned[0]["id"])
    assert event_times(first)[0] == FIRST and first["start"]["timeZone"] == "Europe/Berlin"
    assert first["summary"] == calendar_sync.EVENT_SUMMARY
    assert first["extendedProperties"]["private"]["goalgetterMeeting"] == planned[0]["id"]
    status = await calendar_sync.status(user_id)
    assert status["state"] == "connected" and status["last_sync_at"] is not None
    # The calls were authorised by an access token refreshed from the stored grant.
    grants = [r["params"].get("grant_type") for r in google.oauth.requests if r["path"] == "/token"]
    assert grants == ["authorization_code", "refresh_token"]


async def test_connecting_needs_the_person_who_started_it(browser, google, db):
    google.oauth.google_account("x@example.com")
    outsider = await browser.get(CONNECT)  # nobody signed in
    assert outsider.status_code == 303 and outsider.headers["location"].endswith("/login")
    await sign_up(browser, "first@example.com")
    start = await browser.get(CONNECT)
    async with httpx.AsyncClient() as outside:
        back = urlsplit((await outside.get(start.headers["location"])).headers["location"])
    # The same answer from another browser (no state cookie): refused, nothing stored.
    transport = httpx.ASGITransport(app=http_routes(*GOOGLE_CALENDAR_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as other:
        await sign_up(other, "second@example.com")
        assert outcome(await other.get(f"{back.path}?{back.query}")) == "failed"
    assert await db.calendar_links.count_documents({}) == 0
    # A forged state with this browser's own cookie: refused too.
    assert outcome(await browser.get(f"{back.path}?code=x&state=forged")) == "failed"


async def test_cancelling_at_google_stores_nothing(browser, google, db):
    account = google.oauth.google_account("no@example.com")
    await sign_up(browser, "no@example.com")
    google.oauth.consent("google", account, fault="deny")
    assert outcome(await consent(browser)) == "cancelled"
    assert await db.calendar_links.count_documents({}) == 0


async def test_a_tampered_code_or_google_down_at_the_exchange_stores_nothing(browser, google, db):
    google.oauth.google_account("t@example.com")
    await sign_up(browser, "t@example.com")
    start = await browser.get(CONNECT)
    async with httpx.AsyncClient() as outside:
        back = urlsplit((await outside.get(start.headers["location"])).headers["location"])
    query = parse_qs(back.query)
    tampered = f"{back.path}?state={query['state'][0]}&code=not-the-code"
    assert outcome(await browser.get(tampered)) == "failed"
    assert outcome(await consent_with_google_down(browser, google)) == "unavailable"
    assert await db.calendar_links.count_documents({}) == 0


async def test_a_consent_without_calendar_access_says_so(browser, google, db, monkeypatch):
    google.oauth.google_account("half@example.com")
    await sign_up(browser, "half@example.com")
    issue = google.oauth._issue

    def without_the_calendar(grant, **options):  # the calendar box unticked at Google
        return {**issue(grant, **options), "scope": "openid email"}

    monkeypatch.setattr(google.oauth, "_issue", without_the_calendar)
    assert outcome(await consent(browser)) == "not_granted"
    assert await db.calendar_links.count_documents({}) == 0


async def consent_with_google_down(http: httpx.AsyncClient, google) -> httpx.Response:
    start = await http.get(CONNECT)
    async with httpx.AsyncClient() as outside:
        back = urlsplit((await outside.get(start.headers["location"])).headers["location"])
    google.oauth.down = True
    try:
        return await http.get(f"{back.path}?{back.query}")
    finally:
        google.oauth.down = False


async def test_an_insert_whose_answer_was_lost_makes_no_second_event(connected, google):
    user_id, email = connected
    second = (await scheduled(user_id))[1]
    entry = (await calendar_links.get(user_id))["events"][second["id"]]
    # As after a crash between Google storing the event and the app writing that down.
    await calendar_links.set_event(
        user_id, second["id"], {**entry, "start": None, "end": None, "pending": True}
    )
    report = await calendar_sync.sync_user(user_id, T0)
    assert report.created == 1 and len(google.events(email)) == 4
    again = (await calendar_links.get(user_id))["events"][second["id"]]
    assert again["event_id"] == entry["event_id"] and not again["pending"]


async def test_one_sync_of_a_person_at_a_time(connected):
    user_id, _ = connected
    held = await calendar_links.claim(user_id, T0, calendar_sync.LEASE)
    assert held is not None
    assert await calendar_links.claim(user_id, T0, calendar_sync.LEASE) is None
    assert await calendar_sync.sync_user(user_id, T0) is None  # another process is at it
    await calendar_links.release(user_id, held["lease"])
    assert (await calendar_sync.sync_user(user_id, T0)).problem == ""


# --- the app's changes go to Google --------------------------------------------------------------


async def test_a_move_in_the_app_moves_the_event_and_a_cancel_deletes_it(connected, google):
    user_id, email = connected
    second, third = (await scheduled(user_id))[1:3]
    moved_to = second["start"] + timedelta(days=1)
    await meetings.reschedule(user_id, second["id"], moved_to, now=T0)
    await meetings.cancel(user_id, third["id"], now=T0)
    report = await calendar_sync.sync_user(user_id, T0)
    assert (report.updated, report.deleted, report.moved, report.refused) == (1, 1, 0, 0)
    assert event_times(await event_of(google, user_id, email, second["id"]))[0] == moved_to
    assert (await calendar_links.get(user_id))["events"].get(third["id"]) is None
    # The read after that used the sync token and took the app's own writes for what they are.
    again = await calendar_sync.sync_user(user_id, T0)
    lists = [r for r in google.requests if r["method"] == "GET" and r["path"].endswith("/events")]
    assert "syncToken" in lists[-1]["query"] and not again.full
    assert (again.moved, again.refused, again.updated, again.created) == (0, 0, 0, 0)
    # The cancel rolled the series one more forward: that one is in the calendar now.
    assert len(google.events(email)) == 4


# --- Google's changes come back -------------------------------------------------------------------


async def test_a_move_in_google_that_the_rule_allows_becomes_a_reschedule(connected, google):
    user_id, email = connected
    second = (await scheduled(user_id))[1]
    event = await event_of(google, user_id, email, second["id"])
    new_start = second["start"] + timedelta(days=1, hours=2)  # the same week, a day later
    google.person_moves(email, event["id"], new_start, new_start + timedelta(minutes=45))
    google.person_adds(email, "Dentist", new_start, new_start + timedelta(hours=1))
    report = await calendar_sync.sync_user(user_id, T0)
    assert (report.moved, report.refused) == (1, 0)
    moved = next(m for m in await scheduled(user_id) if m["id"] == second["id"])
    assert moved["start"] == new_start and moved["sequence"] == 1 and moved["rescheduled"]
    assert [m["kind"] for m in await mails("update")] == ["update"]
    assert await mails("calendar-refused") == []
    assert event_times(await event_of(google, user_id, email, second["id"]))[0] == new_start
    dentist = [e for e in google.events(email) if e.get("summary") == "Dentist"]
    assert len(dentist) == 1 and "extendedProperties" not in dentist[0]  # left alone


async def test_a_move_in_google_that_the_rule_refuses_is_moved_back_and_mailed(connected, google):
    user_id, email = connected
    second, third = (await scheduled(user_id))[1:3]
    event = await event_of(google, user_id, email, second["id"])
    into_taken_week = third["start"] + timedelta(days=1)
    google.person_moves(email, event["id"], into_taken_week, into_taken_week + timedelta(hours=1))
    report = await calendar_sync.sync_user(user_id, T0)
    assert (report.moved, report.refused) == (0, 1)
    assert next(m for m in await scheduled(user_id) if m["id"] == second["id"]) == second
    back = await event_of(google, user_id, email, second["id"])
    assert event_times(back) == (second["start"], second["end"])
    [mail] = await mails("calendar-refused")
    assert mail["to"] == email and "There is already a check-in in that week" in mail["text"]
    assert "Thursday 11 March at 18:00 (Europe/Berlin time)" in mail["text"]
    # Moving it back comes round in the next read as the app's own write: no second mail.
    await calendar_sync.sync_user(user_id, T0)
    assert len(await mails("calendar-refused")) == 1


async def test_an_all_day_event_or_a_longer_one_is_put_back(connected, google):
    user_id, email = connected
    first, second = (await scheduled(user_id))[:2]
    event = await event_of(google, user_id, email, second["id"])
    google.person_moves(email, event["id"], second["start"], second["end"] + timedelta(hours=2))
    all_day = await event_of(google, user_id, email, first["id"])
    google.person_makes_all_day(email, all_day["id"], "2027-03-04")
    assert (await calendar_sync.sync_user(user_id, T0)).refused == 2
    for meeting in (first, second):
        back = await event_of(google, user_id, email, meeting["id"])
        assert event_times(back) == (meeting["start"], meeting["end"])
    texts = sorted(m["text"] for m in await mails("calendar-refused"))
    assert "45 minutes" in texts[0] + texts[1] and "all-day" in texts[0] + texts[1]
    assert await scheduled(user_id) == [first, second, *(await scheduled(user_id))[2:]]


async def test_a_delete_in_google_cancels_the_check_in(connected, google):
    user_id, email = connected
    second = (await scheduled(user_id))[1]
    event = await event_of(google, user_id, email, second["id"])
    google.person_deletes(email, event["id"])
    report = await calendar_sync.sync_user(user_id, T0)
    assert (report.cancelled, report.refused) == (1, 0)
    state = await meetings.series(user_id)
    assert next(m for m in state["meetings"] if m["id"] == second["id"])["status"] == "cancelled"
    assert len(await mails("cancellation")) == 1
    # The series rolled one more forward, and that one went into the calendar.
    assert report.created == 1 and len(google.events(email)) == 4


async def test_a_delete_in_google_after_the_window_opened_is_undone_and_mailed(connected, google):
    user_id, email = connected
    first = (await scheduled(user_id))[0]
    event = await event_of(google, user_id, email, first["id"])
    google.person_deletes(email, event["id"])
    now = first["start"] - timedelta(minutes=10)  # the coach is open for it already
    report = await calendar_sync.sync_user(user_id, now)
    assert (report.cancelled, report.refused, report.created) == (0, 1, 1)
    again = await event_of(google, user_id, email, first["id"])
    assert again["id"] != event["id"] and again["status"] == "confirmed"
    assert event_times(again) == (first["start"], first["end"])
    [mail] = await mails("calendar-refused")
    assert "can be cancelled until 30 minutes before it starts" in mail["text"]


async def test_an_expired_sync_token_means_reading_everything_again(connected, google):
    user_id, email = connected
    second = (await scheduled(user_id))[1]
    event = await event_of(google, user_id, email, second["id"])
    google.expire_sync_tokens()
    new_start = second["start"] + timedelta(hours=3)
    google.person_moves(email, event["id"], new_start, new_start + timedelta(minutes=45))
    report = await calendar_sync.sync_user(user_id, T0)
    assert report.full and report.moved == 1 and report.problem == ""
    gone = [r for r in google.requests if r["query"].get("syncToken")]
    assert gone, "the expired token was tried first"


# --- failures -------------------------------------------------------------------------------------


async def test_google_down_never_breaks_the_apps_own_actions(connected, google):
    user_id, email = connected
    second = (await scheduled(user_id))[1]
    google.fail_next(20, status=503)
    moved_to = second["start"] + timedelta(days=1)
    assert (await meetings.reschedule(user_id, second["id"], moved_to, now=T0))["start"] == moved_to
    report = await calendar_sync.sync_user(user_id, T0)
    assert report.problem == "unavailable"
    status = await calendar_sync.status(user_id)
    assert status["state"] == "connected" and "503" in status["problem"]
    google.reset_failures()
    later = T0 + timedelta(minutes=5)
    assert await calendar_links.due_users(later) == [user_id]
    [report] = await calendar_sync.poll_due(later)
    assert report.problem == "" and report.updated == 1
    assert event_times(await event_of(google, user_id, email, second["id"]))[0] == moved_to
    assert (await calendar_sync.status(user_id))["problem"] == ""


async def test_a_google_that_does_not_answer_in_time_is_given_up(connected, google, monkeypatch):
    user_id, _ = connected
    monkeypatch.setenv("GOOGLE_CALENDAR_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    google.hang_next(1)
    report = await calendar_sync.sync_user(user_id, T0)
    assert report.problem == "unavailable"
    assert "timed out" in (await calendar_sync.status(user_id))["problem"]
    assert (await calendar_sync.sync_user(user_id, T0 + timedelta(minutes=5))).problem == ""


async def test_a_revoked_grant_marks_the_connection_and_stops_reading(connected, google):
    user_id, _ = connected
    calendar_sync._access_tokens.clear()
    google.revoke_everything()
    report = await calendar_sync.sync_user(user_id, T0)
    assert report.problem == "revoked"
    status = await calendar_sync.status(user_id)
    assert status["state"] == "revoked"
    assert (await get_db().calendar_links.find_one({"_id": user_id}))["token"] is None
    assert await calendar_links.due_users(T0 + timedelta(days=1)) == []
    assert await calendar_sync.sync_user(user_id, T0) is None


async def test_disconnecting_revokes_the_grant_and_removes_upcoming_events(connected, google):
    user_id, email = connected
    stored = (await calendar_links.get(user_id))["token"]
    refresh_token = calendar_links.decrypt_token(stored, get_settings().resolved_secret_key())
    await calendar_sync.disconnect(user_id)
    assert refresh_token in google.oauth.revoked
    assert google.events(email) == []
    assert await get_db().calendar_links.count_documents({}) == 0
    assert (await calendar_sync.status(user_id))["state"] == "none"
    assert await calendar_links.due_users(T0 + timedelta(days=1)) == []


async def test_account_deletion_removes_every_event_and_the_grant(connected, google):
    user_id, email = connected
    revoked_before = set(google.oauth.revoked)
    await calendar_sync.delete_user_calendar(user_id)
    assert google.events(email) == [] and google.oauth.revoked > revoked_before
    assert await get_db().calendar_links.find_one({"_id": user_id}) is None


# --- the scheduler --------------------------------------------------------------------------------


async def test_the_scheduler_tick_reads_google_and_adds_check_ins_planned_later(connected, google):
    user_id, email = connected
    first, second = (await scheduled(user_id))[:2]
    event = await event_of(google, user_id, email, second["id"])
    new_start = second["start"] + timedelta(hours=1)
    google.person_moves(email, event["id"], new_start, new_start + timedelta(minutes=45))
    later = first["end"] + timedelta(hours=2)  # the first one's window closed: one more planned
    ticks = scheduler_service.MeetingScheduler(clock=lambda: later)
    report = await ticks.run_tick()
    await calendar_sync.finish_pending()
    assert report.missed == 1 and report.created == 1
    assert next(m for m in await scheduled(user_id) if m["id"] == second["id"])["start"] == (
        new_start
    )
    # The missed one stays in the calendar as it was, the new one is added.
    assert len(google.events(email)) == 5
    assert (await calendar_links.get(user_id))["last_sync_at"] is not None


async def test_connecting_again_after_a_revoke_makes_no_duplicates(connected, google, browser):
    user_id, email = connected
    calendar_sync._access_tokens.clear()
    google.revoke_everything()
    assert (await calendar_sync.sync_user(user_id, T0)).problem == "revoked"
    google.oauth.consent("google", google.oauth.google_accounts[_sub_of(google, email)])
    assert outcome(await consent(browser)) == "connected"
    assert len(google.events(email)) == 4  # the same events, confirmed, none added
    # Connected to another Google account: the check-ins are created in that calendar.
    other = google.oauth.google_account("other@example.com")
    google.oauth.consent("google", other)
    assert outcome(await consent(browser)) == "connected"
    assert len(google.events("other@example.com")) == 4
    assert google.events(email) == []  # taken out of the calendar of the account before
    assert (await calendar_sync.status(user_id))["account"] == "other@example.com"


def _sub_of(google, email: str) -> str:
    return next(sub for sub, a in google.oauth.google_accounts.items() if a.email == email)
