"""Reaching out about check-ins: invitations with .ics (one UID per check-in, SEQUENCE up on
each change, CANCEL when cancelled), and reminders 24 h and 1 h before, each at most once,
queued by the scheduler's tick, never for a time the check-in no longer has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from goalgetter import mail_delivery, scheduler, scheduler_service
from goalgetter.coach.offline import OfflineCoach
from goalgetter.coach.recap import write_recap
from goalgetter.data import meetings, outbox, users
from goalgetter.data.client import get_db
from tests.integration.command_log import watching
from tests.integration.test_meetings_data import weekly

# Monday 1 March 2027, 08:00 UTC; a weekly check-in on Thursdays at 18:00 Berlin (17:00 UTC).
T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
FIRST = datetime(2027, 3, 4, 17, 0, tzinfo=UTC)


async def start(user_id, now=T0, at="18:00") -> dict:
    schedule = weekly(at=at, zone="Europe/Berlin", weekday=3, after=now)
    return await meetings.start_tracking(user_id, schedule, now=now)


async def mails(kind: str | None = None) -> list[dict]:
    query = {"kind": kind} if kind else {}
    return await get_db().outbox.find(query).sort("created_at", 1).to_list()


def calendar_of(mail: dict) -> Calendar:
    [attachment] = mail["attachments"]
    assert attachment["content_type"].startswith("text/calendar; method=")
    return Calendar.from_ical(attachment["content"])


def event_of(mail: dict):
    return next(c for c in calendar_of(mail).walk() if c.name == "VEVENT")


async def test_tracking_sends_one_invitation_per_check_in_with_its_calendar_entry(ann):
    state = await start(ann)
    planned = [m for m in state["meetings"] if m["status"] == "scheduled"]
    assert await mail_delivery.invite(ann, state, planned, T0) == 4
    assert await mail_delivery.invite(ann, state, planned, T0) == 0  # once per version
    sent = await mails("invitation")  # queued together, at one instant: in no set order
    assert len(sent) == 4 and {m["to"] for m in sent} == {"ann@example.com"}
    uids = {str(event_of(m)["uid"]): m for m in sent}
    assert set(uids) == {f"{m['id']}@goalgetter" for m in planned}
    first = uids[f"{planned[0]['id']}@goalgetter"]
    assert "Thursday 4 March at 18:00 (Europe/Berlin time)" in first["text"]
    calendar = calendar_of(first)
    assert str(calendar["method"]) == "REQUEST"
    assert [c["tzid"] for c in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    event = event_of(first)
    assert event["sequence"] == 0
    assert (
        event.decoded("dtstart") == FIRST
        and str(event["dtstart"].params["TZID"]) == "Europe/Berlin"
    )


async def test_reminders_go_24_h_and_1_h_before_each_once(ann):
    await start(ann)
    await scheduler.tick(FIRST - timedelta(hours=24))
    await scheduler.tick(FIRST - timedelta(hours=23, minutes=59))
    [day] = await mails("reminder-24h")
    assert "is tomorrow: Thursday 4 March at 18:00" in day["subject"]
    assert await mails("reminder-1h") == []
    await scheduler.tick(FIRST - timedelta(hours=1))
    [hour] = await mails("reminder-1h")
    assert "in an hour" in hour["subject"]
    await scheduler.tick(FIRST - timedelta(minutes=30))
    assert len(await mails("reminder-1h")) == 1 and len(await mails("reminder-24h")) == 1


async def test_after_a_downtime_only_reminders_for_check_ins_not_started_go(ann):
    await start(ann)
    await scheduler.tick(FIRST + timedelta(minutes=5))  # down through both moments
    assert await mails("reminder-24h") == [] and await mails("reminder-1h") == []
    second = FIRST + timedelta(weeks=1)
    await scheduler.tick(second - timedelta(minutes=40))  # both passed, not started
    reminders = [m for m in await mails() if m["kind"].startswith("reminder")]
    # Both are queued by the same tick, at the same instant: in no particular order.
    assert sorted(m["subject"].split(":")[0] for m in reminders) == [
        "Your check-in is in an hour",
        "Your check-in is tomorrow",
    ]


async def test_a_check_in_planned_by_rolling_forward_is_invited_too(ann):
    await start(ann)
    await scheduler.tick(FIRST + timedelta(hours=2))  # the first is over: a fifth is planned
    [invited] = await mails("invitation")
    state = await meetings.series(ann)
    newest = max(state["meetings"], key=lambda m: m["start"])
    assert str(event_of(invited)["uid"]) == f"{newest['id']}@goalgetter"
    # 18:00 in Berlin after the clocks went forward: 16:00 UTC now, not 17:00.
    assert event_of(invited).decoded("dtstart") == newest["start"]
    assert newest["start"] == datetime(2027, 4, 1, 16, 0, tzinfo=UTC)


async def test_the_scheduler_sends_what_its_tick_queued_right_after_the_tick(ann):
    """The tick queues without starting a delivery pass per series: the service runs one
    pass after each tick, so the rolled-forward invitation leaves in the same run."""
    await start(ann)
    service = scheduler_service.MeetingScheduler(clock=lambda: FIRST + timedelta(hours=2))
    await service.run_tick()
    [invited] = await mails("invitation")
    assert invited["status"] == "outbox" and invited["attempts"] == 1


async def test_a_check_in_planned_less_than_a_day_ahead_gets_no_24_h_reminder(ann):
    await start(ann, now=FIRST - timedelta(hours=10))
    await scheduler.tick(FIRST - timedelta(hours=9))
    await scheduler.tick(FIRST - timedelta(hours=1))
    assert await mails("reminder-24h") == [] and len(await mails("reminder-1h")) == 1


async def test_a_moved_check_in_is_reminded_at_its_new_time_and_updated_in_calendars(ann):
    state = await start(ann)
    first = next(m for m in state["meetings"] if m["status"] == "scheduled")
    await scheduler.tick(FIRST - timedelta(hours=24))  # the 24 h reminder for the old time
    moved = await meetings.reschedule(
        ann, first["id"], FIRST + timedelta(hours=2), now=FIRST - timedelta(hours=20)
    )
    await scheduler.tick(FIRST - timedelta(hours=1))  # the old time's hour: nothing
    assert await mails("reminder-1h") == []
    await scheduler.tick(FIRST + timedelta(hours=1))  # the new time's hour
    [hour] = await mails("reminder-1h")
    assert "20:00" in hour["subject"]
    state = await meetings.series(ann)
    assert await mail_delivery.invite(ann, state, [moved], FIRST) == 1
    [update] = await mails("update")
    event = event_of(update)
    assert str(event["uid"]) == f"{first['id']}@goalgetter" and event["sequence"] == 1
    assert event.decoded("dtstart") == FIRST + timedelta(hours=2)


async def test_a_cancelled_check_in_is_cancelled_in_calendars(ann):
    state = await start(ann)
    first = next(m for m in state["meetings"] if m["status"] == "scheduled")
    cancelled = await meetings.cancel(ann, first["id"], now=T0 + timedelta(hours=1))
    await mail_delivery.invite(ann, await meetings.series(ann), [cancelled], T0)
    [mail] = await mails("cancellation")
    assert str(calendar_of(mail)["method"]) == "CANCEL"
    event = event_of(mail)
    assert str(event["status"]) == "CANCELLED" and event["sequence"] == 1
    assert str(event["uid"]) == f"{first['id']}@goalgetter"
    await scheduler.tick(FIRST - timedelta(hours=1))
    assert all(m["kind"] != "reminder-1h" or "4 March" not in m["subject"] for m in await mails())


async def test_the_recap_goes_by_mail_once_unless_recaps_are_off(ann):
    state = await start(ann)
    first, second = [m for m in state["meetings"] if m["status"] == "scheduled"][:2]
    recap = await write_recap(ann, first, coach=OfflineCoach(token_delay_seconds=0))
    await write_recap(ann, first, coach=OfflineCoach(token_delay_seconds=0))
    [mail] = await mails("recap")
    assert mail["subject"] == "Your check-in recap: Thursday 4 March at 18:00 (Europe/Berlin time)"
    bullets = [line.lstrip("- ") for line in recap.splitlines() if line.strip()]
    assert bullets and all(f"- {b}" in mail["text"] for b in bullets)
    await users.set_notification(ann, "recaps", False)
    await write_recap(ann, second, coach=OfflineCoach(token_delay_seconds=0))
    assert len(await mails("recap")) == 1


async def test_a_tick_queues_the_mail_of_all_its_series_together(db, mongo_uri):
    """60 people's 24 h reminders fall due in one tick: each gets their own, and the tick
    writes them as two chunks of 30 side by side, each chunk's series in one bulk write, its
    mail queued in another and listed in one more, not three writes per series. One who
    turned reminders off gets none."""
    people = [
        (await users.create_user(f"p{n}@example.com", f"Person {n}", "hash"))["_id"]
        for n in range(60)
    ]
    for person in people:
        await start(person)
    await users.set_notification(people[0], "reminders", False)
    async with watching(mongo_uri) as commands:
        report = await scheduler.tick(FIRST - timedelta(hours=24))
    sent = await mails("reminder-24h")
    assert report.reminders == 59 and len(sent) == 59
    assert sorted(m["to"] for m in sent) == sorted(f"p{n}@example.com" for n in range(1, 60))
    assert len(commands.writes("outbox")) == 2 and len(commands.writes("meeting_series")) == 2
    assert commands.most_at_once == 2  # one chunk's commands in flight with the other's
    # Each chunk's mail listed in one write; the first to find no list makes it (a miss,
    # then the upsert), and the other chunk may have missed it too.
    assert len(commands.writes("outbox_due")) in (3, 4)
    assert len(await outbox.due_ids(FIRST)) == 59
