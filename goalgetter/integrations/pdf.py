"""Goals → a printable PDF: one goal per page, made to be pinned on a wall.

fpdf2 with DejaVu Sans (Latin, Greek, Cyrillic). fpdf2 silently drops glyphs a font lacks, so
every string passes `clean()` first: characters the face has no glyph for (emoji, CJK…)
become a visible □, control and format characters go. Lines are broken here, not by fpdf2:
its `write()` re-measures the line so far for every character it adds (~20 µs a character
here, most of a 10-goal export); measuring words from the font's width table and placing
each line with `text()` is an order of magnitude faster, and makes hanging indents and quote
bars simple.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fontTools.ttLib import TTFont
from fpdf import FPDF

from goalgetter.domain.smart import analyse_goal
from goalgetter.integrations.pdf_markdown import Block, Span, parse_markdown

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FACES = {
    "": ("DejaVuSans.ttf", "fonts-dejavu-core"),
    "B": ("DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    "I": ("DejaVuSans-Oblique.ttf", "fonts-dejavu-extra"),
    "BI": ("DejaVuSans-BoldOblique.ttf", "fonts-dejavu-extra"),
}
FAMILY = "dejavu"
PLACEHOLDER = "□"  # U+25A1, present in all four faces

Color = tuple[int, int, int]
Piece = tuple[str, str, Color]  # text, font style ("", "B", "I", "BI"), colour
Frag = tuple[str, str, Color, float]  # a piece measured, in mm

INK, MUTED, CODE = (33, 37, 41), (108, 117, 125), (0, 95, 115)
RULE, CODE_BG, TAG_BG, TAG_INK = (206, 212, 218), (243, 244, 246), (231, 238, 252), (30, 64, 175)
PASS, FAIL = (21, 128, 61), (185, 28, 28)
PHASE_COLORS = {"draft": (107, 114, 128), "active": (37, 99, 235),
                "completed": (22, 128, 61), "archived": (120, 113, 108)}  # fmt: skip
TEMPLATES = {"smart": "SMART", "okr": "OKR", "custom": "Custom"}

MARGIN, TOP, BOTTOM = 18.0, 20.0, 20.0  # mm; header and footer live outside TOP/BOTTOM
BODY, HEADINGS = 10.5, (16.0, 13.5, 12.0, 11.0)  # pt
LIST_INDENT, QUOTE_INDENT, GUTTER, MAX_INDENT = 6.0, 5.0, 1.6, 90.0  # mm
PT = 25.4 / 72  # mm per point

_ATOM = re.compile(r"\n| +|[^ \n]+")
# Invisible modifiers (emoji presentation, ideographic variants): a □ for them would be noise.
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))


def font_path(style: str) -> Path:
    name, package = FACES[style]
    path = FONT_DIR / name
    if not path.is_file():
        raise RuntimeError(
            f"PDF export needs the font {path}, which is missing: install the Debian package "
            f"{package} (apt-get install {package})."
        )
    return path


@functools.cache
def _coverage(style: str) -> frozenset[int]:
    # The faces differ (the oblique ones lack ~600 glyphs), so each gets its own set.
    with TTFont(font_path(style), lazy=True) as font:
        return frozenset(font.getBestCmap())


class _GlyphMap(dict[int, str]):
    """A `str.translate` table filled on demand: each code point is judged once per process."""

    def __init__(self, covered: frozenset[int]) -> None:
        super().__init__({9: " ", 10: "\n", 0x2028: " ", 0x2029: " "})
        self.covered = covered

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if unicodedata.category(char) in ("Cc", "Cf") or any(
            code in block for block in _VARIATION_SELECTORS
        ):
            value = ""
        else:
            value = char if code in self.covered else PLACEHOLDER
        self[code] = value
        return value


@functools.cache
def _glyph_map(style: str) -> _GlyphMap:
    return _GlyphMap(_coverage(style))


def clean(text: str, style: str = "") -> str:
    """Text as the face can draw it: NFC first, so "e" + combining acute finds the é glyph."""
    return unicodedata.normalize("NFC", text).translate(_glyph_map(style))


def goals_pdf(
    goals: Sequence[Mapping],
    *,
    exported_at: datetime,
    tz: ZoneInfo,
    title: str | None = None,
) -> bytes:
    """The goals as PDF bytes; `exported_at` naive means UTC, shown in `tz` in the footer."""
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
    if not pdf.page:
        pdf.empty()
    pdf.footers(_stamp(moment, tz))
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
        # Faces load on first use: fpdf2 embeds every face added, used or not (~80 ms each here).
        if FAMILY + style not in self.fonts:
            self.add_font(FAMILY, style, str(font_path(style)))
        return self.fonts[FAMILY + style].cw

    # --- primitives -------------------------------------------------------------------------

    def width(self, text: str, style: str, size: float) -> float:
        em = self.em_cache.get((style, text))
        if em is None:
            widths = self.face_widths(style)
            em = self.em_cache[(style, text)] = sum(widths[ord(char)] for char in text)
        return em * size * 0.001 * PT

    def use(self, style: str, size: float, color: Color) -> None:
        self.face_widths(style)
        self.set_font(FAMILY, style, size)
        self.set_text_color(*color)

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
        for index, line in enumerate(self.wrap(pieces, size, self.w - MARGIN - x)):
            top = self.line_box(line_h)
            baseline = top + (line_h + size * PT * 0.7) / 2
            if marker and index == 0:
                text, style, color = marker
                mark_x = x - GUTTER - self.width(clean(text, style), style, size)
                self.label(mark_x, baseline, text, style, size, color)
            self.quote_bars(quote, top, line_h)
            self.draw_line(line, x, baseline, size)
        self.y += after

    def wrap(self, pieces: Iterable[Piece], size: float, max_w: float) -> list[list[Frag]]:
        lines: list[list[Frag]] = [[]]
        x = 0.0
        for spaces, word in _words(pieces):
            if word is None:  # hard line break
                lines.append([])
                x = 0.0
                continue
            frags = [
                (text, style, color, self.width(text, style, size)) for text, style, color in word
            ]
            wide = sum(frag[3] for frag in frags)
            gap = self.width(spaces, lines[-1][-1][1], size) if spaces and lines[-1] else 0.0
            if lines[-1] and x + gap + wide > max_w:
                lines.append([])
                x, gap = 0.0, 0.0
            if gap:
                last = lines[-1][-1]
                lines[-1].append((spaces, last[1], last[2], gap))
            if wide > max_w:  # a URL or a run of letters wider than the page
                chunks = self.split_chars(frags, size, max_w)
                lines[-1].extend(chunks[0])
                lines.extend(chunks[1:])
                x = sum(frag[3] for frag in lines[-1])
                continue
            lines[-1].extend(frags)
            x += gap + wide
        return lines

    def split_chars(self, frags: list[Frag], size: float, max_w: float) -> list[list[Frag]]:
        lines: list[list[Frag]] = [[]]
        x = 0.0
        for text, style, color, _ in frags:
            start, chunk_w = 0, 0.0
            for index, char in enumerate(text):
                char_w = self.width(char, style, size)
                if x + char_w > max_w and (index > start or lines[-1]):
                    if index > start:
                        lines[-1].append((text[start:index], style, color, chunk_w))
                    lines.append([])
                    start, chunk_w, x = index, 0.0, 0.0
                chunk_w += char_w
                x += char_w
            lines[-1].append((text[start:], style, color, chunk_w))
        return lines

    def draw_line(self, line: list[Frag], x: float, baseline: float, size: float) -> None:
        for text, style, color, wide in _runs(line):
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
            lines += self.split_chars([frag], size, right - x - 2 * pad)
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
        self.smart(title, content)
        self.milestones([m for m in _list(meta.get("milestones")) if isinstance(m, Mapping)])
        self.rule()
        for block in parse_markdown(content):
            self.block(block)

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

    def smart(self, title: str, content: str) -> None:
        report = analyse_goal(title, content)
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


def _words(pieces: Iterable[Piece]) -> Iterator[tuple[str, list[Piece] | None]]:
    """Words (one or more pieces glued together), each with the spaces before it;
    None stands for a hard line break."""
    word: list[Piece] = []
    spaces = ""
    for raw, style, color in pieces:
        for atom in _ATOM.findall(clean(raw, style)):
            if atom[0] not in " \n":
                word.append((atom, style, color))
                continue
            if word:
                yield spaces, word
                word = []
            spaces = "" if atom == "\n" else atom
            if atom == "\n":
                yield "", None
    if word:
        yield spaces, word


def _runs(line: list[Frag]) -> Iterator[Frag]:
    """Adjacent fragments of one style and colour as a single text object."""
    text, style, color, wide = "", "", INK, 0.0
    for frag in line:
        if text and frag[1:3] != (style, color):
            yield text, style, color, wide
            text, wide = "", 0.0
        text, style, color, wide = text + frag[0], frag[1], frag[2], wide + frag[3]
    if text:
        yield text, style, color, wide


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


# --- file names -------------------------------------------------------------------------------

MAX_STEM = 80
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(10))}
)
# Letters NFKD leaves whole but that have a customary ASCII spelling.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
     "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
)  # fmt: skip


def pdf_filename(title: str, fallback: str = "goals") -> str:
    """A file name safe on Windows, macOS and Linux: ASCII, ≤ 80 characters before ".pdf"."""
    return f"{_stem(title) or _stem(fallback) or 'goals'}.pdf"


def _stem(text: object) -> str:
    decomposed = unicodedata.normalize("NFKD", _text(text).translate(_TRANSLITERATE))
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    stem = re.sub(r"[^A-Za-z0-9._]+", "-", ascii_text)
    stem = re.sub(r"[-.]*-[-.]*", "-", stem)  # "a. b", "../" → one dash
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = stem[:MAX_STEM].strip("-. ")
    first, dot, rest = stem.partition(".")
    if first.upper() in _RESERVED:  # Windows refuses "CON", "con.pdf", "COM1.x.pdf"…
        stem = f"{first}_{dot}{rest}"[:MAX_STEM].strip("-. ")
    return stem
