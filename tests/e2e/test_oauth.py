"""Sign in with Google and GitHub in Chromium, against the loopback OAuth/OIDC fake.

The app runs its production build configured with both providers pointed at the fake; the
browser follows the real redirects (app → provider → app) as full page navigations and must
land on the workspace, signed in by the httpOnly cookie.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pymongo import MongoClient

from tests.e2e.flows import WORKSPACE, sign_out, sign_up, unique_email
from tests.fakes.oauth_fake import FakeOAuth
from tests.servers import configured_app_env, running_app

LOGIN_WITH_ERROR = re.compile(r".*/login/?\?.*error=")


class OAuthApp:
    def __init__(self, url: str, db, fake: FakeOAuth):
        self.url, self.db, self.fake = url, db, fake


@pytest.fixture(scope="module")
def oauth_app(mongo_uri, redis_url, anthropic_fake, tmp_path_factory) -> Iterator[OAuthApp]:
    fake = FakeOAuth().start()
    db_name = f"e2e_oauth_{uuid.uuid4().hex[:8]}"
    env = {**configured_app_env(mongo_uri, db_name, redis_url, anthropic_fake.url)}
    env.update(fake.settings_env())
    try:
        with running_app(workdir=tmp_path_factory.mktemp("oauth-app"), env=env) as url:
            yield OAuthApp(url, MongoClient(mongo_uri, tz_aware=True)[db_name], fake)
    finally:
        fake.stop()


@pytest.fixture
def oauth_page(browser, oauth_app) -> Iterator[Page]:
    oauth_app.fake.reset()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def session_cookie(page: Page) -> dict:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "gg_session"]
    return cookie


def test_continue_with_google_lands_on_the_workspace(oauth_page, oauth_app):
    email = unique_email("google")
    oauth_app.fake.google_account(email, name="Grace Browser")
    oauth_page.goto(f"{oauth_app.url}/login")
    expect(oauth_page.locator("#oauth-github")).to_be_visible()
    oauth_page.click("#oauth-google")
    oauth_page.wait_for_url(WORKSPACE)
    expect(oauth_page.locator("#user-name")).to_have_text("Grace Browser")
    assert session_cookie(oauth_page)["httpOnly"] is True
    user = oauth_app.db.users.find_one({"email": email})
    assert user is not None and not user.get("password_hash")
    # The socket sees the new session: the workspace works (a goal can be started).
    oauth_page.click("#goal-new")
    expect(oauth_page.locator("#template-picker")).to_be_visible()


def test_continue_with_github_from_the_signup_page(oauth_page, oauth_app):
    email = unique_email("github")
    oauth_app.fake.github_account(email, name="Gus Browser")
    oauth_page.goto(f"{oauth_app.url}/signup")
    oauth_page.click("#oauth-github")
    oauth_page.wait_for_url(WORKSPACE)
    expect(oauth_page.locator("#user-name")).to_have_text("Gus Browser")
    assert oauth_app.db.users.find_one({"email": email}) is not None


def test_cancelling_at_the_provider_says_so_on_the_login_page(oauth_page, oauth_app):
    email = unique_email("cancel")
    oauth_app.fake.google_account(email)
    oauth_app.fake.consent("google", fault="deny")
    oauth_page.goto(f"{oauth_app.url}/login")
    oauth_page.click("#oauth-google")
    oauth_page.wait_for_url(LOGIN_WITH_ERROR)
    expect(oauth_page.locator("#auth-error")).to_contain_text("cancelled")
    assert oauth_app.db.users.find_one({"email": email}) is None
    assert not [c for c in oauth_page.context.cookies() if c["name"] == "gg_session"]


def test_an_existing_account_links_google_after_its_password(oauth_page, oauth_app):
    email = unique_email("linker")
    sign_up(oauth_page, oauth_app.url, "Lina Linker", email)
    sign_out(oauth_page)
    oauth_app.fake.google_account(email, name="Someone Else")

    oauth_page.click("#oauth-google")
    oauth_page.wait_for_url(LOGIN_WITH_ERROR)
    expect(oauth_page.locator("#auth-error")).to_contain_text("Sign in with its password")
    expect(oauth_page.locator("#auth-email")).to_have_value(email)
    oauth_page.fill("#auth-password", "correct horse battery")
    oauth_page.click("#auth-submit")
    oauth_page.wait_for_url(WORKSPACE)
    expect(oauth_page.locator("#user-name")).to_have_text("Lina Linker")

    sign_out(oauth_page)
    oauth_page.click("#oauth-google")  # linked now: straight in, as the same person
    oauth_page.wait_for_url(WORKSPACE)
    expect(oauth_page.locator("#user-name")).to_have_text("Lina Linker")
    assert oauth_app.db.users.count_documents({"email": email}) == 1


def test_without_provider_settings_there_are_no_provider_buttons(page, app):
    # The shared app has no provider configured. The error shown proves the page's state
    # has loaded, so the buttons' absence is not just an early render.
    page.goto(f"{app.url}/login?error=oauth_cancelled")
    expect(page.locator("#auth-error")).to_contain_text("cancelled")
    expect(page.locator("#oauth-google")).to_have_count(0)
    expect(page.locator("#oauth-github")).to_have_count(0)
