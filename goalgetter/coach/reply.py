"""What a coach's reply stream carries besides text: proposals on the way, and its end."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReplyDone:
    model: str
    usage: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalMade:
    """A change the coach proposes (goalgetter/domain/proposals.py), to show as a card."""

    proposal: dict


@dataclass(frozen=True)
class ReplyRetrying:
    """An attempt failed (`kind`: a CoachError kind); the next starts in `wait_seconds`."""

    wait_seconds: float
    kind: str
