"""PDF export's font faces, read once per process: exports stay what fpdf2 alone would make,
and one export never sees another's glyphs, in a row or from two threads at once."""

from __future__ import annotations

import copy
import io
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from goalgetter.integrations import pdf, pdf_fonts
from goalgetter.integrations.pdf import PLACEHOLDER, goals_pdf

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


@pytest.mark.parametrize("goals", [[GREEK], [CYRILLIC], [GREEK, CYRILLIC], []])
def test_kept_faces_give_byte_for_byte_the_pdf_fpdf2s_add_font_gives(goals, monkeypatch):
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
