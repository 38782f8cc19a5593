"""PDF export's font faces, read once per process: exports stay what fpdf2 alone would make,
and one export never sees another's glyphs, in a row or from two threads at once. A document
in Western European text embeds each face's prepared subset and draws every character with
the outline its face gives it."""

from __future__ import annotations

import asyncio
import copy
import io
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader

from goalgetter import exports
from goalgetter.integrations import pdf, pdf_fonts
from goalgetter.integrations.pdf import PLACEHOLDER, goals_pdf
from goalgetter.integrations.pdf_text import FACES, font_path

EXPORTED = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
# Two documents with little in common: different scripts, faces and placeholders, so a
# glyph or code shared between them by mistake shows up as wrong or missing text.
GREEK = {
    "title": "Καλημέρα κόσμε",
    "content": "# Στόχος\n\nΚάθε πρωί **μία σελίδα** 🎯 και ***πάντα*** `κώδικας`.\n\n- Ζωή",
    "metadata": {"tags": ["ελληνικά"], "milestones": [{"title": "Πρώτο βήμα", "done": True}]},
}
CYRILLIC = {
    "title": "Привет мир",
    "content": "Каждый вечер *двадцать слов* 目標, [план](https://example.com/план).\n\n> Цель",
    "metadata": {"deadline": "2026-05-01", "milestones": [{"title": "Экзамен"}]},
}
# Every face, the layout's own marks (SMART checks, boxes, bullets) and Latin-1's letters.
WESTERN = {
    "title": "Café crème: run 5 km — “every” week",
    "content": "# Why\n\nI *will* run **three** times a week, ***because*** it matters… "
    "Größe, señor, Øresund, £20, €15, 50%\n\n- first\n  - second\n\n> quote `code`",
    "metadata": {
        "deadline": "2026-09-01",
        "milestones": [{"title": "Book the race", "done": True}, {"title": "10 km"}],
    },
}


def export(goals: list) -> bytes:
    return goals_pdf(goals, exported_at=EXPORTED, tz=BERLIN, title="Wall")


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def assert_own_text(data: bytes, own: dict, other: dict) -> None:
    text = text_of(data)
    assert own["title"] in text
    assert other["title"] not in text
    for word in own["content"].replace("*", " ").split():
        if word.isalpha():
            assert word in text, word


def drawn(data: bytes) -> dict[tuple[str, str], list]:
    """(face's name, character) → the outline the PDF draws for it: each code's character
    from the ToUnicode map, its glyph from the CIDToGIDMap, that glyph's outline from the
    embedded font."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cid_font = font["/DescendantFonts"][0].get_object()
            name = str(font["/BaseFont"]).split("+", 1)[1]
            gids = cid_font["/CIDToGIDMap"].get_object().get_data()
            embedded = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_data()))
            glyphs, order = embedded.getGlyphSet(), embedded.getGlyphOrder()
            codes = font["/ToUnicode"].get_object().get_data().decode()
            for code, char in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", codes):
                if char in ("0000", "FFFF"):  # fpdf2's codes for .notdef and a spare glyph
                    continue
                at = int(code, 16) * 2
                pen = DecomposingRecordingPen(glyphs)
                glyphs[order[int.from_bytes(gids[at : at + 2])]].draw(pen)
                found[(name, chr(int(char, 16)))] = pen.value
    return found


def outlines_of_the_faces(characters) -> dict[tuple[str, str], list]:
    found = {}
    for style in FACES:
        face, name = TTFont(font_path(style)), pdf_fonts._face(font_path(style)).template.name
        cmap, glyphs = face.getBestCmap(), face.getGlyphSet()
        for char in characters:
            pen = DecomposingRecordingPen(glyphs)
            glyphs[cmap[ord(char)]].draw(pen)
            found[(name, char)] = pen.value
    return found


def embedded_fonts(data: bytes) -> list[bytes]:
    pages = PdfReader(io.BytesIO(data)).pages
    fonts = {
        ref.idnum: ref.get_object() for p in pages for ref in p["/Resources"]["/Font"].values()
    }
    return [
        f["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontFile2"].get_data()
        for f in fonts.values()
    ]


def test_a_western_document_draws_every_character_with_its_faces_outline(monkeypatch):
    data = export([WESTERN])
    presets = {preset.data for preset in pdf_fonts._PRESETS.values()}
    assert len(embedded_fonts(data)) == 4
    assert all(font in presets for font in embedded_fonts(data))  # nothing subset again
    shown = drawn(data)
    assert {"é", "ß", "Ø", "€", "—", "✓", "☑", "☐", "•", "◦"} <= {char for _, char in shown}
    assert shown == {key: outline for key, outline in outlines_of_the_faces(
        {char for _, char in shown}).items() if key in shown}  # fmt: skip

    monkeypatch.setattr(pdf, "use_presets", lambda doc: None)  # each face subset as before
    alone = export([WESTERN])
    assert text_of(alone) == text_of(data)
    assert drawn(alone) == shown
    assert len(data) - len(alone) < 4 * 25_000  # the price: a larger subset of each face


def test_one_glyph_from_beyond_the_preset_has_that_face_subset_as_before():
    data = export([{**WESTERN, "title": WESTERN["title"] + " Ωμέγα"}])  # Greek, bold title
    presets = {preset.data for preset in pdf_fonts._PRESETS.values()}
    assert sum(font not in presets for font in embedded_fonts(data)) == 1
    assert "Ωμέγα" in text_of(data)


def test_only_a_face_subset_again_gets_its_own_copy_of_the_face(monkeypatch):
    export([WESTERN])  # every preset made
    copied = []
    make_copy = pdf_fonts._document_ttfont
    monkeypatch.setattr(
        pdf_fonts, "_document_ttfont", lambda face: copied.append(face) or make_copy(face)
    )
    export([WESTERN])
    assert copied == []
    export([{**WESTERN, "title": WESTERN["title"] + " Ωμέγα"}])
    assert len(copied) == 1


@pytest.mark.parametrize("goals", [[GREEK], [CYRILLIC], [GREEK, CYRILLIC], [WESTERN], []])
def test_kept_faces_give_byte_for_byte_the_pdf_fpdf2s_add_font_gives(goals, monkeypatch):
    monkeypatch.setattr(pdf, "use_presets", lambda doc: None)  # every face subset, as fpdf2 does
    kept = export(goals)
    again = export(goals)  # its simple glyphs as the first export compiled them

    def add_font(doc, family, style, path):  # as exports were made before faces were kept
        doc.add_font(family, style, str(path))

    monkeypatch.setattr(pdf, "add_face", add_font)
    assert export(goals) == kept == again


def test_each_simple_glyph_is_compiled_once_per_face():
    export([GREEK, CYRILLIC])
    kept = {path: dict(face.compiled) for path, face in pdf_fonts._FACES.items()}
    assert sum(map(len, kept.values())) > 50
    export([CYRILLIC])
    assert {path: face.compiled for path, face in pdf_fonts._FACES.items()} == kept


def test_exports_in_a_row_each_hold_exactly_their_own_text():
    first, second, again = export([GREEK]), export([CYRILLIC]), export([GREEK])
    assert_own_text(first, GREEK, CYRILLIC)
    assert_own_text(second, CYRILLIC, GREEK)
    assert again == first  # nothing the first export did stayed behind for the third
    assert text_of(first).count(PLACEHOLDER) == 1  # 🎯
    assert text_of(second).count(PLACEHOLDER) == 2  # 目標


def test_an_export_leaves_the_shared_faces_as_they_were():
    export([GREEK])  # every face read
    faces = list(pdf_fonts._FACES.values())
    before = [
        (vars(face.template.desc).copy(), dict(face.template.cw), dict(face.outlines))
        for face in faces
    ]
    tables = [[(copy.copy(vars(table)), dict(table.cmap)) for table in face.cmap] for face in faces]
    export([GREEK, CYRILLIC])
    after = [
        (vars(face.template.desc).copy(), dict(face.template.cw), dict(face.outlines))
        for face in faces
    ]
    assert after == before
    assert [[(vars(t), dict(t.cmap)) for t in face.cmap] for face in faces] == tables
    assert all(isinstance(data, bytes) for face in faces for data in face.outlines.values())


def test_two_threads_exporting_at_once_each_get_their_own_pdf(monkeypatch):
    expected = {"greek": export([GREEK]), "cyrillic": export([CYRILLIC])}
    monkeypatch.setattr(pdf_fonts, "_FACES", {})  # both threads start by reading the faces
    start = threading.Barrier(2)

    def exports(name: str) -> list[bytes]:
        goals = [GREEK] if name == "greek" else [CYRILLIC]
        start.wait()
        return [export(goals) for _ in range(6)]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so the two exports interleave
    try:
        with ThreadPoolExecutor(2) as pool:
            results = dict(zip(expected, pool.map(exports, expected), strict=True))
    finally:
        sys.setswitchinterval(interval)
    for name, pdfs in results.items():
        assert all(data == expected[name] for data in pdfs), name
    assert_own_text(results["greek"][-1], GREEK, CYRILLIC)
    assert_own_text(results["cyrillic"][-1], CYRILLIC, GREEK)


def test_a_preset_is_byte_for_byte_fpdf2s_subset_of_its_characters():
    def document(add_regular) -> FPDF:
        doc = FPDF()
        doc.set_creation_date(EXPORTED)
        add_regular(doc)
        doc.add_page()
        doc.set_font("face", "", 12)
        doc.multi_cell(w=0, text="".join(map(chr, pdf_fonts.PRESET_CHARS)))
        for char in pdf_fonts.PRESET_CHARS:  # those it lays out as no glyph too (soft hyphen)
            doc.fonts["face"].subset.pick(char)
        return doc

    kept = document(lambda doc: pdf_fonts.add_face(doc, "face", "", font_path("")))
    pdf_fonts.use_presets(kept)
    assert isinstance(kept.fonts["face"].ttfont, pdf_fonts._PresetFont)
    plain = document(lambda doc: doc.add_font("face", "", str(font_path(""))))
    assert bytes(kept.output()) == bytes(plain.output())


def test_the_warm_up_reads_every_face_and_makes_its_preset(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "_FACES", {})
    monkeypatch.setattr(pdf_fonts, "_PRESETS", {})
    exports.warm_up()
    every_face = {font_path(style) for style in FACES}
    assert set(pdf_fonts._FACES) == every_face
    assert set(pdf_fonts._PRESETS) == every_face


async def test_the_app_warms_the_pdf_up_in_a_thread_at_start_up(monkeypatch):
    warmed = threading.Event()
    threads = []

    def warm_up() -> None:
        threads.append(threading.get_ident())
        warmed.set()

    monkeypatch.setattr(exports, "warm_up", warm_up)
    async with exports.pdf_lifespan():
        assert await asyncio.to_thread(warmed.wait, 10)
    assert threads and threads[0] != threading.get_ident()  # the event loop went on meanwhile


async def test_a_failed_warm_up_is_logged_and_the_app_starts(monkeypatch, caplog):
    def warm_up() -> None:
        raise RuntimeError("PDF export needs the font …, which is missing")

    monkeypatch.setattr(exports, "warm_up", warm_up)
    async with exports.pdf_lifespan():
        await asyncio.to_thread(exports._warm_up_quietly)  # the same call, awaited here
    assert "could not be prepared" in caplog.text
