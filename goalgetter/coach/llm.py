"""The coach's two voices: Claude (streaming, through AsyncAnthropic) and the offline coach
(goalgetter/coach/offline.py).

Both yield text chunks and finish with one `ReplyDone`; failures raise `CoachError` with a
message fit to show the user.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

import anthropic
import httpx2  # the SDK's HTTP client; its read errors escape a stream unwrapped

from goalgetter.coach.context import CoachContext, build_messages, build_system_prompt
from goalgetter.coach.offline import OfflineCoach
from goalgetter.coach.reply import ReplyDone
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


def make_coach(settings: Settings) -> ClaudeCoach | OfflineCoach:
    return OfflineCoach() if settings.coach_is_offline else ClaudeCoach(settings)


@functools.cache
def app_coach() -> ClaudeCoach | OfflineCoach:
    """The coach of this process, built once from the settings (one HTTP client)."""
    return make_coach(get_settings())
