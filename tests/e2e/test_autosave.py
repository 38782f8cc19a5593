"""Nothing typed is lost, and "Saved" never shows before the text is stored.

The page's own status comes from assets/autosave.js; the server's from GoalsState. Where a
test needs the server not to have answered yet, it holds the page's websocket frames on their
way out (Playwright's WebSocket routing), so nothing depends on timing.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import new_goal, saved, sign_up, unique_email
from tests.e2e.sockets import HeldSocket
from tests.polling import wait_until

STORED_WITHIN_S = 20


def _status(page: Page):
    return page.locator("#goal-save-status")


def _shows_saving_not_saved(page: Page) -> None:
    expect(_status(page).locator(".gg-local-status")).to_be_visible()
    expect(_status(page).locator(".gg-local-status")).to_have_text("Saving…")
    expect(_status(page).get_by_text("✓ Saved")).to_be_hidden()


def _goal(app, goal_id: str) -> dict:
    from bson import ObjectId

    return app.db.goals.find_one({"_id": ObjectId(goal_id)})


def _stored(app, goal_id: str, check) -> None:
    wait_until(lambda: check(_goal(app, goal_id)), timeout=STORED_WITHIN_S, what="the text stored")


@pytest.fixture
def writer(page, app) -> tuple[Page, str]:
    sign_up(page, app.url, "Ada Autosave", unique_email("autosave"))
    return page, new_goal(page, "Run a marathon", "Train four days a week.")


def test_the_first_keystroke_shows_saving_before_any_round_trip(writer, app):
    page, goal_id = writer
    socket = HeldSocket(page)
    page.reload()
    expect(page.locator("#goal-title")).to_have_value("Run a marathon")
    socket.holding = True
    page.click("#goal-editor")
    page.keyboard.press("End")
    page.keyboard.type("!")
    _shows_saving_not_saved(page)
    assert _status(page).get_attribute("data-status") in ("", "saved")  # the server said nothing
    socket.release()
    expect(_status(page).get_by_text("✓ Saved")).to_be_visible()
    assert _goal(app, goal_id)["content"] == "Train four days a week.!"


def test_a_title_saved_while_the_text_waits_does_not_say_saved(writer, app):
    """The reported sequence: the title's save said "Saved" while the text sat unsent."""
    page, goal_id = writer
    socket = HeldSocket(page)
    page.reload()
    expect(page.locator("#goal-title")).to_have_value("Run a marathon")
    with saved(page):
        page.fill("#goal-title", "Run a marathon in 2027")
    socket.holding = True
    page.click("#goal-editor")
    page.keyboard.press("End")
    page.keyboard.type(" And rest on Sundays.")
    page.click("#goal-title")  # the editor loses focus: its text is sent (and held)
    expect(_status(page)).to_have_attribute("data-status", "saved")  # the title's word
    _shows_saving_not_saved(page)
    socket.release()
    expect(_status(page).get_by_text("✓ Saved")).to_be_visible()
    stored = _goal(app, goal_id)
    assert (stored["title"], stored["content"]) == (
        "Run a marathon in 2027",
        "Train four days a week. And rest on Sundays.",
    )


@pytest.mark.parametrize("field", ["#goal-title", "#goal-editor"])
def test_typing_then_reloading_at_once_keeps_the_text(writer, app, field):
    page, goal_id = writer
    typed = "Typed and reloaded at once"
    page.fill(field, typed)
    page.reload()
    key = "title" if field == "#goal-title" else "content"
    _stored(app, goal_id, lambda goal: goal[key] == typed)
    expect(page.locator(field)).to_have_value(typed)


def test_a_tag_and_a_milestone_added_then_reloading_at_once_are_kept(writer, app):
    page, goal_id = writer
    page.fill("#goal-tag-input", "endurance")
    page.press("#goal-tag-input", "Enter")
    page.reload()
    _stored(app, goal_id, lambda goal: goal["metadata"]["tags"] == ["endurance"])
    page.fill("#milestone-title", "Half marathon in spring")
    page.click("#milestone-add")
    page.reload()
    _stored(
        app,
        goal_id,
        lambda goal: (
            [m["title"] for m in goal["metadata"]["milestones"]] == ["Half marathon in spring"]
        ),
    )
    expect(page.locator("#goal-milestones")).to_contain_text("Half marathon in spring")


def test_typing_then_switching_goals_at_once_and_back_keeps_the_text(writer, app):
    page, first = writer
    second = new_goal(page, "Read more", "Twelve books.")
    page.click(f'#goal-list [data-goal-id="{first}"] .gg-goal-link')
    expect(page.locator("#goal-title")).to_have_value("Run a marathon")
    page.fill("#goal-editor", "Train five days a week.")
    page.click(f'#goal-list [data-goal-id="{second}"] .gg-goal-link')  # within the debounce
    expect(page.locator("#goal-title")).to_have_value("Read more")
    page.click(f'#goal-list [data-goal-id="{first}"] .gg-goal-link')
    expect(page.locator("#goal-editor")).to_have_value("Train five days a week.")
    _stored(app, first, lambda goal: goal["content"] == "Train five days a week.")
    assert _goal(app, second)["content"] == "Twelve books."


def _leave(page: Page) -> str:
    """Reloads; the type of the dialog the page puts up first, dismissed (the page stays)."""
    with page.expect_event("dialog") as shown:
        page.evaluate("setTimeout(() => window.location.reload(), 0)")
    dialog = shown.value
    dialog.dismiss()
    return dialog.type


def test_leaving_warns_while_something_is_unsent_or_failed(writer):
    page, _ = writer
    page.fill("#goal-tag-input", "not yet added")
    page.click("#goal-title")  # a user gesture: browsers only ask pages that had one
    assert _leave(page) == "beforeunload"
    expect(page.locator("#goal-tag-input")).to_have_value("not yet added")  # stayed
    page.fill("#goal-tag-input", "")
    page.fill("#goal-editor", "y" * 100_001)  # refused: over the limit
    expect(_status(page)).to_have_attribute("data-status", "error")
    assert _leave(page) == "beforeunload"


def test_leaving_after_everything_is_stored_does_not_warn(writer):
    page, _ = writer
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.click("#goal-title")
    page.reload()
    expect(page.locator("#goal-title")).to_have_value("Run a marathon")
    assert dialogs == []


def test_a_save_that_cannot_reach_the_database_says_so_and_is_retried(writer, app):
    page, goal_id = writer
    app.network.cut()
    try:
        page.fill("#goal-editor", "Written while the database is unreachable.")
        page.click("#goal-title")
        expect(_status(page)).to_have_attribute("data-status", "error", timeout=30_000)
        expect(_status(page)).to_contain_text("Couldn't reach the database")
        expect(_status(page).get_by_text("✓ Saved")).to_be_hidden()
        expect(page.locator("#goal-editor")).to_have_value(
            "Written while the database is unreachable."
        )
        assert _goal(app, goal_id)["content"] == "Train four days a week."
    finally:
        app.network.restore()
    expect(_status(page).get_by_text("✓ Saved")).to_be_visible(timeout=60_000)
    assert _goal(app, goal_id)["content"] == "Written while the database is unreachable."
    page.reload()
    expect(page.locator("#goal-editor")).to_have_value("Written while the database is unreachable.")


def _set_visibility(page: Page, state: str) -> None:
    page.evaluate(
        "state => { Object.defineProperty(document, 'visibilityState',"
        " {value: state, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }",
        state,
    )


def test_hiding_the_page_sends_the_text_and_showing_it_resumes_typing(writer, app):
    page, goal_id = writer
    page.click("#goal-editor")
    page.keyboard.press("End")
    page.keyboard.type(" Hidden now.")
    _set_visibility(page, "hidden")
    assert page.evaluate("document.activeElement.id") != "goal-editor"  # sent on blur
    _stored(app, goal_id, lambda goal: goal["content"] == "Train four days a week. Hidden now.")
    _set_visibility(page, "visible")
    assert page.evaluate("document.activeElement.id") == "goal-editor"
    page.keyboard.type(" Back.")  # the caret is where it was
    page.click("#goal-title")
    _stored(
        app, goal_id, lambda goal: goal["content"] == "Train four days a week. Hidden now. Back."
    )
