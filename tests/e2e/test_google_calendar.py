"""Google Calendar from Settings in Chromium, against the loopback Google (OAuth + Calendar
API v3): connect (full navigations app → Google → app), the status says connected, the
check-ins appear as events in the person's calendar, and disconnecting removes them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect
from pymongo import MongoClient

from tests.e2e.flows import sign_up, unique_email
from tests.e2e.test_tracking import _start_tracking
from tests.fakes.google_calendar_fake import FakeGoogleCalendar
from tests.fakes.oauth_fake import FakeOAuth
from tests.polling import wait_until
from tests.servers import configured_app_env, running_app


class CalendarApp:
    def __init__(self, url: str, db, google: FakeGoogleCalendar):
        self.url, self.db, self.google = url, db, google


@pytest.fixture(scope="module")
def calendar_app(mongo_uri, redis_url, anthropic_fake, tmp_path_factory) -> Iterator[CalendarApp]:
    oauth = FakeOAuth().start()
    google = FakeGoogleCalendar(oauth).install()
    db_name = f"e2e_gcal_{uuid.uuid4().hex[:8]}"
    env = configured_app_env(mongo_uri, db_name, redis_url, anthropic_fake.url)
    env.update(google.settings_env())
    try:
        with running_app(workdir=tmp_path_factory.mktemp("gcal-app"), env=env) as url:
            yield CalendarApp(url, MongoClient(mongo_uri, tz_aware=True)[db_name], google)
    finally:
        oauth.stop()


@pytest.fixture
def calendar_page(browser, calendar_app) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_connect_from_settings_and_the_check_ins_appear_in_google(calendar_page, calendar_app):
    page, google = calendar_page, calendar_app.google
    email = unique_email("gcal")
    google.oauth.google_account(email)
    sign_up(page, calendar_app.url, "Cal Google", email)
    _start_tracking(page, calendar_app, "Europe/Berlin")

    page.click("#nav-settings")
    status = page.locator("#google-calendar-status")
    expect(status).to_have_attribute("data-state", "none")
    expect(status).to_have_text("Not connected")
    page.click("#google-calendar-connect")
    page.wait_for_url(re.compile(r".*/settings/?\?calendar=connected$"))
    expect(status).to_have_attribute("data-state", "connected")
    expect(status).to_contain_text(f"Connected to {email}")
    expect(page.locator("#google-calendar-message")).to_contain_text("is connected")

    wait_until(lambda: len(google.events(email)) == 4, timeout=20, what="four events in Google")
    user = calendar_app.db.users.find_one({"email": email})
    series = calendar_app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]
    planned = sorted(m["start"] for m in series["meetings"])
    in_google = sorted(datetime.fromisoformat(e["start"]["dateTime"]) for e in google.events(email))
    assert in_google == planned
    assert all(e["start"]["timeZone"] == "Europe/Berlin" for e in google.events(email))
    page.reload()
    expect(status).to_contain_text("last synced")

    page.click("#google-calendar-disconnect")
    expect(status).to_have_attribute("data-state", "none")
    expect(page.locator("#google-calendar-connect")).to_be_visible()
    assert google.events(email) == []
    assert calendar_app.db.calendar_links.find_one({"_id": user["_id"]}) is None
