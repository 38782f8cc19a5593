"""Tags, milestone titles, dates and template names: normalised or refused with a message."""

import pytest

from goalgetter.domain.validation import (
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_GOAL,
    ValidationError,
    add_tag,
    normalise_milestone_title,
    normalise_tag,
    normalise_template_name,
    parse_optional_date,
)


def test_tags_are_tidied_and_not_repeated():
    assert normalise_tag("  #Health   and  fitness ") == "Health and fitness"
    assert add_tag(["Health"], "health") == ["Health"]
    assert add_tag(["Health"], "Career") == ["Health", "Career"]
    hostile = "<img src=x onerror=alert(1)>"
    assert add_tag([], hostile) == [hostile]  # stored as text; rendered as text


@pytest.mark.parametrize(
    ("raw", "code"),
    [("", "tag_empty"), ("  # ", "tag_empty"), ("x" * (MAX_TAG_LENGTH + 1), "tag_long")],
)
def test_bad_tags_are_refused(raw, code):
    with pytest.raises(ValidationError) as refused:
        normalise_tag(raw)
    assert refused.value.code == code and refused.value.message


def test_tag_count_is_limited():
    full = [f"t{i}" for i in range(MAX_TAGS_PER_GOAL)]
    with pytest.raises(ValidationError, match="at most 20 tags"):
        add_tag(full, "one more")
    assert add_tag(full, "T1") == full  # a repeat is not one more


@pytest.mark.parametrize(
    ("raw", "stored"), [("2027-03-31", "2027-03-31"), (" 2027-03-31 ", "2027-03-31"), ("", None)]
)
def test_dates(raw, stored):
    assert parse_optional_date(raw) == stored


@pytest.mark.parametrize(
    "raw", ["31/03/2027", "2027-1-5", "2027-02-30", "tomorrow", "1999-12-31", "2101-01-01"]
)
def test_bad_dates_are_refused(raw):
    with pytest.raises(ValidationError) as refused:
        parse_optional_date(raw)
    assert refused.value.code in ("date_invalid", "date_range")


def test_milestone_and_template_names():
    assert normalise_milestone_title("  Run\n 5 km ") == "Run 5 km"
    with pytest.raises(ValidationError, match="Name the milestone"):
        normalise_milestone_title("   ")
    with pytest.raises(ValidationError, match="at most 200"):
        normalise_milestone_title("x" * 201)
    assert normalise_template_name(" My  plan ") == "My plan"
    with pytest.raises(ValidationError, match="Give the template a name"):
        normalise_template_name("")
