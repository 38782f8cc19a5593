"""Goals → a printable PDF: one goal per page, made to be pinned on a wall.

This module is the page layout: sections of a goal (title, meta line, tags, SMART line,
milestones, markdown body, check-ins), page breaks, header and footer. The characters
themselves (which glyphs the fonts have, where lines break, the download's file name) are
`pdf_text`'s.
Pages are broken by `line_box()`, not by fpdf2's auto page break, so a line never splits;
footers are drawn once all pages exist, since they show the total.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.drawing_primitives import DeviceCMYK, DeviceGray, DeviceRGB, convert_to_device_color

from goalgetter.domain.checkins import CONFIDENCE_LABELS
from goalgetter.domain.smart import analyse_goal
from goalgetter.integrations.pdf_fonts import add_face, use_presets
from goalgetter.integrations.pdf_markdown import Block, Span, parse_markdown
from goalgetter.integrations.pdf_text import (
    FACES,
    FONT_DIR,
    PLACEHOLDER,
    Color,
    Frag,
    Piece,
    clean,
    font_path,
    pdf_filename,
    runs,
    split_chars,
    wrap,
)

__all__ = ["FONT_DIR", "PLACEHOLDER", "goals_pdf", "pdf_filename"]  # what callers import

FAMILY = "dejavu"

INK, MUTED, CODE = (33, 37, 41), (108, 117, 125), (0, 95, 115)
RULE, CODE_BG, TAG_BG, TAG_INK = (206, 212, 218), (243, 244, 246), (231, 238, 252), (30, 64, 175)
PASS, FAIL = (21, 128, 61), (185, 28, 28)
PHASE_COLORS = {"draft": (107, 114, 128), "active": (37, 99, 235),
                "completed": (22, 128, 61), "archived": (120, 113, 108)}  # fmt: skip
TEMPLATES = {"smart": "SMART", "okr": "OKR", "custom": "Custom"}
CONFIDENCE_COLORS = {"on_track": PASS, "at_risk": (180, 83, 9), "off_track": FAIL}

MARGIN, TOP, BOTTOM = 18.0, 20.0, 20.0  # mm; header and footer live outside TOP/BOTTOM
BODY, HEADINGS = 10.5, (16.0, 13.5, 12.0, 11.0)  # pt
LIST_INDENT, QUOTE_INDENT, GUTTER, MAX_INDENT = 6.0, 5.0, 1.6, 90.0  # mm
PT = 25.4 / 72  # mm per point


def goals_pdf(
    goals: Sequence[Mapping],
    *,
    exported_at: datetime,
    tz: ZoneInfo,
    title: str | None = None,
    checkins: Mapping[str, Sequence[Mapping]] | None = None,
) -> bytes:
    """The goals as PDF bytes; `exported_at` naive means UTC, shown in `tz` in the footer.
    `checkins`: by goal id, oldest first (data/checkins.checkins_by_goal), dated in `tz`."""
    for style in FACES:  # fail before any work, whatever the content needs
        font_path(style)
    moment = exported_at if exported_at.tzinfo else exported_at.replace(tzinfo=UTC)
    doc_title = str(title or "").strip() or "Goals"
    pdf = _GoalPdf(doc_title)
    pdf.set_title(doc_title)
    pdf.set_creator("GoalGetter")
    pdf.set_creation_date(moment)
    for goal in goals:
        if isinstance(goal, Mapping):
            pdf.goal(goal)
            pdf.checkins(_list((checkins or {}).get(_text(goal.get("_id")))), tz)
    if not pdf.page:
        pdf.empty()
    pdf.footers(_stamp(moment, tz))
    use_presets(pdf)
    return bytes(pdf.output())


def _stamp(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    key = getattr(tz, "key", None)
    return f"Exported {local:%Y-%m-%d %H:%M} {local.tzname()}" + (f" ({key})" if key else "")


class _GoalPdf(FPDF):
    def __init__(self, doc_title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title, self.goal_title, self.goal_page = doc_title, "", 0
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(False)  # our own layout breaks pages, see line_box()
        self.em_cache: dict[tuple[str, str], float] = {}

    def face_widths(self, style: str) -> Mapping[int, float]:
        # Faces load on first use: fpdf2 embeds every face added, used or not.
        if FAMILY + style not in self.fonts:
            add_face(self, FAMILY, style, font_path(style))
        return self.fonts[FAMILY + style].cw

    # --- primitives -------------------------------------------------------------------------

    def width(self, text: str, style: str, size: float) -> float:
        em = self.em_cache.get((style, text))
        if em is None:
            widths = self.face_widths(style)
            em = self.em_cache[(style, text)] = sum(widths[ord(char)] for char in text)
        return em * size * 0.001 * PT

    def use(self, style: str, size: float, color: Color) -> None:
        # Called for every run of text: set_font() and the colour conversion cost more than
        # the comparison that skips them (set_font() would itself do nothing).
        if (self.font_family, self.font_style, self.font_size_pt) != (FAMILY, style, size):
            self.face_widths(style)
            self.set_font(FAMILY, style, size)
        self.set_text_color(_device_color(color))

    def label(self, x: float, y: float, text: str, style: str, size: float, color: Color) -> float:
        """Draws one unwrapped string with its baseline at y; returns its width."""
        text = clean(text, style)
        self.use(style, size, color)
        self.text(x, y, text)
        return self.width(text, style, size)

    def new_page(self) -> None:
        self.add_page()
        self.set_y(TOP)

    def line_box(self, height: float) -> float:
        if self.y + height > self.h - BOTTOM and self.y > TOP:
            self.new_page()
        top = self.y
        self.y = top + height
        return top

    def header(self) -> None:
        self.label(MARGIN, 12, self.doc_title, "", 8, MUTED)
        if self.goal_title and self.page > self.goal_page:
            text = _shorten(self.goal_title, 70) + " (continued)"
            self.label(self.w - MARGIN - self.width(clean(text), "", 8), 12, text, "", 8, MUTED)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, 14, self.w - MARGIN, 14)
        self.line(MARGIN, self.h - 14, self.w - MARGIN, self.h - 14)

    def footers(self, stamp: str) -> None:
        """Page numbers need the total, so footers are written once every page exists."""
        total = self.page
        for number in range(1, total + 1):
            self.page = number
            # Each page has its own content stream: its font must be selected in it again.
            self.current_font_is_set_on_page = False
            self.label(MARGIN, self.h - 9, stamp, "", 8, MUTED)
            text = f"Page {number} of {total}"
            self.label(self.w - MARGIN - self.width(text, "", 8), self.h - 9, text, "", 8, MUTED)
        self.page = total

    # --- flowing text -----------------------------------------------------------------------

    def flow(
        self,
        pieces: Iterable[Piece],
        size: float,
        *,
        left: float = 0.0,
        marker: Piece | None = None,
        quote: int = 0,
        after: float = 0.0,
    ) -> None:
        """Wraps pieces to the text width, with a hanging marker and quote bars if given."""
        line_h = size * PT * 1.45
        x = MARGIN + left
        for index, line in enumerate(wrap(pieces, size, self.w - MARGIN - x, self.width)):
            top = self.line_box(line_h)
            baseline = top + (line_h + size * PT * 0.7) / 2
            if marker and index == 0:
                text, style, color = marker
                mark_x = x - GUTTER - self.width(clean(text, style), style, size)
                self.label(mark_x, baseline, text, style, size, color)
            self.quote_bars(quote, top, line_h)
            self.draw_line(line, x, baseline, size)
        self.y += after

    def draw_line(self, line: list[Frag], x: float, baseline: float, size: float) -> None:
        for text, style, color, wide in runs(line):
            self.use(style, size, color)
            self.text(x, baseline, text)
            x += wide

    def quote_bars(self, quote: int, top: float, height: float) -> None:
        if quote:
            self.set_draw_color(*RULE)
            self.set_line_width(0.8)
        for level in range(quote):
            x = MARGIN + level * QUOTE_INDENT + 1.2
            self.line(x, top, x, top + height)

    def rule(self, left: float = 0.0) -> None:
        top = self.line_box(5)
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.line(MARGIN + left, top + 2.5, self.w - MARGIN, top + 2.5)

    # --- markdown blocks --------------------------------------------------------------------

    def block(self, block: Block) -> None:
        # Clamped: markdown allows 19 quote levels, and the text must keep some width.
        left = min(block.quote * QUOTE_INDENT + block.depth * LIST_INDENT, MAX_INDENT)
        color = MUTED if block.quote else INK
        if block.kind == "rule":
            self.rule(left)
        elif block.kind == "code":
            self.code(block.spans[0].text, left, block.quote)
        elif block.kind == "heading":
            size = HEADINGS[min(block.level, len(HEADINGS)) - 1]
            if self.y > TOP:
                self.y += 2.0
            if self.y + size * PT * 4 > self.h - BOTTOM:  # keep a heading with its next lines
                self.new_page()
            pieces = _pieces(block.spans, color, bold=True)
            self.flow(pieces, size, left=left, quote=block.quote, after=1.5)
        else:
            marker = (block.marker, "", color) if block.marker else None
            self.flow(
                _pieces(block.spans, color),
                BODY,
                left=left,
                marker=marker,
                quote=block.quote,
                after=1.2 if block.depth else 2.4,
            )

    def code(self, text: str, left: float, quote: int) -> None:
        size, line_h, pad = 9.0, 4.4, 2.0
        x, right = MARGIN + left, self.w - MARGIN
        lines: list[list[Frag]] = [[]]  # empty first and last lines pad the grey box
        for source in text.expandtabs(4).split("\n"):
            source = clean(source)
            frag = (source, "", CODE, self.width(source, "", size))
            lines += split_chars([frag], size, right - x - 2 * pad, self.width)
        for line in [*lines, []]:
            height = line_h if line else 1.5
            top = self.line_box(height)
            self.set_fill_color(*CODE_BG)
            self.rect(x, top, right - x, height, style="F")
            self.quote_bars(quote, top, height)
            self.draw_line(line, x + pad, top + (line_h + size * PT * 0.7) / 2, size)
        self.y += 2.4

    # --- one goal ---------------------------------------------------------------------------

    def goal(self, goal: Mapping) -> None:
        title = _text(goal.get("title")).strip() or "Untitled goal"
        content = _text(goal.get("content"))
        meta = goal.get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        self.goal_title, self.goal_page = title, self.page + 1  # header() runs in new_page()
        self.new_page()
        self.flow([(title, "B", INK)], 20, after=1)
        self.set_draw_color(*PHASE_COLORS.get(_text(goal.get("phase")), MUTED))
        self.set_line_width(1.2)
        self.line(MARGIN, self.y, MARGIN + 24, self.y)
        self.y += 3
        self.flow(_meta_pieces(goal, meta), 9.5, after=2)
        self.tags([_text(tag) for tag in _list(meta.get("tags")) if _text(tag).strip()])
        self.smart(title, content, _text(meta.get("deadline")))
        self.milestones([m for m in _list(meta.get("milestones")) if isinstance(m, Mapping)])
        self.rule()
        for block in parse_markdown(content):
            self.block(block)

    def checkins(self, checkins: list, tz: ZoneInfo) -> None:
        """Progress over the check-ins, after the goal's text: a line per check-in."""
        points = [c for c in checkins if isinstance(c, Mapping)]
        if not points:
            return
        self.y += 2
        self.rule()
        self.flow([("Check-ins ", "B", INK), (f"{len(points)} recorded", "", MUTED)], 10.5)
        for point in points:
            start = point.get("start")
            when = start.astimezone(tz).strftime("%d %b %Y") if isinstance(start, datetime) else ""
            confidence = _text(point.get("confidence"))
            pieces: list[Piece] = [
                (f"{when}  ", "", MUTED),
                (f"{_text(point.get('progress'))}%", "B", INK),
                (f"  {CONFIDENCE_LABELS.get(confidence, confidence)}", "B",
                 CONFIDENCE_COLORS.get(confidence, MUTED)),
            ]  # fmt: skip
            if note := _text(point.get("note")).strip():
                pieces.append((f"  {note}", "", INK))
            self.flow(pieces, 10, left=LIST_INDENT, marker=("•", "", MUTED), after=0.8)

    def tags(self, tags: list[str]) -> None:
        if not tags:
            return
        size, height, pad, gap = 8.5, 5.4, 2.0, 1.6
        x, top = MARGIN, self.line_box(height)
        for tag in tags:
            text = clean("#" + _shorten(tag.strip(), 40))
            wide = self.width(text, "", size) + 2 * pad
            if x > MARGIN and x + wide > self.w - MARGIN:
                self.y += gap
                x, top = MARGIN, self.line_box(height)
            self.set_fill_color(*TAG_BG)
            self.rect(x, top, wide, height, style="F", round_corners=True, corner_radius=1.6)
            self.label(x + pad, top + (height + size * PT * 0.7) / 2, text, "", size, TAG_INK)
            x += wide + gap
        self.y += 2.5

    def smart(self, title: str, content: str, deadline: str) -> None:
        report = analyse_goal(title, content, deadline)
        pieces: list[Piece] = [("SMART ", "B", INK), (f"{report.score}/5 ", "", MUTED)]
        for check in report.checks:
            mark = ("✓", "B", PASS) if check.passed else ("✗", "B", FAIL)
            pieces += [(f"  {check.letter} ", "B", INK), mark]
        self.flow(pieces, 10.5, after=0.5)
        if report.missing:
            names = ", ".join(check.name for check in report.missing)
            self.flow([(f"To sharpen: {names}", "I", MUTED)], 8.5, after=2)
        else:
            self.y += 1.5

    def milestones(self, milestones: list[Mapping]) -> None:
        if not milestones:
            return
        done = sum(bool(m.get("done")) for m in milestones)
        self.flow([("Milestones ", "B", INK), (f"{done}/{len(milestones)} done", "", MUTED)], 10.5)
        for milestone in milestones:
            finished = bool(milestone.get("done"))
            pieces: list[Piece] = [
                (_text(milestone.get("title")).strip() or "Untitled milestone", "", INK)
            ]
            if due := _date_text(milestone.get("due")):
                pieces.append((f"  · due {due}", "", MUTED))
            marker = ("☑", "", PASS) if finished else ("☐", "", INK)
            self.flow(pieces, 10, left=LIST_INDENT, marker=marker, after=0.8)
        self.y += 1.5

    def empty(self) -> None:
        self.new_page()
        self.flow([(self.doc_title, "B", INK)], 20, after=4)
        self.flow([("No active goals to export yet.", "", INK)], 12, after=1.5)
        hint = "Create a goal in GoalGetter, then export again to get a page per goal."
        self.flow([(hint, "", MUTED)], 10)


@functools.cache  # a handful of colours; fpdf2's colours are frozen, so sharing them is safe
def _device_color(color: Color) -> DeviceGray | DeviceRGB | DeviceCMYK:
    return convert_to_device_color(*color)


def _pieces(spans: Sequence[Span], color: Color, *, bold: bool = False) -> list[Piece]:
    def piece(span: Span) -> Piece:
        style = ("B" if bold or span.bold else "") + ("I" if span.italic else "")
        return span.text, style, CODE if span.code else MUTED if span.muted else color

    return [piece(span) for span in spans]


def _meta_pieces(goal: Mapping, meta: Mapping) -> list[Piece]:
    parts: list[list[Piece]] = []
    if phase := _text(goal.get("phase")).strip():
        parts.append([(phase.capitalize(), "B", PHASE_COLORS.get(phase, MUTED))])
    if template := _text(goal.get("template_type")).strip():
        parts.append([(f"{TEMPLATES.get(template, template)} template", "", MUTED)])
    deadline = _date_text(meta.get("deadline"))
    parts.append([(f"Deadline {deadline}" if deadline else "No deadline", "", MUTED)])
    pieces: list[Piece] = []
    for part in parts:
        pieces += [*([("  ·  ", "", MUTED)] if pieces else []), *part]
    return pieces


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _date_text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()[:10]
    return _shorten(_text(value).strip(), 40)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
