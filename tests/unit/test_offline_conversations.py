"""Scripted conversations with the offline coach. Each message is answered in turn and the
reply appended to the history before the next, as the chat does. Every reply is checked for
what it must pick up from the message, and for what must never happen: the same reply twice
in a row, more than one question, a long reply, raw HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from goalgetter.coach.context import CoachContext, GoalText, Turn
from goalgetter.coach.offline import OfflineReply, Proposal, offline_reply
from goalgetter.domain.smart import analyse_goal

TODAY = date(2025, 3, 10)
GET_FIT = GoalText("Get fit", "I want to get fit and lose some weight this year")
READ_MORE = GoalText("Read more", "I want to read more books")
BRIEF = (
    "This is check-in number 3.\nThe last one was 7 days ago.\n"
    "Latest check-in on Get fit: 40%, On track."
)
NAMES = {check.letter: check.name.lower() for check in analyse_goal("", "").checks}
LETTER_ASKED = re.compile(rf"(?:make it|for|work on) \*\*({'|'.join(NAMES.values())})\*\*\.")
MAX_WORDS = 120
# In a check-in the coach names no time of its own: a day or month must come from the chat.
TIME_WORDS = re.compile(
    r"\b(?:tomorrow|tonight|next week|see you|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|january|february|march|april|may|june|july|august|september"
    r"|october|november|december)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Say:
    message: str
    mentions: tuple[str, ...] = ()  # what the reply must say back (case-insensitive)
    check: Callable[[OfflineReply], object] | None = None


def play(
    steps: list[Say], goals: tuple[GoalText, ...] = (GET_FIT,), phase: str = "goal_setting"
) -> list[OfflineReply]:
    history: tuple[Turn, ...] = ()
    replies = []
    meeting = BRIEF if phase == "tracking" else ""
    for step in steps:
        ctx = CoachContext("Ann Example", phase, goals, history, step.message, meeting=meeting)
        reply = offline_reply(ctx, TODAY)
        assert offline_reply(ctx, TODAY) == reply, "not deterministic"
        _check_every_reply(reply, history, goals)
        for fragment in step.mentions:
            assert fragment.lower() in reply.text.lower(), (step.message, fragment, reply.text)
        if step.check:
            step.check(reply)
        history = (*history, Turn("user", step.message), Turn("assistant", reply.text))
        replies.append(reply)
    return replies


def _check_every_reply(reply: OfflineReply, history: tuple[Turn, ...], goals) -> None:
    text = reply.text
    assert text.strip()
    assert len(text.split()) <= MAX_WORDS, text
    assert text.count("?") <= 1, f"more than one question: {text}"
    assert "<" not in text and ">" not in text, text
    previous = [turn.content for turn in history if turn.role == "assistant"][-1:]
    assert [text] != previous, f"the same reply twice in a row: {text}"
    kinds = [proposal.kind for proposal in reply.proposals]
    assert len(kinds) == len(set(kinds)), reply.proposals
    if reply.proposals:
        assert re.search(r"accept the cards? below", text), text
    titles = {goal.title for goal in goals} if goals else {""}
    assert all(proposal.goal_title in titles for proposal in reply.proposals)


def asked(reply: OfflineReply) -> list[str]:
    names = {name: letter for letter, name in NAMES.items()}
    return [names[name] for name in LETTER_ASKED.findall(reply.text)]


def asks_a_letter(reply: OfflineReply) -> None:
    assert len(asked(reply)) == 1 and reply.text.rstrip().endswith("?"), reply.text


def asks_smallest_step_not_a_checklist(reply: OfflineReply) -> None:
    assert "smallest step" in reply.text and reply.text.rstrip().endswith("?"), reply.text
    assert not re.search(rf"\*\*({'|'.join(NAMES.values())})\*\*", reply.text), reply.text
    assert reply.proposals == ()


def celebrates(reply: OfflineReply) -> None:
    assert "48 hours" in reply.text and asked(reply) == [], reply.text


def short(words: int) -> Callable[[OfflineReply], None]:
    def check(reply: OfflineReply) -> None:
        assert len(reply.text.split()) <= words and reply.text.count("?") == 1, reply.text

    return check


def proposes(*expected: Proposal) -> Callable[[OfflineReply], None]:
    def check(reply: OfflineReply) -> None:
        assert set(expected) <= set(reply.proposals), reply.proposals

    return check


def all_of(*checks: Callable[[OfflineReply], object]) -> Callable[[OfflineReply], None]:
    def check(reply: OfflineReply) -> None:
        for each in checks:
            each(reply)

    return check


def first_missing_letter(goal: GoalText, *said: str) -> str:
    report = analyse_goal(goal.title, "\n".join([goal.content, *said]), goal.deadline)
    missing = {check.letter for check in report.missing}
    return next(letter for letter in "SMTRA" if letter in missing)


def test_the_reported_conversation_is_heard_message_by_message():
    first = "Here's my goal. What do you think?"
    expected_letter = first_missing_letter(GET_FIT, first)
    replies = play(
        [
            Say(
                first,
                mentions=('"Get fit"',),
                check=lambda reply: asked(reply) == [expected_letter] or pytest.fail(reply.text),
            ),
            Say(
                "I don't really have time to exercise though.",
                mentions=("you don't really have time to exercise",),
                check=asks_smallest_step_not_a_checklist,
            ),
            Say(
                "OK, I'll run 3 times a week for 30 minutes and lose 5 kg by June 1st because I "
                "want to keep up with my kids.",
                mentions=("3 times a week", "30 minutes", "5 kg", "June 1st", "your kids"),
                check=all_of(
                    celebrates,
                    proposes(
                        Proposal(
                            "append_text",
                            "Get fit",
                            "Run 3 times a week for 30 minutes and lose 5 kg by June 1st, to "
                            "keep up with my kids.",
                        ),
                        Proposal("deadline", "Get fit", "2025-06-01"),
                    ),
                ),
            ),
            Say(
                "Tomorrow morning I'll go for a 20 minute run before work.",
                mentions=("20 minute run", "milestone"),
                check=proposes(
                    Proposal(
                        "milestones",
                        "Get fit",
                        items=("Go for a 20 minute run before work tomorrow morning",),
                    )
                ),
            ),
        ]
    )
    assert len({reply.text for reply in replies}) == len(replies)


def test_a_newcomer_with_no_goal_is_coached_from_the_chat():
    replies = play(
        [
            Say("hi", mentions=("write your first goal on the left",), check=short(40)),
            Say(
                "I want to learn Spanish so I can talk with my grandmother",
                mentions=("so you can talk with your grandmother", "on the left"),
                check=all_of(
                    asks_a_letter,
                    proposes(
                        Proposal(
                            "append_text", "", "Learn Spanish so I can talk with my grandmother."
                        )
                    ),
                ),
            ),
            Say(
                "by the 3rd of April",
                mentions=("3rd of April", "3 April 2025"),
                check=proposes(Proposal("deadline", "", "2025-04-03")),
            ),
            Say("?", check=all_of(short(30), asks_a_letter)),
            Say("tell me a joke", check=all_of(short(45), asks_a_letter)),
            Say("thanks!", check=all_of(short(30), asks_a_letter)),
        ],
        goals=(),
    )
    # Once given, a date and a reason are never asked for again.
    assert all(not {"T", "R"} & set(asked(reply)) for reply in replies[2:])


@pytest.mark.parametrize(
    ("written", "deadline"),
    [
        ("by 2025-06-01", "2025-06-01"),
        ("by June 1st", "2025-06-01"),
        ("by 1 June", "2025-06-01"),
        ("by the 1st of June", "2025-06-01"),
        ("by Jun 1, 2026", "2026-06-01"),
        ("by 01.06.2025", "2025-06-01"),
        ("by 06/13/2025", "2025-06-13"),
        ("by the end of June", "2025-06-30"),
        ("by March 1st", "2026-03-01"),  # passed this year: the next one
    ],
)
def test_a_date_in_any_common_format_becomes_a_deadline_proposal(written, deadline):
    [reply] = play([Say(f"I'll do it {written}", mentions=(written.removeprefix("by "),))])
    assert Proposal("deadline", "Get fit", deadline) in reply.proposals


def test_a_number_a_plan_a_reason_and_a_date_are_each_picked_up():
    given: set[str] = set()

    def asks_nothing_given(letter: str) -> Callable[[OfflineReply], None]:
        def check(reply: OfflineReply) -> None:
            given.add(letter)
            assert not given & set(asked(reply)), (given, reply.text)

        return check

    replies = play(
        [
            Say("hello coach", mentions=('"Read more"',), check=short(40)),
            Say("12 books", mentions=("**12 books**",), check=asks_nothing_given("M")),
            Say(
                "I'll read 20 pages every evening",
                mentions=("20 pages every evening",),
                check=asks_nothing_given("A"),
            ),
            Say(
                "so that I can relax before bed",
                mentions=("so that you can relax before bed",),
                check=asks_nothing_given("R"),
            ),
            Say("by December 31st", mentions=("December 31st",), check=asks_nothing_given("T")),
        ],
        goals=(READ_MORE,),
    )
    last = replies[-1]
    assert "48 hours" in last.text or asked(last) == ["S"], last.text


def test_objections_get_a_reframe_and_a_smallest_step_not_a_checklist():
    play(
        [
            Say(message, mentions=(said_back,), check=asks_smallest_step_not_a_checklist)
            for message, said_back in [
                ("I always fail at this", "you always fail"),
                ("Honestly it's too hard", "too hard"),
                ("I'm not sure I can", "you're not sure you can"),
                ("I'm too busy", "you're too busy"),
                ("I've tried before", "you've tried before"),
                ("no time", "no time"),
            ]
        ]
    )


def test_a_check_in_celebrates_wins_and_turns_setbacks_into_a_next_step():
    def names_no_time_of_its_own(reply: OfflineReply, said: str) -> None:
        for word in TIME_WORDS.findall(reply.text):
            assert word.lower() in f"{said} {BRIEF}".lower(), reply.text

    messages = [
        Say("hi", mentions=("**40%**", '"Get fit"', "what moved")),
        Say("I ran three times this week!", mentions=("you ran three times", "commitment")),
        Say(
            "I'll add a fourth run on Sunday",
            mentions=("milestone",),
            check=proposes(
                Proposal("milestones", "Get fit", items=("Add a fourth run on Sunday",))
            ),
        ),
        Say(
            "I missed two runs because work was crazy.",
            mentions=("you missed two runs", "smallest step"),
        ),
        Say("I'm at 60% now", mentions=("**60%**",)),
        Say("thanks", check=short(25)),
    ]
    replies = play(messages, phase="tracking")
    said = " ".join(step.message for step in messages)
    for reply in replies:
        names_no_time_of_its_own(reply, said)


@pytest.mark.parametrize("hello", ["hi", "hello", "hey coach", "good morning", "yo", "?", "ok"])
def test_a_check_in_opens_on_progress_and_names_no_time_of_its_own(hello):
    [reply] = play([Say(hello, mentions=("what moved",))], phase="tracking")
    assert [word for word in TIME_WORDS.findall(reply.text)] == [], reply.text


def test_hostile_messages_get_a_short_safe_reply():
    play(
        [
            Say("<script>alert('hi')</script>", check=short(MAX_WORDS)),
            Say("I will run " + "very " * 4_000 + "far", check=short(MAX_WORDS)),
            Say("🏃‍♀️🔥💪", check=short(30)),
            Say(
                "<img src=x onerror=alert(1)> I'll run 5 km because [it](javascript:x) matters",
                mentions=("**5 km**",),
                check=lambda reply: all(
                    not re.search(r"[<>\[\]]", p.text) for p in reply.proposals
                ),
            ),
        ]
    )


def test_the_same_short_message_again_and_again_never_gets_the_same_reply_twice():
    replies = play([Say(message) for message in ["ok"] * 12 + ["?"] * 6 + ["hmm"] * 6])
    assert len({reply.text for reply in replies}) > 3  # the wording moves, not just alternates


def test_a_full_smart_sentence_with_no_goal_written_becomes_a_new_goal():
    play(
        [
            Say(
                "I will run a half marathon in under 2 hours by 2025-10-04 because I want to "
                "prove to myself I can, training 3 times a week",
                mentions=("2 hours", "3 times a week", "prove to yourself", "yourself on the left"),
                check=all_of(celebrates, proposes(Proposal("deadline", "", "2025-10-04"))),
            ),
            Say(
                "I'll buy running shoes on Saturday",
                mentions=("milestone",),
                check=proposes(
                    Proposal("milestones", "", items=("Buy running shoes on Saturday",))
                ),
            ),
        ],
        goals=(),
    )
