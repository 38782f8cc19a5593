"""The offline coach, one message at a time: which question it asks about a goal, what it
quotes back, the proposals it makes, and how its reply is streamed."""

from __future__ import annotations

import re
from datetime import date

from goalgetter.coach.context import CoachContext, GoalText, Turn
from goalgetter.coach.offline import (
    OFFLINE_MODEL,
    OfflineCoach,
    OfflineReply,
    Proposal,
    offline_reply,
    offline_reply_text,
)
from goalgetter.coach.reply import ReplyDone
from goalgetter.domain.smart import analyse_goal

TODAY = date(2025, 3, 10)
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
NAMES = {check.letter: check.name.lower() for check in analyse_goal("", "").checks}


def context(*goals: GoalText, user_name: str = "Ada Lovelace", message: str = "How is my goal?"):
    return CoachContext(
        user_name=user_name,
        phase="goal_setting",
        goals=goals,
        history=(Turn("user", "Earlier"),),
        message=message,
    )


def reply_to(*goals: GoalText, message: str = "How is my goal?") -> OfflineReply:
    return offline_reply(context(*goals, message=message), TODAY)


def asked_letters(reply: str) -> list[str]:
    """The SMART letters a reply asks about: each question is led by the letter's bold name."""
    by_name = {name: letter for letter, name in NAMES.items()}
    pattern = "|".join(re.escape(name) for name in by_name)
    leads = re.findall(rf"(?:make it|for|work on) \*\*({pattern})\*\*\.", reply)
    return [by_name[name] for name in leads]


def test_assumptions_about_the_sample_goals_hold():
    assert analyse_goal(FULL_SMART.title, FULL_SMART.content).letters == "SMART"
    assert analyse_goal(VAGUE.title, VAGUE.content).letters == ""
    assert analyse_goal(NO_PLAN_NO_REASON.title, NO_PLAN_NO_REASON.content).letters == "SMT"
    assert analyse_goal(NO_PLAN_NO_DEADLINE.title, NO_PLAN_NO_DEADLINE.content).letters == "SMR"
    assert analyse_goal(ONLY_PLAN_MISSING.title, ONLY_PLAN_MISSING.content).letters == "SMRT"


def test_reply_is_deterministic():
    for goals in [(), (VAGUE,), (FULL_SMART,), (NO_PLAN_NO_REASON, FULL_SMART)]:
        assert offline_reply_text(context(*goals)) == offline_reply_text(context(*goals))
        assert reply_to(*goals) == reply_to(*goals)


def test_reply_text_is_the_text_of_the_full_reply():
    for goals in [(), (VAGUE,), (FULL_SMART,)]:
        assert offline_reply_text(context(*goals)) == offline_reply(context(*goals)).text


def test_no_goals_invites_writing_a_first_goal():
    reply = offline_reply_text(context())
    assert "write your first goal on the left" in reply.lower()
    assert "Ada" in reply
    assert "Lovelace" not in reply  # first name only
    assert asked_letters(reply) == []
    assert reply.count("?") == 1
    assert "your goal" not in reply.lower()  # none is written: none is talked about


def test_blank_goal_is_treated_like_no_goal():
    reply = offline_reply_text(context(GoalText("   ", "\n")))
    assert "write your first goal on the left" in reply.lower()


def test_missing_name_is_addressed_as_friend():
    assert "friend" in offline_reply_text(context(user_name=""))
    assert "friend" in offline_reply_text(context(VAGUE, user_name=""))


def test_full_smart_goal_is_praised_for_what_it_says_and_asks_for_the_first_action():
    reply = reply_to(FULL_SMART).text
    assert '"Berlin marathon"' in reply
    for quoted in ("4 hours", "2027-09-26", "prove to yourself"):
        assert quoted in reply  # specific praise, quoted from the goal
    assert "first action" in reply and "48 hours" in reply
    assert reply.rstrip().endswith("?") and reply.count("?") == 1
    assert asked_letters(reply) == []


def test_vague_goal_asks_one_question_about_what_exactly():
    reply = reply_to(VAGUE).text
    assert asked_letters(reply) == ["S"]
    assert reply.count("?") == 1
    assert '"Get fitter"' in reply
    assert "48 hours" not in reply


def test_relevant_is_asked_before_achievable():
    assert asked_letters(reply_to(NO_PLAN_NO_REASON).text) == ["R"]


def test_time_bound_is_asked_before_achievable():
    assert asked_letters(reply_to(NO_PLAN_NO_DEADLINE).text) == ["T"]


def test_the_last_missing_letter_is_asked():
    assert asked_letters(reply_to(ONLY_PLAN_MISSING).text) == ["A"]


def test_reply_quotes_what_the_goal_already_has():
    reply = reply_to(NO_PLAN_NO_REASON).text
    assert "**4 hours**" in reply and "**2027-09-26**" in reply
    reply = reply_to(NO_PLAN_NO_DEADLINE).text
    assert "**5000 euros**" in reply and "your daughter's university fund" in reply


def test_never_more_than_one_question():
    for goal in [VAGUE, NO_PLAN_NO_REASON, NO_PLAN_NO_DEADLINE, FULL_SMART, GoalText("x", "y")]:
        reply = reply_to(goal).text
        assert len(asked_letters(reply)) <= 1
        assert reply.count("?") == 1


def test_selected_goal_is_preferred_over_the_first():
    selected_full = GoalText(FULL_SMART.title, FULL_SMART.content, selected=True)
    reply = reply_to(VAGUE, selected_full).text
    assert "48 hours" in reply
    assert "Get fitter" not in reply


def test_first_goal_is_used_when_none_is_selected():
    reply = reply_to(VAGUE, FULL_SMART).text
    assert '"Get fitter"' in reply
    assert asked_letters(reply) == ["S"]


def test_untitled_goal_is_called_this_goal():
    reply = reply_to(GoalText("", FULL_SMART.content)).text
    assert "This goal already has" in reply


def test_markup_in_a_goal_title_is_not_echoed():
    reply = reply_to(GoalText("<b>**Run**</b> [x](javascript:y)", "")).text
    assert '"Run x (javascript:y)"' in reply  # no brackets: no link
    assert not re.search(r"[<>\[\]]", reply)


def test_with_nothing_written_a_goal_like_message_is_coached_itself():
    ctx = CoachContext(
        user_name="Ann Example",
        phase="goal_setting",
        goals=(),
        history=(),
        message="I want to run a marathon because my father ran one",
    )
    reply = offline_reply(ctx, TODAY)
    assert "because your father ran one" in reply.text  # said back in their own terms
    assert "write it yourself on the left" in reply.text
    assert reply.proposals == (
        Proposal("append_text", "", "Run a marathon because my father ran one."),
    )
    assert len(asked_letters(reply.text)) == 1 and reply.text.count("?") == 1


def test_with_nothing_written_a_short_message_gets_the_invitation():
    ctx = CoachContext("Ann", "goal_setting", (), (), "hi coach")
    reply = offline_reply_text(ctx)
    assert "write your first goal on the left" in reply.lower()
    assert reply.startswith("H")  # a greeting answered with a greeting


def test_a_date_without_a_year_is_its_next_occurrence():
    message = "I'll finish it by June 1st"
    spring = offline_reply(context(VAGUE, message=message), date(2025, 3, 10))
    summer = offline_reply(context(VAGUE, message=message), date(2025, 7, 1))
    assert Proposal("deadline", "Get fitter", "2025-06-01") in spring.proposals
    assert Proposal("deadline", "Get fitter", "2026-06-01") in summer.proposals
    assert "**1 June 2025**" in spring.text and "**1 June 2026**" in summer.text


def test_a_past_or_ambiguous_date_is_not_proposed_as_a_deadline():
    for message in ["It was due by 2020-01-01", "Deadline 06/01/2026", "By February 30"]:
        reply = reply_to(VAGUE, message=message)
        assert [p for p in reply.proposals if p.kind == "deadline"] == [], message


def test_the_goal_s_own_deadline_is_not_proposed_again():
    goal = GoalText("Get fitter", "", deadline="2025-06-01")
    reply = reply_to(goal, message="By June 1st")
    assert [p for p in reply.proposals if p.kind == "deadline"] == []


def test_at_most_one_proposal_of_each_kind():
    message = (
        "I will run 5 km by 2025-05-01 and 10 km by 2025-09-01 because I love it.\n"
        "- buy shoes\n- join the club"
    )
    reply = reply_to(VAGUE, message=message)
    kinds = [proposal.kind for proposal in reply.proposals]
    assert sorted(kinds) == ["append_text", "deadline", "milestones"]
    assert Proposal("deadline", "Get fitter", "2025-05-01") in reply.proposals
    assert Proposal("milestones", "Get fitter", items=("Buy shoes", "Join the club")) in (
        reply.proposals
    )
    assert "accept the cards below" in reply.text


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
