"""What a share shows a partner: a dedicated, minimal read model.

The shared page and its PDF are built from SharedGoal / SharedPage only, and each field is
picked here by name from the stored goal, so a field added to goals later cannot reach a
partner by accident. Never in a share: other goals, the chat, revisions, the email address,
tags, meeting times (unless progress is included: then the check-in dates and percentages,
and the latest recap's bullets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from goalgetter.domain.phases import PHASE_LABELS
from goalgetter.domain.smart import analyse_goal
from goalgetter.domain.validation import DEFAULT_GOAL_TITLE, ValidationError, normalise_email

MAX_PARTNER_NAME = 100
MAX_SHARED_GOALS = 50
EXPIRY_DAYS = (0, 7, 30, 90)  # 0: no expiry
SHOWN_PHASES = ("draft", "active", "completed")  # archived goals drop out of a share
# What a shared goal exposes, by name: the unit test checks this against the page and PDF.
EXPOSED_GOAL_FIELDS = ("title", "content", "phase", "deadline", "milestones", "smart")
# A partner's email after each check-in: asked for by the person, confirmed by the partner.
DIGEST_PENDING, DIGEST_ON, DIGEST_STOPPED = "pending", "on", "stopped"
PARTNER_INVITES_PER_DAY = 10
DIGEST_NEEDS_PROGRESS = (
    'The email after each check-in shows your progress: tick "Include check-in progress" '
    "too, or leave the email empty."
)


@dataclass(frozen=True)
class SharedMilestone:
    title: str
    done: bool
    due: str


@dataclass(frozen=True)
class SharedGoal:
    title: str
    content: str
    phase: str
    deadline: str
    milestones: tuple[SharedMilestone, ...]
    smart: str  # the letters met, e.g. "SMT"
    progress: tuple[tuple[datetime, int], ...] = ()  # (check-in start, percent), oldest first


@dataclass(frozen=True)
class SharedPage:
    owner: str  # the person's first name
    partner: str
    goals: tuple[SharedGoal, ...]
    with_progress: bool
    recap: tuple[str, ...] = ()  # the latest check-in recap's bullets, when progress is in
    zone: str = "UTC"  # the person's time zone, for the check-in dates


def check_partner_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if len(name) > MAX_PARTNER_NAME:
        raise ValidationError(
            "partner", "partner_long", f"Keep the name under {MAX_PARTNER_NAME} characters."
        )
    return name


def check_partner_email(raw: str, include_progress: bool) -> str:
    """The partner's address ("" for none), only with progress shared: the digest is progress."""
    if not (raw or "").strip():
        return ""
    try:
        email = normalise_email(raw)
    except ValidationError as error:
        raise ValidationError("partner_email", error.code) from None
    if not include_progress:
        raise ValidationError("partner_email", "digest_needs_progress", DIGEST_NEEDS_PROGRESS)
    return email


def digest_label(share: Mapping) -> str:
    """What Settings says of a share's email to the partner."""
    email, state = share.get("partner_email") or "", share.get("digest")
    if not email:
        return ""
    return {
        DIGEST_PENDING: f"Email after each check-in to {email}: waiting for their confirmation",
        DIGEST_ON: f"Email after each check-in to {email}",
        DIGEST_STOPPED: f"{email} stopped the emails after each check-in",
    }.get(state, "")


def latest_progress(goal: SharedGoal) -> str:
    return f"{goal.progress[-1][1]}%" if goal.progress else "no check-in progress yet"


def check_expiry_days(raw: object) -> int:
    if raw not in EXPIRY_DAYS:
        raise ValidationError("expiry", "expiry_unknown", "Pick one of the expiry options.")
    return int(raw)


def shared_goal(goal: Mapping, progress: Sequence[Mapping] | None) -> SharedGoal:
    """The goal as a partner sees it; `progress` (its check-ins, oldest first) only when the
    share includes progress."""
    meta = goal.get("metadata") or {}
    deadline = meta.get("deadline") or ""
    title, content = goal.get("title") or "", goal.get("content") or ""
    return SharedGoal(
        title=title.strip() or DEFAULT_GOAL_TITLE,
        content=content,
        phase=PHASE_LABELS.get(goal.get("phase", ""), ""),
        deadline=deadline,
        milestones=tuple(
            SharedMilestone(m.get("title", ""), bool(m.get("done")), m.get("due") or "")
            for m in meta.get("milestones") or ()
        ),
        smart=analyse_goal(title, content, deadline).letters,
        progress=tuple((c["start"], int(c.get("progress", 0))) for c in progress or ()),
    )


def day_label(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%d %b %Y")


def recap_bullets(recap: str | None) -> tuple[str, ...]:
    lines = [line.strip().lstrip("-*• ").strip() for line in (recap or "").splitlines()]
    return tuple(line for line in lines if line)[:8]
