"""The check-in calendar files, read back by icalendar and by `ics`, a second parser written
independently of it (its own RFC 5545 grammar): both must agree on the same event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import ics as second_parser
import pytest
from icalendar import Calendar

from goalgetter.integrations import ics

BERLIN = ZoneInfo("Europe/Berlin")
# The Sunday clocks go forward in Berlin (02:00 → 03:00), and a check-in the day after.
START = datetime(2027, 3, 29, 16, 0, tzinfo=UTC)
MEETING = {
    "id": "m-42", "start": START, "end": START + timedelta(minutes=45), "status": "scheduled",
    "sequence": 2,
}  # fmt: skip
STAMP = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def invite(cancel: bool = False) -> str:
    return ics.invitation(
        MEETING, BERLIN, to="ann@example.com", organizer="coach@goalgetter.app",
        link="https://goals.example.com/meetings", stamp=STAMP, cancel=cancel,
    )  # fmt: skip


@pytest.mark.parametrize("cancel", [False, True])
def test_both_parsers_read_the_same_check_in(cancel):
    text = invite(cancel)
    [ours] = [c for c in Calendar.from_ical(text).walk() if c.name == "VEVENT"]
    [theirs] = second_parser.Calendar(text).events
    assert str(ours["uid"]) == theirs.uid == "m-42@goalgetter"
    assert ours["dtstart"].dt == theirs.begin.datetime == START
    assert ours["dtend"].dt == theirs.end.datetime == START + timedelta(minutes=45)
    assert theirs.begin.datetime.utcoffset() == timedelta(hours=2)  # summer time, after DST
    assert int(ours["sequence"]) == 2
    assert theirs.status == ("CANCELLED" if cancel else "CONFIRMED")
    assert theirs.url == "https://goals.example.com/meetings"
    assert [a.email for a in theirs.attendees] == ["ann@example.com"]
    assert theirs.organizer.email == "coach@goalgetter.app"
    method = "CANCEL" if cancel else "REQUEST"
    assert f"METHOD:{method}" in text.splitlines()


def test_the_feed_lists_every_check_in_with_the_invitations_uids():
    later = {**MEETING, "id": "m-43", "start": START + timedelta(days=7),
             "end": START + timedelta(days=7, minutes=45)}  # fmt: skip
    text = ics.feed([MEETING, later], BERLIN, link="https://x/meetings", stamp=STAMP, name="Mine")
    events = sorted(second_parser.Calendar(text).events, key=lambda e: e.begin)
    assert [e.uid for e in events] == ["m-42@goalgetter", "m-43@goalgetter"]
    assert [e.begin.datetime for e in events] == [START, START + timedelta(days=7)]
    # The time zone travels with the file: both parsers see Berlin's wall clock at 18:00.
    assert {e.begin.datetime.astimezone(BERLIN).hour for e in events} == {18}
