"""Check-in values from the form, and the coach's check-in greeting."""

import pytest

from goalgetter.coach.greeting import greeting_text
from goalgetter.domain.checkins import parse_checkin
from goalgetter.domain.validation import ValidationError


def test_a_valid_check_in():
    assert parse_checkin(" 40 ", "at_risk", "  two behind ") == {
        "progress": 40,
        "confidence": "at_risk",
        "note": "two behind",
    }
    assert parse_checkin("0", "on_track", None)["progress"] == 0
    assert parse_checkin(100, "off_track", "")["progress"] == 100


@pytest.mark.parametrize("progress", ["", "-1", "101", "40.5", "４０", "1e2", None, "<b>"])
def test_progress_must_be_a_whole_percent(progress):
    with pytest.raises(ValidationError, match="0 to 100"):
        parse_checkin(progress, "on_track", "")


@pytest.mark.parametrize("confidence", ["", "On track", "great", None])
def test_confidence_is_one_of_three(confidence):
    with pytest.raises(ValidationError, match="on track, at risk or off track"):
        parse_checkin("10", confidence, "")


def test_long_notes_are_refused():
    with pytest.raises(ValidationError, match="1,000"):
        parse_checkin("10", "on_track", "x" * 1001)


def test_greeting_names_the_person_and_the_goals():
    text = greeting_text("Otto", ["Read 12 books", "Run 10 km"])
    assert text.startswith("Welcome to your check-in, Otto!")
    assert "- **Read 12 books**\n- **Run 10 km**" in text and "percent" in text
    assert "what moved" in greeting_text("Otto", [])
