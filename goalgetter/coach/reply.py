"""What a coach's reply stream ends with."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReplyDone:
    model: str
    usage: dict = field(default_factory=dict)
