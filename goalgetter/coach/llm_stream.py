"""One streamed Messages API response read as raw events, and the coach's tool calls in it.

Raw events, not the SDK's accumulating helper: that helper raises on a tool input that is
not valid JSON and ends the reply, where the model should be told and may correct itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from goalgetter.coach.context import CoachContext
from goalgetter.domain.proposals import GoalSnapshot, ProposalRefused, from_tool

# Recorded with each reply; the cache fields say what prompt caching saved.
USAGE_FIELDS = (
    "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"
)  # fmt: skip


@dataclass
class StreamedRound:
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
                    self._count(event.message.usage)
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
                    # The message's whole count so far, not an increment.
                    self.usage["output_tokens"] = event.usage.output_tokens

    def _count(self, usage) -> None:
        for name in USAGE_FIELDS:
            if name != "output_tokens":
                self.usage[name] += getattr(usage, name, None) or 0

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


def proposal_or_error(call: ToolCall, goals: dict[str, GoalSnapshot]) -> tuple[dict | None, dict]:
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
