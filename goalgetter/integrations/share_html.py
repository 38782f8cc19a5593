"""The shared page as HTML: a read-only, self-contained page for a partner (no app, no script).

Rendered on the server from domain/shares.SharedPage only. Markdown goes through
markdown-it with raw HTML off, so a goal's text can never add markup; every other value is
escaped. Links in goal texts open without telling the target where they came from.
"""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from goalgetter.domain.shares import SharedGoal, SharedPage, day_label
from goalgetter.domain.timezones import first_zone

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_LETTERS = (("S", "Specific"), ("M", "Measurable"), ("A", "Achievable"), ("R", "Relevant"),
            ("T", "Time-bound"))  # fmt: skip
_STYLE = """
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2024;
background:#fcfcfd}main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 3rem}
header{border-bottom:3px solid #f76b15;margin-bottom:1.5rem}h1{font-size:1.6rem;margin:.2rem 0}
.sub{color:#60646c;margin:0 0 1rem}article{background:#fff;border:1px solid #e0e1e6;
border-radius:12px;padding:1rem 1.2rem;margin:0 0 1.2rem}h2{font-size:1.25rem;margin:0 0 .4rem}
.meta{color:#60646c;font-size:.9rem;display:flex;flex-wrap:wrap;gap:.3rem 1rem}
.smart span{display:inline-block;width:1.5rem;text-align:center;border-radius:4px;
margin-right:2px;background:#f0f0f3;color:#60646c;font-weight:600}.smart .ok{background:#ffdcc3;
color:#9a3412}ul.ms{padding-left:1.2rem}.done{text-decoration:line-through;color:#60646c}
.md img{max-width:100%}.md pre{overflow:auto;background:#f9f9fb;padding:.5rem}
svg{width:100%;height:auto;max-width:36rem}footer{color:#60646c;font-size:.85rem}
a.pdf{display:inline-block;margin:.5rem 0 1rem;color:#b03a00}
@media (max-width:480px){body{font-size:15px}article{padding:.8rem}}
"""


def _link_attrs(self, tokens, idx, options, env):
    tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


_MARKDOWN.add_render_rule("link_open", _link_attrs)


def markdown_html(text: str) -> str:
    return _MARKDOWN.render(text or "")


def _smart(letters: str) -> str:
    spans = "".join(
        f'<span class="{"ok" if letter in letters else ""}" title="{name}">{letter}</span>'
        for letter, name in _LETTERS
    )
    return f'<div class="smart" aria-label="SMART: {escape(letters) or "none yet"}">{spans}</div>'


def _milestones(goal: SharedGoal) -> str:
    if not goal.milestones:
        return ""
    items = "".join(
        f'<li class="{"done" if m.done else ""}">{"☑" if m.done else "☐"} {escape(m.title)}'
        + (f" <small>(due {escape(m.due)})</small>" if m.due else "")
        + "</li>"
        for m in goal.milestones
    )
    return f'<h3>Milestones</h3><ul class="ms">{items}</ul>'


def progress_svg(points: tuple, zone: ZoneInfo) -> str:
    """A line of the check-ins' progress (0-100 %), dated under each point."""
    if not points:
        return "<p class='sub'>No check-ins recorded yet.</p>"
    width, height, pad = 560, 180, 30
    step = (width - 2 * pad) / max(1, len(points) - 1)
    xy = [
        (pad + i * step, height - pad - (height - 2 * pad) * max(0, min(100, p)) / 100)
        for i, (_, p) in enumerate(points)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#f76b15"><title>'
        f"{escape(day_label(at, zone))}: {p}%</title></circle>"
        for (x, y), (at, p) in zip(xy, points, strict=True)
    )
    labels = (
        f'<text x="{pad}" y="{height - 6}" font-size="12" fill="#60646c">'
        f"{escape(day_label(points[0][0], zone))}</text>"
        f'<text x="{width - pad}" y="{height - 6}" font-size="12" fill="#60646c" '
        f'text-anchor="end">{escape(day_label(points[-1][0], zone))}: {points[-1][1]}%</text>'
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Progress over the '
        f'check-ins"><polyline points="{line}" fill="none" stroke="#f76b15" stroke-width="2"/>'
        f"{dots}{labels}</svg>"
    )


def _goal(goal: SharedGoal, with_progress: bool, zone: ZoneInfo) -> str:
    facts = [f"<span>{escape(goal.phase)}</span>"] if goal.phase else []
    if goal.deadline:
        facts.append(f"<span>Deadline {escape(goal.deadline)}</span>")
    progress = f"<h3>Progress</h3>{progress_svg(goal.progress, zone)}" if with_progress else ""
    return (
        f'<article class="goal"><h2>{escape(goal.title)}</h2>'
        f'<div class="meta">{"".join(facts)}</div>{_smart(goal.smart)}'
        f'<div class="md">{markdown_html(goal.content)}</div>{_milestones(goal)}{progress}'
        "</article>"
    )


def share_html(page: SharedPage, pdf_url: str) -> str:
    zone = first_zone(page.zone)
    whose = f"{escape(page.owner)}'s goals" if page.owner else "Goals"
    hello = f"Shared with {escape(page.partner)}. " if page.partner else ""
    goals = "".join(_goal(g, page.with_progress, zone) for g in page.goals) or (
        "<p>Nothing is shared here at the moment.</p>"
    )
    recap = ""
    if page.with_progress and page.recap:
        bullets = "".join(f"<li>{escape(line)}</li>" for line in page.recap)
        recap = f"<article><h2>Latest check-in</h2><ul>{bullets}</ul></article>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{whose} · GoalGetter</title><style>{_STYLE}</style></head><body><main>"
        f'<header><h1 id="shared-title">{whose}</h1><p class="sub">{hello}A read-only view '
        "from GoalGetter, kept up to date.</p></header>"
        f'<a class="pdf" id="shared-pdf" href="{escape(pdf_url)}">Download as PDF</a>'
        f"{recap}{goals}<footer>Shared privately: please don't pass this link on.</footer>"
        "</main></body></html>"
    )
