"""Another user's ids sent to the handlers: every one is refused and nothing leaks or changes.

The page can only send ids it was shown, so the test rewrites the websocket frames on their
way to the server: Bob's own goal, revision and template ids become Ann's.
"""

import re

import pytest
from bson import ObjectId
from playwright.sync_api import expect

from tests.e2e.flows import new_goal, sign_up, unique_email

ANN_TEXT = "Ann's private plan: 42 km by October 2027."
TEXTS = {"ann": ANN_TEXT, "bob": "Bob's words."}


def _swap_ids_on_the_way_out(page, swaps: dict[str, str]) -> None:
    def transform(message):
        if isinstance(message, str):
            for mine, theirs in swaps.items():
                message = message.replace(mine, theirs)
        return message

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda message: server.send(transform(message)))
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket(re.compile(r".*/_event.*"), route)


def _save_template(page, name: str) -> None:
    page.click("#goal-save-template")
    page.fill("#template-name", name)
    page.click("#template-save")
    expect(page.locator("#template-saved")).to_be_visible()


def _ids(app, email: str) -> dict[str, str]:
    user = app.db.users.find_one({"email": email})
    goal = app.db.goals.find_one({"user_id": user["_id"]})
    template = app.db.goal_templates.find_one({"user_id": user["_id"]})
    return {"user": str(user["_id"]), "goal": str(goal["_id"]), "template": str(template["_id"])}


@pytest.fixture
def ann_and_bob(browser, app):
    """Ann with a goal and a template; Bob likewise, his frames rewritten by `swaps`."""
    contexts = [browser.new_context(), browser.new_context()]
    ann, bob = (context.new_page() for context in contexts)
    emails = {"ann": unique_email("ann"), "bob": unique_email("bob")}
    swaps: dict[str, str] = {}
    _swap_ids_on_the_way_out(bob, swaps)
    for page, who, name in ((ann, "ann", "Ann Owner"), (bob, "bob", "Bob Prober")):
        sign_up(page, app.url, name, emails[who])
        new_goal(page, "Ann's secret goal" if who == "ann" else "Bob's goal", TEXTS[who])
        _save_template(page, f"{name.split()[0]}'s template")
    yield bob, swaps, _ids(app, emails["ann"]), _ids(app, emails["bob"])
    for context in contexts:
        context.close()


def test_handlers_refuse_another_users_ids(ann_and_bob, app):
    bob, swaps, a, b = ann_and_bob
    swaps.update({b["goal"]: a["goal"], b["template"]: a["template"], b["user"]: a["user"]})

    # Selecting "his" goal asks for Ann's: refused, and none of her text reaches the page.
    bob.click(f'#goal-list [data-goal-id="{b["goal"]}"] .gg-goal-link')
    expect(bob.locator("#goal-missing")).to_contain_text("no longer exists")
    expect(bob.locator("#goal-title")).to_have_count(0)
    expect(bob.locator("body")).not_to_contain_text("Ann's")

    # Starting a goal from "his" template asks for Ann's template.
    bob.click("#goal-new")
    bob.click(f'#template-picker [data-template-id="{b["template"]}"]')
    expect(bob.locator("#template-picker")).to_contain_text("no longer available")
    bob.keyboard.press("Escape")

    # Deleting "his" goal names Ann's.
    bob.click(f'#goal-list [data-goal-id="{b["goal"]}"] [aria-label="Delete goal"]')
    bob.click("#goal-delete-confirm")
    expect(bob.locator("body")).not_to_contain_text("Ann's")

    stored = app.db.goals.find_one({"_id": ObjectId(a["goal"])})
    assert (stored["title"], stored["content"]) == ("Ann's secret goal", ANN_TEXT)
    assert app.db.goal_templates.find_one({"_id": ObjectId(a["template"])}) is not None
    assert (
        app.db.goals.count_documents({"user_id": ObjectId(b["user"]), "title": "Bob's goal"}) == 1
    )


def test_history_refuses_another_users_revision(ann_and_bob):
    bob, swaps, a, b = ann_and_bob
    bob.click("#goal-history")
    rows = bob.locator("#revision-list [data-revision-id]")
    expect(rows).to_have_count(2)
    swaps.update({f"{b['user']}:{b['goal']}": f"{a['user']}:{a['goal']}"})
    rows.first.click()
    expect(bob.locator("#goal-history-dialog")).to_contain_text("no longer in the history")
    expect(bob.locator("#revision-diff")).to_have_count(0)
    expect(bob.locator("body")).not_to_contain_text("Ann's")
