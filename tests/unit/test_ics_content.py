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


@pytest.mark.parametrize("year", [2027, 2034])
def test_the_zone_is_described_for_the_check_ins_own_years(year):
    """The VTIMEZONE spans the check-in's years (not the library's 1970-2038, ~140
    transitions in every mail), and both parsers still place it right, also past 2038."""
    start = datetime(year, 10, 30, 9, 0, tzinfo=UTC)  # around the autumn change
    meeting = {**MEETING, "start": start, "end": start + timedelta(minutes=30)}
    text = ics.invitation(
        meeting, BERLIN, to="ann@example.com", organizer="coach@goalgetter.app",
        link="https://goals.example.com/meetings", stamp=STAMP,
    )  # fmt: skip
    [zone] = [c for c in Calendar.from_ical(text).walk() if c.name == "VTIMEZONE"]
    described = zone.to_ical().decode()
    assert f"{year}10" in described and "1971" not in described
    assert len(described) < 1000
    [theirs] = second_parser.Calendar(text).events
    expected = start.astimezone(BERLIN).utcoffset()
    assert theirs.begin.datetime == start and theirs.begin.datetime.utcoffset() == expected


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe"])
@pytest.mark.parametrize("cancel", [False, True])
def test_the_zone_written_once_gives_the_librarys_own_text(zone, cancel):
    """The VTIMEZONE is written once per zone and span and put where the library puts it:
    every invitation is the text icalendar writes with the zone added to the calendar."""
    text = ics.invitation(
        MEETING, ZoneInfo(zone), to="ann@example.com", organizer="coach@goalgetter.app",
        link="https://goals.example.com/meetings", stamp=STAMP, cancel=cancel,
    )  # fmt: skip
    calendar = Calendar.from_ical(text)
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    first, last = datetime(START.year - 1, 1, 1).date(), datetime(START.year + 2, 1, 1).date()
    calendar.add_missing_timezones(first_date=first, last_date=last)
    assert text == calendar.to_ical().decode()
    assert text.count("BEGIN:VTIMEZONE") == 1
