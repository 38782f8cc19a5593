"""SMART checks on a goal's text: specific, measurable, achievable, relevant, time-bound.

Pure and deterministic. The goal editor shows the letters as a live score, the PDF export
prints them, the offline coach asks about the missing ones. What each letter means here:

S, Specific: says what will be done: an action on a concrete object ("Climb Kilimanjaro",
  "Learn Spanish", "File my tax return"), an activity with its rhythm ("Meditate daily"), or
  a counted amount ("10,000 steps"). Vague verbs and complements ("be better", "get fit",
  "improve myself", "lose weight", "save money") and comparatives without a number ("read
  more books", "go to the gym more often") are not specific, however long. A description
  of LONG_DESCRIPTION_WORDS different words with few vague ones counts; so does text in a
  language these lists do not read, from MIN_SPECIFIC_WORDS words.
M, Measurable: a number beside what it counts ("10 km", "twelve books", "50%"), a frequency
  ("daily", "every morning", "twice a month", "on Mondays"), or a one-off outcome, done or
  not: finish, complete, pass, publish, launch, submit, file, quit, open, buy, visit or move
  to something; get promoted, a licence, a job; become a nurse; run a marathon or race;
  climb a named mountain or walk a named trail. Dates are not numbers. Open-ended work
  ("learn Spanish", "write my novel", "grow tomatoes") needs a number.
A, Achievable: a plan, routine or first step is written: a rhythm of a month or finer ("three
  times a week", "250 euros a month", "every evening", "on Mondays", "after dinner"), a first
  step or sequence ("first step", "start by", "then", "sign up", "join"), a named plan or
  schedule, or two or more list items. "I will" alone, a yearly rate or the "first" of "my
  first marathon" are not a plan.
R, Relevant: a reason: because, since + clause, so (that) + clause, in order to, due to, to +
  what it is for ("to handle stress", "to save money", "to travel"), for a person or a
  value ("for my kids", "for my health", "for charity"), "it matters", "my dream", a Why
  heading, or the same words in a few other languages. Wanting ("I want to") is not a
  reason, nor is what money buys ("for our holiday") or who comes along ("with my dad").
T, Time-bound: a date in a common format, a month, season, weekday or year as deadline or
  start, a relative deadline ("by the end of the month", "within two weeks", "next month"),
  a duration ("for 8 weeks", "for the next 60 days"), a start ("starting next Monday",
  "from January"), an event ("before my brother's wedding"), the word deadline, or a
  deadline set on the goal. "Someday", "soon", "one day", negated deadlines ("no deadline
  yet") and past durations without a number ("for years") are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from goalgetter.domain import smart_vocabulary as vocab

# Letter, name, the hint shown in the editor, the question the offline coach asks.
# fmt: off
_LETTERS = (
    ("S", "Specific", "Say exactly what you will do, in a full sentence.",
     "What exactly will you do? Paint it so clearly that a stranger could see it."),
    ("M", "Measurable", "Add a number: how much, how many, how often.",
     "How will you measure it? Give me a number, a unit, something you can count."),
    ("A", "Achievable", "Write the first steps or the routine that gets you there.",
     "What is your plan: the routine or first step that makes this happen?"),
    ("R", "Relevant", 'Say why this matters to you ("because…", "so that…").',
     "Why does this matter to you? What will it give you when you have it?"),
    ("T", "Time-bound", 'Give it a deadline: a date, or "by the end of March".',
     "When will this be done? Name the date."),
)
# fmt: on


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


def _verb_base(word: str) -> str | None:
    """The action verb a word is a form of ("running" → "run"), or None."""
    if word in vocab.ACTION_VERBS:
        return word
    if word in vocab.IRREGULAR:
        return vocab.IRREGULAR[word]
    for suffix in ("ing", "ed", "es", "s"):
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) > 1:
            for base in (stem, stem + "e", stem[:-1]):
                if base in vocab.ACTION_VERBS:
                    return base
    return None


def _has_object(tokens: list[str], at: int, depth: int = 0) -> bool:
    """Whether the verb at `at` acts on something concrete (not "more", "weight", "better")."""
    window = tokens[at + 1 : at + 5]
    counted = any(_is_number(word) for word in window)
    if not counted and any(word in vocab.COMPARATIVES for word in window):
        return False
    for offset, word in enumerate(window, start=at + 1):
        if word in vocab.FILLERS:
            continue
        if word in vocab.VAGUE_OBJECTS:
            return False
        if depth == 0 and _verb_base(word):  # "learn to swim", "start running"
            return offset + 1 == len(tokens) or _has_object(tokens, offset, 1)
        return True
    return False


def _is_number(word: str) -> bool:
    return word[0].isdigit() or word in vocab.NUMBER_WORDS


def _counts_something(tokens: list[str], at: int) -> bool:
    """A number followed by what it counts: "10 km", "twelve books" (not "3 times")."""
    for word in tokens[at + 1 : at + 4]:
        if _is_number(word) or word in vocab.FILLERS:
            continue
        return word not in vocab.VAGUE_OBJECTS and word not in ("times", "time")
    return False


def _is_specific(text: str) -> bool:
    tokens = vocab.TOKEN.findall(vocab.DATES.sub(" ", text))
    words = [token for token in tokens if not token[0].isdigit()]
    if not words:
        return False
    vague = sum(word in vocab.VAGUE_WORDS for word in words)
    for at, token in enumerate(tokens):
        if _verb_base(token) and _has_object(tokens, at):
            return True
        if _is_number(token) and _counts_something(tokens, at):
            return True
    if any(map(_is_imperative, vocab.SENTENCE_BREAK.split(text))):
        return True
    if vocab.ENGLISH_HINTS.isdisjoint(words):  # a language the lists do not know: judge by length
        return len(set(words)) >= vocab.MIN_SPECIFIC_WORDS and vague * 5 <= len(words)
    # Different words, so that one phrase pasted over and over is not a description.
    return len(set(words)) >= vocab.LONG_DESCRIPTION_WORDS and vague * 20 <= len(words)


def _is_imperative(sentence: str) -> bool:
    """A sentence led by a verb the lists do not know: "Floss every night", "File my taxes"."""
    tokens = vocab.TOKEN.findall(sentence)
    start = 0
    while start < len(tokens) and tokens[start] in vocab.LEAD_WORDS:
        start += 1
    tokens = tokens[start:]
    if len(tokens) < 2 or not tokens[0].isalpha() or tokens[0] in vocab.NOT_A_VERB:
        return False
    return tokens[1] in vocab.DETERMINERS and _has_object(tokens, 0)


def _is_measurable(text: str, lower: str) -> bool:
    plain = vocab.LIST_NUMBERS.sub(" ", vocab.DATES.sub(" ", lower))
    if vocab.NUMBER.search(plain) or vocab.CLIMB.search(text):
        return True
    for match in (*vocab.OUTCOME.finditer(plain), *vocab.ACQUIRE.finditer(plain)):
        named = match.group(1)
        if named is None or named not in vocab.VAGUE_OBJECTS | vocab.FILLERS:
            return True
    return False


def _has_plan(text: str, content: str) -> bool:
    if vocab.PLAN.search(text) or len(vocab.BULLETS.findall(content)) >= 2:
        return True
    return any(match[1] not in vocab.NOT_A_RATE for match in vocab.RHYTHM.finditer(text))


def _has_reason(text: str) -> bool:
    return bool(vocab.REASON.search(text)) or any(map(_is_purpose, vocab.PURPOSE.finditer(text)))


def _is_purpose(match: re.Match[str]) -> bool:
    """ "…, to handle stress" is why; "I want to", "learn to", "teach my son to" are not."""
    verb, next_word = match.groups()
    if verb in vocab.NEVER_A_PURPOSE:
        return False
    phrase = (verb, next_word)
    if (
        verb not in vocab.BENEFITS
        and verb not in vocab.ACTION_VERBS
        and phrase not in vocab.BENEFIT_PHRASES
    ):
        return False
    before = vocab.WORD_BEFORE.search(match.string, max(0, match.start() - 40), match.start())
    return before is None or before[1] not in vocab.NOT_PURPOSE | vocab.PEOPLE_WORDS


def _squeeze(text: str) -> str:
    """Runs of spaces and of blank lines shortened: same words, less to scan."""
    return vocab.BLANK_LINES.sub("\n\n", vocab.SPACES.sub(" ", text))


def analyse_goal(title: str, content: str, deadline: str | None = None) -> SmartReport:
    """The five checks; a deadline set on the goal (not only written in it) counts for T."""
    text = _squeeze(f"{title}\n{content}")
    if not vocab.TOKEN.search(text):
        text = ""
    # The patterns are written in lower case: cheaper than matching each character both ways.
    lower = text.lower()
    affirmed = vocab.NEGATED.sub(" ", lower)
    verdicts = (
        _is_specific(lower),
        _is_measurable(text, lower),
        _has_plan(affirmed, content),
        _has_reason(affirmed),
        bool(deadline) or bool(vocab.DEADLINE.search(affirmed)),
    )
    return SmartReport(
        tuple(
            SmartCheck(letter, name, passed, hint, question)
            for (letter, name, hint, question), passed in zip(_LETTERS, verdicts, strict=True)
        )
    )
