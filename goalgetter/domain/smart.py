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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VAGUE_WORDS = _words(
    "better more less fewer improve improved improving healthier happier fitter stuff things "
    "somehow some good great successful maybe try hopefully lots"
)
MIN_SPECIFIC_WORDS = 6
LONG_DESCRIPTION_WORDS = 40
_COMPARATIVES = _words("more less fewer better healthier happier fitter often")
# Complements that say nothing concrete after an action verb ("get fit", "lose weight").
_VAGUE_OBJECTS = VAGUE_WORDS | _words(
    "weight money time fit fitness shape healthy happy rich richer organised organized "
    "productive confident motivated calm calmer stronger slimmer thinner life myself it this "
    "that them there something anything everything nothing person care going started serious "
    "stress handle manage deal cope be been had got wanted fun further together well and or but "
    "so you me i we he she they if when what where who is are was were yet can will"
)
# Skipped between a verb and its object.
_FILLERS = _words(
    "the a an my our your his her their its to for up out off on in at into with how about "
    "of from by around through over down back all least no rid"
)
_ENGLISH_HINTS = _words(
    "the a an to my i and of in for with by on at is be will want every our me it not so"
)
_ACTION_VERBS = _words(
    "run jog walk hike swim cycle bike ride climb row ski surf dance stretch lift train "
    "exercise meditate journal read write finish complete publish launch ship submit release "
    "record build learn study practise practice play paint draw sketch photograph cook bake "
    "knit sew crochet plant grow save invest pay buy sell quit drink eat sleep call visit "
    "travel move open join volunteer donate adopt apply pass earn get reach teach mentor hire "
    "host attend book organise organize declutter clean fix repair renovate redo sort track cut "
    "speak translate memorise memorize code design deploy take go spend send email post blog "
    "film compose sing perform fill commute prepare lose start begin sit plan create find see "
    "watch"
)
# An unknown word opening a sentence is read as a verb when a determiner follows it.
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]+")
_LEAD_WORDS = _words(
    "i we will i'll we'll want to am i'm going really also just then and - i'd like"
)
_DETERMINERS = _words("a an the my our your his her their these every each out up off down")
_NOT_IMPERATIVE = _words(
    "work feel stay keep do make have think know focus lately today tomorrow maybe generally "
    "overall here what how why when where which whatever goal goals plan progress everyone "
    "please let learn try want need like love hope wish before after since because until till "
    "unless while during although though once as than even only still not never don't"
)
_NOT_A_VERB = _NOT_IMPERATIVE | _VAGUE_OBJECTS | _FILLERS | _ENGLISH_HINTS
_IRREGULAR = {"ran": "run", "wrote": "write", "swam": "swim", "rode": "ride", "went": "go"}
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUM = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|dozen"
)
_NUMBER_WORDS = frozenset(_NUM.split("|")) - {"one"}
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_NAMED = rf"{_MONTHS}|{_WEEKDAYS}|spring|summer|autumn|fall|winter|christmas|easter|new year"
_UNIT = r"days?|weeks?|weekends?|fortnights?|months?|quarters?|years?|semesters?|terms?"
_COUNT = rf"\d+|an?|{_NUM}"
_NOT_A_YEAR = (
    r"(?![ \t]*(?:%|[€$£]|(?:euros?|eur|dollars?|usd|pounds?|gbp|steps|words|pages|km|miles"
    r"|kcal|calories|kg|people|members|followers|subscribers|times|books|rating|points)\b))"
)
# Dates without their year; a year is matched apart, as M and T read years differently.
_DATE = (
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    rf"|\b(?:{_MONTHS})\.?[ \t]{{0,3}}\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?[ \t]{{0,3}}(?:of[ \t]+)?(?:{_MONTHS})\b|\bq[1-4]\b"
)
_DATES = re.compile(rf"{_DATE}|\b(?:19|20)\d\d\b{_NOT_A_YEAR}")
# Every optional part below starts with its own literal word, so matching stays linear.
_DEADLINE = re.compile(
    rf"{_DATE}|\b20[2-9]\d\b{_NOT_A_YEAR}"
    r"|\b(?:by|before|until|till|in|from|starting|beginning|around|during|throughout|this|next"
    r"|coming|mid|early|late)[ \t-]+(?:the[ \t]+)?(?:(?:end|start|beginning|middle)[ \t]+of[ \t]+)?"
    rf"(?:(?:this|next|coming)[ \t]+)?(?:{_NAMED})\b"
    r"|\b(?:by|before|until|till|in|within|over|during|for)[ \t]+"
    rf"(?:the[ \t]+(?:next|coming|following|first)[ \t]+)?(?:{_COUNT})[ \t-]+(?:{_UNIT})\b"
    rf"|\b(?:end|start|beginning|middle)[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+|next[ \t]+)?"
    rf"(?:{_UNIT}|{_NAMED}|q[1-4]|20\d\d)\b"
    rf"|\b(?:this|next|coming)[ \t]+(?:{_UNIT}|{_NAMED})\b|\btomorrow\b|\btonight\b"
    r"|\b(?:starting|from|as[ \t]+of|by|before|until)[ \t]+today\b"
    r"|\bdeadline|\bdue[ \t]+(?:date|on|by|in|at|before)\b|\bis[ \t]+due\b"
    r"|\b(?:by|before|until|till|in[ \t]+time[ \t]+for)[ \t]+(?:my|our|the|his|her|their)[ \t]+"
    r"(?:[^\W_]+(?:['’]s)?[ \t]+){0,2}?(?:birthday|wedding|holidays?|vacation|trip|exams?"
    r"|race|graduation|retirement|move|baby|arrival|visit|anniversary)\b"
    r"|\bby[ \t]+the[ \t]+time\b|\b(?:before|by)[ \t]+(?:i|we)[ \t]+turn[ \t]+\d"
    rf"|\b(?:\d+|{_NUM})[ \t-]+day[ \t-]+(?:challenge|streak)\b",
)
# "no deadline yet", "don't have a plan", "no particular reason": taken out before the checks.
_NEGATED = re.compile(
    r"(?:\b(?:no|not|without|never)|n['’]t)[ \t]+(?:[^\W\d_]+[ \t]+){0,3}?"
    r"(?:deadline|due date|date|timeline|time limit|plan|schedule|routine|idea|reason|clue)s?\b",
)
_PERIOD = r"day|night|morning|evening|afternoon|week|weekday|weeknight|weekend|month|fortnight"
_EVERY = rf"(?:{_PERIOD}|lunch|lunchtime|meal|breakfast|dinner|{_WEEKDAYS})"
_FREQUENCY = (
    r"\b(?:daily|nightly|weekly|fortnightly|monthly|twice)\b|\bonce[ \t]+(?:an?|per|every|each)\b"
    rf"|\b(?:every|each)[ \t]+(?:(?:other|single|\d+|{_NUM})[ \t]+)?{_EVERY}s?\b"
    r"|\bon[ \t]+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days|weekends|weekdays|weeknights"
    r"|work[ \t]+nights|school[ \t]+nights)\b"
)
# A number counts when a word, currency or % sits right beside it: "10 km", "€50", "at least 7".
_NUMBER = re.compile(
    r"[^\W\d_][ \t]*(?:[€$£][ \t]*)?\d"
    r"|(?<![\d.,:])\d[\d.,:]*[ \t]*(?:[-–][ \t]*)?(?:%|[€$£]|[^\W\d_])"
    rf"|\b(?:{'|'.join(sorted(_NUMBER_WORDS))})\b|\bone\b(?![ \t]+(?:day|of|another|thing)\b)"
    rf"|\b(?:double|triple|half|zero)\b|{_FREQUENCY}",
)
_LIST_NUMBERS = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)
_OUTCOME = re.compile(
    r"\b(?:finish(?:ed|ing)?|complet(?:e|ed|ing)|pass(?:ed|ing)?|publish(?:ed|ing)?"
    r"|launch(?:ed|ing)?|ship(?:ped|ping)?|submit(?:ted|ting)?|release|graduate|qualify|win"
    r"|earn|obtain|quit(?:ting)?|visit|move[ \t]+to|open|buy|adopt|sell|file|deploy"
    r"|clear[ \t]+out)[ \t]+"
    r"(?:(?:the|a|an|my|our|his|her|their)[ \t]+)?([^\W\d_]+)"
    r"|\bget(?:ting)?[ \t]+(?:promoted|hired|(?:my|a|an|the)[ \t]+(?:[^\W\d_]+[ \t]+)?"
    r"(?:licen[cs]e|degree|diploma|certificate|promotion|job|black[ \t]+belt))\b"
    r"|\b(?:run|ran|running|walk|swim|cycle|ride|do|enter|race|hike)[ \t]+(?:the|a|an|my)[ \t]+"
    r"(?:[^\W\d_]+[ \t]+){0,2}?(?:marathon|triathlon|ultra|ironman|race|run|10k|5k)\b",
)
_ACQUIRE = re.compile(r"\b(?:get|find|take|land|become)[ \t]+(?:a|an)[ \t]+([^\W\d_]+)")
# Read in the text as written: the capital tells a named mountain or trail from "climb stairs".
_CLIMB = re.compile(
    r"\b(?i:climb|summit|hike|trek|walk|cycle|ride|swim|sail)[ \t]+(?:(?i:mount|mt\.?)[ \t]+)?"
    r"(?:(?i:the)[ \t]+)?(?!(?i:more|less|better|often)\b)[A-Z]"
)
_RHYTHM = re.compile(rf"\b([^\W_]+)[ \t]+(?:a|per)[ \t]+(?:{_PERIOD})\b")
_NOT_A_RATE = _words("for in within by over after before during than about of to into")
_PLAN = re.compile(
    rf"{_FREQUENCY}|\b(?:after|before)[ \t]+(?:work|school|dinner|lunch|breakfast|bed"
    r"|the[ \t]+kids|my[ \t]+shift|i[ \t]+wake[ \t]+up)\b|\bwhen[ \t]+i[ \t]+wake[ \t]+up\b"
    r"|\bat[ \t]+lunch(?:time)?\b|\b(?:mornings|evenings)\b|\bat[ \t]+(?:the[ \t]+)?weekends?\b"
    r"|\b(?:first|next)[ \t]+(?:step|thing|task)s?\b|\bsteps?[ \t]*(?::|one\b|1\b)"
    r"|\b(?:start|begin)[ \t]+by\b|\bto[ \t]+start[ \t]*(?:,|with\b|i\b)|\bfirst(?:ly)?[ \t]*[,:]"
    r"|\bfirst[ \t]+(?:i|of[ \t]+all)\b"
    r"|\bthen\b(?<!by then)(?<!until then)(?<!since then)(?<!till then)(?<!from then)(?<!back then)"
    r"|\b(?:plan|schedule)[ \t]*(?:is\b|:)|\b(?:my|training|study|savings|meal|action|weekly"
    r"|workout|reading|revision)[ \t]+(?:plan|schedule)\b|\broutine\b"
    r"|\bby[ \t]+(?!(?:morning|evening|spring|wedding|nothing|something|anything|everything"
    r"|thanksgiving)\b)[^\W\d_]+ing\b"
    r"|\bsign(?:ed|ing)?[ \t]+up\b|\bjoin(?:ed|ing|s)?\b|\benrol"
    r"|\bhire[ \t]+(?:a|an)\b|\bbook(?:ed|ing)?[ \t]+(?:a|an|the|my)[ \t]+(?:[^\W\d_]+[ \t]+)?"
    r"(?:lessons?|class(?:es)?|course|coach|trainer|tutor|builder|sessions?)\b"
    r"|\bwith[ \t]+(?:a|my|our)[ \t]+(?:coach|tutor|trainer|teacher|mentor|club|running club)\b"
    r"|\bsetting[ \t]+aside\b|\bstanding[ \t]+order\b|\bautomatic[ \t]+transfers?\b",
)
# [ \t] rather than \s: with MULTILINE, \s* would run across newlines from every line start
# and make a text of blank lines quadratic.
_BULLETS = re.compile(r"^[ \t]*([-*+]|\d+[.)])[ \t]+\S", re.MULTILINE)
_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
# "for my kids", "for our retirement": the people and the things that make a goal worth it.
_CARED_FOR = (
    r"kids|children|child|sons?|daughters?|family|partner|wife|husband|girlfriend|boyfriend"
    r"|mum|mom|mother|dad|father|parents|grandma|grandmother|grandpa|grandfather|grandkids"
    r"|grandchildren|team|students|patients|community|baby|sister|brother|health|heart|back"
    r"|knees?|future|retirement|sanity|wellbeing|well-being|sake|self-esteem|confidence|body"
)
_REASON = re.compile(
    r"\bbecause\b|\bso[ \t]+that\b|\bin[ \t]+order[ \t]+to\b|\bdue[ \t]+to\b|\bthanks[ \t]+to\b"
    r"|\bso[ \t]+(?:i|we|you|he|she|they|my|our|the|it)\b"
    r"|,[ \t]*so[ \t]+(?!(?:far|much|many|long|on|forth|what)\b)[^\W\d_]"
    r"|\bsince[ \t]+(?:i|we|you|he|she|they|it|it['’]s)[ \t]+(?!(?:was|were|had|did)\b)"
    r"[^\W\d_]+(?<!ed)\b"
    rf"|\bfor[ \t]+(?:(?:my|our|the|his|her|their)[ \t]+(?:[^\W\d_]+[ \t]+)?(?:{_CARED_FOR})\b"
    r"|myself\b|charity\b|fun\b|the[ \t]+planet\b)"
    r"|\b(?:it|this)[ \t]+(?:really[ \t]+)?matters\b|\bmatters[ \t]+to[ \t]+(?:me|us)\b"
    r"|\bimportant[ \t]+to[ \t]+(?:me|us)\b|\bmeans[ \t]+(?:a[ \t]+lot|everything)\b"
    r"|\bmy[ \t]+(?:dream|reason|motivation|why)\b|\breason[ \t]*(?:is\b|:)|\bwhy[ \t]*:"
    r"|^[ \t]*#+[ \t]*why\b|\bthat['’]?s[ \t]+why\b"
    r"|\b(?:which|that|this|it)[ \t]+(?:will|would)[ \t]+(?:help|give|let|allow|make|keep"
    r"|save|free|reduce|lower|boost)\b"
    r"|\bparce[ \t]+que\b|\bporque\b|\bweil\b|\bdamit\b|\bperché\b|\bпотому[ \t]+что\b|\bчтобы\b",
    re.MULTILINE,
)
_PURPOSE = re.compile(r"\bto[ \t]+([^\W\d_]+)\b(?=(?:[ \t]+([^\W\d_]+))?)")
_WORD_BEFORE = re.compile(r"([^\W_]+(?:['’][^\W_]+)?)[^\w]*$")
# What "to …" can be for, besides the action verbs: "to handle stress", "to feel", "to be".
_BENEFITS = _words(
    "handle manage reduce relieve lower cope feel stay keep help support give afford provide "
    "protect prevent avoid boost improve become enjoy prove show connect celebrate honour honor "
    "raise fund be clear unwind relax calm impress inspire thank surprise treat free live set "
    "overcome beat heal recover"
)
# Before "to + verb" these make the verb the goal itself ("I want to feel"), not a purpose.
_NOT_PURPOSE = _words(
    "want wants wanted need needs needed like love hope plan planning going have has had try "
    "trying learn learning how able start begin decide continue aim wish would i'd used ought "
    "tend forget remember promise agree choose refuse seem expect intend mean dare ready go goes "
    "went get gets got time way chance me him them us you do be"
)
_NEVER_A_PURPOSE = _words("start begin try")  # "no rush to start"
_BENEFIT_PHRASES = (("work", "through"), ("get", "over"))
_PEOPLE_WORDS = _words(
    "kids children child son sons daughter daughters family partner wife husband girlfriend "
    "boyfriend mum mom mother dad father parents grandma grandmother grandpa grandfather team"
)


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
    if word in _ACTION_VERBS:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix in ("ing", "ed", "es", "s"):
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) > 1:
            for base in (stem, stem + "e", stem[:-1]):
                if base in _ACTION_VERBS:
                    return base
    return None


def _has_object(tokens: list[str], at: int, depth: int = 0) -> bool:
    """Whether the verb at `at` acts on something concrete (not "more", "weight", "better")."""
    window = tokens[at + 1 : at + 5]
    if any(word in _COMPARATIVES for word in window) and not any(_is_number(w) for w in window):
        return False
    for offset, word in enumerate(window, start=at + 1):
        if word in _FILLERS:
            continue
        if word in _VAGUE_OBJECTS:
            return False
        if depth == 0 and _verb_base(word):  # "learn to swim", "start running"
            return offset + 1 == len(tokens) or _has_object(tokens, offset, 1)
        return True
    return False


def _is_number(word: str) -> bool:
    return word[0].isdigit() or word in _NUMBER_WORDS


def _counts_something(tokens: list[str], at: int) -> bool:
    """A number followed by what it counts: "10 km", "twelve books" (not "3 times")."""
    for word in tokens[at + 1 : at + 4]:
        if _is_number(word) or word in _FILLERS:
            continue
        return word not in _VAGUE_OBJECTS and word not in ("times", "time")
    return False


def _is_specific(text: str) -> bool:
    tokens = _TOKEN.findall(_DATES.sub(" ", text))
    words = [token for token in tokens if not token[0].isdigit()]
    if not words:
        return False
    vague = sum(word in VAGUE_WORDS for word in words)
    for at, token in enumerate(tokens):
        if _verb_base(token) and _has_object(tokens, at):
            return True
        if _is_number(token) and _counts_something(tokens, at):
            return True
    if any(map(_is_imperative, _SENTENCE_BREAK.split(text))):
        return True
    if _ENGLISH_HINTS.isdisjoint(words):  # a language the lists do not know: judge by length
        return len(set(words)) >= MIN_SPECIFIC_WORDS and vague * 5 <= len(words)
    # Different words, so that one phrase pasted over and over is not a description.
    return len(set(words)) >= LONG_DESCRIPTION_WORDS and vague * 20 <= len(words)


def _is_imperative(sentence: str) -> bool:
    """A sentence led by a verb the lists do not know: "Floss every night", "File my taxes"."""
    tokens = _TOKEN.findall(sentence)
    start = 0
    while start < len(tokens) and tokens[start] in _LEAD_WORDS:
        start += 1
    tokens = tokens[start:]
    if len(tokens) < 2 or not tokens[0].isalpha() or tokens[0] in _NOT_A_VERB:
        return False
    return tokens[1] in _DETERMINERS and _has_object(tokens, 0)


def _is_measurable(text: str, lower: str) -> bool:
    plain = _LIST_NUMBERS.sub(" ", _DATES.sub(" ", lower))
    if _NUMBER.search(plain) or _CLIMB.search(text):
        return True
    for match in (*_OUTCOME.finditer(plain), *_ACQUIRE.finditer(plain)):
        named = match.group(1)
        if named is None or named not in _VAGUE_OBJECTS | _FILLERS:
            return True
    return False


def _has_plan(text: str, content: str) -> bool:
    if _PLAN.search(text) or len(_BULLETS.findall(content)) >= 2:
        return True
    return any(match[1] not in _NOT_A_RATE for match in _RHYTHM.finditer(text))


def _has_reason(text: str) -> bool:
    return bool(_REASON.search(text)) or any(map(_is_purpose, _PURPOSE.finditer(text)))


def _is_purpose(match: re.Match[str]) -> bool:
    """ "…, to handle stress" is why; "I want to", "learn to", "teach my son to" are not."""
    verb, next_word = match.groups()
    if verb in _NEVER_A_PURPOSE:
        return False
    phrase = (verb, next_word)
    if verb not in _BENEFITS and verb not in _ACTION_VERBS and phrase not in _BENEFIT_PHRASES:
        return False
    before = _WORD_BEFORE.search(match.string, max(0, match.start() - 40), match.start())
    return before is None or before[1] not in _NOT_PURPOSE | _PEOPLE_WORDS


def _squeeze(text: str) -> str:
    """Runs of spaces and of blank lines shortened: same words, less to scan."""
    return _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text))


def analyse_goal(title: str, content: str, deadline: str | None = None) -> SmartReport:
    """The five checks; a deadline set on the goal (not only written in it) counts for T."""
    text = _squeeze(f"{title}\n{content}")
    if not _TOKEN.search(text):
        text = ""
    # The patterns are written in lower case: cheaper than matching each character both ways.
    lower = text.lower()
    affirmed = _NEGATED.sub(" ", lower)
    verdicts = (
        _is_specific(lower),
        _is_measurable(text, lower),
        _has_plan(affirmed, content),
        _has_reason(affirmed),
        bool(deadline) or bool(_DEADLINE.search(affirmed)),
    )
    return SmartReport(
        tuple(
            SmartCheck(letter, name, passed, hint, question)
            for (letter, name, hint, question), passed in zip(_LETTERS, verdicts, strict=True)
        )
    )
