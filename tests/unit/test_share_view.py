"""What a share exposes, field by field: the read model picks by name, the page escapes."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest
from bson import ObjectId

from goalgetter.domain.shares import EXPOSED_GOAL_FIELDS, SharedGoal, SharedPage, shared_goal
from goalgetter.integrations.share_html import share_html

AT = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
GOAL = {
    "_id": ObjectId(),
    "user_id": ObjectId(),
    "title": "Run <b>a</b> marathon",
    "content": "42 km by **October** <script>alert(1)</script>",
    "phase": "active",
    "version": 7,
    "save_token": "tok-secret",
    "smart_grade": {"letters": {"S": {"passed": True, "reason": "private reason"}}},
    "template_type": "custom",
    "metadata": {
        "deadline": "2027-10-10",
        "tags": ["private-tag"],
        "milestones": [{"id": "m1", "title": "Half marathon", "due": "2027-05-01", "done": True}],
    },
    "future_field": "must not leak",
}
NEVER_SHOWN = ("tok-secret", "private reason", "private-tag", "must not leak", "m1", "custom")


def test_the_read_model_has_only_the_named_fields():
    assert tuple(f.name for f in fields(SharedGoal)) == (*EXPOSED_GOAL_FIELDS, "progress")


@pytest.mark.parametrize(
    ("progress", "with_progress", "shows_chart"),
    [(None, False, False), ([{"start": AT, "progress": 40}], True, True), ([], True, True)],
)
def test_what_each_option_shows(progress, with_progress, shows_chart):
    goal = shared_goal(GOAL, progress)
    assert goal.title == "Run <b>a</b> marathon" and goal.phase == "Active"
    assert goal.deadline == "2027-10-10" and goal.milestones[0].title == "Half marathon"
    assert goal.progress == tuple((c["start"], c["progress"]) for c in progress or ())
    page = SharedPage("Ann", "Sam", (goal,), with_progress, ("Ran twice",) if with_progress else ())
    html = share_html(page, "/s/t/goals.pdf")
    assert ("<h3>Progress</h3>" in html) is shows_chart
    assert ("Ran twice" in html) is with_progress
    for hidden in NEVER_SHOWN:
        assert hidden not in html
    # The goal's own words are text, never markup.
    assert "Run &lt;b&gt;a&lt;/b&gt; marathon" in html and "<script>" not in html
    assert "<strong>October</strong>" in html
