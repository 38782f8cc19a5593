"""SMART checks on a goal's text: specific, measurable, achievable, relevant, time-bound.

Pure and deterministic. The offline coach asks about what is missing; the goal editor can
show the same letters as a live score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VAGUE_WORDS = frozenset(
    [
        "better",
        "more",
        "less",
        "improve",
        "improved",
        "improving",
        "healthier",
        "happier",
        "fitter",
        "stuff",
        "things",
        "somehow",
        "some",
        "good",
        "great",
        "successful",
        "maybe",
        "try",
        "hopefully",
        "lots",
    ]
)
# Letters of any script, with inner apostrophes ("don't", "l'été"); digits are not words.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million"
)
_MEASURE = re.compile(
    rf"\d|%|\b(once|twice|double|triple|half|dozen|{_NUMBER_WORDS})\b",
    re.IGNORECASE,
)
_PLAN = re.compile(
    r"\b(i will|i['’]ll|i am going to|i['’]m going to|each|every|per (day|week|month)"
    r"|(times|once|twice|minutes?|hours?|sessions?)\s+(a|per|each)\s+(day|night|week|month)"
    r"|daily|weekly|monthly"
    r"|step|steps|plan|schedule|habit|first|then|by (doing|running|practising|practicing"
    r"|working|saving|reading|writing)|mornings?|evenings?|routine)\b",
    re.IGNORECASE,
)
# [ \t] rather than \s: with MULTILINE, \s* would run across newlines from every line start
# and make a text of blank lines quadratic.
_BULLETS = re.compile(r"^[ \t]*([-*+]|\d+[.)])[ \t]+\S", re.MULTILINE)
_WHY = re.compile(
    r"\b(because|so that|so i can|so we can|in order to|why|matters?|reason|which will"
    r"|that will|to be able|motivat\w*|for my|for our)\b",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?"
)
_PERIODS = (
    rf"{_MONTHS}|days?|weeks?|weekend|months?|years?|quarter|q[1-4]|spring|summer|autumn"
    r"|fall|winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|20\d\d"
)
# Every optional part below starts with its own literal word, so matching stays linear.
_DEADLINE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"
    rf"|\b({_MONTHS})\b\.?\s*\d{{1,2}}|\b\d{{1,2}}(st|nd|rd|th)?\s+({_MONTHS})\b"
    r"|\b(by|before|until|till|end of|within|in)\s+(the\s+)?(end\s+of\s+)?"
    rf"((the|this|next)\s+)?((\d+|an?|{_NUMBER_WORDS})\s+)?({_PERIODS})\b"
    r"|\b(this|next)\s+(week|weekend|month|quarter|year|spring|summer|autumn|fall|winter)\b"
    r"|\bq[1-4]\s*20\d\d\b|\b(deadline|due)\b",
    re.IGNORECASE,
)
MIN_SPECIFIC_WORDS = 6


@dataclass(frozen=True)
class SmartCheck:
    letter: str
    name: str
    passed: bool
    hint: str
    question: str


@dataclass(frozen=True)
class SmartReport:
    checks: tuple[SmartCheck, ...]

    @property
    def missing(self) -> tuple[SmartCheck, ...]:
        return tuple(check for check in self.checks if not check.passed)

    @property
    def score(self) -> int:
        return sum(check.passed for check in self.checks)

    @property
    def letters(self) -> str:
        return "".join(check.letter for check in self.checks if check.passed)


def _is_specific(words: list[str]) -> bool:
    if len(words) < MIN_SPECIFIC_WORDS:
        return False
    vague = sum(word.lower() in VAGUE_WORDS for word in words)
    return vague * 5 <= len(words)


def analyse_goal(title: str, content: str, deadline: str | None = None) -> SmartReport:
    """The five checks; a deadline set on the goal (not only written in it) counts for T."""
    text = f"{title}\n{content}"
    words = _WORD.findall(text)
    has_plan = bool(_PLAN.search(text)) or len(_BULLETS.findall(content)) >= 2
    return SmartReport(
        (
            SmartCheck(
                "S",
                "Specific",
                _is_specific(words),
                "Say exactly what you will do, in a full sentence.",
                "What exactly will you do? Paint it so clearly that a stranger could see it.",
            ),
            SmartCheck(
                "M",
                "Measurable",
                bool(_MEASURE.search(text)),
                "Add a number: how much, how many, how often.",
                "How will you measure it? Give me a number, a unit, something you can count.",
            ),
            SmartCheck(
                "A",
                "Achievable",
                has_plan,
                "Write the first steps or the routine that gets you there.",
                "What is your plan: the routine or first step that makes this happen?",
            ),
            SmartCheck(
                "R",
                "Relevant",
                bool(_WHY.search(text)),
                'Say why this matters to you ("because…", "so that…").',
                "Why does this matter to you? What will it give you when you have it?",
            ),
            SmartCheck(
                "T",
                "Time-bound",
                bool(deadline) or bool(_DEADLINE.search(text)),
                'Give it a deadline: a date, or "by the end of March".',
                "When will this be done? Name the date.",
            ),
        )
    )
