"""/status behind the admin token, and the product counters it reads: each counted where the
event happens (sign-up, first active goal, tracking, a check-in attended or missed, a goal
completed), from real events on the real database, with no person in the counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from goalgetter import accounts, scheduler_service
from goalgetter.data import counters, goals, meetings
from goalgetter.domain.meetings import WINDOW_AFTER
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.routes import http_routes
from goalgetter.scheduler import tick
from goalgetter.scheduler_service import MeetingScheduler
from goalgetter.status_route import STATUS_ROUTES
from tests.polling import until

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday; meetings Mondays 09:00-09:45 UTC
START, END = T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=45)
TOKEN = "s3cret-status-token-for-tests-0123"
PASSWORD = "correct horse battery"


@pytest.fixture
async def http(db):
    transport = httpx.ASGITransport(app=http_routes(*STATUS_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize("configured", ["", "short-token"])
async def test_without_a_usable_token_there_is_no_status(http, settings_env, configured):
    settings_env(STATUS_TOKEN=configured)
    for headers in ({}, bearer(configured), bearer()):
        assert (await http.get("/status", headers=headers)).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"],
)
async def test_a_wrong_token_is_refused_and_tells_nothing(http, settings_env, authorization):
    settings_env(STATUS_TOKEN=TOKEN)
    answer = await http.get("/status", headers={"authorization": authorization})
    assert answer.status_code == 401
    assert "database" not in answer.text and "product" not in answer.text


async def test_status_reports_versions_round_trips_scheduler_outbox_and_coach(
    http, settings_env, redis_url
):
    settings_env(STATUS_TOKEN=TOKEN, REDIS_URL=redis_url, ANTHROPIC_API_KEY="")
    service = MeetingScheduler(interval_seconds=3600)
    async with service.lifespan():
        await until(lambda: service.last_tick_at is not None, within=10, what="the start-up tick")
        answer = await http.get("/status", headers=bearer())
    assert scheduler_service.running_scheduler is None  # gone with its lifespan
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["versions"]["python"].startswith("3.13") and body["versions"]["reflex"]
    assert body["database"]["ok"] is True and body["database"]["round_trip_ms"] >= 0
    assert body["redis"]["configured"] is True and body["redis"]["ok"] is True
    ticked = body["scheduler"]
    assert ticked["running"] is True and ticked["last_tick_at"]
    assert ticked["lag_seconds"] == 0 and ticked["seconds_since_last_tick"] < 3600
    assert body["outbox"]["due_now"] == 0 and body["outbox"]["sending"] is False
    assert body["coach"]["mode"] == "offline"
    assert set(counters.NAMES) <= set(body["product"])


async def test_lag_grows_once_ticks_stop_coming(db):
    service = MeetingScheduler(interval_seconds=30)
    await service.run_tick()
    assert service.status(service.last_tick_at + timedelta(seconds=10))["lag_seconds"] == 0
    late = service.status(service.last_tick_at + timedelta(seconds=100))
    assert late["lag_seconds"] == 70 and late["seconds_since_last_tick"] == 100


async def test_unreachable_redis_is_reported_not_raised(http, settings_env):
    settings_env(STATUS_TOKEN=TOKEN, REDIS_URL="redis://127.0.0.1:1/0")
    body = (await http.get("/status", headers=bearer())).json()
    assert body["redis"]["ok"] is False and body["redis"]["error"]
    assert body["database"]["ok"] is True


def weekly(now):
    return parse_schedule(
        cadence="weekly",
        weekday=0,
        day_of_month=None,
        local_time="09:00",
        timezone="UTC",
        duration_minutes=45,
        anchor_after=now,
    )


async def test_product_figures_count_each_event_once_and_no_person(db, http, settings_env):
    settings_env(STATUS_TOKEN=TOKEN, AUTH_RATE_LIMITS="false")
    people = [
        await accounts.sign_up(f"Person {n}", f"p{n}@example.com", PASSWORD) for n in range(4)
    ]
    ann, bob = people[0]["_id"], people[1]["_id"]
    # Ann: two goals made active (she finished goal setting once), one completed, twice asked.
    first = await goals.create_goal(ann, "Run 10 km")
    second = await goals.create_goal(ann, "Read 12 books")
    for goal in (first, second):
        await goals.set_phase(ann, goal["_id"], "active")
    await goals.set_phase(ann, first["_id"], "completed")
    await goals.set_phase(ann, first["_id"], "completed")  # no move: not counted again
    # Ann and Bob move to tracking (Bob's draft becomes active then); Ann comes, Bob doesn't.
    await goals.create_goal(bob, "Learn Spanish")
    for person in (ann, bob):
        await meetings.start_tracking(person, weekly(T0), now=T0)
    ann_first = (await meetings.series(ann))["meetings"][0]["id"]
    await tick(START)
    assert await meetings.mark_attended(ann, ann_first, START + timedelta(minutes=5))
    await tick(END + WINDOW_AFTER)
    await tick(END + WINDOW_AFTER + timedelta(minutes=1))  # nothing left: nothing counted

    product = (await http.get("/status", headers=bearer())).json()["product"]
    assert product == {
        "signed_up": 4,
        "finished_goal_setting": 2,
        "moved_to_tracking": 2,
        "checkins_attended": 1,
        "checkins_missed": 1,
        "goals_completed": 1,
        "finished_goal_setting_fraction": 0.5,
        "moved_to_tracking_fraction": 0.5,
        "checkin_attendance": 0.5,
    }
    stored = await db.counters.find({}).to_list()
    assert [doc["_id"] for doc in stored] == ["product"]
    text = repr(stored)
    for person in people:
        assert str(person["_id"]) not in text and person["email"] not in text


async def test_a_refused_sign_up_counts_nothing(db):
    await accounts.sign_up("Ann", "ann@example.com", PASSWORD)
    with pytest.raises(Exception, match="email"):
        await accounts.sign_up("Ann again", "ann@example.com", PASSWORD)
    assert (await counters.product_counts())["signed_up"] == 1


async def test_an_unknown_counter_is_a_programming_error(db):
    with pytest.raises(ValueError, match="unknown counters"):
        await counters.count(sign_ups=1)
