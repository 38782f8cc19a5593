"""What the coach is told about a check-in's times: never a talk the gate will not open for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from goalgetter.coach.meeting_brief import brief_text

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)  # 18:00 in Berlin, a Tuesday


def meeting(meeting_id: str, start: datetime, status: str) -> dict:
    return {
        "id": meeting_id,
        "start": start,
        "end": start + timedelta(minutes=45),
        "status": status,
    }


def test_the_brief_says_when_this_ends_and_when_the_next_one_is_in_their_zone():
    meetings = [
        meeting("aaaa0001", START, "active"),
        meeting("aaaa0002", START + timedelta(weeks=2), "scheduled"),
        meeting("aaaa0003", START + timedelta(weeks=4), "scheduled"),
    ]
    now = START + timedelta(minutes=10)
    brief = brief_text(meetings, "aaaa0001", {}, now, BERLIN)
    assert "It runs until Tuesday 12 January at 18:45" in brief
    assert "this chat stays open until Tuesday 12 January at 19:45 (Europe/Berlin time)" in brief
    assert "The next check-in is Tuesday 26 January at 18:00 (in 13 days)" in brief
    assert "never suggest an earlier talk" in brief


def test_with_nothing_planned_the_coach_is_told_not_to_promise_a_talk():
    brief = brief_text([meeting("aaaa0001", START, "active")], "aaaa0001", {}, START, BERLIN)
    assert "No later check-in is planned yet; do not promise one." in brief
    cancelled = meeting("aaaa0002", START + timedelta(weeks=1), "cancelled")
    brief = brief_text([meeting("aaaa0001", START, "active"), cancelled], "aaaa0001", {}, START)
    assert "No later check-in is planned yet" in brief
