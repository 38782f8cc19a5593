"""What the offline coach recognises in a message: numbers, dates, reasons, plans, objections,
greetings, thanks, wins and setbacks.

Pure and deterministic. Whatever comes back for quoting is cleaned first (no HTML, no markdown
markup, no question mark: a quote must not add a second question to a reply).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

READ_LIMIT = 4_000  # a long paste is read from its start: the coach answers it, not audits it
QUOTE_WORDS = 12
ANSWER_WORDS = 60  # longer is a paste, not an answer to one question
LINE_LIMIT = 200  # a proposed line or milestone, as long as a milestone title may be


def _ci(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


_TAG = re.compile(r"<[^<>]*>")  # [^<>], not [^>]: a run of "<" stays linear
_MARKUP = re.compile(r"[<>*_`#\[\]|~\\?\"]")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|sixty|hundred|thousand|once|twice"
)
_UNITS = (
    r"times?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|kg|kilos?"
    r"|kilograms?|pounds?|lbs?|km|kilometers?|kilometres?|miles?|steps?|pages?|books?"
    r"|chapters?|sessions?|workouts?|runs?|classes?|lessons?|words?|euros?|dollars?|percent"
    r"|reps?|push-?ups?|laps?|litres?|liters?"
)
_STOP = (
    r"a|an|and|or|but|by|to|the|of|in|on|at|for|with|i|my|your|then|so|because|before|after"
    r"|until|if|is|are|was|it|this|that|from|more|less|than|as|now"
)
_EVERY = r"(?:\s+(?:a|per|each|every)\s+(?:day|night|week|weekday|month|year|morning|evening))"
# Digits with an optional unit word; a number word only with a unit or a frequency, so that
# "ten times" counts and "two of us" does not.
_MEASURE = _ci(
    rf"(?:[€$£]\s?\d[\d,.]*\d|[€$£]\s?\d|\b\d+(?:[.,]\d+)*(?:km|kg|k|%)?)"
    rf"(?:\s+(?!(?:{_STOP})\b)[^\W\d_]+(?:-[^\W\d_]+)?)?{_EVERY}?"
    rf"|\b(?:{_NUMBER_WORDS})(?:\s+(?:{_UNITS})\b{_EVERY}?|{_EVERY})"
)
_UNIT_WORD = _ci(rf"\b(?:{_UNITS})\b")
_YEAR_ALONE = re.compile(r"(19|20)\d\d")
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATES = (
    ("ymd", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("md", _ci(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}})\b)?")),
    ("dm", _ci(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}(?:\s+(\d{{4}})\b)?")),
    ("dots", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b")),
    ("slashes", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")),
    ("end", _ci(rf"\bend of {_MONTH}(?:\s+(\d{{4}})\b)?")),
)
_SEASONS = r"summer|winter|spring|autumn|fall|christmas|year|month|week"
_TIMEFRAME = _ci(
    r"\b(?:by|before|until|within|in)\s+(?:the\s+)?(?:end\s+of\s+)?(?:(?:this|next)\s+)?"
    rf"(?:\d+\s+)?(?:{_SEASONS}|days|weeks|months|years)\b|\b(?:this|next)\s+(?:{_SEASONS})\b"
)
_REASON = _ci(
    r"\b(?:because|so that|so i can|so we can|in order to|which will|that way)\b[^.!?\n;,]{2,160}"
    r"|\bfor (?:my|our)\s+[\w'’]+(?:\s+[\w'’]+){0,3}"
)
_WILL = r"i['’]?ll|i will|i['’]?m going to|i am going to|i['’]?m gonna|i plan to|my plan is to"
_COMMIT = rf"{_WILL}|i can|i could"
_PLAN = _ci(rf"\b(?:{_WILL})\s+[^.!?\n;]{{3,160}}")
_REASON_START = _ci(r",?\s*\b(?:because|so that|so i can|so we can|in order to)\b")
_STEP = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(\S[^\n]*)$", re.MULTILINE)
_INTENT = _ci(
    rf"\b(?:i want|i['’]?d (?:like|love)|i would (?:like|love)|i wish|my goal|i need to|i hope"
    rf"|i aim|{_COMMIT})\b"
)
_GREETING = _ci(
    r"^(?:hi|hii+|hello|hey|heya|hiya|howdy|hallo|yo|good (?:morning|afternoon|evening|day))\b"
)
_THANKS = _ci(r"\b(?:thanks?|thank you|thx|ty|cheers|appreciated?)\b")
_FILLER = re.compile(  # whole words that say nothing yet; repeats ("hmmm", "okkk") too
    r"o+k+(?:ay)?|k+|h+m+|m+|u+h+|u+m+|e+r+|ye+s+|yeah|yep|no+|nope|sure|fine|cool|right"
    r"|alright|idk|so+|well|and|lol|what|huh|o+h+|a+h+",
    re.IGNORECASE,
)
_OFF_TOPIC = {
    "joke": _ci(r"\b(?:jokes?|funny|make me laugh)\b"),
    "weather": _ci(r"\b(?:weather|rain(?:ing)?|sunny|forecast)\b"),
    "other": _ci(
        r"\b(?:news|football|soccer|movies?|films?|songs?|recipes?|politics|election|stocks?"
        r"|bitcoin|crypto|capital of|who won|meaning of life|your name|who are you"
        r"|are you (?:a )?(?:bot|robot|human|real))\b"
    ),
}
_OBJECTIONS = {
    "time": _ci(
        r"\b(?:do not|don['’]?t|never|can['’]?t|cannot)\s+(?:\w+\s+){0,2}?(?:have|find|make)\s+"
        r"(?:the\s+|enough\s+|any\s+)?time\b|\bno time\b|\bnot enough time\b|\bbusy\b"
    ),
    "failure": _ci(
        r"\b(?:always|keep|usually)\s+fail|\bi['’]?ll (?:just )?fail\b|\bfailed before\b"
        r"|\btried (?:it |this |that )?before\b|\b(?:i['’]?ve|i have) tried\b|\bnever stick"
        r"|\bgive up\b|\bgave up\b"
    ),
    "hard": _ci(
        r"\btoo (?:hard|difficult|much|big|ambitious)\b|\boverwhelm\w*|\bimpossible\b"
        r"|\b(?:it['’]?s|this is|that['’]?s|seems|feels|sounds) (?:so |really |very )?"
        r"(?:hard|difficult)\b"
    ),
    "doubt": _ci(
        r"\bnot sure (?:if |that )?i can\b|\b(?:don['’]?t|do not) think i can\b|\bi can['’]?t\b"
        r"(?! wait)|\bi cannot\b|\bnot (?:good|strong|smart|disciplined) enough\b|\bi doubt\b"
        r"|\bwhat if i (?:fail|can['’]?t)\b"
    ),
}
_SETBACK = _ci(
    r"\b(?:missed|skipped|didn['’]?t|did not|couldn['’]?t|could not|haven['’]?t|have not"
    r"|failed|fell (?:behind|off)|behind|off track|at risk|struggl\w*|setback|gave up|stopped"
    r"|sick|injur\w*|stuck|no progress|slipped|bad week|lost (?:motivation|track))\b"
)
_WIN = _ci(
    r"\b(?:did it|done|finished|completed|managed|achieved|hit|reached|nailed|crushed|ran"
    r"|walked|lost|saved|wrote|went well|on track|progress|proud|streak|succeeded|kept"
    r"|started|booked|signed up)\b"
)
_NEGATED = _ci(r"\b(?:didn['’]?t|did not|couldn['’]?t|could not|not|never|no)\s+\w+")
_STATE = _ci(r"^\W*(?:i['’]?m|i am|it['’]?s|it is|i was|that['’]?s|we['’]?re)\b")
_LEAD_FILLER = _ci(
    r"^(?:(?:ok(?:ay)?|so(?!\s+(?:i|we) can|\s+that)|well|yes|yeah|yep|alright|all right|right"
    r"|fine|sure|then|and|but|great|cool)\b[\s,.!:;-]*)+"
)
_LEAD_INTENT = _ci(
    rf"^(?:{_COMMIT}|i want to|i['’]?d like to|i would like to|i need to|i hope to|i aim to"
    r"|i should|i must|my goal is to|the goal is to|i['’]?m)\s+"
)
_INNER_INTENT = _ci(rf"^(?P<lead>.*?)\b(?:{_COMMIT}|i want to)\s+(?P<rest>.+)$")
_WANT_REASON = re.compile(
    r"\s*,?\s*\bbecause i (?:really )?(?:want|need|would like|['’]d like) to\b", re.I
)
_FIRST_PERSON = (
    (_ci(r"\bi am\b"), "you are"),
    (_ci(r"\bi was\b"), "you were"),
    (_ci(r"\bi['’]m\b"), "you're"),
    (_ci(r"\bi['’]ve\b"), "you've"),
    (_ci(r"\bi['’]ll\b"), "you'll"),
    (_ci(r"\bi['’]d\b"), "you'd"),
    (_ci(r"\b(?:i|me)\b"), "you"),
    (_ci(r"\bmy\b"), "your"),
    (_ci(r"\bmine\b"), "yours"),
    (_ci(r"\bmyself\b"), "yourself"),
)


@dataclass(frozen=True)
class Reading:
    """One message as the coach understood it. Quotes are raw fragments: pass them to
    `quote` (or `second_person`, then `quote`) before showing them."""

    text: str  # the message without tags, clipped to READ_LIMIT
    kind: str  # empty | greeting | thanks | off_topic | objection | content
    words: int = 0
    objection: str = ""  # time | failure | hard | doubt
    topic: str = ""  # off-topic: joke | weather | other
    measures: tuple[str, ...] = ()
    date_text: str = ""  # an explicit date, as written ("June 1st")
    timeframe: str = ""  # or a looser one ("by summer", "this year")
    deadline: date | None = None  # the explicit date resolved, when it can be
    reason: str = ""
    plan: str = ""
    steps: tuple[str, ...] = ()
    question: bool = False
    goal_like: bool = False
    win: str = ""  # the sentence telling of a win (a check-in)
    setback: str = ""  # the sentence telling of a setback
    action_like: bool = False  # names something to do, not a state ("I'm at 60%")

    @property
    def has_facts(self) -> bool:
        return bool(self.settles)

    @property
    def settles(self) -> set[str]:
        """SMART letters this message settles by what was recognised in it, whatever the
        checks make of its words: a date given is never asked for again."""
        found = {"M": self.measures, "T": self.date_text or self.timeframe, "R": self.reason}
        return {letter for letter, fact in found.items() if fact} | (
            {"A"} if self.plan or self.steps else set()
        )

    @property
    def answers(self) -> bool:
        """Reads as an answer to the coach's question (a statement, not small talk)."""
        return self.kind == "content" and not self.question and 2 <= self.words <= ANSWER_WORDS


def read_message(message: str, today: date) -> Reading:
    text = _TAG.sub(" ", message[:READ_LIMIT])
    words = _WORD.findall(text)
    dates = _explicit_dates(text, today)
    date_text, deadline = next(((found, when) for found, when, _ in dates), ("", None))
    timeframe = "" if date_text else _first(_TIMEFRAME, text)
    measures = _measures(text, [span for _, _, span in dates])
    reason = _first(_REASON, text)
    plan = _REASON_START.split(_first(_PLAN, text), maxsplit=1)[0]
    steps = tuple(step.strip() for step in _STEP.findall(text))
    steps = steps if len(steps) >= 2 else ()
    facts = bool(measures or date_text or timeframe or reason or plan or steps)
    kind, detail = _kind(text, words, facts, bool(measures or date_text or timeframe))
    win, setback = _win_and_setback(text)
    return Reading(
        text=text,
        kind=kind,
        words=len(words),
        objection=detail if kind == "objection" else "",
        topic=detail if kind == "off_topic" else "",
        measures=measures,
        date_text=date_text,
        timeframe=timeframe,
        deadline=deadline,
        reason=reason,
        plan=plan,
        steps=steps[:8],
        action_like=bool(plan) or not _STATE.search(text),
        question=text.rstrip().endswith("?"),
        goal_like=kind == "content"
        and not text.rstrip().endswith("?")
        and (facts or bool(_INTENT.search(text)) or len(words) >= 6),
        win=win,
        setback=setback,
    )


def _first(pattern: re.Pattern, text: str) -> str:
    found = pattern.search(text)
    return found.group(0).strip(" ,") if found else ""


def _kind(text: str, words: list[str], facts: bool, committed: bool) -> tuple[str, str]:
    if not words or (len(words) <= 3 and all(_FILLER.fullmatch(word) for word in words)):
        return "empty", ""
    objection = next((kind for kind, p in _OBJECTIONS.items() if p.search(text)), "")
    if objection and not committed:
        return "objection", objection
    if facts:
        return "content", ""
    if _GREETING.search(text.strip()) and len(words) <= 5:
        return "greeting", ""
    if _THANKS.search(text) and len(words) <= 8:
        return "thanks", ""
    topic = next((topic for topic, p in _OFF_TOPIC.items() if p.search(text)), "")
    if topic and not _INTENT.search(text):
        return "off_topic", topic
    return "content", ""


def _win_and_setback(text: str) -> tuple[str, str]:
    said = [s for s in sentences(text) if not _PLAN.search(s)]
    setback = next((s for s in said if _SETBACK.search(s)), "")
    cleared = [_NEGATED.sub(" ", _SETBACK.sub(" ", s)) for s in said]
    win = next((s for s, kept in zip(said, cleared, strict=True) if _WIN.search(kept)), "")
    return win, setback


def _measures(text: str, taken: list[tuple[int, int]]) -> tuple[str, ...]:
    found: list[str] = []
    for match in _MEASURE.finditer(text):
        start, end = match.span()
        phrase = match.group(0).strip()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue  # a day or year of a date, not an amount
        if _YEAR_ALONE.fullmatch(phrase.split(" ")[0]) and not _UNIT_WORD.search(phrase[4:]):
            continue
        if phrase.lower() not in (seen.lower() for seen in found):
            found.append(phrase)
    return tuple(found[:4])


def _explicit_dates(text: str, today: date) -> list[tuple[str, date | None, tuple[int, int]]]:
    found = [
        (match.group(0).strip(), _resolve(form, match.groups(), today), match.span())
        for form, pattern in _DATES
        for match in pattern.finditer(text)
    ]
    return sorted(found, key=lambda item: item[2])


def _month(name: str) -> int:
    return "janfebmaraprmayjunjulaugsepoctnovdec".index(name[:3].lower()) // 3 + 1


def _resolve(form: str, parts: tuple, today: date) -> date | None:
    """The date meant; a date without a year is its next occurrence from `today`."""
    if form == "ymd":
        return _on(int(parts[0]), int(parts[1]), int(parts[2]))
    if form == "end":
        year = int(parts[1]) if parts[1] else None
        month = _month(parts[0])
        return _next(today, month, 0, year)
    if form in ("md", "dm"):
        month, day = (parts[0], parts[1]) if form == "md" else (parts[1], parts[0])
        return _next(today, _month(month), int(day), int(parts[2]) if parts[2] else None)
    year = int(parts[2]) + (2000 if len(parts[2]) == 2 else 0)
    first, second = int(parts[0]), int(parts[1])
    if form == "dots" or first > 12:
        return _on(year, second, first)
    if second > 12 or first == second:
        return _on(year, first, second)
    return None  # 06/01/2027: June 1st or January 6th? Not guessed.


def _on(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next(today: date, month: int, day: int, year: int | None) -> date | None:
    """Day 0 is the month's last day."""
    for candidate_year in [year] if year else range(today.year, today.year + 9):
        last = calendar.monthrange(candidate_year, month)[1] if 1 <= month <= 12 else 0
        when = _on(candidate_year, month, day or last)
        if when and (year or when >= today):
            return when
    return None


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def quote(text: str, max_words: int = QUOTE_WORDS) -> str:
    """A fragment fit to show inside a reply: no tags or markup, one line, a few words."""
    cleaned = _SPACE.sub(" ", _MARKUP.sub(" ", _TAG.sub(" ", text[:READ_LIMIT]))).strip(" ,;:-.!")
    words = cleaned.split(" ")
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")


def second_person(text: str) -> str:
    """What they said about themselves, said back to them ("my kids" -> "your kids")."""
    for pattern, replacement in _FIRST_PERSON:
        text = pattern.sub(replacement, text)
    return text


def goal_line(text: str, limit: int = LINE_LIMIT) -> str:
    """A sentence fit to append to a goal, built from what was said: "OK, I'll run 3 times a
    week because I want to keep up" -> "Run 3 times a week, to keep up." """
    parts = []
    for sentence in sentences(text):
        if sentence.endswith("?") or len(sentence) > LINE_LIMIT or not _says_much(sentence):
            continue
        if _STEP.match(sentence):
            continue  # a list of steps: proposed as milestones, not as text
        line = _LEAD_INTENT.sub("", _LEAD_FILLER.sub("", sentence.strip()))
        line = _WANT_REASON.sub(", to", line)
        parts.append(_as_line(line))
    return _fit(" ".join(part for part in parts if part), limit)


def _says_much(sentence: str) -> bool:
    """A sentence worth keeping in a goal: an amount, a date, a reason or an intention."""
    patterns = (_MEASURE, _REASON, _INTENT, _TIMEFRAME, *(pattern for _, pattern in _DATES))
    return any(pattern.search(sentence) for pattern in patterns)


def action_line(text: str) -> str:
    """A milestone from a step they named: "Tomorrow I'll buy shoes" -> "Buy shoes tomorrow"."""
    first = next((s for s in sentences(text) if not s.endswith("?")), "")
    first = _LEAD_FILLER.sub("", first.strip())
    inner = _INNER_INTENT.match(first)
    if inner and len(inner.group("lead").split()) <= 4:
        lead = inner.group("lead").strip(" ,")
        lead = lead[:1].lower() + lead[1:]
        first = f"{inner.group('rest').rstrip(' .!')} {lead}"
    return _fit(_as_line(_LEAD_INTENT.sub("", first)).rstrip("."))


def _as_line(line: str) -> str:
    line = _SPACE.sub(" ", _MARKUP.sub(" ", line)).strip(" ,;:-")
    if not line:
        return ""
    return line[0].upper() + line[1:] + ("" if line[-1] in ".!" else ".")


def _fit(line: str, limit: int = LINE_LIMIT) -> str:
    return line if len(line) <= limit else ""
