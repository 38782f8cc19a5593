"""The structured goal in the browser: templates, SMART score, phase, milestones, tags."""

import re

from bson import ObjectId
from playwright.sync_api import expect

from goalgetter.data import goal_lists
from tests.e2e.flows import new_goal, saved, sign_up, start_goal, unique_email

HOSTILE_TAG = '<img src=x onerror="window.__pwned=1">'


def _user_id(app, email):
    return app.db.users.find_one({"email": email})["_id"]


def test_a_smart_template_fills_the_editor_and_the_score_follows_the_text(page, app):
    sign_up(page, app.url, "Tina Template", unique_email("tpl"))
    start_goal(page, "builtin:smart")
    editor = page.locator("#goal-editor")
    expect(editor).to_have_value(re.compile(r"## Specific[\s\S]*## Time-bound"))
    score = page.locator("#smart-score")
    expect(score.locator('[data-passed="true"]')).to_have_count(1)
    expect(score.locator("li")).to_have_count(4)  # one hint per missing letter
    with saved(page):
        editor.fill(
            "I will run a 10 km race in under 55 minutes by 30 June 2027, because I want "
            "to feel strong. I train three times a week."
        )
    expect(score.locator('[data-passed="true"]')).to_have_count(5)
    expect(score.locator("li")).to_have_count(0)


def test_phase_milestones_and_a_celebration(page, app):
    email = unique_email("mile")
    sign_up(page, app.url, "Milo Stone", email)
    goal_id = new_goal(page, "Run a marathon", "42 km by October 2027.")
    phase = page.locator("#goal-phase")
    expect(phase.locator('option[value="completed"]')).to_be_disabled()
    phase.select_option("active")
    row = page.locator(f'#goal-list [data-goal-id="{goal_id}"]')
    expect(row).to_have_attribute("data-phase", "active")
    page.fill("#goal-deadline", "2027-10-10")
    for title in ("Run 21 km", "Run 32 km"):
        page.fill("#milestone-title", title)
        page.click("#milestone-add")
        expect(page.locator("#goal-milestones")).to_contain_text(title)
    expect(page.locator("#milestone-title")).to_have_value("")
    boxes = page.locator("#goal-milestones [role=checkbox]")
    boxes.nth(0).click()
    expect(page.locator('#goal-milestones [data-done="true"]')).to_have_count(1)
    expect(page.locator("#goal-celebration")).to_have_count(0)
    boxes.nth(1).click()
    expect(page.locator("#goal-celebration")).to_contain_text("Every milestone done")
    page.click("#goal-complete")
    expect(page.locator("#goal-celebration")).to_contain_text("Goal completed")
    page.keyboard.press("Escape")
    expect(row).to_have_attribute("data-phase", "completed")
    stored = app.db.goals.find_one({"user_id": _user_id(app, email)})
    assert stored["phase"] == "completed"
    assert stored["metadata"]["deadline"] == "2027-10-10"
    assert [(m["title"], m["done"]) for m in stored["metadata"]["milestones"]] == [
        ("Run 21 km", True),
        ("Run 32 km", True),
    ]
    # A completed goal can only be archived: the others are offered disabled.
    expect(phase.locator('option[value="draft"]')).to_be_disabled()
    expect(phase.locator('option[value="archived"]')).to_be_enabled()


def test_tags_filter_the_list_and_hostile_tags_stay_text(page, app):
    sign_up(page, app.url, "Tag Along", unique_email("tags"))
    first = new_goal(page, "Read 12 books", "One book a month in 2027.")
    page.fill("#goal-tag-input", HOSTILE_TAG)
    page.press("#goal-tag-input", "Enter")
    expect(page.locator("#goal-tags")).to_contain_text(HOSTILE_TAG)
    second = new_goal(page, "Swim 2 km", "Swim 2 km without stopping by May 2027.")
    page.fill("#goal-tag-input", "Health")
    page.press("#goal-tag-input", "Enter")
    expect(page.locator("#goal-tags")).to_contain_text("Health")
    expect(page.locator("#goal-tag-input")).to_have_value("")
    page.select_option("#goal-filter-tag", "Health")
    expect(page.locator("#goal-list [data-goal-id]")).to_have_count(1)
    expect(page.locator(f'#goal-list [data-goal-id="{second}"]')).to_be_visible()
    page.select_option("#goal-filter-tag", "any")
    page.fill("#goal-search", "books")
    expect(page.locator("#goal-list [data-goal-id]")).to_have_count(1)
    expect(page.locator(f'#goal-list [data-goal-id="{first}"]')).to_be_visible()
    assert page.evaluate("window.__pwned") is None


def test_the_list_shows_more_on_request(page, app):
    email = unique_email("many")
    sign_up(page, app.url, "Many Goals", email)
    new_goal(page, "Goal typed by hand", "The newest one.")
    user_id = _user_id(app, email)
    stored = app.db.goals.find_one({"user_id": user_id})
    copy = {k: v for k, v in stored.items() if k != "_id"}
    seeded = [{**copy, "_id": ObjectId(), "title": f"Seeded goal {i:02d}"} for i in range(24)]
    app.db.goals.insert_many(seeded)
    # Goals loaded in bulk join the person's goal list as the list's own bulk load lays them out.
    listed = goal_lists.document(user_id, seeded)["goals"]
    app.db.goal_lists.update_one(
        {"_id": user_id}, {"$set": {f"goals.{key}": row for key, row in listed.items()}}
    )
    page.reload()
    rows = page.locator("#goal-list [data-goal-id]")
    expect(rows).to_have_count(20)
    page.click("#goal-list-more")
    expect(rows).to_have_count(25)
    expect(page.locator("#goal-list-more")).to_have_count(0)


def test_save_as_template_then_start_from_it(page, app):
    sign_up(page, app.url, "Tom Plate", unique_email("own"))
    new_goal(page, "Weekly review", "## Wins\n\n## Next week")
    page.click("#goal-save-template")
    page.fill("#template-name", "")
    page.click("#template-save")
    expect(page.locator("#template-error")).to_contain_text("Give the template a name")
    page.fill("#template-name", HOSTILE_TAG + " My weekly review")
    page.click("#template-save")
    expect(page.locator("#template-saved")).to_be_visible()
    page.click("#goal-new")
    own = page.locator("#template-picker [data-template-id]", has_text="My weekly review")
    expect(own).to_contain_text(HOSTILE_TAG)  # the name shows as text
    assert page.evaluate("window.__pwned") is None
    own.click()
    expect(page.locator("#goal-editor")).to_have_value("## Wins\n\n## Next week")
