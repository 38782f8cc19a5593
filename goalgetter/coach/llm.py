"""The coach's two voices: Claude (streaming, through AsyncAnthropic) and the offline coach
(goalgetter/coach/offline.py).

Both yield text chunks and finish with one `ReplyDone`; failures raise `CoachError` with a
message fit to show the user.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anthropic
import httpx2  # the SDK's HTTP client; its read errors escape a stream unwrapped

from goalgetter.coach.context import CoachContext, build_messages, build_system_prompt
from goalgetter.coach.offline import OfflineCoach
from goalgetter.coach.reply import ProposalMade, ReplyDone
from goalgetter.domain.proposals import TOOLS, GoalSnapshot, ProposalRefused, from_tool
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


MAX_TOOL_ROUNDS = 3  # rounds of proposals in one reply; then the model must answer in words


class ClaudeCoach:
    offline = False

    def __init__(self, settings: Settings):
        self.model = settings.anthropic_model
        self.max_tokens = settings.anthropic_max_tokens
        self.client = anthropic.AsyncAnthropic(
            api_key=settings.anthropic_api_key,
            base_url=settings.anthropic_base_url or None,
            timeout=settings.anthropic_timeout_seconds,
            max_retries=settings.anthropic_max_retries,
        )

    async def reply(self, context: CoachContext) -> AsyncIterator[str | ProposalMade | ReplyDone]:
        """The reply, over up to MAX_TOOL_ROUNDS rounds of proposals: each tool call becomes
        a proposal (or an error result the model can correct), its result goes back, and
        the text of every round streams on as one reply.

        Raw stream events, not the SDK's accumulating helper: that helper raises on a tool
        input that is not valid JSON and ends the reply, where the model should be told."""
        messages, usage, started = build_messages(context), Counter(), False
        goals, model, tail = goal_snapshots(context), self.model, ""
        for round_number in range(MAX_TOOL_ROUNDS + 1):
            streamed = _Round()
            try:
                request = self._request(context, messages, round_number == MAX_TOOL_ROUNDS)
                async for text in streamed.read(await self.client.messages.create(**request)):
                    if tail and not streamed.texts and not tail[-1].isspace():
                        yield "\n\n"  # the words after a proposal start a paragraph
                    started, tail = True, text
                    streamed.texts.append(text)
                    yield text
            except anthropic.APIError as error:
                raise _classify(error, started) from error
            except httpx2.TimeoutException as error:  # a read timeout once the stream is open
                raise coach_error("timeout") from error
            except httpx2.TransportError as error:  # the connection dropped mid-stream
                raise coach_error("interrupted" if started else "connection") from error
            model = streamed.model or model
            usage.update(streamed.usage)
            if streamed.stop_reason != "tool_use" or not streamed.calls:
                break
            results = []
            for call in streamed.calls:
                made, result = _proposal_or_error(call, goals)
                if made is not None:
                    yield ProposalMade(made)
                results.append(result)
            messages = [
                *messages,
                {"role": "assistant", "content": streamed.content()},
                {"role": "user", "content": results},
            ]
        yield ReplyDone(model=model, usage=dict(usage))

    def _request(self, context: CoachContext, messages: list[dict], last_round: bool) -> dict:
        request = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": build_system_prompt(context),
            "messages": messages,
            "tools": TOOLS,
        }
        request["stream"] = True
        if last_round:
            # The rounds are spent: the model answers in words (tools stay declared, as
            # earlier turns of this request used them).
            request["tool_choice"] = {"type": "none"}
        return request


@dataclass
class _Round:
    """One streamed response, as raw events: its text, tool calls, stop reason and usage."""

    model: str = ""
    stop_reason: str | None = None
    usage: Counter = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)

    async def read(self, stream) -> AsyncIterator[str]:
        """The text as it comes; the rest is kept on self."""
        pending: dict[int, ToolCall] = {}
        async with stream:
            async for event in stream:
                if event.type == "message_start":
                    self.model = event.message.model
                    self.usage["input_tokens"] += event.message.usage.input_tokens
                elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                    block = event.content_block
                    pending[event.index] = ToolCall(block.id, block.name)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    yield event.delta.text
                elif event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                    pending[event.index].json += event.delta.partial_json
                elif event.type == "content_block_stop" and event.index in pending:
                    self.calls.append(pending.pop(event.index))
                elif event.type == "message_delta":
                    self.stop_reason = event.delta.stop_reason
                    self.usage["output_tokens"] += event.usage.output_tokens

    def content(self) -> list[dict]:
        """The response as the next request must repeat it."""
        text = "".join(self.texts)
        blocks = [{"type": "text", "text": text}] if text.strip() else []
        return blocks + [call.block() for call in self.calls]


@dataclass
class ToolCall:
    id: str
    name: str
    json: str = ""

    def parsed(self) -> object:
        """The input as sent; ProposalRefused when it is not JSON."""
        try:
            return json.loads(self.json or "{}")
        except ValueError as error:
            raise ProposalRefused(f"The tool input was not valid JSON ({error}).") from None

    def block(self) -> dict:
        try:
            sent = self.parsed()
        except ProposalRefused:
            sent = {}
        return {"type": "tool_use", "id": self.id, "name": self.name, "input": sent}


def goal_snapshots(context: CoachContext) -> dict[str, GoalSnapshot]:
    return {
        goal.id: GoalSnapshot(
            goal.id, goal.title, goal.content, goal.version, goal.phase, goal.deadline
        )
        for goal in context.goals
        if goal.id
    }


def _proposal_or_error(call: ToolCall, goals: dict[str, GoalSnapshot]) -> tuple[dict | None, dict]:
    """The proposal a tool call makes and the tool_result that tells the model so, or None
    and an error tool_result saying what to fix."""
    try:
        proposal = from_tool(call.name, call.parsed(), goals)
    except ProposalRefused as refused:
        return None, {
            "type": "tool_result",
            "tool_use_id": call.id,
            "is_error": True,
            "content": refused.message,
        }
    shown = (
        f"Shown to the person as a card ({proposal['label']}); they will accept or reject "
        "it. Do not repeat the change in your text; refer to the card."
    )
    return proposal, {"type": "tool_result", "tool_use_id": call.id, "content": shown}


def make_coach(settings: Settings) -> ClaudeCoach | OfflineCoach:
    return OfflineCoach() if settings.coach_is_offline else ClaudeCoach(settings)


@functools.cache
def app_coach() -> ClaudeCoach | OfflineCoach:
    """The coach of this process, built once from the settings (one HTTP client)."""
    return make_coach(get_settings())
