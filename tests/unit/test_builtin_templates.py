"""The built-in SMART and OKR templates: their structure, and honest SMART scoring."""

from __future__ import annotations

import re
import time

import pytest

from goalgetter.domain.smart import analyse_goal
from goalgetter.domain.templates import (
    BUILTIN_TEMPLATES,
    MAX_FIELD_NAME_LENGTH,
    MAX_TEMPLATE_FIELDS,
    OKR,
    SMART,
    TEMPLATE_TYPES,
    clean_fields,
    fields_from_content,
)
from goalgetter.domain.validation import (
    MAX_TEMPLATE_DESCRIPTION_LENGTH,
    MAX_TEMPLATE_NAME_LENGTH,
    check_template_description,
    normalise_template_name,
)

# What a user might write in each SMART section once the prompts are gone.
SMART_ANSWERS = {
    "Specific": "Run the Rotterdam half marathon without walking, with my club.",
    "Measurable": "Finish the 21 km in under 2 hours, timed on my watch.",
    "Achievable": "I will run three times a week: two easy runs and a long run on Sunday.",
    "Relevant": "It matters because I want the energy to keep up with my kids.",
    "Time-bound": "Race day is 12 April 2027.",
}


def sections(content: str) -> dict[str, str]:
    """Heading → the text under it, up to the next heading."""
    parts = re.split(r"^## (.+)$", content, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def replace_sections(template_content: str, answers: dict[str, str], keep_prompts: bool) -> str:
    """The template with each answered section's placeholder (and maybe prompt) replaced."""
    out = []
    for heading, body in sections(template_content).items():
        lines = body.strip().splitlines()
        prompt = [line for line in lines if line.startswith(">")] if keep_prompts else []
        answer = answers.get(heading)
        kept = [answer] if answer else [line for line in lines if line not in prompt]
        out.append("\n".join([f"## {heading}", *prompt, "", *kept]))
    return "\n\n".join(out) + "\n"


def test_there_are_exactly_smart_and_okr_with_stable_keys():
    assert [t.key for t in BUILTIN_TEMPLATES] == ["smart", "okr"]
    assert [t.template_type for t in BUILTIN_TEMPLATES] == ["smart", "okr"]
    assert SMART.fields == ("Specific", "Measurable", "Achievable", "Relevant", "Time-bound")
    assert OKR.fields == ("Objective", "Key results", "Initiatives")
    assert {t.template_type for t in BUILTIN_TEMPLATES} <= set(TEMPLATE_TYPES)


@pytest.mark.parametrize("template", BUILTIN_TEMPLATES, ids=lambda t: t.key)
def test_names_and_descriptions_pass_the_same_validation_as_user_templates(template):
    assert normalise_template_name(template.name) == template.name
    assert check_template_description(template.description) == template.description
    assert len(template.name) <= MAX_TEMPLATE_NAME_LENGTH
    assert 0 < len(template.description) <= MAX_TEMPLATE_DESCRIPTION_LENGTH
    assert "\n" not in template.description


@pytest.mark.parametrize("template", BUILTIN_TEMPLATES, ids=lambda t: t.key)
def test_every_field_has_a_heading_a_prompt_and_a_placeholder(template):
    assert fields_from_content(template.template_content) == list(template.fields)
    body = sections(template.template_content)
    assert list(body) == list(template.fields)
    for field, text in body.items():
        prompts = [line for line in text.splitlines() if line.startswith("> ")]
        placeholders = [line for line in text.splitlines() if re.fullmatch(r"_.+_", line)]
        assert len(prompts) == 1, field
        assert prompts[0].rstrip().endswith(("?", ".")), field
        assert placeholders, field


def test_smart_prompts_speak_in_the_coachs_voice():
    prompts = [line for line in SMART.template_content.splitlines() if line.startswith("> ")]
    assert prompts[0] == "> What exactly will you do? Paint it so clearly a stranger could see it."
    assert all("?" in prompt for prompt in prompts)


@pytest.mark.parametrize("template", BUILTIN_TEMPLATES, ids=lambda t: t.key)
@pytest.mark.parametrize("title", ["", "My goal", "SMART goal", "OKR"])
def test_an_untouched_template_does_not_fake_a_smart_score(template, title):
    report = analyse_goal(title, template.template_content)
    assert report.score <= 2, report.letters
    assert {"M", "R", "T"}.isdisjoint(report.letters)


@pytest.mark.parametrize("keep_prompts", [False, True], ids=["prompts replaced", "prompts kept"])
def test_a_filled_in_smart_template_scores_all_five(keep_prompts):
    filled = replace_sections(SMART.template_content, SMART_ANSWERS, keep_prompts)
    for field in SMART.fields:
        assert f"## {field}" in filled
    assert "_The date you will be done._" not in filled
    assert analyse_goal("Half marathon", filled).letters == "SMART"


def test_filling_one_section_earns_only_that_letter():
    filled = replace_sections(
        SMART.template_content, {"Measurable": SMART_ANSWERS["Measurable"]}, keep_prompts=True
    )
    assert analyse_goal("", filled).letters == "SM"


def test_a_filled_in_okr_can_score_smart_too():
    answers = {
        "Objective": "Make our bakery the neighbourhood's favourite breakfast spot.",
        "Key results": "- Grow weekday breakfast sales from 40 to 90 by the end of June\n"
        "- Lift our Google rating from 4.1 to 4.6",
        "Initiatives": "- Open at 6:30 every weekday so that commuters can stop by\n"
        "- Launch a loyalty card",
    }
    filled = replace_sections(OKR.template_content, answers, keep_prompts=True)
    assert analyse_goal("Bakery Q2", filled).letters == "SMART"


def test_fields_from_custom_markdown_are_its_headings():
    content = "# Vision ##\nWords\n## Steps\n#hashtag is not a heading\n   ### Why   \n## C#\n"
    assert fields_from_content(content) == ["Vision", "Steps", "Why", "C#"]
    assert fields_from_content("") == []
    assert fields_from_content("no headings here") == []


def test_clean_fields_never_fails_it_only_tidies():
    long = "x" * (MAX_FIELD_NAME_LENGTH + 20)
    assert clean_fields(["  Key   results ", "", "  ", long]) == [
        "Key results",
        "x" * MAX_FIELD_NAME_LENGTH,
    ]
    assert len(clean_fields([f"F{i}" for i in range(MAX_TEMPLATE_FIELDS + 5)])) == (
        MAX_TEMPLATE_FIELDS
    )


@pytest.mark.parametrize(
    "line", ["# a" + " " * 50_000 + "b", "#" + " \t" * 50_000 + "x", "## x" + " #" * 50_000]
)
def test_heading_search_stays_linear_on_hostile_lines(line):
    started = time.perf_counter()
    assert len(fields_from_content(line + "\n" * 50_000)) == 1
    assert time.perf_counter() - started < 0.5
