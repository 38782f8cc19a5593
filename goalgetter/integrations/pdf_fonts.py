"""The goals PDF's font faces, read once per process instead of once per document.

fpdf2's `add_font()` parses the TTF file again for every document (~20 ms a face here) and
`output()` subsets that parsed font, first decoding whole tables: GSUB and GPOS, which it then
drops (~7 ms a face), the glyph names (post, ~4 ms), cmap, hmtx and glyf (~8 ms, and ~12,000
objects a face for the garbage collector, which made one export in eight ~40 ms slower).
So a face is read once into a `_Face`: the `TTFFont` fpdf2 builds from it (widths, cmap,
descriptor) as a template, the file without the tables no subset keeps, and cmap, hmtx and
glyf decoded. Nothing in a `_Face` is written to after it is built, except its cache of
simple glyphs as saving compiles them (`_KeptGlyph`): the same bytes for every document, so
whichever document writes an entry first, the rest read the same.

One parsed face can't simply serve every document: `output()` subsets the fontTools font in
place, names and numbers the font descriptor, and a lookup in the widths defaultdict adds to
it. So each document gets a copy of the template with its own fontTools font, descriptor,
widths, subset map and missing-glyph list. Its fontTools font reads the small tables from
the lean file and gets copies of the decoded ones; its glyphs stay the face's bytes until
fontTools reads one (`_Outlines`), since subsetting and saving change the glyphs they read.
Two exports can therefore run in two threads at once.

Subsetting is still half of an export (~75 ms of ~150 for 12 goals): fontTools reads, prunes
and writes each face's tables again for every document. Most documents use only letters and
signs of Western European text and the layout's own marks (PRESET_CHARS), so each face also
keeps, once made, the subset fpdf2 makes for exactly those glyphs (`_Preset`); a document whose
glyphs all lie in it embeds those bytes as they are, and the document's own codes point at
their glyphs (fpdf2's CIDToGIDMap), so the text, widths and outlines are the same. It costs
~10-20 KB a face in the file. A document with any other glyph is subset as before.

This leans on how fpdf2 2.8 and fontTools 4 lay these objects out. The embedded subset is
byte for byte what `add_font()` gives, and tests/unit/test_pdf_fonts.py compares the two, so
an upgrade that changes them fails there rather than in somebody's PDF.
"""

from __future__ import annotations

import copy
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO

from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf import output as fpdf_output
from fpdf.fonts import SubsetMap, TTFFont

from goalgetter.integrations.pdf_markdown import BULLETS
from goalgetter.integrations.pdf_text import PLACEHOLDER

# fpdf2 2.8's output drops these from every embedded face (fpdf/output.py, _add_fonts).
_NEVER_EMBEDDED = frozenset({
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT",
    "EBLC", "EBSC", "SVG ", "CPAL", "COLR",
})  # fmt: skip
# Printable ASCII and Latin-1, typographic punctuation, and the marks the layout draws itself
# (SMART checks, milestone boxes, list bullets, the placeholder of a missing glyph).
PRESET_CHARS = tuple(sorted({
    *range(0x20, 0x7F), *range(0xA0, 0x100), *map(ord, "–—‘’‚“”„•…‹›€™"),
    *map(ord, "✓✗☑☐·"), *map(ord, "".join(BULLETS)), ord(PLACEHOLDER),
}))  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Preset:
    """A face's subset for the glyphs of PRESET_CHARS, as fpdf2's output makes it."""

    names: frozenset[str]
    data: bytes
    glyph_ids: dict[str, int]


class _PresetFont:
    """What fpdf2's output asks of a document's fontTools font, answered from a `_Preset`:
    nothing to subset (see `_Subsetter`), the glyphs' numbers, the bytes to embed."""

    def __init__(self, preset: _Preset) -> None:
        self.preset = preset

    def getGlyphID(self, name: str) -> int:
        return self.preset.glyph_ids[name]

    def save(self, file: BinaryIO) -> None:
        file.write(self.preset.data)

    def close(self) -> None:
        pass


class _Subsetter(ftsubset.Subsetter):
    def subset(self, font) -> None:
        if not isinstance(font, _PresetFont):  # a preset is that subset already
            super().subset(font)


# fpdf2's output subsets every face through `fontTools.subset` as it imported it.
fpdf_output.ftsubset = SimpleNamespace(Options=ftsubset.Options, Subsetter=_Subsetter)


@dataclass(frozen=True, slots=True)
class _Face:
    """One face as read from its file; nothing here is written to after it is built."""

    template: TTFFont  # never handed to a document itself, only copies of it
    lean: bytes | None  # None: a face this module can't vouch for, added the plain way
    glyph_order: tuple[str, ...]
    metrics: dict[str, tuple[int, int]]  # hmtx
    cmap: tuple[CmapSubtable, ...]
    outlines: dict[str, bytes]  # glyf, each glyph as stored
    # Each simple glyph as saving compiles it (the same in every document): filled by the
    # first document that saves it, read by the rest. The only thing written after build.
    compiled: dict[tuple, tuple[bytes, tuple[int, int, int, int]]] = field(default_factory=dict)


class _Outlines(dict):
    """A document's glyf glyphs: the face's shared bytes, each turned into this document's own
    Glyph when fontTools reads it (subsetting and saving change the glyphs they read), so a
    document allocates ~80 glyphs instead of all ~6,000."""

    __slots__ = ("compiled",)

    def __init__(self, outlines: dict[str, bytes], compiled: dict) -> None:
        super().__init__(outlines)
        self.compiled = compiled

    def __getitem__(self, name: str) -> Glyph:
        glyph = super().__getitem__(name)
        if isinstance(glyph, bytes):
            glyph = _KeptGlyph(glyph)
            glyph.kept_as, glyph.compiled = name, self.compiled
            self[name] = glyph
        return glyph

    def get(self, name: str, default: Glyph | None = None) -> Glyph | None:
        try:
            return self[name]
        except KeyError:
            return default


class _KeptGlyph(Glyph):
    """A glyph that compiles a simple outline once per face. Saving a subset decodes every
    kept glyph, recomputes its bounds and encodes its points again (~30 ms of an export);
    for a glyph without components that gives the same bytes and bounds in every document,
    as subsetting does not change its outline, so the face keeps the first document's.
    (A composite glyph names its parts by their numbers in the subset: compiled each time.)"""

    def compile(self, glyfTable, recalcBBoxes=True, *, boundsDone=None, optimizeSize=True):
        key = (self.kept_as, recalcBBoxes, optimizeSize, glyfTable is None or glyfTable.extended)
        kept = self.compiled.get(key)
        if kept is None:
            data = super().compile(
                glyfTable, recalcBBoxes, boundsDone=boundsDone, optimizeSize=optimizeSize
            )
            if not hasattr(self, "data") and self.numberOfContours > 0:
                self.compiled[key] = (data, (self.xMin, self.yMin, self.xMax, self.yMax))
            return data
        self.expand(glyfTable)  # what compiling leaves behind: decoded, with these bounds
        self.xMin, self.yMin, self.xMax, self.yMax = kept[1]
        return kept[0]


class _Codes(dict[int, str | None]):
    """Character → its code in the document's subset, as `str.translate` wants it."""

    __slots__ = ("subset",)

    def __init__(self, subset: SubsetMap) -> None:
        super().__init__()
        self.subset = subset

    def __missing__(self, char: int) -> str | None:
        code = self.subset.pick(char)  # None: no glyph, and fpdf2 leaves the character out
        value = self[char] = None if code is None else chr(code)
        return value


_TTFONT_SLOT = TTFFont.__dict__["ttfont"]  # fpdf2's own storage, behind the property below


class _DocumentFont(TTFFont):
    """fpdf2's face with a faster `encode_text()`, for faces read by this module only."""

    __slots__ = ("codes", "path")

    @property
    def ttfont(self) -> TTFont | _PresetFont:
        # Made on first use: a document that embeds its preset (use_presets) never needs its
        # own copy of the face (~1.5 ms each).
        font = _TTFONT_SLOT.__get__(self)
        if font is None:
            font = _document_ttfont(_face(self.path))
            _TTFONT_SLOT.__set__(self, font)
        return font

    @ttfont.setter
    def ttfont(self, font: TTFont | _PresetFont | None) -> None:
        _TTFONT_SLOT.__set__(self, font)

    def encode_text(self, text: str) -> str:
        # fpdf2's own loops over the characters in Python (~5 ms of a 10-goal export); the
        # same codes, picked in the same order, come out of one translate().
        return f"({self.escape_text(text.translate(self.codes))}) Tj"


_FACES: dict[Path, _Face] = {}
_LOCK = threading.Lock()
_PRESETS: dict[Path, _Preset] = {}
_PRESET_LOCK = threading.Lock()  # apart from _LOCK: making a preset reads its face


def add_face(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """What `pdf.add_font(family, style, path)` does, from the process's parsed copy of it."""
    face = _face(path)
    if face.lean is None:
        pdf.add_font(family, style, str(path))
        return
    font = _DocumentFont.__new__(_DocumentFont)
    for name in TTFFont.__slots__:
        if hasattr(face.template, name):
            setattr(font, name, getattr(face.template, name))
    font.i = len(pdf.fonts) + 1  # as add_font() numbers it: fonts appear in the PDF by it
    font.fontkey = family.lower() + style
    font.ttfont = None  # the document's copy of the face is made when first asked for
    font.cw = copy.copy(face.template.cw)  # a defaultdict: looking up a missing key adds it
    font.desc = copy.copy(face.template.desc)  # output() names and numbers it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    font.codes = _Codes(font.subset)
    font.path = path
    pdf.fonts[font.fontkey] = font


def use_presets(pdf: FPDF) -> None:
    """Just before `pdf.output()`: each face whose glyphs all lie in its preset embeds that."""
    for font in pdf.fonts.values():
        if isinstance(font, _DocumentFont):
            preset = _preset(font.path)
            if preset.names.issuperset(font.subset.get_all_glyph_names()):
                font.ttfont = _PresetFont(preset)


def _preset(path: Path) -> _Preset:
    preset = _PRESETS.get(path)
    if preset is None:
        with _PRESET_LOCK:
            preset = _PRESETS.get(path) or _make_preset(path)
            _PRESETS[path] = preset
    return preset


def _make_preset(path: Path) -> _Preset:
    """fpdf2's subset of the face for a document that uses every one of PRESET_CHARS."""
    scratch = FPDF()
    add_face(scratch, "preset", "", path)
    font = scratch.fonts["preset"]
    for char in PRESET_CHARS:
        font.subset.pick(char)
    names = font.subset.get_all_glyph_names()
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += sorted(_NEVER_EMBEDDED)  # as fpdf2's output sets them
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=names)
    subsetter.subset(font.ttfont)
    data = io.BytesIO()
    font.ttfont.save(data)
    glyph_ids = {name: font.ttfont.getGlyphID(name) for name in names}
    return _Preset(frozenset(names), data.getvalue(), glyph_ids)


def _document_ttfont(face: _Face) -> TTFont:
    """A fontTools font of the face for one document to subset in place: the small tables are
    read from the lean file, the big ones (cmap, hmtx, glyf) are copies of the face's, made
    without decoding anything."""
    assert face.lean is not None
    font = TTFont(io.BytesIO(face.lean), lazy=True, recalcTimestamp=False)
    # The glyph names come from the original file (the lean one has none): fpdf2 asks for
    # glyphs by those names.
    font.setGlyphOrder(list(face.glyph_order))
    hmtx = newTable("hmtx")
    hmtx.metrics = dict(face.metrics)
    cmap = newTable("cmap")
    cmap.tableVersion = 0
    cmap.tables = [copy.copy(table) for table in face.cmap]
    for table in cmap.tables:
        table.cmap = dict(table.cmap)  # the subsetter replaces it today; a copy costs ~0.1 ms
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf._reverseGlyphOrder = {}  # as decompile() leaves it
    glyf.glyphs = _Outlines(face.outlines, face.compiled)
    font["hmtx"], font["cmap"], font["glyf"] = hmtx, cmap, glyf
    return font


def _face(path: Path) -> _Face:
    face = _FACES.get(path)
    if face is None:
        with _LOCK:  # one read per face even when the first exports start together
            face = _FACES.get(path) or _read(path)
            _FACES[path] = face
    return face


def _read(path: Path) -> _Face:
    scratch = FPDF()
    scratch.add_font("face", "", str(path))
    template = scratch.fonts["face"]
    glyph_order = tuple(template.ttfont.getGlyphOrder())
    template.close()
    template.ttfont = None  # each document gets its own; the parsed tables would only weigh
    # Color, CFF, compressed or symbol faces, or one fpdf2 had to draw a .notdef for, are
    # set up differently by add_font(); no DejaVu face is, and the others keep the plain way.
    plain = (
        template.color_font is not None
        or template.is_cff
        or template.is_compressed
        or template.is_symbol
        or ".notdef" not in glyph_order
    )
    if plain:
        return _Face(template, None, glyph_order, {}, (), {})
    lean = _lean(path)
    with TTFont(io.BytesIO(lean), lazy=True) as font:
        font.setGlyphOrder(list(glyph_order))
        cmap = font["cmap"]
        cmap.ensureDecompiled()
        for table in cmap.tables:
            table.ttFont = None  # decoded already; it would keep this whole font alive
        glyphs = font["glyf"].glyphs
        outlines = {name: getattr(glyph, "data", b"") for name, glyph in glyphs.items()}
        return _Face(
            template, lean, glyph_order, font["hmtx"].metrics, tuple(cmap.tables), outlines
        )


def _lean(path: Path) -> bytes:
    with TTFont(path, lazy=True, recalcTimestamp=False) as font:
        has_gpos = "GPOS" in font
        for tag in _NEVER_EMBEDDED.intersection(font.keys()):
            del font[tag]
        if has_gpos and "kern" in font:  # fontTools drops it when GPOS exists (legacy_kern)
            del font["kern"]
        font["post"].formatType = 3.0  # the subset's post has no names either
        data = io.BytesIO()
        font.save(data)
        return data.getvalue()
