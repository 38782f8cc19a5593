"""The coach's two voices: Claude (streaming, through AsyncAnthropic) and the offline coach.

Both yield text chunks and finish with one `ReplyDone`; failures raise `CoachError` with a
message fit to show the user.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anthropic
import httpx2  # the SDK's HTTP client; its read errors escape a stream unwrapped

from goalgetter.coach.context import CoachContext, build_messages, build_system_prompt
from goalgetter.domain.smart import MIN_SPECIFIC_WORDS, analyse_goal
from goalgetter.settings import Settings, get_settings


@dataclass(frozen=True)
class ReplyDone:
    model: str
    usage: dict = field(default_factory=dict)


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

    async def reply(self, context: CoachContext) -> AsyncIterator[str | ReplyDone]:
        started = False
        try:
            async with self.client.messages.stream(
                model=self.model,
                max_tokens=self.max_tokens,
                system=build_system_prompt(context),
                messages=build_messages(context),
            ) as stream:
                async for text in stream.text_stream:
                    started = True
                    yield text
                final = await stream.get_final_message()
        except anthropic.APIError as error:
            raise _classify(error, started) from error
        except httpx2.TimeoutException as error:  # a read timeout once the stream is open
            raise coach_error("timeout") from error
        except httpx2.TransportError as error:  # the connection dropped mid-stream
            raise coach_error("interrupted" if started else "connection") from error
        usage = {
            "input_tokens": final.usage.input_tokens,
            "output_tokens": final.usage.output_tokens,
        }
        yield ReplyDone(model=final.model, usage=usage)


OFFLINE_MODEL = "offline-coach"
_PRIORITY = "SMTRA"


def offline_reply_text(context: CoachContext) -> str:
    goal = context.selected_goal or (context.goals[0] if context.goals else None)
    name = context.user_name.split(" ")[0] if context.user_name else "friend"
    if goal is not None and (goal.title.strip() or goal.content.strip()):
        label = f'"{goal.title.strip()}"' if goal.title.strip() else "this goal"
        return _smart_reply(name, label, goal.title, goal.content, goal.deadline)
    if len(context.message.split()) >= MIN_SPECIFIC_WORDS:
        # Nothing written on the left yet, but the message reads like a goal: coach that.
        reply = _smart_reply(name, "this", "", context.message)
        return f"{reply}\n\nWhen it feels right, write it on the left as your first goal."
    return (
        f"Let's go, {name}! Write your first goal on the left: what you want, by when, "
        "and why it matters. Then ask me again and I'll check it with you, letter by "
        "letter: Specific, Measurable, Achievable, Relevant, Time-bound."
    )


def _smart_reply(name: str, label: str, title: str, content: str, deadline: str = "") -> str:
    report = analyse_goal(title, content, deadline)
    if not report.missing:
        return (
            f"Now THAT is a goal, {name}! {label[0].upper()}{label[1:]} is specific, "
            "measurable, achievable, relevant and time-bound. That's a real commitment. So: "
            "what is the very first action you will take in the next 48 hours?"
        )
    missing = sorted(report.missing, key=lambda check: _PRIORITY.index(check.letter))[:2]
    strong = [check.name.lower() for check in report.checks if check.passed]
    opening = (
        f"I like where {label} is heading: it's already {', '.join(strong)}."
        if strong
        else f"{label[0].upper()}{label[1:]} is a start, {name}, and starting is what most "
        "people never do."
    )
    questions = "\n".join(f"- **{check.name}:** {check.question}" for check in missing)
    return f"{opening} Now let's make it undeniable.\n\n{questions}"


class OfflineCoach:
    """Rule-based coach used when no ANTHROPIC_API_KEY is set; deterministic."""

    offline = True
    model = OFFLINE_MODEL

    def __init__(self, token_delay_seconds: float = 0.02):
        self.token_delay_seconds = token_delay_seconds

    async def reply(self, context: CoachContext) -> AsyncIterator[str | ReplyDone]:
        for chunk in re.findall(r"\S+\s*|\s+", offline_reply_text(context)):
            if self.token_delay_seconds:
                await asyncio.sleep(self.token_delay_seconds)
            yield chunk
        yield ReplyDone(model=OFFLINE_MODEL)


def make_coach(settings: Settings) -> ClaudeCoach | OfflineCoach:
    return OfflineCoach() if settings.coach_is_offline else ClaudeCoach(settings)


@functools.cache
def app_coach() -> ClaudeCoach | OfflineCoach:
    """The coach of this process, built once from the settings (one HTTP client)."""
    return make_coach(get_settings())
