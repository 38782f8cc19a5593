"""ClaudeCoach through the real anthropic SDK against the loopback Messages API fake."""

from __future__ import annotations

import pytest

from goalgetter.coach.context import CoachContext, GoalText, Turn
from goalgetter.coach.llm import ClaudeCoach, CoachError, ReplyDone, coach_error
from goalgetter.coach.persona import PERSONA
from goalgetter.settings import Settings
from tests.fakes.anthropic_fake import FakeAnthropic, reply_tokens, system_text

MODEL = "claude-test-model"
MESSAGE = "I want to run a marathon this year"


def make_coach(fake: FakeAnthropic, timeout: float = 10.0, retries: int = 0) -> ClaudeCoach:
    settings = Settings(
        anthropic_api_key="test-key",
        anthropic_base_url=fake.url,
        anthropic_model=MODEL,
        anthropic_max_retries=retries,
        anthropic_timeout_seconds=timeout,
    )
    return ClaudeCoach(settings)


def make_context(message: str = MESSAGE) -> CoachContext:
    return CoachContext(
        user_name="Ann Example",
        phase="goal_setting",
        goals=(GoalText("Run a marathon", "42 km by October", selected=True),),
        history=(Turn("user", "Hi coach"), Turn("assistant", "Hi Ann, what is the goal?")),
        message=message,
    )


async def collect(coach: ClaudeCoach, context: CoachContext | None = None):
    """(text chunks, ReplyDone items, CoachError or None)."""
    chunks, done = [], []
    try:
        async for item in coach.reply(context or make_context()):
            (done if isinstance(item, ReplyDone) else chunks).append(item)
    except CoachError as error:
        return chunks, done, error
    return chunks, done, None


@pytest.fixture
def slow_fake(fake_claude: FakeAnthropic):
    """The fake with its hang time restored afterwards (reset() leaves it alone)."""
    saved = fake_claude.hang_seconds
    yield fake_claude
    fake_claude.hang_seconds = saved


async def test_normal_stream_yields_chunks_then_one_done_with_usage(fake_claude):
    chunks, done, error = await collect(make_coach(fake_claude))
    assert error is None
    assert chunks == reply_tokens(MESSAGE) and len(chunks) > 3
    [finished] = done
    assert finished.model == MODEL
    assert finished.usage["input_tokens"] == 42
    assert finished.usage["output_tokens"] == len(chunks)


async def test_request_carries_model_system_prompt_and_messages(fake_claude):
    await collect(make_coach(fake_claude))
    [request] = fake_claude.requests
    body, headers = request["body"], request["headers"]
    assert body["model"] == MODEL and body["stream"] is True
    assert body["max_tokens"] == Settings().anthropic_max_tokens
    system = system_text(body)
    assert system.startswith(PERSONA)
    assert "Name: Ann Example" in system
    assert "### Run a marathon (open in their editor now)\n42 km by October" in system
    assert body["messages"] == [
        {"role": "user", "content": "Hi coach"},
        {"role": "assistant", "content": "Hi Ann, what is the goal?"},
        {"role": "user", "content": MESSAGE},
    ]
    assert "test-key" in (headers.get("x-api-key", "") + headers.get("authorization", ""))


@pytest.mark.parametrize(
    ("scenario", "kind"),
    [("unauthorized", "auth"), ("rate_limited", "rate_limit"), ("overloaded", "overloaded")],
)
async def test_http_errors_map_to_coach_errors(fake_claude, scenario, kind):
    fake_claude.queue(scenario)
    chunks, done, error = await collect(make_coach(fake_claude))
    assert (chunks, done) == ([], [])
    assert error.kind == kind and error.message == coach_error(kind).message
    assert len(fake_claude.requests) == 1  # max_retries=0: no second attempt


async def test_hang_before_headers_is_a_timeout(slow_fake):
    slow_fake.hang_seconds = 5
    slow_fake.queue("hang")
    chunks, done, error = await collect(make_coach(slow_fake, timeout=0.5))
    assert (chunks, done) == ([], [])
    assert error.kind == "timeout"


async def test_stall_after_first_token_is_a_timeout_not_a_crash(fake_claude):
    # Headers and one token arrive, then the next token is later than the read timeout:
    # the SDK lets httpx2.ReadTimeout escape unwrapped here (llm.py now maps it).
    fake_claude.token_delay = 3
    chunks, done, error = await collect(make_coach(fake_claude, timeout=0.5))
    assert chunks == reply_tokens(MESSAGE)[:1] and done == []
    assert error is not None and error.kind == "timeout"


async def test_stall_before_first_token_is_a_timeout(fake_claude):
    fake_claude.first_token_delay = 3
    chunks, done, error = await collect(make_coach(fake_claude, timeout=0.5))
    assert (chunks, done) == ([], [])
    assert error is not None and error.kind == "timeout"


async def test_midstream_overloaded_event_keeps_chunks_and_says_overloaded(fake_claude):
    fake_claude.queue("midstream_error")
    chunks, done, error = await collect(make_coach(fake_claude))
    assert chunks == reply_tokens(MESSAGE)[:3] and done == []
    # The fake's error event is overloaded_error: the user should see the overloaded message.
    assert error.kind == "overloaded"
    assert error.message == coach_error("overloaded").message


async def test_sdk_retries_a_single_529_then_succeeds(fake_claude):
    fake_claude.queue("overloaded", "normal")
    chunks, done, error = await collect(make_coach(fake_claude, retries=2))
    assert error is None
    assert "".join(chunks) == "".join(reply_tokens(MESSAGE))
    assert len(done) == 1 and done[0].model == MODEL
    assert len(fake_claude.requests) == 2
    assert fake_claude.requests[0]["body"] == fake_claude.requests[1]["body"]
    assert fake_claude.requests[1]["headers"]["x-stainless-retry-count"] == "1"


async def test_retries_exhausted_still_reports_overloaded(fake_claude):
    fake_claude.queue("overloaded", "overloaded", "overloaded")
    chunks, _, error = await collect(make_coach(fake_claude, retries=2))
    assert chunks == [] and error.kind == "overloaded"
    assert len(fake_claude.requests) == 3


async def test_closing_the_reply_early_closes_the_stream(fake_claude):
    replies = make_coach(fake_claude).reply(make_context())
    first = await anext(replies)
    await replies.aclose()
    assert first == reply_tokens(MESSAGE)[0]
    _, done, error = await collect(make_coach(fake_claude))  # the fake still serves
    assert error is None and len(done) == 1


async def test_persona_and_goals_go_as_cached_blocks_and_cache_use_is_recorded(fake_claude):
    _, [first], _ = await collect(make_coach(fake_claude))
    _, [second], _ = await collect(make_coach(fake_claude), make_context("And a second question"))
    blocks = fake_claude.requests[-1]["body"]["system"]
    assert blocks[0] == {"type": "text", "text": PERSONA, "cache_control": {"type": "ephemeral"}}
    assert "42 km by October" in blocks[1]["text"] and blocks[1]["cache_control"]
    # Same persona, tools and goals: the second request reads what the first wrote.
    assert first.usage["cache_creation_input_tokens"] > 0 == first.usage["cache_read_input_tokens"]
    assert second.usage["cache_read_input_tokens"] == first.usage["cache_creation_input_tokens"]
    assert second.usage["cache_creation_input_tokens"] == 0
