"""The coach's SMART verdicts on the open goal, asked in the background after it is saved.

At most once a minute per goal, whatever the number of saves, tabs or processes
(goals.claim_smart_grading); a save while one is asked marks the goal to be asked again
for its newest text once the minute is up. Only with Claude configured: the offline coach's
judgement is the live heuristics already shown.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from goalgetter.coach.llm import app_coach
from goalgetter.coach.smart_grading import GRADE_EVERY, grade_goal
from goalgetter.data import goals as goals_data
from goalgetter.state.goals import GoalsState


class SmartGradeState(GoalsState):
    _grading: bool = False
    _grade_again: bool = False

    @rx.event(background=True)
    async def grade_open_goal(self):
        coach = app_coach()
        if coach.offline:
            return
        async with self:
            if self._grading:
                self._grade_again = True
                return
            self._grading = True
            user_id = await self._signed_in_user_id()
        try:
            while await self._grade_once(coach, user_id):
                pass
        finally:
            async with self:
                self._grading = False

    async def _grade_once(self, coach, user_id) -> bool:
        """One ask (after waiting for the minute to be up); whether to ask again."""
        async with self:
            goal_id, self._grade_again = self.selected_id, False
        if not goal_id:
            return False
        goal, next_at = await goals_data.claim_smart_grading(
            user_id, goal_id, datetime.now(UTC), GRADE_EVERY
        )
        if goal is None:
            if next_at is None:
                return False  # not this person's goal, or gone
            await asyncio.sleep(max(0.0, (next_at - datetime.now(UTC)).total_seconds()))
            return True
        letters = await grade_goal(coach, goal)
        if letters is not None:
            await goals_data.store_smart_grade(
                user_id, goal_id, goal["version"], letters, datetime.now(UTC)
            )
        async with self:
            self._take_smart_grade(goal, letters)
            return self._grade_again
