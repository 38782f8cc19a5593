"""When Claude is slow or failing, the person knows at once: the chat's coach announces each
failed attempt before it waits, honours the wait the API asks for, never waits on its own
inside the SDK, and gives up with a clear error after its last attempt."""

from __future__ import annotations

from goalgetter.coach.conversation import send_and_reply
from goalgetter.coach.llm import ClaudeCoach, CoachError, coach_error
from goalgetter.coach.reply import ReplyDone, ReplyRetrying
from goalgetter.data import chat_messages
from goalgetter.settings import Settings
from tests.fakes.anthropic_fake import FakeAnthropic, reply_tokens
from tests.integration.test_claude_coach import make_context

MESSAGE = "I want to run a marathon this year"


class Clock:
    """Stands in for asyncio.sleep: records each wait and what had been shown before it."""

    def __init__(self, events: list):
        self.events = events
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.events.append(("slept", seconds))


def chat_coach(fake: FakeAnthropic, clock: Clock, timeout: float = 15.0) -> ClaudeCoach:
    settings = Settings(
        anthropic_api_key="test-key",
        anthropic_base_url=fake.url,
        anthropic_chat_timeout_seconds=timeout,
        anthropic_max_retries=5,  # the chat must not use these
    )
    return ClaudeCoach(settings, interactive=True, sleep=clock.sleep)


async def play(coach: ClaudeCoach, events: list) -> CoachError | None:
    try:
        async for item in coach.reply(make_context(MESSAGE)):
            events.append(item)
    except CoachError as error:
        return error
    return None


async def test_a_429_with_retry_after_is_announced_then_honoured(fake_claude):
    fake_claude.queue("rate_limited_30", "normal")
    events: list = []
    clock = Clock(events)
    error = await play(chat_coach(fake_claude, clock), events)
    assert error is None
    assert events[0] == ReplyRetrying(30.0, "rate_limit")  # before any wait
    assert events[1] == ("slept", 30.0)
    assert "".join(e for e in events if isinstance(e, str)) == "".join(reply_tokens(MESSAGE))
    assert isinstance(events[-1], ReplyDone)
    # One request per attempt: the SDK did not retry behind the chat's back.
    assert [r["headers"].get("x-stainless-retry-count") for r in fake_claude.requests] == ["0", "0"]


async def test_after_the_last_attempt_the_error_is_clear(fake_claude):
    fake_claude.queue("overloaded", "overloaded", "overloaded")
    events: list = []
    clock = Clock(events)
    error = await play(chat_coach(fake_claude, clock), events)
    assert error is not None and error.kind == "overloaded"
    assert error.message == coach_error("overloaded").message
    assert [e for e in events if isinstance(e, ReplyRetrying)] == [
        ReplyRetrying(0.001, "overloaded"),
        ReplyRetrying(0.001, "overloaded"),
    ]
    assert len(fake_claude.requests) == 3


async def test_a_refusal_a_retry_cannot_cure_is_not_retried(fake_claude):
    fake_claude.queue("unauthorized")
    events: list = []
    error = await play(chat_coach(fake_claude, Clock(events)), events)
    assert error.kind == "auth" and events == [] and len(fake_claude.requests) == 1


async def test_a_silent_model_is_given_up_on_after_the_chat_timeout(fake_claude):
    fake_claude.hang_seconds = 3
    try:
        fake_claude.queue("hang", "normal")
        events: list = []
        error = await play(chat_coach(fake_claude, Clock(events), timeout=0.5), events)
    finally:
        fake_claude.hang_seconds = 30.0
    assert error is None
    assert events[0] == ReplyRetrying(2.0, "timeout")
    assert isinstance(events[-1], ReplyDone)


async def test_the_page_hears_the_notice_then_the_reply_and_the_message_id(ann, fake_claude):
    fake_claude.queue("rate_limited_30", "normal")
    events: list = []
    clock = Clock(events)

    async def notify(text: str) -> bool:
        events.append(("notice", text))
        return True

    async def show(message_id: str, text: str) -> bool:
        events.append(("text", text))
        return True

    async def stored_as(message_id: str) -> None:
        events.append(("stored", message_id))

    outcome = await send_and_reply(
        ann,
        MESSAGE,
        "",
        coach=chat_coach(fake_claude, clock),
        show=show,
        notify=notify,
        stored_as=stored_as,
    )
    [stored] = [e[1] for e in events if e[0] == "stored"]
    assert stored == (await chat_messages.recent_messages(ann, 5))[0]["id"]
    notices = [e[1] for e in events if e[0] == "notice"]
    assert notices == ["The coach is busy — trying again in 30 s.", ""]
    kinds = [e[0] for e in events]
    assert kinds.index("notice") < kinds.index("slept") < kinds.index("text")
    assert outcome.error == "" and outcome.text == "".join(reply_tokens(MESSAGE))


async def test_stop_during_the_wait_ends_the_reply(ann, fake_claude):
    fake_claude.queue("rate_limited_30", "normal")
    clock = Clock([])

    async def refuse(text: str) -> bool:
        return False  # the person pressed Stop, or signed out

    async def show(message_id: str, text: str) -> bool:
        return True

    outcome = await send_and_reply(
        ann, MESSAGE, "", coach=chat_coach(fake_claude, clock), show=show, notify=refuse
    )
    assert clock.waits == [] and len(fake_claude.requests) == 1
    assert outcome.ref is None and outcome.text == ""
