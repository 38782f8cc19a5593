"""axe-core (installed into .tools by `make test`: scripts/ensure-bun --test-tools), run in the
page under test, and its findings written so a failure says what to fix and where."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.servers import ROOT

AXE_SOURCE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's landmark rules: every page has one
# `main`, and all of its content sits in landmarks (screen readers navigate by them).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LANDMARK_RULES = ["landmark-one-main", "region", "landmark-unique", "landmark-no-duplicate-main"]

_RUN = """async ({tags, rules}) => {
  const context = document;
  const byTag = await axe.run(context, {runOnly: {type: "tag", values: tags}});
  const byRule = await axe.run(context, {runOnly: {type: "rule", values: rules}});
  return byTag.violations.concat(byRule.violations).map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


_AT_REST = """() => document.getAnimations().every(
  a => a.playState !== "running" || a.effect.getComputedTiming().iterations === Infinity)"""


def _source() -> str:
    if not AXE_SOURCE.is_file():
        raise RuntimeError(
            f"axe-core is not installed at {AXE_SOURCE}: run `make test` once, or "
            "`scripts/ensure-bun --test-tools`"
        )
    return Path(AXE_SOURCE).read_text(encoding="utf-8")


def violations(page: Page) -> list[dict]:
    """axe's WCAG 2.2 A/AA and landmark violations on the page as it is now."""
    # Evaluated through the browser's debugging protocol, so a Content-Security-Policy that
    # forbids inline scripts does not stop it.
    # A dialog fading in has, for a moment, text too pale to read: check the page at rest.
    page.wait_for_function(_AT_REST)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate(_RUN, {"tags": WCAG_TAGS, "rules": LANDMARK_RULES})


def _reasons(summary: str) -> list[str]:
    # axe's summary: "Fix any of the following:" then one reason a line.
    return [line.strip() for line in summary.splitlines()[1:3]]


def report(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']}: {' / '.join(_reasons(node['summary']))}"
            for node in violation["nodes"]
        )
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    found = violations(page)
    assert not found, f"axe on {where}:\n{report(found)}"
