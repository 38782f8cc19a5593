"""The coach's two voices: Claude (streaming, through AsyncAnthropic) and the offline coach
(goalgetter/coach/offline.py).

Both yield text chunks and finish with one `ReplyDone`; failures raise `CoachError` with a
message fit to show the user.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import anthropic
import httpx2  # the SDK's HTTP client; its read errors escape a stream unwrapped

from goalgetter.coach.context import CoachContext, build_messages, system_blocks
from goalgetter.coach.llm_stream import StreamedRound, goal_snapshots, proposal_or_error
from goalgetter.coach.offline import OfflineCoach
from goalgetter.coach.reply import ProposalMade, ReplyDone, ReplyRetrying
from goalgetter.domain.proposals import TOOLS
from goalgetter.settings import Settings, get_settings


class CoachError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


_ERROR_MESSAGES = {
    "auth": "The coach's API key was rejected. Check ANTHROPIC_API_KEY, then retry.",
    "rate_limit": "The coach is getting too many requests right now. Wait a moment and retry.",
    "overloaded": "Claude is overloaded at the moment. Your message is saved; retry shortly.",
    "timeout": "The coach took too long to answer. Your message is saved; retry.",
    "connection": "The coach could not be reached. Check the connection and retry.",
    "interrupted": "The reply was interrupted. What arrived is kept; retry to continue.",
    "refused": "The coach could not answer that request.",
    "unavailable": "The coach's model is not available to this API key. Check ANTHROPIC_MODEL.",
    "forbidden": "This API key may not use the coach. Check the key's permissions.",
    "server": "Claude had a problem answering. Your message is saved; retry shortly.",
}


def coach_error(kind: str) -> CoachError:
    return CoachError(kind, _ERROR_MESSAGES[kind])


def _client(settings: Settings, timeout: float, retries: int) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        api_key=settings.anthropic_api_key,
        base_url=settings.anthropic_base_url or None,
        timeout=timeout,
        max_retries=retries,
    )


def _as_coach_error(raw: Exception, started: bool) -> CoachError:
    if isinstance(raw, anthropic.APIError):
        return _classify(raw, started)
    if isinstance(raw, httpx2.TimeoutException):  # a read timeout once the stream is open
        return coach_error("timeout")
    return coach_error("interrupted" if started else "connection")  # the connection dropped


def _retry_after(raw: Exception) -> float | None:
    """The wait the API asked for (retry-after-ms, or retry-after in seconds), if any."""
    response = getattr(raw, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            return max(0.0, float(headers[name]) / scale)
        except (KeyError, TypeError, ValueError):
            continue
    return None


def _classify(error: anthropic.APIError, started: bool) -> CoachError:
    if isinstance(error, anthropic.APITimeoutError):
        return coach_error("timeout")
    if isinstance(error, anthropic.APIConnectionError):
        return coach_error("interrupted" if started else "connection")
    body = getattr(error, "body", None)
    error_type = body.get("error", {}).get("type") if isinstance(body, dict) else None
    status = getattr(error, "status_code", None)
    if isinstance(error, anthropic.AuthenticationError):
        return coach_error("auth")
    if isinstance(error, anthropic.RateLimitError) or error_type == "rate_limit_error":
        return coach_error("rate_limit")
    if status == 529 or error_type == "overloaded_error":
        return coach_error("overloaded")
    if started or status == 200:
        return coach_error("interrupted")
    if isinstance(error, anthropic.BadRequestError):
        return coach_error("refused")
    if isinstance(error, anthropic.NotFoundError):
        return coach_error("unavailable")
    if isinstance(error, anthropic.PermissionDeniedError):
        return coach_error("forbidden")
    if isinstance(error, anthropic.InternalServerError):
        return coach_error("server")
    return coach_error("connection")


RETRYABLE = ("rate_limit", "overloaded", "server", "connection", "timeout")
RETRY_WAITS = (2.0, 6.0, 15.0)  # by attempt, when the API names no wait
MAX_RETRY_WAIT = 60.0  # a longer `retry-after` is shown and honoured up to this
MAX_TOOL_ROUNDS = 3  # rounds of proposals in one reply; then the model must answer in words


class ClaudeCoach:
    """Claude through AsyncAnthropic. `interactive` (the chat): the SDK never waits on its
    own; each request may take at most `anthropic_chat_timeout_seconds` of silence, and a
    failed attempt is announced at once (ReplyRetrying) before the next, so the person is
    never left waiting in silence. Otherwise (recaps): the SDK's own retries and timeout."""

    offline = False

    def __init__(
        self,
        settings: Settings,
        *,
        interactive: bool = False,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ):
        self.model = settings.anthropic_model
        self.max_tokens = settings.anthropic_max_tokens
        self.attempts = settings.anthropic_chat_attempts if interactive else 1
        self.sleep = sleep  # injectable: tests never wait
        timeout = (
            settings.anthropic_chat_timeout_seconds
            if interactive
            else settings.anthropic_timeout_seconds
        )
        self.client = _client(
            settings, timeout, 0 if interactive else settings.anthropic_max_retries
        )
        # Background work (summaries, grading) may wait and retry as long as the SDK likes.
        self.patient_client = (
            _client(settings, settings.anthropic_timeout_seconds, settings.anthropic_max_retries)
            if interactive
            else self.client
        )

    async def complete(self, system: str, prompt: str, max_tokens: int = 600) -> str:
        """One answer in words, not streamed, for background work; CoachError on failure."""
        try:
            answer = await self.patient_client.messages.create(
                model=self.model,
                max_tokens=max_tokens,
                system=system,
                messages=[{"role": "user", "content": prompt}],
            )
        except (anthropic.APIError, httpx2.TimeoutException, httpx2.TransportError) as raw:
            raise _as_coach_error(raw, False) from raw
        return "".join(block.text for block in answer.content if block.type == "text")

    async def call_tool(self, system: str, prompt: str, tool: dict) -> object:
        """The input Claude gives `tool` when made to call it (background work); None when
        it answers otherwise; CoachError on failure."""
        try:
            answer = await self.patient_client.messages.create(
                model=self.model,
                max_tokens=600,
                system=system,
                messages=[{"role": "user", "content": prompt}],
                tools=[tool],
                tool_choice={"type": "tool", "name": tool["name"]},
            )
        except (anthropic.APIError, httpx2.TimeoutException, httpx2.TransportError) as raw:
            raise _as_coach_error(raw, False) from raw
        calls = [b for b in answer.content if b.type == "tool_use" and b.name == tool["name"]]
        return calls[0].input if calls else None

    async def reply(
        self, context: CoachContext
    ) -> AsyncIterator[str | ProposalMade | ReplyRetrying | ReplyDone]:
        """The reply, over up to MAX_TOOL_ROUNDS rounds of proposals: each tool call becomes
        a proposal (or an error result the model can correct), its result goes back, and
        the text of every round streams on as one reply."""
        messages, usage, started = build_messages(context), Counter(), False
        goals, model, tail = goal_snapshots(context), self.model, ""
        for round_number in range(MAX_TOOL_ROUNDS + 1):
            request = self._request(context, messages, round_number == MAX_TOOL_ROUNDS)
            for attempt in range(self.attempts):
                streamed = StreamedRound()
                try:
                    async for text in streamed.read(await self.client.messages.create(**request)):
                        if tail and not streamed.texts and not tail[-1].isspace():
                            yield "\n\n"  # the words after a proposal start a paragraph
                        started, tail = True, text
                        streamed.texts.append(text)
                        yield text
                    break
                except (anthropic.APIError, httpx2.TimeoutException, httpx2.TransportError) as raw:
                    error = _as_coach_error(raw, started)
                    wait = self._retry_wait(raw, error, attempt, streamed)
                    if wait is None:
                        raise error from raw
                    yield ReplyRetrying(wait, error.kind)
                    await self.sleep(wait)
            model = streamed.model or model
            usage.update(streamed.usage)
            if streamed.stop_reason != "tool_use" or not streamed.calls:
                break
            results = []
            for call in streamed.calls:
                made, result = proposal_or_error(call, goals)
                if made is not None:
                    yield ProposalMade(made)
                results.append(result)
            messages = [
                *messages,
                {"role": "assistant", "content": streamed.content()},
                {"role": "user", "content": results},
            ]
        yield ReplyDone(model=model, usage=dict(usage))

    def _retry_wait(
        self, raw: Exception, error: CoachError, attempt: int, streamed: StreamedRound
    ) -> float | None:
        """Seconds to wait before trying again; None: give up (the last attempt, an error
        that a retry cannot cure, or text of this round already shown)."""
        if attempt + 1 >= self.attempts or streamed.texts or error.kind not in RETRYABLE:
            return None
        asked = _retry_after(raw)
        return min(asked, MAX_RETRY_WAIT) if asked is not None else RETRY_WAITS[attempt]

    def _request(self, context: CoachContext, messages: list[dict], last_round: bool) -> dict:
        request = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": system_blocks(context),
            "messages": messages,
            "tools": TOOLS,
        }
        request["stream"] = True
        if last_round:
            # The rounds are spent: the model answers in words (tools stay declared, as
            # earlier turns of this request used them).
            request["tool_choice"] = {"type": "none"}
        return request


def make_coach(settings: Settings, *, interactive: bool = False) -> ClaudeCoach | OfflineCoach:
    if settings.coach_is_offline:
        return OfflineCoach()
    return ClaudeCoach(settings, interactive=interactive)


@functools.cache
def app_coach(*, interactive: bool = False) -> ClaudeCoach | OfflineCoach:
    """This process's coach for the chat (`interactive`) or for background work, each built
    once from the settings (one HTTP client each)."""
    return make_coach(get_settings(), interactive=interactive)
