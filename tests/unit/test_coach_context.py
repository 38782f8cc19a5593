"""What the coach sees: the system prompt and the alternating message list."""

from __future__ import annotations

import itertools

from goalgetter.coach.context import (
    HISTORY_LIMIT,
    MAX_GOAL_CHARS,
    MAX_GOALS_CHARS,
    CoachContext,
    GoalText,
    Turn,
    build_messages,
    build_system_prompt,
)
from goalgetter.coach.persona import PERSONA, PHASE_GUIDANCE


def make_context(
    *,
    user_name: str = "Ada Lovelace",
    phase: str = "goal_setting",
    goals: tuple[GoalText, ...] = (),
    history: tuple[Turn, ...] = (),
    message: str = "Hello coach",
) -> CoachContext:
    return CoachContext(
        user_name=user_name, phase=phase, goals=goals, history=history, message=message
    )


def assert_alternates_from_user(messages: list[dict]) -> None:
    assert messages, "there is always at least the new message"
    assert messages[0]["role"] == "user"
    assert messages[-1]["role"] == "user"
    for before, after in itertools.pairwise(messages):
        assert before["role"] != after["role"]


# --- build_system_prompt ------------------------------------------------------------------


def test_prompt_contains_persona_name_and_phase_guidance():
    prompt = build_system_prompt(make_context(phase="goal_setting"))
    assert prompt.startswith(PERSONA)
    assert "Name: Ada Lovelace" in prompt
    assert PHASE_GUIDANCE["goal_setting"] in prompt
    assert PHASE_GUIDANCE["tracking"] not in prompt


def test_prompt_uses_tracking_guidance_in_tracking_phase():
    prompt = build_system_prompt(make_context(phase="tracking"))
    assert PHASE_GUIDANCE["tracking"] in prompt
    assert PHASE_GUIDANCE["goal_setting"] not in prompt


def test_unknown_phase_falls_back_to_goal_setting_guidance():
    prompt = build_system_prompt(make_context(phase="something_else"))
    assert PHASE_GUIDANCE["goal_setting"] in prompt


def test_missing_name_is_shown_as_unknown():
    assert "Name: unknown" in build_system_prompt(make_context(user_name=""))


def test_prompt_lists_each_goal_title_and_content():
    goals = (
        GoalText("Berlin marathon", "Run it in under 4 hours by 2027-09-26"),
        GoalText("Learn Spanish", "Reach B1 by March so I can talk with my in-laws"),
    )
    prompt = build_system_prompt(make_context(goals=goals))
    for goal in goals:
        assert f"### {goal.title}" in prompt
        assert goal.content in prompt
    assert prompt.index("Berlin marathon") < prompt.index("Learn Spanish")
    assert "<goals>" in prompt
    assert "</goals>" in prompt


def test_prompt_shows_phase_deadline_tags_and_milestones_of_a_goal():
    goal = GoalText.from_goal(
        {
            "title": "Run a marathon",
            "content": "42 km",
            "phase": "active",
            "metadata": {
                "deadline": "2027-10-10",
                "tags": ["Health", "Running"],
                "milestones": [
                    {"id": "a", "title": "Run 21 km", "due": None, "done": True},
                    {"id": "b", "title": "Run 32 km", "due": "2027-08-01", "done": False},
                ],
            },
        }
    )
    prompt = build_system_prompt(make_context(goals=(goal,)))
    assert (
        "### Run a marathon\nPhase: active · Deadline: 2027-10-10 · Tags: Health, Running\n"
        in prompt
    )
    assert "Milestones: [x] Run 21 km; [ ] Run 32 km\n42 km" in prompt


def test_a_goal_without_structure_adds_no_empty_lines():
    prompt = build_system_prompt(
        make_context(goals=(GoalText.from_goal({"title": "T", "content": "C"}),))
    )
    assert "### T\nC" in prompt


def test_prompt_says_when_there_are_no_goals():
    prompt = build_system_prompt(make_context(goals=()))
    assert "They have not written any goals yet." in prompt


def test_selected_goal_is_marked_and_only_that_one():
    goals = (
        GoalText("Berlin marathon", "Run it", selected=False),
        GoalText("Learn Spanish", "Reach B1", selected=True),
    )
    prompt = build_system_prompt(make_context(goals=goals))
    assert "### Learn Spanish (open in their editor now)" in prompt
    assert "### Berlin marathon\n" in prompt
    assert prompt.count("(open in their editor now)") == 1


def test_goal_without_title_or_text_gets_placeholders():
    prompt = build_system_prompt(make_context(goals=(GoalText("  ", "   "),)))
    assert "### Untitled goal\n(no text yet)" in prompt


def test_very_long_goal_is_clipped():
    content = "x" * (MAX_GOAL_CHARS * 3)
    prompt = build_system_prompt(make_context(goals=(GoalText("Long", content),)))
    assert "x" * MAX_GOAL_CHARS in prompt
    assert "x" * (MAX_GOAL_CHARS + 1) not in prompt
    assert "[… cut for length]" in prompt


def test_goal_of_exactly_the_limit_is_not_clipped():
    content = "y" * MAX_GOAL_CHARS
    prompt = build_system_prompt(make_context(goals=(GoalText("Exact", content),)))
    assert content in prompt
    assert "cut for length" not in prompt


def test_too_many_goals_are_cut_with_a_count_of_those_left_out():
    goals = tuple(GoalText(f"Goal {n}", "z" * (MAX_GOAL_CHARS - 100)) for n in range(12))
    prompt = build_system_prompt(make_context(goals=goals))
    shown = sum(f"### Goal {n}\n" in prompt for n in range(12))
    assert 0 < shown < 12
    assert f"[{12 - shown} more goals not shown]" in prompt
    assert len(prompt) < len(PERSONA) + MAX_GOALS_CHARS + 2_000


# --- build_messages -----------------------------------------------------------------------


def test_new_message_alone_becomes_one_user_message():
    assert build_messages(make_context(message="Check my goal")) == [
        {"role": "user", "content": "Check my goal"}
    ]


def test_history_comes_first_and_new_message_last():
    history = (Turn("user", "Hi"), Turn("assistant", "Hello! What's the goal?"))
    messages = build_messages(make_context(history=history, message="Run a marathon"))
    assert messages == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! What's the goal?"},
        {"role": "user", "content": "Run a marathon"},
    ]


def test_history_is_limited_to_the_last_turns():
    total = HISTORY_LIMIT * 3
    history = tuple(Turn("user" if n % 2 == 0 else "assistant", f"t{n:02d}") for n in range(total))
    messages = build_messages(make_context(history=history, message="now"))
    sent = [message["content"] for message in messages]
    assert sent == [f"t{n:02d}" for n in range(total - HISTORY_LIMIT, total)] + ["now"]
    assert "t00" not in sent
    assert_alternates_from_user(messages)


def test_history_tail_is_exactly_the_last_history_limit_turns():
    history = tuple(
        Turn("assistant" if n % 2 == 0 else "user", f"t{n:02d}") for n in range(HISTORY_LIMIT + 6)
    )
    messages = build_messages(make_context(history=history, message="new"))
    tail = history[-HISTORY_LIMIT:]
    # The tail starts with an assistant turn, which is dropped; it ends with a user turn,
    # which the new message joins.
    assert tail[0].role == "assistant"
    assert tail[-1].role == "user"
    expected = [{"role": t.role, "content": t.content} for t in tail[1:]]
    expected[-1]["content"] += "\n\nnew"
    assert messages == expected


def test_consecutive_same_role_turns_are_merged():
    history = (
        Turn("user", "First thought"),
        Turn("user", "Second thought"),
        Turn("assistant", "Reply one"),
        Turn("assistant", "Reply two"),
    )
    messages = build_messages(make_context(history=history, message="Third thought"))
    assert messages == [
        {"role": "user", "content": "First thought\n\nSecond thought"},
        {"role": "assistant", "content": "Reply one\n\nReply two"},
        {"role": "user", "content": "Third thought"},
    ]


def test_new_message_merges_into_a_trailing_user_turn():
    history = (Turn("user", "Unanswered question"),)
    messages = build_messages(make_context(history=history, message="Follow-up"))
    assert messages == [{"role": "user", "content": "Unanswered question\n\nFollow-up"}]


def test_leading_assistant_turns_are_dropped():
    history = (
        Turn("assistant", "Welcome!"),
        Turn("assistant", "Shall we start?"),
        Turn("user", "Yes"),
        Turn("assistant", "Great"),
    )
    messages = build_messages(make_context(history=history, message="Go"))
    assert messages[0] == {"role": "user", "content": "Yes"}
    assert all("Welcome" not in m["content"] for m in messages)
    assert_alternates_from_user(messages)


def test_empty_and_whitespace_turns_are_dropped():
    history = (
        Turn("user", "Hi"),
        Turn("assistant", ""),
        Turn("user", "   \n"),
        Turn("assistant", "Hello"),
    )
    messages = build_messages(make_context(history=history, message="Next"))
    assert messages == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "Next"},
    ]


def test_messages_always_alternate_for_messy_history():
    roles = ["assistant", "assistant", "user", "user", "", "assistant", "user", "assistant"]
    history = tuple(
        Turn("user" if role == "" else role, "" if role == "" else f"{role} {n}")
        for n, role in enumerate(roles)
    )
    messages = build_messages(make_context(history=history, message="latest"))
    assert_alternates_from_user(messages)
    assert messages[-1]["content"].endswith("latest")


def test_build_messages_does_not_change_the_context():
    history = (Turn("user", "a"), Turn("user", "b"))
    context = make_context(history=history, message="c")
    build_messages(context)
    build_messages(context)
    assert context.history == (Turn("user", "a"), Turn("user", "b"))
    assert build_messages(context) == [{"role": "user", "content": "a\n\nb\n\nc"}]


def test_selected_goal_property():
    goals = (GoalText("A", "a"), GoalText("B", "b", selected=True))
    assert make_context(goals=goals).selected_goal == goals[1]
    assert make_context(goals=(GoalText("A", "a"),)).selected_goal is None
