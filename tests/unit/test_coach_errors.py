"""How Anthropic SDK errors become the messages the user sees (`_classify`)."""

from __future__ import annotations

import anthropic
import httpx2
import pytest

from goalgetter.coach.llm import _ERROR_MESSAGES, CoachError, _classify, coach_error

URL = "https://api.anthropic.com/v1/messages"


def request() -> httpx2.Request:
    return httpx2.Request("POST", URL)


def status_error(
    cls: type[anthropic.APIStatusError], status: int, error_type: str | None
) -> anthropic.APIStatusError:
    body = {"type": "error", "error": {"type": error_type, "message": "x"}} if error_type else None
    response = httpx2.Response(status, request=request(), json=body or {})
    return cls(f"Error code: {status}", response=response, body=body)


def kind(error: anthropic.APIError, started: bool = False) -> str:
    result = _classify(error, started)
    assert isinstance(result, CoachError)
    assert result.message == _ERROR_MESSAGES[result.kind]
    assert str(result) == result.message
    return result.kind


@pytest.mark.parametrize("started", [False, True])
def test_timeout_is_a_timeout_whether_or_not_text_arrived(started):
    assert kind(anthropic.APITimeoutError(request()), started) == "timeout"


def test_connection_error_before_any_text_cannot_reach():
    assert kind(anthropic.APIConnectionError(request=request())) == "connection"


def test_connection_error_mid_stream_is_an_interruption():
    assert kind(anthropic.APIConnectionError(request=request()), started=True) == "interrupted"


def test_bad_api_key_is_auth():
    error = status_error(anthropic.AuthenticationError, 401, "authentication_error")
    assert kind(error) == "auth"


@pytest.mark.parametrize("started", [False, True])
def test_rate_limit_by_class_or_by_body(started):
    assert kind(status_error(anthropic.RateLimitError, 429, "rate_limit_error"), started) == (
        "rate_limit"
    )
    # A rate-limit error event inside an already-open (200) stream.
    assert kind(status_error(anthropic.APIStatusError, 200, "rate_limit_error"), started) == (
        "rate_limit"
    )


@pytest.mark.parametrize("started", [False, True])
def test_overloaded_by_status_or_by_body(started):
    assert kind(status_error(anthropic.OverloadedError, 529, "overloaded_error"), started) == (
        "overloaded"
    )
    assert kind(status_error(anthropic.InternalServerError, 529, None), started) == "overloaded"
    # Claude reports overload mid-stream as an SSE error event on the 200 response.
    assert kind(status_error(anthropic.APIStatusError, 200, "overloaded_error"), started) == (
        "overloaded"
    )


def test_other_error_event_in_an_open_stream_is_an_interruption():
    error = status_error(anthropic.APIStatusError, 200, "api_error")
    assert kind(error, started=False) == "interrupted"
    assert kind(error, started=True) == "interrupted"


def test_server_error_before_any_text_is_a_server_problem():
    assert kind(status_error(anthropic.InternalServerError, 500, "api_error")) == "server"


def test_server_error_after_text_is_an_interruption():
    error = status_error(anthropic.InternalServerError, 500, "api_error")
    assert kind(error, started=True) == "interrupted"


def test_bad_request_before_any_text_is_refused():
    error = status_error(anthropic.BadRequestError, 400, "invalid_request_error")
    assert kind(error) == "refused"
    assert kind(error, started=True) == "interrupted"


def test_status_error_without_a_json_body_does_not_crash():
    response = httpx2.Response(502, request=request(), text="<html>Bad gateway</html>")
    error = anthropic.InternalServerError("Bad gateway", response=response, body="<html>")
    assert kind(error) == "server"


def test_error_messages_do_not_leak_sdk_details():
    error = status_error(anthropic.AuthenticationError, 401, "authentication_error")
    message = _classify(error, False).message
    assert "401" not in message
    assert "authentication_error" not in message
    assert "ANTHROPIC_API_KEY" in message


def test_coach_error_helper_uses_the_shared_messages():
    for error_kind, message in _ERROR_MESSAGES.items():
        error = coach_error(error_kind)
        assert (error.kind, error.message) == (error_kind, message)


@pytest.mark.parametrize(
    ("cls", "status", "expected"),
    [
        (anthropic.NotFoundError, 404, "unavailable"),
        (anthropic.PermissionDeniedError, 403, "forbidden"),
    ],
)
def test_model_and_permission_errors_name_their_cause(cls, status, expected):
    assert kind(status_error(cls, status, "not_found_error")) == expected
