"""Downloads over HTTP: a goal's PDF, all active goals, and "Download my data"."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import httpx
import pytest
from pypdf import PdfReader

from goalgetter import accounts
from goalgetter.data import chat_messages, checkins, goals, meetings, templates, users
from goalgetter.domain.checkins import parse_checkin
from goalgetter.domain.recurrence import parse_schedule
from goalgetter.exports import EXPORT_ROUTES
from goalgetter.routes import SESSION_COOKIE, http_routes

BASE = "http://localhost:8000"


@pytest.fixture
async def people(db):
    """Ann and Bob, each with a session cookie, goals, a template and a chat message."""
    found = {}
    for name in ("Ann", "Bob"):
        user = await users.create_user(f"{name.lower()}@example.com", name, "hash")
        token = await accounts.start_session(user["_id"])
        active = await goals.create_goal(user["_id"], f"{name}'s marathon", f"{name} runs 42 km")
        await goals.set_phase(user["_id"], active["_id"], "active")
        draft = await goals.create_goal(user["_id"], f"{name}'s draft", "not yet")
        await templates.create_template(
            user["_id"],
            name=f"{name}'s template",
            description="",
            content="## A",
            now=datetime.now(UTC),
        )
        await chat_messages.append_message(user["_id"], "user", f"{name} says hi")
        found[name] = {"id": user["_id"], "token": token, "active": active, "draft": draft}
    return found


@pytest.fixture
async def http(db):
    transport = httpx.ASGITransport(app=http_routes(*EXPORT_ROUTES))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def _as(person: dict) -> dict:
    return {"cookie": f"{SESSION_COOKIE}={person['token']}"}


def _pdf_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


async def test_a_goal_pdf_is_the_owners_only(http, people):
    ann, bob = people["Ann"], people["Bob"]
    own = await http.get(
        f"/export/goal/{ann['active']['_id']}.pdf?tz=Europe/Berlin", headers=_as(ann)
    )
    assert "Ann's marathon" in _pdf_text(own)
    assert own.headers["content-disposition"] == 'attachment; filename="Ann-s-marathon.pdf"'
    assert "CET" in _pdf_text(own) or "CEST" in _pdf_text(own)
    foreign = await http.get(f"/export/goal/{ann['active']['_id']}.pdf", headers=_as(bob))
    assert foreign.status_code == 404 and "Ann" not in foreign.text
    for bad in ("nope", "<script>", "0" * 24):
        assert (await http.get(f"/export/goal/{bad}.pdf", headers=_as(ann))).status_code == 404
    anonymous = await http.get(f"/export/goal/{ann['active']['_id']}.pdf")
    assert anonymous.status_code == 401


async def test_a_goal_pdf_lists_its_check_ins(http, people):
    ann, bob = people["Ann"], people["Bob"]
    monday = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    for person, progress in ((ann, "40"), (bob, "90")):
        schedule = parse_schedule(
            cadence="weekly", weekday="0", day_of_month=None, local_time="09:00",
            timezone="Europe/Berlin", duration_minutes="30", anchor_after=monday,
        )  # fmt: skip
        await meetings.start_tracking(person["id"], schedule, now=monday)
        first = (await meetings.series(person["id"]))["meetings"][0]
        # Bob records his check-in against Ann's goal id: refused, and not in her PDF.
        recorded = await checkins.record_checkin(
            person["id"],
            first["id"],
            str(ann["active"]["_id"]),
            parse_checkin(progress, "on_track", f"{person['active']['title']} going well"),
            now=first["start"],
        )
        assert (recorded is None) is (person is bob)
    text = _pdf_text(
        await http.get(f"/export/goal/{ann['active']['_id']}.pdf?tz=UTC", headers=_as(ann))
    )
    assert "Check-ins 1 recorded" in text
    assert re.search(r"04 Jan 2027\s*40%\s*On track\s*Ann's marathon going well", text)
    assert "90%" not in text and "Bob" not in text


async def test_all_active_goals_pdf_holds_active_goals_only(http, people):
    text = _pdf_text(await http.get("/export/goals.pdf?tz=Not/AZone", headers=_as(people["Ann"])))
    assert "Ann's marathon" in text
    assert "Ann's draft" not in text and "Bob" not in text
    assert "UTC" in text  # an unknown zone falls back to UTC


async def test_my_data_holds_everything_of_mine_and_nothing_else(http, people):
    response = await http.get("/export/my-data.json", headers=_as(people["Ann"]))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"] == {"name": "Ann", "email": "ann@example.com"}
    assert sorted(g["title"] for g in data["goals"]) == ["Ann's draft", "Ann's marathon"]
    assert {r["goal_id"] for r in data["revisions"]} == {
        str(people["Ann"]["active"]["_id"]),
        str(people["Ann"]["draft"]["_id"]),
    }
    assert [t["name"] for t in data["templates"]] == ["Ann's template"]
    assert [m["content"] for m in data["chat_messages"]] == ["Ann says hi"]
    assert data["meetings"] == {"schedule": None, "meetings": []}  # not tracking
    assert "Bob" not in response.text and "password_hash" not in response.text
    assert (await http.get("/export/my-data.json")).status_code == 401
