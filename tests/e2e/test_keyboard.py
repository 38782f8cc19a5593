"""The core flow by keyboard alone, in Chromium: sign in, write a goal, talk to the coach,
accept its proposal, start tracking, record a check-in. Only Tab, Shift+Tab, Enter, Space,
arrow keys and typing; no clicks. Every control reached shows a visible focus ring."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import WAIT_MS
from tests.e2e.flows import PASSWORD, WORKSPACE, open_first_meeting_now, sign_up, unique_email
from tests.polling import wait_until

# More than any page has controls: a target not reached after this many presses is not
# reachable by keyboard.
MAX_TABS = 120
SHARPER = "Run 5 km three times a week until June 2027, so I keep up with my kids."

# WCAG 1.4.11: a focus ring needs 3:1 against what is around it (the page is white).
_FOCUS_RING_CONTRAST = """el => {
  // Radix text fields draw the ring on their frame, around the input inside.
  const ringed = el.closest('.rt-TextAreaRoot, .rt-TextFieldRoot') || el;
  const style = getComputedStyle(ringed);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return 0;
  const rgb = style.outlineColor.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)/);
  if (!rgb) return 0;
  const linear = c => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const [r, g, b] = rgb.slice(1, 4).map(Number).map(linear);
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}"""


def tab_to(page: Page, selector: str, *, backwards: bool = False) -> None:
    """Presses Tab (or Shift+Tab) until `selector` has the focus, then checks its focus ring
    is visible (3:1)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            break
        page.keyboard.press(key)
    else:
        raise AssertionError(f"{selector} is not reachable with {key}")
    contrast = page.locator(f"{selector}:focus").evaluate(_FOCUS_RING_CONTRAST)
    assert contrast >= 3, f"{selector} has the focus; its ring's contrast is {contrast:.2f}:1"


def _account(browser: Browser, base_url: str) -> str:
    """An account made beforehand (the flow under test starts at signing in)."""
    email = unique_email("keys")
    context = browser.new_context()
    try:
        sign_up(context.new_page(), base_url, "Kim Keys", email)
    finally:
        context.close()
    return email


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    expect(page.locator("#auth-submit")).to_be_visible()
    tab_to(page, "#auth-email")
    page.keyboard.type(email)
    tab_to(page, "#auth-password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(WORKSPACE)
    expect(page.locator("#user-name")).to_have_text("Kim Keys")


def _write_goal(page: Page) -> None:
    tab_to(page, "#goal-new")
    page.keyboard.press("Enter")
    expect(page.locator("#template-picker")).to_be_visible()
    tab_to(page, '#template-picker [data-template-id="blank"]')
    page.keyboard.press("Space")
    expect(page.locator("#template-picker")).to_have_count(0)
    expect(page.locator("#goal-list [data-goal-id]")).to_have_count(1)
    tab_to(page, "#goal-title")
    page.keyboard.type("Get fit")
    tab_to(page, "#goal-editor")
    page.keyboard.type("Run more.")
    expect(page.locator("#goal-save-status")).to_have_attribute("data-status", "saved")


def _accept_proposal(page: Page) -> None:
    tab_to(page, "#chat-input")
    page.keyboard.type(f"[[fake:propose]] {SHARPER}")
    page.keyboard.press("Enter")
    card = page.locator("#proposal-card")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-status", "pending")
    expect(page.locator("#chat-typing")).to_have_count(0)
    # The proposal sits above the chat box: back there with Shift+Tab.
    tab_to(page, "#proposal-accept", backwards=True)
    page.keyboard.press("Enter")
    expect(card).to_have_attribute("data-status", "accepted")
    expect(page.locator("#goal-editor")).to_have_value(SHARPER)


def _start_tracking(page: Page) -> None:
    tab_to(page, "#nav-meetings", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#tracking-start")).to_be_visible()
    tab_to(page, "#cadence")
    page.keyboard.press("ArrowDown")  # weekly → the next cadence, chosen by arrow key
    expect(page.locator("#cadence")).not_to_have_value("weekly")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#cadence")).to_have_value("weekly")
    tab_to(page, "#tracking-start")
    page.keyboard.press("Enter")
    expect(page.locator("#meetings-next")).to_contain_text("Next check-in")


def _record_checkin(page: Page, app, email: str) -> None:
    tab_to(page, "#nav-workspace", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(WORKSPACE)
    expect(page.locator("#checkin-form")).to_be_visible()
    tab_to(page, "#checkin-progress")
    page.keyboard.type("40")
    tab_to(page, "#checkin-confidence")
    page.keyboard.press("ArrowDown")
    confidence = page.locator("#checkin-confidence").input_value()
    tab_to(page, "#checkin-note")
    page.keyboard.type("Two runs this week.")
    tab_to(page, "#checkin-save")
    page.keyboard.press("Enter")
    expect(page.locator("#goal-progress-chart")).to_have_attribute("data-points", "1")
    user = app.db.users.find_one({"email": email})
    goal_id = str(app.db.goals.find_one({"user_id": user["_id"]})["_id"])

    def stored() -> bool:
        series = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]
        return goal_id in series["meetings"][0].get("checkins", {})

    wait_until(stored, timeout=WAIT_MS / 1000, what="the check-in stored")
    series = app.db.meeting_series.find_one({"_id": user["_id"]})["state"][0]
    checkin = series["meetings"][0]["checkins"][goal_id]
    assert (checkin["progress"], checkin["confidence"], checkin["note"]) == (
        40,
        confidence,
        "Two runs this week.",
    )


def test_the_core_flow_by_keyboard_alone(browser: Browser, app):
    email = _account(browser, app.url)
    app.fake.reset()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        _sign_in(page, app.url, email)
        _write_goal(page)
        _accept_proposal(page)
        _start_tracking(page)
        open_first_meeting_now(app.db, email)
        _record_checkin(page, app, email)
    finally:
        context.close()
