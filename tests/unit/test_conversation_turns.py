"""Which stored messages become the coach's history (`_turns_before`)."""

from __future__ import annotations

from goalgetter.coach.context import HISTORY_LIMIT, Turn
from goalgetter.coach.conversation import _turns_before


def stored(role: str, content: str, **metadata) -> dict:
    """A message as `chat_messages.recent_messages` returns it (oldest first)."""
    message = {"id": f"id-{content}", "role": role, "content": content}
    if metadata:
        message["metadata"] = metadata
    return message


def test_plain_history_becomes_turns_in_order():
    history = [stored("user", "Hi"), stored("assistant", "Hello"), stored("user", "Help me")]
    assert _turns_before(history, retrying=False) == [
        Turn("user", "Hi"),
        Turn("assistant", "Hello"),
        Turn("user", "Help me"),
    ]


def test_empty_history_gives_no_turns():
    assert _turns_before([], retrying=False) == []
    assert _turns_before([], retrying=True) == []


def test_errored_messages_are_left_out():
    history = [
        stored("user", "Check my goal"),
        stored("assistant", "Partial rep", error="The coach took too long", error_kind="timeout"),
        stored("user", "Are you there?"),
        stored("assistant", "Yes!", model="offline-coach"),
    ]
    turns = _turns_before(history, retrying=False)
    assert Turn("assistant", "Partial rep") not in turns
    assert turns == [
        Turn("user", "Check my goal"),
        Turn("user", "Are you there?"),
        Turn("assistant", "Yes!"),
    ]


def test_metadata_without_error_is_kept():
    history = [
        stored("user", "Go"),
        stored("assistant", "Stopped half", stopped=True),
        stored("assistant", "Streaming", streaming=True),
        stored("assistant", "Blank error", error=""),
    ]
    contents = [turn.content for turn in _turns_before(history, retrying=False)]
    assert contents == ["Go", "Stopped half", "Streaming", "Blank error"]


def test_metadata_none_is_treated_as_no_error():
    history = [{"role": "user", "content": "Hi", "metadata": None}]
    assert _turns_before(history, retrying=False) == [Turn("user", "Hi")]


def test_retrying_drops_the_retried_user_message():
    history = [
        stored("user", "Earlier"),
        stored("assistant", "Earlier reply"),
        stored("user", "Retry me"),
    ]
    assert _turns_before(history, retrying=True) == [
        Turn("user", "Earlier"),
        Turn("assistant", "Earlier reply"),
    ]


def test_retrying_drops_what_came_after_the_retried_message():
    history = [
        stored("user", "Earlier"),
        stored("assistant", "Earlier reply"),
        stored("user", "Retry me"),
        stored("assistant", "Half a reply", error="interrupted"),
        stored("assistant", "Stray reply"),
    ]
    turns = _turns_before(history, retrying=True)
    assert turns == [Turn("user", "Earlier"), Turn("assistant", "Earlier reply")]
    assert all(turn.content not in {"Retry me", "Stray reply"} for turn in turns)


def test_not_retrying_keeps_the_last_user_message():
    history = [stored("user", "Earlier"), stored("assistant", "Reply"), stored("user", "Last")]
    assert _turns_before(history, retrying=False)[-1] == Turn("user", "Last")


def test_retrying_with_only_assistant_messages_gives_nothing():
    history = [stored("assistant", "Welcome"), stored("assistant", "Anyone?")]
    assert _turns_before(history, retrying=True) == []


def test_history_is_capped_at_the_limit_keeping_the_newest():
    history = [
        stored("user" if n % 2 == 0 else "assistant", f"m{n:02d}") for n in range(HISTORY_LIMIT + 4)
    ]
    turns = _turns_before(history, retrying=False)
    assert len(turns) == HISTORY_LIMIT
    assert [turn.content for turn in turns] == [f"m{n:02d}" for n in range(4, HISTORY_LIMIT + 4)]


def test_cap_applies_after_dropping_the_retried_message():
    history = [
        stored("user" if n % 2 == 0 else "assistant", f"m{n:02d}") for n in range(HISTORY_LIMIT + 5)
    ]
    # The last stored message (index HISTORY_LIMIT + 4) is a user message being retried.
    assert history[-1]["role"] == "user"
    turns = _turns_before(history, retrying=True)
    assert len(turns) == HISTORY_LIMIT
    assert turns[-1].content == f"m{HISTORY_LIMIT + 3:02d}"
    assert turns[0].content == "m04"
