"""No keys, no servers: the app launches its embedded database and uses the offline coach,
and what was written survives a restart of the whole app."""

from playwright.sync_api import expect

from goalgetter.data.embedded_store import store_answers, store_uri
from tests.e2e.flows import (
    assistant_messages,
    new_goal,
    send_message,
    sign_in,
    sign_up,
    unique_email,
    wait_reply_done,
)
from tests.fakes.anthropic_fake import free_port
from tests.servers import running_app


def test_embedded_defaults_offline_coach_and_restart(browser, tmp_path):
    store_port = free_port()
    env = {"EMBEDDED_STORE_PORT": str(store_port)}
    email = unique_email("offline")
    with running_app(workdir=tmp_path, env=env) as url:
        assert store_answers(store_uri(store_port)), "the app did not launch its database"
        context = browser.new_context()
        page = context.new_page()
        sign_up(page, url, "Olive Offline", email)
        expect(page.locator("#coach-offline-badge")).to_be_visible()
        new_goal(page, "Get fitter", "I want to be healthier.")
        send_message(page, "Is this a good goal?")
        wait_reply_done(page)
        reply = assistant_messages(page).last
        expect(reply).to_contain_text("specific")  # "get fitter" names no concrete outcome yet
        expect(reply).to_contain_text("Get fitter")
        answer = reply.inner_text()
        context.close()
    assert not store_answers(store_uri(store_port)), "the database outlived the app"
    assert (tmp_path / "data" / "goalgetter.sqlite").exists()
    assert (tmp_path / "data" / "secret_key").exists()

    with running_app(workdir=tmp_path, env=env) as url:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, url, email)
        expect(page.locator("#goal-title")).to_have_value("Get fitter")
        expect(page.locator("#goal-editor")).to_have_value("I want to be healthier.")
        expect(assistant_messages(page).last).to_have_text(answer)
        context.close()
