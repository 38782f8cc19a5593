"""The offline coach, met by everyone with no ANTHROPIC_API_KEY set. It listens: each message
is read (offline_reading), the SMART checks judge the goal together with what was said in the
chat, and the reply answers it, asks one question and offers what was said as proposals.
Deterministic: wording is picked by a stable hash of the conversation, never the last reply."""

from __future__ import annotations

import asyncio
import hashlib
import re
import zlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from goalgetter.coach.context import CoachContext, GoalText
from goalgetter.coach.offline_phrases import BOOK
from goalgetter.coach.offline_proposals import offline_proposals
from goalgetter.coach.offline_reading import (
    Reading,
    action_line,
    goal_line,
    quote,
    read_message,
    second_person,
    sentences,
)
from goalgetter.coach.reply import ProposalMade, ReplyDone
from goalgetter.domain.smart import analyse_goal

OFFLINE_MODEL = "offline-coach"
MAX_TURN_CHARS = 2_000  # of each message, when the chat is judged together with the goal
NEW_GOAL_CHARS = 800  # the text proposed for a goal not written yet, gathered from the chat
_PRIORITY = "SMTRA"  # the order letters are asked in: what, how much, by when, why, how
_ANSWERABLE = "SAR"  # letters a direct answer settles even when the checks miss its words
# Every question asking for an action holds one of these, so the answer is read as one.
_ACTION_MARKERS = ("48 hours", "smallest step", "next step", "next commitment")
_UNNAMED = (("this goal", "your goal"), ("this goal", "your goals"))  # [tracking][no goal]
_LETTER_NAMES = {check.letter: check.name.lower() for check in analyse_goal("", "").checks}
_CHECK_IN_NUMBER = re.compile(r"check-in number (\d+)")
_LATEST = re.compile(r"^Latest check-in on (.+?): (\d+)%, ([^.(\n]+)", re.MULTILINE)


@dataclass(frozen=True)
class Proposal:
    """A change to a goal the person can accept: what they said, as goal text."""

    kind: str  # "append_text" | "deadline" | "milestones"
    goal_title: str  # the goal it applies to; "" for a goal not written yet
    text: str = ""  # the line to append, or the deadline as YYYY-MM-DD
    items: tuple[str, ...] = ()  # milestone titles


@dataclass(frozen=True)
class OfflineReply:
    text: str
    proposals: tuple[Proposal, ...] = ()


@dataclass(frozen=True)
class _Scene:
    """What one reply is built from: the message read, and where the conversation stands."""

    name: str
    goal: GoalText | None
    label: str  # '"Get fit"', or "this goal"
    reading: Reading
    said: tuple[str, ...]  # what they said of a goal in the chat, this message included
    missing: tuple[str, ...]  # letters still open after this message, in the order to ask
    moved: tuple[str, ...]  # names of the letters this message settled
    answered: str  # the letter this message answers directly, or ""
    names_action: bool  # the last reply asked for an action, and this message names one
    action_named: bool  # an action was named (and made a milestone) earlier on
    coachable: bool  # a goal is written, or the chat holds one
    last_reply: str
    meeting: str
    today: date
    tracking: bool
    seed: int
    variant: int = 0

    def say(self, pool: str, **values: str) -> str:
        """A phrase from the pool, picked by the conversation's hash (and the variant)."""
        options = BOOK[pool]
        chosen = options[(self.seed + zlib.crc32(pool.encode()) + self.variant) % len(options)]
        return chosen.format(name=self.name, label=self.label, Label=_cap(self.label), **values)


def offline_reply(context: CoachContext, today: date | None = None) -> OfflineReply:
    scene = _scene(context, today or date.today())
    for variant in range(4):  # every pool of two or more moves on: variant 1 already differs
        reply = _compose(replace(scene, variant=variant))
        if reply.text.strip() != scene.last_reply.strip():
            return reply
    return replace(reply, text=f"Let me put it another way. {reply.text}")


def offline_reply_text(context: CoachContext) -> str:
    return offline_reply(context).text


def _scene(context: CoachContext, today: date) -> _Scene:
    goal = context.selected_goal or (context.goals[0] if context.goals else None)
    if goal is not None and not (goal.title.strip() or goal.content.strip()):
        goal = None
    replies, earlier, answered, asked = [], [], set(), ""
    for turn in context.history:
        if turn.role == "assistant":
            replies.append(turn.content)
            asked = _asked_letter(turn.content)
            continue
        # Only what they said about a goal counts with it: not a "hi", a joke or an objection.
        heard = read_message(turn.content, today)
        if heard.kind == "content":
            earlier.append(heard)
            answered |= heard.settles | _answered(asked, heard)
        asked = ""
    reading = read_message(context.message, today)
    said = [*earlier, reading] if reading.kind == "content" else earlier
    last_reply = replies[-1] if replies else ""
    now = "".join(_answered(asked, reading))
    before = _missing(goal, earlier, answered)
    after = _missing(goal, said, answered | reading.settles | set(now))
    title = quote(goal.title, 8) if goal else ""
    first_name = quote(context.user_name.split(" ")[0], 1)[:40] if context.user_name else ""
    return _Scene(
        name=first_name or "friend",
        goal=goal,
        label=f'"{title}"' if title else _UNNAMED[context.phase == "tracking"][goal is None],
        reading=reading,
        said=tuple(r.text for r in said if r.goal_like),
        missing=after,
        moved=tuple(_LETTER_NAMES[letter] for letter in before if letter not in after),
        answered=now,
        names_action=any(mark in last_reply for mark in _ACTION_MARKERS)
        and reading.answers
        and reading.action_like,
        action_named=any("milestone" in text for text in replies),
        coachable=goal is not None or any(r.goal_like for r in said),
        last_reply=last_reply,
        meeting=context.meeting,
        today=today,
        tracking=context.phase == "tracking",
        seed=_seed(context),
    )


def _seed(context: CoachContext) -> int:
    """A stable hash (not hash(), which changes per process) of the whole conversation."""
    goals = [f"{goal.title}\x1e{goal.content}\x1e{goal.deadline}" for goal in context.goals]
    turns = [f"{turn.role}\x1e{turn.content}" for turn in context.history]
    parts = [context.user_name, context.phase, context.message, context.meeting, *goals, *turns]
    return int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12], 16)


def _missing(goal: GoalText | None, said: list[Reading], answered: set[str]) -> tuple[str, ...]:
    """The letters the goal and the chat, judged together, still miss."""
    title, content, deadline = (goal.title, goal.content, goal.deadline) if goal else ("", "", "")
    chat = [r.text[:MAX_TURN_CHARS] for r in said]
    report = analyse_goal(title, "\n".join([content, *chat]), deadline)
    failed = {check.letter for check in report.missing} - answered
    return tuple(letter for letter in _PRIORITY if letter in failed)


def _asked_letter(reply: str) -> str:
    asks = (letter for letter in _PRIORITY if any(q in reply for q in BOOK[f"ask.{letter}"]))
    return next(asks, "")


def _answered(asked: str, answer: Reading) -> set[str]:
    """The letter asked, when this is a direct answer to it and words can settle it."""
    return {asked} if asked and asked in _ANSWERABLE and answer.answers else set()


def _compose(scene: _Scene) -> OfflineReply:
    kind = scene.reading.kind
    if scene.tracking:
        return _check_in(scene)
    if kind == "objection":
        return _objection(scene)
    if kind in ("greeting", "thanks", "empty", "off_topic") or not scene.coachable:
        pool = {"off_topic": f"off.{scene.reading.topic}", "content": "empty"}.get(kind, kind)
        steer = scene.say("steer") if scene.goal else ""  # short talk, then back to the goal
        return _reply(scene.say(pool), steer, _next_question(scene))
    if scene.names_action and not (scene.reading.reason or scene.reading.deadline):
        # A reason or a date makes it more of the goal itself than a step towards it.
        return _action(scene, _next_question(scene, after_action=True))
    return _content(scene)


def _reply(*parts: str, proposals: Sequence[Proposal] = ()) -> OfflineReply:
    return OfflineReply(" ".join(part for part in parts if part), tuple(proposals))


def _next_question(scene: _Scene, after_action: bool = False) -> str:
    if not scene.coachable:
        return scene.say("invite")
    if scene.missing:
        letter = scene.missing[0]
        return f"{scene.say('lead', letter=_LETTER_NAMES[letter])} {scene.say(f'ask.{letter}')}"
    if after_action:
        return scene.say("after_action")
    return scene.say("next_step" if scene.action_named else "first_action")


def _objection(scene: _Scene) -> OfflineReply:
    said = scene.reading
    heard = next((s for s in sentences(said.text) if read_message(s, scene.today).objection), "")
    echo = quote(second_person(re.sub(r"[\s,]*\b(?:though|anyway)\b", "", heard)))
    opener = f"I hear you, {scene.name}: *{echo}*." if echo else f"I hear you, {scene.name}."
    phase = "tracking" if scene.tracking else "goal_setting"
    return _reply(opener, scene.say(f"reframe.{said.objection}"), scene.say(f"small_step.{phase}"))


def _action(scene: _Scene, question: str) -> OfflineReply:
    step = action_line(scene.reading.text)
    if not step:
        return _reply(scene.say("settled"), question)
    title = scene.goal.title.strip() if scene.goal else ""
    target = f" on {scene.label}" if scene.goal else ""
    offer = f"Let's make it a milestone{target}, so it's on the page: accept the card below."
    proposals = [Proposal("milestones", title, items=(step,))]
    return _reply(
        scene.say("action"), f"**{quote(step, 30)}**.", offer, question, proposals=proposals
    )


def _content(scene: _Scene) -> OfflineReply:
    heard, proposals = _heard(scene), _proposals(scene)
    offer = _offer(scene, proposals)
    invite = "Or write it yourself" if proposals else "When it feels right, write it"
    invite = "" if scene.goal else f"{invite} on the left, as your first goal."
    question = _next_question(scene)
    if not scene.missing and scene.action_named and not heard:
        return _reply(scene.say("settled"), question)
    goal = scene.goal  # what its own text already has, quoted from it
    has = _facts(read_message(f"{goal.title}\n{goal.content}", scene.today)) if goal else []
    if not scene.missing:
        every = "is specific, measurable, achievable, relevant and time-bound."
        praise = heard or f"{_cap(scene.label)} {f'already has {_and(has)}.' if has else every}"
        return _reply(scene.say("cheer"), praise, offer, invite, question, proposals=proposals)
    if heard:
        opener = f"{scene.say('heard')} {heard}"
    else:
        opener = scene.say("question" if scene.reading.question else "content")
        opener = f"{opener} It already has {_and(has)}." if has else opener
    letters = _and(f"**{name}**" for name in scene.moved)
    moved = scene.say("moved", letters=letters) if scene.moved else ""
    return _reply(opener, moved, offer, invite, question, proposals=proposals)


def _heard(scene: _Scene) -> str:
    """What this message brought, said back in a sentence ("" when it brought nothing)."""
    said = scene.reading
    parts = _facts(said)
    if scene.answered and not parts and sentences(said.text):
        what = {"S": "a clear picture", "A": "a plan", "R": "a why that matters"}[scene.answered]
        parts = [f"{what} (*{quote(second_person(sentences(said.text)[0]))}*)"]
    return f"You gave me {_and(parts)}." if parts else ""


def _facts(said: Reading) -> list[str]:
    parts = []
    if said.measures:
        parts.append(_and(f"**{quote(measure, 6)}**" for measure in said.measures[:3]))
    if said.date_text or said.timeframe:
        kind = "a date" if said.date_text else "a timeframe"
        parts.append(f"{kind} (**{quote(said.date_text or said.timeframe, 6)}**)")
    if said.reason:
        parts.append(f"a why that matters (*{quote(second_person(said.reason))}*)")
    elif said.plan and not said.measures:
        parts.append(f"a plan (*{quote(second_person(said.plan))}*)")
    return parts


def _proposals(scene: _Scene) -> list[Proposal]:
    said, goal = scene.reading, scene.goal
    title = goal.title.strip() if goal else ""
    if goal:
        line = goal_line(said.text) if said.has_facts else ""
    else:  # a goal not written yet: everything they said of it, as its first text
        line = goal_line("\n".join(scene.said), limit=NEW_GOAL_CHARS)
    if not line and scene.answered and sentences(said.text):
        prefix = {"S": "", "A": "Plan: ", "R": "Why it matters: "}[scene.answered]
        line = f"{prefix}{quote(sentences(said.text)[0], 30)}."
    proposals = []
    when = said.deadline
    only_a_date = said.settles == {"T"}  # a deadline's card says it all
    if (
        line
        and not only_a_date
        and line.lower().rstrip(".") not in (goal.content.lower() if goal else "")
    ):
        proposals.append(Proposal("append_text", title, line))
    if when and when >= scene.today and (not goal or goal.deadline != when.isoformat()):
        proposals.append(Proposal("deadline", title, when.isoformat()))
    steps = tuple(step for step in map(action_line, said.steps) if step)
    if steps:
        proposals.append(Proposal("milestones", title, items=steps))
    return proposals


def _offer(scene: _Scene, proposals: Sequence[Proposal]) -> str:
    """The proposals in words: the cards below the reply are what the person accepts."""
    kinds = {proposal.kind: proposal for proposal in proposals}
    things = []
    if "append_text" in kinds:
        things.append(f"add that to {scene.label}" if scene.goal else "start that goal for you")
    if "deadline" in kinds:
        when = date.fromisoformat(kinds["deadline"].text)
        things.append(f"set the deadline to **{when.day} {when:%B %Y}**")
    if "milestones" in kinds:
        things.append("add your steps as milestones")
    cards = "the cards below" if len(proposals) > 1 else "the card below"
    return f"I can {_and(things)}: accept {cards}." if things else ""


def _check_in(scene: _Scene) -> OfflineReply:
    """A check-in: progress first. Nothing here names a time: only the meeting brief does."""
    said = scene.reading
    if said.win or said.setback:
        return _progress(scene)
    if said.kind == "objection":
        return _objection(scene)
    if scene.names_action:
        return _action(scene, scene.say("after_action"))
    if said.kind == "thanks":
        return _reply(scene.say("thanks"), scene.say("next_commitment"))
    if said.kind == "off_topic":
        opener = scene.say(f"off.{said.topic}")
    elif said.measures:
        opener = f"**{quote(said.measures[0], 6)}**: {scene.say('number')}"
    else:
        opener = scene.say("greeting" if said.kind == "greeting" else "content")
    return _reply(opener, _meeting_fact(scene), scene.say("track_ask"))


def _progress(scene: _Scene) -> OfflineReply:
    said, name = scene.reading, scene.name
    win, setback = (_cap(quote(second_person(s))) for s in (said.win, said.setback))
    if win and setback and win != setback:
        heard = f"Two things I hear, {name}: *{win}*, and *{setback}*."
    else:
        praise = "Thank you for being honest" if setback else "YES"
        heard = f"{praise}, {name}! *{win or setback}*."
    if setback:
        step = scene.say("small_step.tracking")
        return _reply(heard, scene.say("mixed" if win else "setback"), step)
    return _reply(heard, scene.say("win"), scene.say("next_commitment"))


def _meeting_fact(scene: _Scene) -> str:
    """One fact quoted from the check-in's brief: the goal's last check-in, or its number."""
    title = scene.goal.title.strip() if scene.goal else ""
    for goal_title, progress, status in _LATEST.findall(scene.meeting):
        if title and goal_title.strip() == title:
            status = quote(status).lower()
            return f"Last time you logged **{progress}%** on {scene.label}: {status}."
    number = _CHECK_IN_NUMBER.search(scene.meeting)
    return f"This is check-in number {number.group(1)}." if number else ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(parts: Iterable[str]) -> str:
    parts = list(parts)
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


class OfflineCoach:
    """Rule-based coach used when no ANTHROPIC_API_KEY is set; deterministic."""

    offline = True
    model = OFFLINE_MODEL

    def __init__(self, token_delay_seconds: float = 0.02):
        self.token_delay_seconds = token_delay_seconds

    async def reply(self, context: CoachContext) -> AsyncIterator[str | ProposalMade | ReplyDone]:
        reply = offline_reply(context)
        for chunk in re.findall(r"\S+\s*|\s+", reply.text):
            if self.token_delay_seconds:
                await asyncio.sleep(self.token_delay_seconds)
            yield chunk
        for proposal in offline_proposals(reply.proposals, context):
            yield ProposalMade(proposal)
        yield ReplyDone(model=OFFLINE_MODEL)
