"""PDF export: real PDFs from goals_pdf, read back with pypdf (text, fonts, sizes)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from goalgetter.domain.smart import analyse_goal
from goalgetter.exports import content_disposition
from goalgetter.integrations import pdf_text
from goalgetter.integrations.pdf import PLACEHOLDER, goals_pdf, pdf_filename

EXPORTED = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Berlin, 30 min before DST
BERLIN = ZoneInfo("Europe/Berlin")
CONTENT = """# Training plan

I run **three times a week** and *never skip* the long run, with `pace.csv` as my log.

## Steps

1. Buy proper shoes
2. Join the Tuesday club
   - warm up with strides
   - cool down with stretches

- loose bullet item

> Slow is smooth, smooth is fast.

### Details

```
week 1: 3 x 5 km
```

See [the plan](https://example.com/plan).
"""
GOAL = {
    "title": "Run a half marathon",
    "content": CONTENT,
    "phase": "active",
    "template_type": "smart",
    "metadata": {
        "deadline": "2026-09-27",
        "tags": ["running", "health"],
        "milestones": [
            {"id": "m1", "title": "Run 10 km without stopping", "due": "2026-05-01", "done": True},
            {"id": "m2", "title": "Finish a 15 km race", "due": None, "done": False},
        ],
    },
}


def export(goals: list, **options) -> bytes:
    options.setdefault("exported_at", EXPORTED)
    options.setdefault("tz", BERLIN)
    data = goals_pdf(goals, **options)
    assert data.startswith(b"%PDF-")
    return data


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def runs(data: bytes, page: int = 0) -> list[tuple[str, str, float]]:
    """(text, font name, size in pt) of every text run drawn on the page."""
    found: list[tuple[str, str, float]] = []

    def visit(text, _cm, _tm, font, size):
        if text.strip():
            found.append((text.strip(), str(font.get("/BaseFont", "")) if font else "", size))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found


def font_of(data: bytes, text: str) -> tuple[str, float]:
    matches = [(font, size) for run, font, size in runs(data) if text in run]
    assert matches, f"{text!r} not drawn"
    return matches[0]


def test_goal_page_shows_title_meta_tags_and_milestones():
    text = pages(export([GOAL]))[0]
    assert "Run a half marathon" in text
    assert "Active" in text
    assert "SMART template" in text
    assert "Deadline 2026-09-27" in text
    assert "#running" in text and "#health" in text
    assert "Milestones 1/2 done" in text
    assert re.search(r"☑\s*Run 10 km without stopping\s*· due 2026-05-01", text)
    assert re.search(r"☐\s*Finish a 15 km race", text)
    assert not re.search(r"☐\s*Run 10 km", text)
    assert not re.search(r"☑\s*Finish a 15 km", text)


def test_check_ins_follow_the_text_oldest_first_dated_in_the_users_zone():
    goal = {**GOAL, "_id": "g1"}
    checkins = {
        "g1": [
            # 23:30 UTC on 1 March is already 2 March in Berlin.
            {"start": datetime(2027, 3, 1, 23, 30, tzinfo=UTC), "progress": 20,
             "confidence": "on_track", "note": ""},
            {"start": datetime(2027, 3, 8, 8, 0, tzinfo=UTC), "progress": 35,
             "confidence": "at_risk", "note": "Knee <b>sore</b>"},
        ],
        "other goal": [{"start": datetime(2027, 3, 8, tzinfo=UTC), "progress": 99,
                        "confidence": "off_track", "note": "not this goal"}],
    }  # fmt: skip
    text = "\n".join(pages(export([goal], checkins=checkins)))
    assert "Check-ins 2 recorded" in text
    first = text.index("02 Mar 2027")
    assert re.search(r"02 Mar 2027\s*20%\s*On track", text)
    assert re.search(r"08 Mar 2027\s*35%\s*At risk\s*Knee <b>sore</b>", text)
    assert text.index("Training plan") < first < text.index("08 Mar 2027")
    assert "99%" not in text and "not this goal" not in text
    assert "Check-ins" not in "\n".join(pages(export([goal])))


def test_smart_line_shows_every_letter_with_its_own_result():
    goal = {"title": "Get fitter", "content": "Run 5 km every week because it matters to me."}
    report = analyse_goal(goal["title"], goal["content"])
    assert 0 < report.score < 5  # a mix, so a renderer that marks all alike fails
    line = next(line for line in pages(export([goal]))[0].splitlines() if "SMART" in line)
    assert f"{report.score}/5" in line
    for check in report.checks:
        assert re.search(rf"{check.letter}\s*{'✓' if check.passed else '✗'}", line), line
    missing = ", ".join(check.name for check in report.missing)
    assert f"To sharpen: {missing}" in pages(export([goal]))[0]


def test_markdown_structure_is_rendered():
    data = export([GOAL])
    text = pages(data)[0]
    for expected in (
        "Training plan",
        "Steps",
        "Details",
        "I run three times a week and never skip the long run",
        "Slow is smooth, smooth is fast.",
        "week 1: 3 x 5 km",
        "the plan (https://example.com/plan)",
    ):
        assert expected in text
    assert "**" not in text and "`" not in text and "# " not in text
    assert re.search(r"1\.\s*Buy proper shoes", text)
    assert re.search(r"2\.\s*Join the Tuesday club", text)
    assert re.search(r"◦\s*warm up with strides", text)  # nested bullet level
    assert re.search(r"•\s*loose bullet item", text)


def test_bold_italic_and_headings_use_the_right_faces_and_sizes():
    data = export([GOAL])
    assert font_of(data, "three times a week")[0].endswith("+DejaVuSansBold")
    assert font_of(data, "never skip")[0].endswith("+DejaVuSansOblique")
    assert font_of(data, "I run")[0].endswith("+DejaVuSansBook")
    body = font_of(data, "I run")[1]
    sizes = [font_of(data, name) for name in ("Training plan", "Steps", "Details")]
    assert all(font.endswith("+DejaVuSansBold") for font, _ in sizes)
    assert sizes[0][1] > sizes[1][1] > sizes[2][1] > body


@pytest.mark.parametrize(
    "sample", ["Crème brûlée à Zürich", "Καλημέρα κόσμε", "Привет мир", "Ångström Øre Łódź"]
)
def test_latin_greek_and_cyrillic_are_extracted_intact(sample):
    goal = {"title": sample, "content": f"{sample}\n\n**{sample}**\n\n*{sample}*\n\n***{sample}***"}
    text = pages(export([goal]))[0]
    assert text.count(sample) == 5
    assert PLACEHOLDER not in text


def test_decomposed_accents_are_composed_not_replaced():
    text = pages(export([{"title": "Cafe\u0301", "content": "nai\u0308ve"}]))[0]
    assert "Café" in text and "naïve" in text
    assert PLACEHOLDER not in text


def test_glyphs_the_font_lacks_become_visible_placeholders():
    goal = {"title": "Goal 🎯", "content": "Focus: 🎯 目標 done"}
    text = pages(export([goal]))[0]
    assert f"Focus: {PLACEHOLDER} {PLACEHOLDER * 2} done" in text
    assert f"Goal {PLACEHOLDER}" in text
    assert text.count(PLACEHOLDER) == 4  # 🎯 twice, 目 and 標


def test_control_and_invisible_format_characters_are_stripped():
    goal = {"title": "Clean\x00 title", "content": "Zero\u200bWidth\x07Bell\x1b and ❤\ufe0f"}
    text = pages(export([goal]))[0]
    assert "Clean title" in text
    assert "ZeroWidthBell and ❤" in text
    assert PLACEHOLDER not in text


def test_hostile_html_and_links_appear_literally_and_inert():
    content = (
        "<script>alert(1)</script>\n\n"
        "Look <img src=x onerror=alert(1)> here\n\n"
        "[click](javascript:alert(1))"
    )
    data = export([{"title": "<b>Bold?</b>", "content": content}])
    text = pages(data)[0]
    assert "<script>alert(1)</script>" in text
    assert "Look <img src=x onerror=alert(1)> here" in text
    assert "<b>Bold?</b>" in text
    assert "[click](javascript:alert(1))" in text  # markdown-it refuses the link: stays text
    assert b"/JavaScript" not in data and b"/URI" not in data and b"/Annots" not in data


def test_footer_numbers_pages_and_shows_export_time_in_user_timezone():
    goals = [{"title": f"Goal {n}", "content": "text"} for n in range(3)]
    texts = pages(export(goals))
    assert len(texts) == 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of 3" in text
        assert "Exported 2026-03-29 01:30 CET (Europe/Berlin)" in text
        assert f"Goal {number - 1}" in text


def test_export_time_follows_daylight_saving_and_other_zones():
    after_switch = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    berlin = pages(export([GOAL], exported_at=after_switch))[0]
    assert "Exported 2026-03-29 03:30 CEST" in berlin
    tokyo = pages(export([GOAL], tz=ZoneInfo("Asia/Tokyo")))[0]
    assert "Exported 2026-03-29 09:30 JST (Asia/Tokyo)" in tokyo
    naive_is_utc = pages(export([GOAL], exported_at=datetime(2026, 3, 29, 0, 30)))[0]
    assert "Exported 2026-03-29 01:30 CET" in naive_is_utc


def test_each_goal_starts_on_its_own_page_with_continuation_header():
    long_goal = {"title": "Long one", "content": "\n\n".join(["word " * 200] * 12)}
    texts = pages(export([long_goal, {"title": "Short one"}], title="Wall"))
    assert len(texts) >= 3
    assert texts[0].count("Long one") == 1  # no "(continued)" on its first page
    assert "Long one (continued)" in texts[1]
    assert "Short one" in texts[-1] and "Long one" not in texts[-1]
    assert all(text.startswith("Wall") for text in texts)


def test_100k_characters_of_content_span_many_pages_without_loss():
    paragraphs = [f"Paragraph P{n:04d} " + "steady progress every week " * 9 for n in range(400)]
    content = "\n\n".join(paragraphs)
    assert len(content) >= 100_000
    texts = pages(export([{"title": "Big", "content": content}]))
    assert len(texts) > 20
    joined = "\n".join(texts)
    assert all(f"P{n:04d}" in joined for n in range(400))
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]


def test_unbroken_text_wider_than_the_page_is_wrapped_not_cut():
    texts = pages(export([{"title": "Wide", "content": "Q" * 3000 + "\n\n```\n" + "Z" * 500}]))
    joined = "".join(texts)
    assert joined.count("Q") == 3000
    assert joined.count("Z") == 500


def test_nesting_deeper_than_markdown_it_allows_is_printed_not_dropped():
    content = ">" * 30 + " hidden quote\n\n" + "- " * 15 + "hidden item\n\nafter"
    text = pages(export([{"title": "Deep", "content": content}]))[0]
    assert "hidden quote" in text
    assert "hidden item" in text
    assert "after" in text


def test_empty_export_is_a_valid_pdf_with_a_friendly_line():
    texts = pages(export([], title="My goals"))
    assert len(texts) == 1
    assert "My goals" in texts[0]
    assert "No active goals" in texts[0]
    assert "Page 1 of 1" in texts[0]


def test_missing_keys_and_odd_values_are_tolerated():
    goals = [
        {},
        {"title": None, "metadata": None},
        {"title": "Odd", "metadata": {"tags": None, "milestones": ["junk", {"done": 1}]}},
        "not a goal",
    ]
    texts = pages(export(goals))
    assert len(texts) == 3
    assert "Untitled goal" in texts[0] and "No deadline" in texts[0]
    assert re.search(r"☑\s*Untitled milestone", texts[2])


def test_missing_font_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_text, "FONT_DIR", tmp_path)  # font_path() reads it there
    with pytest.raises(RuntimeError, match=r"DejaVuSans\.ttf.*fonts-dejavu-core"):
        export([GOAL])
    (tmp_path / "DejaVuSans.ttf").symlink_to("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    (tmp_path / "DejaVuSans-Bold.ttf").symlink_to(
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    )
    with pytest.raises(RuntimeError, match=r"DejaVuSans-Oblique\.ttf.*fonts-dejavu-extra"):
        export([])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Run a 10k — in Zürich!", "Run-a-10k-in-Zurich.pdf"),
        ("Crème brûlée à Zürich", "Creme-brulee-a-Zurich.pdf"),
        ("Straße & Smørrebrød", "Strasse-Smorrebrod.pdf"),
        ("plans/2026\\q1:draft?", "plans-2026-q1-draft.pdf"),
        ("../../etc/passwd", "etc-passwd.pdf"),
        ("..", "goals.pdf"),
        ("  .hidden. ", "hidden.pdf"),
        ("v1.2 plan", "v1.2-plan.pdf"),
        ("CON", "CON_.pdf"),
        ("con.txt", "con_.txt.pdf"),
        ("LPT1", "LPT1_.pdf"),
        ("COM¹", "COM1_.pdf"),
        ("Console", "Console.pdf"),
        ("", "goals.pdf"),
        ("🎯🎯🎯", "goals.pdf"),
        ("Привет мир", "goals.pdf"),
    ],
)
def test_pdf_filename(title, expected):
    assert pdf_filename(title) == expected


def test_pdf_filename_caps_length_and_uses_the_fallback():
    name = pdf_filename("Long title " * 30)
    assert name.endswith(".pdf") and len(name) - len(".pdf") <= 80
    assert not name[: -len(".pdf")].endswith(("-", ".", " "))
    assert pdf_filename("", fallback="my goals") == "my-goals.pdf"
    assert pdf_filename("🎯", fallback="🎯") == "goals.pdf"


@pytest.mark.parametrize(
    "title",
    ["a" * 300, "é" * 300, "-" * 90 + "x", "x." * 50, "NUL.tar.gz", " \t\n", "a" * 79 + "é"],
)
def test_pdf_filename_is_always_portable(title):
    name = pdf_filename(title)
    stem = name.removesuffix(".pdf")
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*", stem), name
    assert len(stem) <= 80 and not stem.endswith((".", "-"))
    assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Καλημέρα κόσμε", "Καλημέρα-κόσμε.pdf"),
        ("Привет/мир", "Привет-мир.pdf"),
        ("Crème brûlée à Zürich", "Crème-brûlée-à-Zürich.pdf"),
        ("Straße & Smørrebrød", "Straße-Smørrebrød.pdf"),
        ("Cafe\u0301", "Café.pdf"),  # composed (NFC), as the ASCII name is decomposed
        ("नमस्ते दुनिया", "नमस्ते-दुनिया.pdf"),  # combining vowel signs stay with their letters
        ("目標 2026", "目標-2026.pdf"),
        ('<a>:"b"/\\c|d?*e', "a-b-c-d-e.pdf"),
        ("Цель\x00\x1f\u202egnp.exe", "Цель-gnp.exe.pdf"),  # control and bidi characters
        ("  ..Отчёт.. ", "Отчёт.pdf"),
        ("CON", "CON_.pdf"),
        ("con.txt", "con_.txt.pdf"),
        ("COM¹", "COM¹_.pdf"),  # Windows reserves the superscript digits too
        ("Консоль", "Консоль.pdf"),
        ("🎯🎯🎯", "goals.pdf"),
        ("🎯 ✨", "goals.pdf"),
        ("", "goals.pdf"),
    ],
)
def test_unicode_pdf_filename(title, expected):
    assert pdf_filename(title, ascii_only=False) == expected


@pytest.mark.parametrize(
    "title", ["Run a 10k in Zurich!", "Ann's marathon", "../../etc/passwd", "CON", "x." * 50, ""]
)
def test_unicode_pdf_filename_of_an_ascii_title_is_the_ascii_one(title):
    assert pdf_filename(title, ascii_only=False) == pdf_filename(title)


@pytest.mark.parametrize(
    "title",
    ["Ж" * 300, "目" * 300, "𠀀" * 300, "й" * 79 + "\u0306", "Ω." * 50, "ß-" * 60, "\u3000Ω\u3000"],
)
def test_unicode_pdf_filename_is_always_portable(title):
    name = pdf_filename(title, ascii_only=False)
    stem = name.removesuffix(".pdf")
    assert stem and unicodedata.is_normalized("NFC", stem)
    assert not re.search(r'[<>:"/\\|?*\s]', stem), name
    assert all(unicodedata.category(char)[0] in "LMN" or char in "._-" for char in stem)
    assert len(stem) <= 80 and len(stem.encode()) <= 240
    assert not stem.endswith((".", "-")) and not stem.startswith((".", "-"))


def test_unicode_pdf_filename_falls_back():
    assert pdf_filename("🎯", fallback="Ζωή", ascii_only=False) == "Ζωή.pdf"
    assert pdf_filename("🎯", fallback="🎯", ascii_only=False) == "goals.pdf"


def test_content_disposition_adds_filename_star_only_for_a_unicode_name():
    ascii_name = pdf_filename("Ann's marathon")
    assert content_disposition(ascii_name, pdf_filename("Ann's marathon", ascii_only=False)) == (
        'attachment; filename="Ann-s-marathon.pdf"'
    )
    title = "Привет/мир"
    header = content_disposition(pdf_filename(title), pdf_filename(title, ascii_only=False))
    assert header == (
        'attachment; filename="goals.pdf"; '
        "filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82-%D0%BC%D0%B8%D1%80.pdf"
    )
    title = "Crème brûlée"
    header = content_disposition(pdf_filename(title), pdf_filename(title, ascii_only=False))
    assert header == (
        'attachment; filename="Creme-brulee.pdf"; '
        "filename*=UTF-8''Cr%C3%A8me-br%C3%BBl%C3%A9e.pdf"
    )
