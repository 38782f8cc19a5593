"""The chat gate on the send path: a fresh read of phase and meetings on every send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from goalgetter.coach import send_reads
from goalgetter.coach.conversation import MessageNotSaved, send_and_reply
from goalgetter.coach.gate import CoachClosed, coach_gate
from goalgetter.coach.llm import OfflineCoach
from goalgetter.coach.meeting_brief import meeting_brief
from goalgetter.coach.recap import write_recap
from goalgetter.data import chat_messages, checkins, goals, users
from goalgetter.data import meetings as meetings_data
from goalgetter.domain.checkins import parse_checkin
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.scheduler import tick
from tests.fakes.anthropic_fake import reply_tokens, system_text
from tests.integration.test_conversation import claude, keep_going

# Monday 2027-01-04 08:00 UTC; the weekly check-in is Mondays 09:00 Berlin (08:00 UTC), 30 min.
MONDAY_9_BERLIN = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
async def tracking_user(db):
    user = await users.create_user("tina@example.com", "Tina Tracker", "hash")
    schedule = parse_schedule(
        cadence="weekly",
        weekday="0",
        day_of_month=None,
        local_time="09:00",
        timezone="Europe/Berlin",
        duration_minutes="30",
        anchor_after=MONDAY_9_BERLIN - timedelta(days=1),
    )
    await meetings_data.start_tracking(
        user["_id"], schedule, now=MONDAY_9_BERLIN - timedelta(days=1)
    )
    return user["_id"]


@pytest.mark.parametrize(
    ("offset", "is_open"),
    [
        (timedelta(minutes=-31), False),
        (timedelta(minutes=-30), True),
        (timedelta(minutes=30 + 59, seconds=59), True),
        (timedelta(minutes=30 + 60), False),
        (timedelta(days=2), False),
    ],
)
async def test_the_gate_follows_the_meeting_window(tracking_user, offset, is_open):
    access = await coach_gate(tracking_user, MONDAY_9_BERLIN + offset)
    assert access.open is is_open
    if not is_open and offset > timedelta(0):
        assert access.opens_at == MONDAY_9_BERLIN + timedelta(days=7, minutes=-30)


async def test_a_send_outside_the_window_is_refused_and_stores_nothing(tracking_user, fake_claude):
    series = await meetings_data.series(tracking_user)
    with pytest.raises(CoachClosed) as closed:
        await send_and_reply(
            tracking_user,
            "Let me in anyway",
            "",
            coach=claude(fake_claude),
            show=keep_going,
            now=MONDAY_9_BERLIN - timedelta(hours=3),
        )
    assert closed.value.access.opens_at == MONDAY_9_BERLIN - timedelta(minutes=30)
    assert await chat_messages.recent_messages(tracking_user, 10) == []
    assert await meetings_data.series(tracking_user) == series
    assert fake_claude.requests == []
    # A retry (the message "already stored") is held to the same rule.
    with pytest.raises(CoachClosed):
        await send_and_reply(
            tracking_user,
            "Retry",
            "",
            coach=claude(fake_claude),
            show=keep_going,
            retrying=True,
            now=MONDAY_9_BERLIN - timedelta(hours=3),
        )
    assert fake_claude.requests == []


async def test_a_send_inside_the_window_is_answered(tracking_user, fake_claude):
    outcome = await send_and_reply(
        tracking_user,
        "Here is my progress",
        "",
        coach=claude(fake_claude),
        show=keep_going,
        now=MONDAY_9_BERLIN + timedelta(minutes=5),
    )
    assert outcome.text and not outcome.error
    contents = [m["content"] for m in await chat_messages.recent_messages(tracking_user, 10)]
    assert contents[0] == "Here is my progress"


async def test_a_reply_running_when_the_window_closes_finishes_and_the_next_send_is_refused(
    tracking_user, fake_claude
):
    closes = MONDAY_9_BERLIN + timedelta(minutes=30 + 60)
    refused: list[CoachClosed] = []

    async def send_again_once_closed(message_id: str, text: str) -> bool:
        # While the first reply streams, the window closes and the user sends again.
        if not refused:
            with pytest.raises(CoachClosed) as closed:
                await send_and_reply(
                    tracking_user,
                    "One more thing",
                    "",
                    coach=claude(fake_claude),
                    show=keep_going,
                    now=closes,
                )
            refused.append(closed.value)
        return True

    outcome = await send_and_reply(
        tracking_user,
        "Last words before the end",
        "",
        coach=claude(fake_claude),
        show=send_again_once_closed,
        now=closes - timedelta(seconds=1),
    )
    assert refused and refused[0].access.opens_at == MONDAY_9_BERLIN + timedelta(
        days=7, minutes=-30
    )
    assert outcome.text == "".join(reply_tokens("Last words before the end"))
    assert not outcome.meta.get("stopped") and not outcome.error
    stored = await chat_messages.recent_messages(tracking_user, 10)
    assert [(m["role"], m["content"]) for m in stored] == [
        ("user", "Last words before the end"),
        ("assistant", outcome.text),
    ]
    assert len(fake_claude.requests) == 1


async def test_a_failure_before_the_message_is_stored_says_nothing_was_sent(db, fake_claude):
    gone = ObjectId()  # an account deleted while its tab was open: the gate read fails
    with pytest.raises(MessageNotSaved):
        await send_and_reply(gone, "Hello?", "", coach=claude(fake_claude), show=keep_going)
    assert await chat_messages.recent_messages(gone, 10) == []
    assert fake_claude.requests == []


async def attended_at(user_id: ObjectId, meeting_id: str) -> datetime | None:
    series = await meetings_data.series(user_id)
    return next(m for m in series["meetings"] if m["id"] == meeting_id)["attended_at"]


async def test_a_send_in_a_check_in_records_that_they_came_once(tracking_user, fake_claude):
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    during = MONDAY_9_BERLIN + timedelta(minutes=5)
    for minutes in (5, 15):
        await send_and_reply(
            tracking_user,
            "Here I am",
            "",
            coach=claude(fake_claude),
            show=keep_going,
            now=MONDAY_9_BERLIN + timedelta(minutes=minutes),
        )
        assert await attended_at(tracking_user, first["id"]) == during


async def test_they_came_even_when_the_reply_fails_before_its_first_token(
    tracking_user, fake_claude
):
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    during = MONDAY_9_BERLIN + timedelta(minutes=5)
    fake_claude.queue("overloaded")
    outcome = await send_and_reply(
        tracking_user, "Hello?", "", coach=claude(fake_claude), show=keep_going, now=during
    )
    assert outcome.error and outcome.ref is None
    assert await attended_at(tracking_user, first["id"]) == during


async def test_a_failed_attendance_claim_does_not_cost_the_reply(
    tracking_user, fake_claude, monkeypatch
):
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    claim = meetings_data.mark_attended

    async def store_down(*args, **kwargs):
        raise meetings_data.SeriesBusy("the series kept changing")

    monkeypatch.setattr(meetings_data, "mark_attended", store_down)
    during = MONDAY_9_BERLIN + timedelta(minutes=5)
    outcome = await send_and_reply(
        tracking_user, "Progress!", "", coach=claude(fake_claude), show=keep_going, now=during
    )
    assert outcome.text == "".join(reply_tokens("Progress!")) and not outcome.error
    stored = await chat_messages.recent_messages(tracking_user, 10)
    assert [(m["role"], m["content"]) for m in stored] == [
        ("user", "Progress!"),
        ("assistant", outcome.text),
    ]
    assert await attended_at(tracking_user, first["id"]) is None
    # The next send in the window claims it.
    monkeypatch.setattr(meetings_data, "mark_attended", claim)
    later = during + timedelta(minutes=10)
    await send_and_reply(
        tracking_user, "Again", "", coach=claude(fake_claude), show=keep_going, now=later
    )
    assert await attended_at(tracking_user, first["id"]) == later


HELD = 12  # check-ins held: more than the series keeps, so the oldest go to the archive


async def hold_check_ins(user_id: ObjectId) -> dict:
    """HELD check-ins completed, each with its notes; the next one (not yet held)."""
    for week in range(HELD + 1):
        series = await meetings_data.series(user_id)
        meeting = next(m for m in series["meetings"] if m["status"] == "scheduled")
        if week < HELD:
            await meetings_data.complete(
                user_id, meeting["id"], f"Week {week}", now=meeting["start"]
            )
    assert series["archive_years"]
    return meeting


async def test_the_coach_counts_the_archived_check_ins_too(tracking_user, fake_claude):
    goal = await goals.create_goal(tracking_user, "Read 12 books", "One a month")
    held, meeting = HELD, await hold_check_ins(tracking_user)
    await send_and_reply(
        tracking_user,
        "Progress!",
        "",
        coach=claude(fake_claude),
        show=keep_going,
        now=meeting["start"] + timedelta(minutes=5),
    )
    system = system_text(fake_claude.requests[-1]["body"])
    brief = await meeting_brief(
        tracking_user, meeting["id"], {str(goal["_id"]): "Read 12 books"}, datetime.now(UTC)
    )
    assert brief.startswith(f"This is check-in number {held + 1}.")
    assert f"Notes from it:\n<notes>\nWeek {held - 1}\n</notes>" in brief
    assert f"## This check-in\n{brief}\n" in system


async def test_a_check_in_reads_its_archive_while_the_message_is_stored(
    tracking_user, fake_claude, monkeypatch
):
    meeting = await hold_check_ins(tracking_user)
    archive_asked = asyncio.Event()
    read_archive, store_message = send_reads.series_archive, send_reads._store_message

    async def series_archive(user_id, series):
        archive_asked.set()
        return await read_archive(user_id, series)

    async def store_once_the_archive_is_asked(*args):
        # A send that read the archive only after storing the message would wait here.
        await asyncio.wait_for(archive_asked.wait(), 10)
        return await store_message(*args)

    monkeypatch.setattr(send_reads, "series_archive", series_archive)
    monkeypatch.setattr(send_reads, "_store_message", store_once_the_archive_is_asked)
    at = meeting["start"] + timedelta(minutes=5)
    outcome = await send_and_reply(
        tracking_user, "Progress!", "", coach=claude(fake_claude), show=keep_going, now=at
    )
    assert outcome.error == "" and outcome.text
    system = system_text(fake_claude.requests[-1]["body"])
    assert f"This is check-in number {HELD + 1}." in system
    assert f"<notes>\nWeek {HELD - 1}\n</notes>" in system


async def test_goal_setting_is_always_open(db):
    user = await users.create_user("gina@example.com", "Gina", "hash")
    access = await coach_gate(user["_id"], MONDAY_9_BERLIN)
    assert access.open and access.reason == "goal_setting"


async def test_in_a_check_in_the_coach_knows_the_meeting_and_the_latest_check_ins(
    tracking_user, fake_claude
):
    goal = await goals.create_goal(tracking_user, "Read 12 books", "One a month")
    series = await meetings_data.series(tracking_user)
    first = series["meetings"][0]
    during = MONDAY_9_BERLIN + timedelta(minutes=10)
    checkin = parse_checkin("40", "at_risk", "two behind")
    assert await checkins.record_checkin(
        tracking_user, first["id"], str(goal["_id"]), checkin, now=during
    )
    await send_and_reply(
        tracking_user, "Progress!", "", coach=claude(fake_claude), show=keep_going, now=during
    )
    system = system_text(fake_claude.requests[-1]["body"])
    assert "## This check-in\nThis is check-in number 1." in system
    assert "Latest check-in on Read 12 books: 40%, At risk (two behind)." in system
    # Outside a check-in (goal setting) there is no such section.
    other = await users.create_user("gus@example.com", "Gus", "hash")
    await send_and_reply(other["_id"], "Hi", "", coach=claude(fake_claude), show=keep_going)
    assert "## This check-in" not in system_text(fake_claude.requests[-1]["body"])


async def test_a_completed_check_in_gets_a_recap_from_its_check_ins(tracking_user, fake_claude):
    goal = await goals.create_goal(tracking_user, "Read 12 books", "One a month")
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    during = MONDAY_9_BERLIN + timedelta(minutes=10)
    checkin = parse_checkin("40", "at_risk", "two behind")
    await checkins.record_checkin(tracking_user, first["id"], str(goal["_id"]), checkin, now=during)
    await meetings_data.mark_attended(tracking_user, first["id"], during)
    # The scheduler completes it at its end and calls the recap hook once.
    report = await tick(MONDAY_9_BERLIN + timedelta(hours=3), on_completed=write_recap_offline)
    assert report.completed == 1
    done = next(
        m for m in (await meetings_data.list_meetings(tracking_user))[1] if m["id"] == first["id"]
    )
    bullets = done["recap"].splitlines()
    assert 3 <= len(bullets) <= 6 and all(line.startswith("- ") for line in bullets)
    assert bullets[0] == "- **Read 12 books**: 40%, at risk: two behind"


async def test_a_check_in_without_a_word_in_the_chat_counts_as_coming(tracking_user):
    goal = await goals.create_goal(tracking_user, "Read 12 books", "One a month")
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    checkin = parse_checkin("55", "on_track", "")
    during = MONDAY_9_BERLIN + timedelta(minutes=10)
    await checkins.record_checkin(tracking_user, first["id"], str(goal["_id"]), checkin, now=during)
    report = await tick(MONDAY_9_BERLIN + timedelta(hours=3), on_completed=write_recap_offline)
    assert report.completed == 1 and report.missed == 0
    done = (await meetings_data.list_meetings(tracking_user))[1][0]
    assert done["attended_at"] == during
    assert done["recap"].startswith("- **Read 12 books**: 55%, on track")


async def test_a_model_reply_that_is_not_bullets_falls_back_to_the_check_ins(
    tracking_user, fake_claude
):
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    recap = await write_recap(tracking_user, first, coach=claude(fake_claude))
    assert fake_claude.requests, "Claude was asked"
    assert recap.splitlines()[0] == "- No check-ins were recorded in this meeting."


async def test_the_recap_reads_the_whole_check_in_conversation_and_nothing_before(
    tracking_user, fake_claude
):
    await chat_messages.append_message(tracking_user, "user", "Old goal-setting talk")
    first = (await meetings_data.series(tracking_user))["meetings"][0]
    opened = datetime.now(UTC)
    said = [
        ("user", "I ran three times this week"),
        ("assistant", "Great! What about the diet?"),
        ("user", "Two slips, back on track now"),
        ("assistant", "Commit: no sugar until Friday."),
    ]
    for role, text in said:
        await chat_messages.append_message(tracking_user, role, text)
    # A reply still streaming when the window closed: not half of it in the recap.
    await chat_messages.append_message(tracking_user, "assistant", "Half a", {"streaming": True})
    # The meeting's window (start - 30 min to end + 60 min) holds the four messages, not
    # the one before it.
    meeting = {**first, "start": opened + timedelta(minutes=30), "end": opened + timedelta(hours=1)}

    await write_recap(tracking_user, meeting, coach=claude(fake_claude))

    sent = fake_claude.requests[-1]["body"]["messages"]
    texts = [m["content"] for m in sent]
    assert [m["role"] for m in sent] == ["user", "assistant", "user", "assistant", "user"]
    assert texts[:4] == [text for _, text in said]
    assert "I ran three times" in texts[0] and texts[-1].startswith("The check-in has ended.")
    assert all("Old goal-setting talk" not in text and "Half a" not in text for text in texts)


async def write_recap_offline(user_id, meeting):
    await write_recap(user_id, meeting, coach=OfflineCoach())
