"""The offline coach: deterministic replies that ask about what a goal is missing."""

from __future__ import annotations

import re

from goalgetter.coach.context import CoachContext, GoalText, Turn
from goalgetter.coach.offline import OFFLINE_MODEL, OfflineCoach, offline_reply_text
from goalgetter.coach.reply import ReplyDone
from goalgetter.domain.smart import analyse_goal

FULL_SMART = GoalText(
    "Berlin marathon",
    "Run the Berlin marathon in under 4 hours by 2027-09-26 because I want to prove to "
    "myself I can; I will train 4 times per week",
)
VAGUE = GoalText("Get fitter", "")
# Specific, measurable and time-bound, but no plan and no reason.
NO_PLAN_NO_REASON = GoalText("Marathon", "Run the Berlin marathon in under 4 hours by 2027-09-26")
# Specific, measurable, relevant; no plan, no deadline.
NO_PLAN_NO_DEADLINE = GoalText(
    "University fund", "Save 5000 euros for my daughter's university fund"
)
# Everything but a plan.
ONLY_PLAN_MISSING = GoalText(
    "Marathon",
    "Run the Berlin marathon in under 4 hours by 2027-09-26 because I want to prove it",
)
QUESTIONS = {check.letter: check.question for check in analyse_goal("", "").checks}
NAMES = {check.letter: check.name for check in analyse_goal("", "").checks}


def context(*goals: GoalText, user_name: str = "Ada Lovelace") -> CoachContext:
    return CoachContext(
        user_name=user_name,
        phase="goal_setting",
        goals=goals,
        history=(Turn("user", "Earlier"),),
        message="How is my goal?",
    )


def asked_letters(reply: str) -> list[str]:
    """The SMART letters the reply asks about, in the order asked."""
    by_name = {name: letter for letter, name in NAMES.items()}
    return [by_name[name] for name in re.findall(r"^- \*\*([\w-]+):\*\*", reply, re.MULTILINE)]


def test_assumptions_about_the_sample_goals_hold():
    assert analyse_goal(FULL_SMART.title, FULL_SMART.content).letters == "SMART"
    assert analyse_goal(VAGUE.title, VAGUE.content).letters == ""
    assert analyse_goal(NO_PLAN_NO_REASON.title, NO_PLAN_NO_REASON.content).letters == "SMT"
    assert analyse_goal(NO_PLAN_NO_DEADLINE.title, NO_PLAN_NO_DEADLINE.content).letters == "SMR"
    assert analyse_goal(ONLY_PLAN_MISSING.title, ONLY_PLAN_MISSING.content).letters == "SMRT"


def test_reply_is_deterministic():
    for goals in [(), (VAGUE,), (FULL_SMART,), (NO_PLAN_NO_REASON, FULL_SMART)]:
        assert offline_reply_text(context(*goals)) == offline_reply_text(context(*goals))


def test_no_goals_invites_writing_a_first_goal():
    reply = offline_reply_text(context())
    assert "Write your first goal" in reply
    assert "Ada" in reply
    assert "Lovelace" not in reply  # first name only
    assert asked_letters(reply) == []


def test_blank_goal_is_treated_like_no_goal():
    reply = offline_reply_text(context(GoalText("   ", "\n")))
    assert "Write your first goal" in reply


def test_missing_name_is_addressed_as_friend():
    assert "friend" in offline_reply_text(context(user_name=""))


def test_full_smart_goal_gets_praise_and_asks_for_the_first_action():
    reply = offline_reply_text(context(FULL_SMART))
    assert "Now THAT is a goal" in reply
    assert '"Berlin marathon"' in reply
    assert "first action" in reply
    assert reply.rstrip().endswith("?")
    assert asked_letters(reply) == []


def test_vague_goal_asks_two_questions_specific_then_measurable():
    reply = offline_reply_text(context(VAGUE))
    assert asked_letters(reply) == ["S", "M"]
    assert QUESTIONS["S"] in reply
    assert QUESTIONS["M"] in reply
    assert QUESTIONS["T"] not in reply
    assert '"Get fitter"' in reply
    assert "Now THAT is a goal" not in reply


def test_relevant_is_asked_before_achievable():
    reply = offline_reply_text(context(NO_PLAN_NO_REASON))
    assert asked_letters(reply) == ["R", "A"]
    assert reply.index(QUESTIONS["R"]) < reply.index(QUESTIONS["A"])


def test_time_bound_is_asked_before_achievable():
    assert asked_letters(offline_reply_text(context(NO_PLAN_NO_DEADLINE))) == ["T", "A"]


def test_one_missing_letter_gives_one_question():
    reply = offline_reply_text(context(ONLY_PLAN_MISSING))
    assert asked_letters(reply) == ["A"]
    assert QUESTIONS["A"] in reply


def test_reply_names_what_is_already_strong():
    reply = offline_reply_text(context(NO_PLAN_NO_REASON))
    assert "specific, measurable, time-bound" in reply


def test_never_more_than_two_questions():
    for goal in [VAGUE, NO_PLAN_NO_REASON, NO_PLAN_NO_DEADLINE, GoalText("x", "y")]:
        assert len(asked_letters(offline_reply_text(context(goal)))) <= 2


def test_selected_goal_is_preferred_over_the_first():
    selected_full = GoalText(FULL_SMART.title, FULL_SMART.content, selected=True)
    reply = offline_reply_text(context(VAGUE, selected_full))
    assert "Now THAT is a goal" in reply
    assert "Get fitter" not in reply


def test_first_goal_is_used_when_none_is_selected():
    reply = offline_reply_text(context(VAGUE, FULL_SMART))
    assert '"Get fitter"' in reply
    assert asked_letters(reply) == ["S", "M"]


def test_untitled_goal_is_called_this_goal():
    reply = offline_reply_text(context(GoalText("", FULL_SMART.content)))
    assert "This goal is specific" in reply


def test_with_nothing_written_a_goal_like_message_is_coached_itself():
    ctx = CoachContext(
        user_name="Ann Example",
        phase="goal_setting",
        goals=(),
        history=(),
        message="I want to run a marathon because my father ran one",
    )
    reply = offline_reply_text(ctx)
    assert reply.startswith("I like where this is heading") and "relevant" in reply
    assert asked_letters(reply) == ["T", "A"]
    assert reply.endswith("write it on the left as your first goal.")


def test_with_nothing_written_a_short_message_gets_the_invitation():
    ctx = CoachContext("Ann", "goal_setting", (), (), "hi coach")
    assert "Write your first goal on the left" in offline_reply_text(ctx)


async def collect(coach: OfflineCoach, ctx: CoachContext) -> list[str | ReplyDone]:
    return [chunk async for chunk in coach.reply(ctx)]


async def test_offline_coach_streams_the_reply_text_then_one_done():
    ctx = context(NO_PLAN_NO_REASON)
    chunks = await collect(OfflineCoach(token_delay_seconds=0), ctx)
    done = [chunk for chunk in chunks if isinstance(chunk, ReplyDone)]
    text = [chunk for chunk in chunks if not isinstance(chunk, ReplyDone)]
    assert len(done) == 1
    assert chunks[-1] == ReplyDone(model=OFFLINE_MODEL)
    assert OFFLINE_MODEL == "offline-coach"
    assert all(isinstance(chunk, str) and chunk for chunk in text)
    assert "".join(text) == offline_reply_text(ctx)
    assert len(text) > 1  # streamed in pieces, not one block


async def test_offline_coach_stream_matches_for_every_kind_of_reply():
    coach = OfflineCoach(token_delay_seconds=0)
    for goals in [(), (FULL_SMART,), (VAGUE,)]:
        ctx = context(*goals)
        chunks = await collect(coach, ctx)
        assert "".join(c for c in chunks if isinstance(c, str)) == offline_reply_text(ctx)
        assert sum(isinstance(c, ReplyDone) for c in chunks) == 1


def test_offline_coach_is_marked_offline():
    coach = OfflineCoach(token_delay_seconds=0)
    assert coach.offline is True
    assert coach.model == OFFLINE_MODEL
