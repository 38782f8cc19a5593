"""Nothing is silently lost: two tabs on one goal, history and restore, downloads."""

import json

from bson import ObjectId
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.flows import new_goal, saved, sign_up, unique_email


def revision_texts(db, goal_id: ObjectId) -> list[str]:
    """Every revision's content stored for a goal: the newest in its head, older in buckets."""
    texts = [head["content"] for head in db.revision_heads.find({"goal_id": goal_id})]
    for bucket in db.revisions.find({"goal_id": goal_id}):
        texts += [entry["content"] for entry in bucket["revisions"].values()]
    return texts


def test_two_tabs_on_one_goal_never_overwrite_silently(context, app):
    first, second = context.new_page(), context.new_page()
    email = unique_email("tabs")
    sign_up(first, app.url, "Tab Twins", email)
    goal_id = new_goal(first, "Learn Dutch", "Reach B1 by June 2027.")
    second.goto(f"{app.url}/workspace")
    expect(second.locator("#goal-editor")).to_have_value("Reach B1 by June 2027.")

    with saved(first):
        first.fill("#goal-editor", "First tab: B1 by June 2027, 30 minutes a day.")
    second.fill("#goal-editor", "Second tab: B2 by December 2027.")
    dialog = second.locator("#goal-conflict")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#conflict-mine")).to_contain_text("Second tab: B2 by December 2027.")
    expect(dialog.locator("#conflict-theirs")).to_contain_text("First tab: B1 by June 2027")
    stored = app.db.goals.find_one({"_id": ObjectId(goal_id)})
    assert stored["content"].startswith("First tab")  # refused, not overwritten

    second.click("#conflict-keep-mine")
    expect(dialog).to_have_count(0)
    expect(second.locator("#goal-save-status")).to_have_attribute("data-status", "saved")
    stored = app.db.goals.find_one({"_id": stored["_id"]})
    assert stored["content"] == "Second tab: B2 by December 2027."
    # The first tab's text is still in the history.
    kept = revision_texts(app.db, stored["_id"])
    assert any(text.startswith("First tab") for text in kept)

    # The first tab is now behind: its next keystrokes meet the conflict too, and it can
    # take the other text instead; its own text is kept in the history.
    first.fill("#goal-editor", "First tab again.")
    expect(first.locator("#goal-conflict")).to_be_visible()
    first.click("#conflict-use-theirs")
    expect(first.locator("#goal-editor")).to_have_value("Second tab: B2 by December 2027.")
    assert "First tab again." in revision_texts(app.db, stored["_id"])


def test_history_lists_revisions_shows_a_diff_and_restores(page, app):
    sign_up(page, app.url, "Hal History", unique_email("hist"))
    new_goal(page, "Write a novel", "Chapter one by March.")
    # An edit within two minutes joins the last revision; the kept "created" revision (the
    # goal as it began: untitled and empty) is the older one to compare with and restore.
    with saved(page):
        page.fill("#goal-editor", "Chapter one by March.\nChapter two by May.")
    page.click("#goal-history")
    revisions = page.locator("#revision-list [data-revision-id]")
    expect(revisions).to_have_count(2)
    expect(revisions.first).to_contain_text("Edited")
    expect(revisions.last).to_contain_text("Created")
    revisions.last.click()
    removed = page.locator("#revision-diff .gg-diff-removed")
    expect(removed).to_have_text(["− Chapter one by March.", "− Chapter two by May."])
    page.click("#revision-restore")
    expect(page.locator("#goal-history-dialog")).to_have_count(0)
    expect(page.locator("#goal-editor")).to_have_value("")
    expect(page.locator("#goal-title")).to_have_value("Untitled goal")
    page.click("#goal-history")
    expect(revisions).to_have_count(3)
    expect(revisions.first).to_contain_text("Restored")
    # Restoring is itself a revision: the text before it can be brought back.
    revisions.nth(1).click()
    page.click("#revision-restore")
    expect(page.locator("#goal-editor")).to_have_value("Chapter one by March.\nChapter two by May.")


def test_pdf_and_data_downloads(page, app):
    email = unique_email("pdf")
    sign_up(page, app.url, "Paula Pdf", email)
    new_goal(page, "Καλημέρα: run 5 km", "Привет! **Bold** plan: 3 runs a week by May 2027.")
    with page.expect_download() as download_info:
        page.click("#goal-export-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Καλημέρα: run 5 km" in text and "Привет!" in text and "Bold" in text
    with page.expect_download() as download_info:
        page.click("#download-my-data")
    data = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == email
    assert [g["title"] for g in data["goals"]] == ["Καλημέρα: run 5 km"]
    assert data["revisions"] and isinstance(data["chat_messages"], list)
