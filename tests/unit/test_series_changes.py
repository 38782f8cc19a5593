"""The series' compare-and-set writes only what changed: applying those fields to the state
that was read must give exactly the new state, whatever the tick or a person changed."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from goalgetter.data import meeting_state as ms
from goalgetter.data.meeting_series import MAX_CHANGED_FIELDS, changes

T0 = datetime(2027, 2, 26, 8, 0, tzinfo=UTC)  # a Friday; check-ins Mondays 09:00 UTC


def series() -> dict:
    stored = {"cadence": "weekly", "weekday": 0, "day_of_month": None, "local_time": "09:00",
              "timezone": "UTC", "duration_minutes": 45, "anchor": "2027-03-01"}  # fmt: skip
    return ms.new_state(ms.schedule_from_doc(stored), now=T0, upcoming=4)


def applied(state: dict, fields: dict) -> dict:
    """`fields` set into a copy of `state` as a MongoDB `$set` of dotted paths would."""
    result = copy.deepcopy(state)
    for path, value in fields.items():
        *parents, last = path.split(".")
        target = result
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return result


def test_a_transition_writes_only_the_meeting_fields_it_changed():
    current = series()
    draft = copy.deepcopy(current)
    now = draft["meetings"][0]["start"] - timedelta(hours=24)
    assert ms.due_reminders(draft, now)
    ms.settle(draft, now)
    draft["rev"] += 1
    fields = changes(current, draft)
    assert fields is not None and "meetings" not in fields
    assert "meetings.0.reminder_24h_sent" in fields
    assert applied(current, fields) == draft


def test_rolling_forward_writes_the_meetings_whole():
    current = series()
    draft = copy.deepcopy(current)
    later = current["meetings"][0]["end"] + timedelta(hours=2)
    ms.advance(draft, later)
    ms.settle(draft, later)
    fields = changes(current, draft)
    assert fields is not None and "meetings" in fields
    assert applied(current, fields) == draft


def test_a_removed_field_or_too_many_changes_write_the_whole_state():
    current = series()
    draft = copy.deepcopy(current)
    del draft["meetings"][1]["notes"]
    assert changes(current, draft) is None
    draft = copy.deepcopy(current)
    for meeting in draft["meetings"]:
        meeting.update({f"x{n}": n for n in range(MAX_CHANGED_FIELDS // 4 + 1)})
    assert changes(current, draft) is None
    assert changes(current, copy.deepcopy(current)) == {}
