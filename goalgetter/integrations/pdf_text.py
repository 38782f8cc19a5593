"""Text for the goals PDF: what the fonts can draw, where lines break, what the file is called.

Kept apart from the page layout in `pdf.py` because all of it is about characters, not
pages, and can be read (and tested) without knowing fpdf2.

Fonts: DejaVu Sans (Latin, Greek, Cyrillic). fpdf2 silently drops glyphs a font lacks, so
every string passes `clean()` first: characters the face has no glyph for (emoji, CJK…)
become a visible □, control and format characters go.

Lines are broken here, not by fpdf2: its `write()` re-measures the line so far for every
character it adds (~20 µs a character here, most of a 10-goal export); measuring words from
the font's width table and placing each line with `text()` is an order of magnitude faster,
and makes hanging indents and quote bars simple. The measuring itself stays with the
document (it owns the loaded faces) and is passed in as `width`.

File names: the ASCII `pdf_filename()` is what every client understands; the Unicode one
(`ascii_only=False`) keeps a Greek or Cyrillic title readable where the browser supports
RFC 6266's `filename*`. Both follow the same rules for what Windows, macOS and Linux refuse.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FACES = {
    "": ("DejaVuSans.ttf", "fonts-dejavu-core"),
    "B": ("DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    "I": ("DejaVuSans-Oblique.ttf", "fonts-dejavu-extra"),
    "BI": ("DejaVuSans-BoldOblique.ttf", "fonts-dejavu-extra"),
}
PLACEHOLDER = "□"  # U+25A1, present in all four faces

Color = tuple[int, int, int]
Piece = tuple[str, str, Color]  # text, font style ("", "B", "I", "BI"), colour
Frag = tuple[str, str, Color, float]  # a piece measured, in mm
Measure = Callable[[str, str, float], float]  # (text, style, size in pt) → width in mm

_ATOM = re.compile(r"\n| +|[^ \n]+")
# Invisible modifiers (emoji presentation, ideographic variants): a □ for them would be noise.
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))


# --- glyph coverage and cleaning --------------------------------------------------------------


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


# --- line breaking ----------------------------------------------------------------------------


def wrap(pieces: Iterable[Piece], size: float, max_w: float, width: Measure) -> list[list[Frag]]:
    """The pieces, cleaned, as lines no wider than max_w; spaces at a break are dropped."""
    line: list[Frag] = []
    lines = [line]
    x = 0.0
    for spaces, word in _words(pieces):
        if word is None:  # hard line break
            line = []
            lines.append(line)
            x = 0.0
            continue
        if len(word) == 1:  # most words: measured without the generator, wrap() is ~20% faster
            text, style, color = word[0]
            wide = width(text, style, size)
            frags = [(text, style, color, wide)]
        else:
            frags = [(text, style, color, width(text, style, size)) for text, style, color in word]
            wide = sum(frag[3] for frag in frags)
        gap = width(spaces, line[-1][1], size) if spaces and line else 0.0
        if line and x + gap + wide > max_w:
            line = []
            lines.append(line)
            x, gap = 0.0, 0.0
        if gap:
            last = line[-1]
            line.append((spaces, last[1], last[2], gap))
        if wide > max_w:  # a URL or a run of letters wider than the page
            chunks = split_chars(frags, size, max_w, width)
            line.extend(chunks[0])
            lines.extend(chunks[1:])
            line = lines[-1]
            x = sum(frag[3] for frag in line)
            continue
        line.extend(frags)
        x += gap + wide
    return lines


def split_chars(frags: list[Frag], size: float, max_w: float, width: Measure) -> list[list[Frag]]:
    """Fragments cut between any two characters into lines no wider than max_w."""
    lines: list[list[Frag]] = [[]]
    x = 0.0
    for text, style, color, _ in frags:
        start, chunk_w = 0, 0.0
        for index, char in enumerate(text):
            char_w = width(char, style, size)
            if x + char_w > max_w and (index > start or lines[-1]):
                if index > start:
                    lines[-1].append((text[start:index], style, color, chunk_w))
                lines.append([])
                start, chunk_w, x = index, 0.0, 0.0
            chunk_w += char_w
            x += char_w
        lines[-1].append((text[start:], style, color, chunk_w))
    return lines


def runs(line: list[Frag]) -> Iterator[Frag]:
    """Adjacent fragments of one style and colour as a single text object."""
    text, style, color, wide = "", "", (0, 0, 0), 0.0
    for frag in line:
        if text and frag[1:3] != (style, color):
            yield text, style, color, wide
            text, wide = "", 0.0
        text, style, color, wide = text + frag[0], frag[1], frag[2], wide + frag[3]
    if text:
        yield text, style, color, wide


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


# --- file names -------------------------------------------------------------------------------

MAX_STEM = 80  # characters before ".pdf"
# 80 three-byte characters (CJK, Devanagari) still fit; more would overflow the 255-byte name
# limit of ext4 and others once ".pdf" and a browser's " (1)" for a duplicate are added.
MAX_STEM_BYTES = 240
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(10))}
)
# Letters NFKD leaves whole but that have a customary ASCII spelling.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
     "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
)  # fmt: skip


def pdf_filename(title: str, fallback: str = "goals", *, ascii_only: bool = True) -> str:
    """A file name safe on Windows, macOS and Linux, ≤ 80 characters before ".pdf".

    ASCII by default (accents dropped, ß → ss; other scripts vanish). With ascii_only=False
    letters, marks and digits of any script stay, NFC-composed; punctuation, symbols (emoji),
    spaces and control or format characters become "-" either way. For an ASCII title both
    give the same name.
    """
    stem = _stem(title, ascii_only) or _stem(fallback, ascii_only) or "goals"
    return f"{stem}.pdf"


def _stem(text: object, ascii_only: bool) -> str:
    text = "" if text is None else str(text)
    if ascii_only:
        decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
        stem = re.sub(r"[^A-Za-z0-9._]+", "-", ascii_text)
    else:
        stem = "".join(char if _kept(char) else "-" for char in unicodedata.normalize("NFC", text))
    stem = re.sub(r"[-.]*-[-.]*", "-", stem)  # "a. b", "../" → one dash
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = _fit(stem)
    first, dot, rest = stem.partition(".")
    # Windows refuses "CON", "con.pdf", "COM1.x.pdf", and "COM¹" too (NFKC: "COM1").
    if unicodedata.normalize("NFKC", first).upper() in _RESERVED:
        stem = _fit(f"{first}_{dot}{rest}")
    return stem


def _kept(char: str) -> bool:
    if char.isascii():
        return char.isalnum() or char in "._"
    return unicodedata.category(char)[0] in "LMN"  # letters, combining marks, digits


def _fit(stem: str) -> str:
    stem = stem[:MAX_STEM].encode()[:MAX_STEM_BYTES].decode(errors="ignore")
    return stem.strip("-. ")
