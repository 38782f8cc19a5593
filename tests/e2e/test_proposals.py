"""The coach's proposals in the browser: a card with the change, accept and reject, reload."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flows import new_goal, send_message, sign_up, unique_email, wait_reply_done

SHARPER = "Run 5 km three times a week until June, so I keep up with my kids."


def propose(page, new_text: str):
    """Asks the fake coach to propose `new_text` as the open goal's text; the newest card."""
    before = page.locator("#proposal-card").count()
    send_message(page, f"[[fake:propose]] {new_text}")
    wait_reply_done(page)
    cards = page.locator("#proposal-card")
    expect(cards).to_have_count(before + 1)
    return cards.last


def test_accepting_a_proposal_changes_the_goal_and_history_shows_the_coach(page, app):
    sign_up(page, app.url, "Card Accepter", unique_email("accept"))
    new_goal(page, "Get fit", "Run more.")
    card = propose(page, SHARPER)
    expect(card).to_have_attribute("data-status", "pending")
    expect(card.locator(".gg-diff-added")).to_have_text(f"+ {SHARPER}")
    expect(card.locator(".gg-diff-removed")).to_have_text("− Run more.")
    expect(page.locator("#goal-editor")).to_have_value("Run more.")  # nothing applied yet
    screenshot(page, "proposal-card")

    card.locator("#proposal-accept").click()
    expect(card).to_have_attribute("data-status", "accepted")
    expect(card.locator("#proposal-accept")).to_have_count(0)
    expect(page.locator("#goal-editor")).to_have_value(SHARPER)

    page.click("#goal-history")
    newest = page.locator("#revision-list [data-revision-id]").first
    expect(newest).to_contain_text("Coach's proposal, accepted")

    page.reload()
    expect(page.locator("#goal-editor")).to_have_value(SHARPER)
    card = page.locator(
        f'#proposal-card[data-proposal-id="{card.get_attribute("data-proposal-id")}"]'
    )
    expect(card).to_have_attribute("data-status", "accepted")
    expect(card.locator("#proposal-accept")).to_have_count(0)


def test_rejecting_leaves_the_goal_alone_and_survives_reload(page, app):
    sign_up(page, app.url, "Card Rejecter", unique_email("reject"))
    new_goal(page, "Read more", "Read books.")
    card = propose(page, "<b>Read</b> 12 books by December.")
    expect(card.locator(".gg-diff-added")).to_have_text("+ <b>Read</b> 12 books by December.")
    expect(card.locator(".gg-diff-added b")).to_have_count(0)  # shown as text, not markup
    card.locator("#proposal-reject").click()
    expect(card).to_have_attribute("data-status", "rejected")
    expect(page.locator("#goal-editor")).to_have_value("Read books.")
    page.reload()
    expect(page.locator("#proposal-card").last).to_have_attribute("data-status", "rejected")
    expect(page.locator("#goal-editor")).to_have_value("Read books.")
    # The coach is told on the next turn.
    send_message(page, "What next?")
    wait_reply_done(page)
    sent = app.fake.requests[-1]["body"]["messages"]
    assert any("REJECTED" in str(m["content"]) for m in sent if m["role"] == "assistant")
