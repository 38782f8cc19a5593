"""The word lists, patterns and thresholds the SMART checks read (goalgetter/domain/smart.py
says what each letter means and how they are used)."""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VAGUE_WORDS = _words(
    "better more less fewer improve improved improving healthier happier fitter stuff things "
    "somehow some good great successful maybe try hopefully lots"
)
MIN_SPECIFIC_WORDS = 6
LONG_DESCRIPTION_WORDS = 40
COMPARATIVES = _words("more less fewer better healthier happier fitter often")
# Complements that say nothing concrete after an action verb ("get fit", "lose weight").
VAGUE_OBJECTS = VAGUE_WORDS | _words(
    "weight money time fit fitness shape healthy happy rich richer organised organized "
    "productive confident motivated calm calmer stronger slimmer thinner life myself it this "
    "that them there something anything everything nothing person care going started serious "
    "stress handle manage deal cope be been had got wanted fun further together well and or but "
    "so you me i we he she they if when what where who is are was were yet can will"
)
# Skipped between a verb and its object.
FILLERS = _words(
    "the a an my our your his her their its to for up out off on in at into with how about "
    "of from by around through over down back all least no rid"
)
ENGLISH_HINTS = _words(
    "the a an to my i and of in for with by on at is be will want every our me it not so"
)
ACTION_VERBS = _words(
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
SENTENCE_BREAK = re.compile(r"[.!?;:\n]+")
LEAD_WORDS = _words(
    "i we will i'll we'll want to am i'm going really also just then and - i'd like"
)
DETERMINERS = _words("a an the my our your his her their these every each out up off down")
NOT_IMPERATIVE = _words(
    "work feel stay keep do make have think know focus lately today tomorrow maybe generally "
    "overall here what how why when where which whatever goal goals plan progress everyone "
    "please let learn try want need like love hope wish before after since because until till "
    "unless while during although though once as than even only still not never don't"
)
NOT_A_VERB = NOT_IMPERATIVE | VAGUE_OBJECTS | FILLERS | ENGLISH_HINTS
IRREGULAR = {"ran": "run", "wrote": "write", "swam": "swim", "rode": "ride", "went": "go"}
TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
NUM = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|dozen"
)
NUMBER_WORDS = frozenset(NUM.split("|")) - {"one"}
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
NAMED = rf"{MONTHS}|{WEEKDAYS}|spring|summer|autumn|fall|winter|christmas|easter|new year"
UNIT = r"days?|weeks?|weekends?|fortnights?|months?|quarters?|years?|semesters?|terms?"
COUNT = rf"\d+|an?|{NUM}"
NOT_A_YEAR = (
    r"(?![ \t]*(?:%|[€$£]|(?:euros?|eur|dollars?|usd|pounds?|gbp|steps|words|pages|km|miles"
    r"|kcal|calories|kg|people|members|followers|subscribers|times|books|rating|points)\b))"
)
# Dates without their year; a year is matched apart, as M and T read years differently.
DATE = (
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    rf"|\b(?:{MONTHS})\.?[ \t]{{0,3}}\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?[ \t]{{0,3}}(?:of[ \t]+)?(?:{MONTHS})\b|\bq[1-4]\b"
)
DATES = re.compile(rf"{DATE}|\b(?:19|20)\d\d\b{NOT_A_YEAR}")
# Every optional part below starts with its own literal word, so matching stays linear.
DEADLINE = re.compile(
    rf"{DATE}|\b20[2-9]\d\b{NOT_A_YEAR}"
    r"|\b(?:by|before|until|till|in|from|starting|beginning|around|during|throughout|this|next"
    r"|coming|mid|early|late)[ \t-]+(?:the[ \t]+)?(?:(?:end|start|beginning|middle)[ \t]+of[ \t]+)?"
    rf"(?:(?:this|next|coming)[ \t]+)?(?:{NAMED})\b"
    r"|\b(?:by|before|until|till|in|within|over|during|for)[ \t]+"
    rf"(?:the[ \t]+(?:next|coming|following|first)[ \t]+)?(?:{COUNT})[ \t-]+(?:{UNIT})\b"
    rf"|\b(?:end|start|beginning|middle)[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+|next[ \t]+)?"
    rf"(?:{UNIT}|{NAMED}|q[1-4]|20\d\d)\b"
    rf"|\b(?:this|next|coming)[ \t]+(?:{UNIT}|{NAMED})\b|\btomorrow\b|\btonight\b"
    r"|\b(?:starting|from|as[ \t]+of|by|before|until)[ \t]+today\b"
    r"|\bdeadline|\bdue[ \t]+(?:date|on|by|in|at|before)\b|\bis[ \t]+due\b"
    r"|\b(?:by|before|until|till|in[ \t]+time[ \t]+for)[ \t]+(?:my|our|the|his|her|their)[ \t]+"
    r"(?:[^\W_]+(?:['’]s)?[ \t]+){0,2}?(?:birthday|wedding|holidays?|vacation|trip|exams?"
    r"|race|graduation|retirement|move|baby|arrival|visit|anniversary)\b"
    r"|\bby[ \t]+the[ \t]+time\b|\b(?:before|by)[ \t]+(?:i|we)[ \t]+turn[ \t]+\d"
    rf"|\b(?:\d+|{NUM})[ \t-]+day[ \t-]+(?:challenge|streak)\b",
)
# "no deadline yet", "don't have a plan", "no particular reason": taken out before the checks.
NEGATED = re.compile(
    r"(?:\b(?:no|not|without|never)|n['’]t)[ \t]+(?:[^\W\d_]+[ \t]+){0,3}?"
    r"(?:deadline|due date|date|timeline|time limit|plan|schedule|routine|idea|reason|clue)s?\b",
)
PERIOD = r"day|night|morning|evening|afternoon|week|weekday|weeknight|weekend|month|fortnight"
EVERY = rf"(?:{PERIOD}|lunch|lunchtime|meal|breakfast|dinner|{WEEKDAYS})"
FREQUENCY = (
    r"\b(?:daily|nightly|weekly|fortnightly|monthly|twice)\b|\bonce[ \t]+(?:an?|per|every|each)\b"
    rf"|\b(?:every|each)[ \t]+(?:(?:other|single|\d+|{NUM})[ \t]+)?{EVERY}s?\b"
    r"|\bon[ \t]+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days|weekends|weekdays|weeknights"
    r"|work[ \t]+nights|school[ \t]+nights)\b"
)
# A number counts when a word, currency or % sits right beside it: "10 km", "€50", "at least 7".
NUMBER = re.compile(
    r"[^\W\d_][ \t]*(?:[€$£][ \t]*)?\d"
    r"|(?<![\d.,:])\d[\d.,:]*[ \t]*(?:[-–][ \t]*)?(?:%|[€$£]|[^\W\d_])"
    rf"|\b(?:{'|'.join(sorted(NUMBER_WORDS))})\b|\bone\b(?![ \t]+(?:day|of|another|thing)\b)"
    rf"|\b(?:double|triple|half|zero)\b|{FREQUENCY}",
)
LIST_NUMBERS = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)
OUTCOME = re.compile(
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
ACQUIRE = re.compile(r"\b(?:get|find|take|land|become)[ \t]+(?:a|an)[ \t]+([^\W\d_]+)")
# Read in the text as written: the capital tells a named mountain or trail from "climb stairs".
CLIMB = re.compile(
    r"\b(?i:climb|summit|hike|trek|walk|cycle|ride|swim|sail)[ \t]+(?:(?i:mount|mt\.?)[ \t]+)?"
    r"(?:(?i:the)[ \t]+)?(?!(?i:more|less|better|often)\b)[A-Z]"
)
RHYTHM = re.compile(rf"\b([^\W_]+)[ \t]+(?:a|per)[ \t]+(?:{PERIOD})\b")
NOT_A_RATE = _words("for in within by over after before during than about of to into")
PLAN = re.compile(
    rf"{FREQUENCY}|\b(?:after|before)[ \t]+(?:work|school|dinner|lunch|breakfast|bed"
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
BULLETS = re.compile(r"^[ \t]*([-*+]|\d+[.)])[ \t]+\S", re.MULTILINE)
SPACES = re.compile(r"[ \t]{2,}")
BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
# "for my kids", "for our retirement": the people and the things that make a goal worth it.
CARED_FOR = (
    r"kids|children|child|sons?|daughters?|family|partner|wife|husband|girlfriend|boyfriend"
    r"|mum|mom|mother|dad|father|parents|grandma|grandmother|grandpa|grandfather|grandkids"
    r"|grandchildren|team|students|patients|community|baby|sister|brother|health|heart|back"
    r"|knees?|future|retirement|sanity|wellbeing|well-being|sake|self-esteem|confidence|body"
)
# The phrases that start at a word share one \b, tested once per position before any phrase
# (each its own \b made every position try every phrase: ~1 ms per 1,000 characters).
REASON = re.compile(
    r"\b(?:because\b|so[ \t]+that\b|in[ \t]+order[ \t]+to\b|due[ \t]+to\b|thanks[ \t]+to\b"
    r"|so[ \t]+(?:i|we|you|he|she|they|my|our|the|it)\b"
    r"|since[ \t]+(?:i|we|you|he|she|they|it|it['’]s)[ \t]+(?!(?:was|were|had|did)\b)"
    r"[^\W\d_]+(?<!ed)\b"
    rf"|for[ \t]+(?:(?:my|our|the|his|her|their)[ \t]+(?:[^\W\d_]+[ \t]+)?(?:{CARED_FOR})\b"
    r"|myself\b|charity\b|fun\b|the[ \t]+planet\b)"
    r"|(?:it|this)[ \t]+(?:really[ \t]+)?matters\b|matters[ \t]+to[ \t]+(?:me|us)\b"
    r"|important[ \t]+to[ \t]+(?:me|us)\b|means[ \t]+(?:a[ \t]+lot|everything)\b"
    r"|my[ \t]+(?:dream|reason|motivation|why)\b|reason[ \t]*(?:is\b|:)|why[ \t]*:"
    r"|that['’]?s[ \t]+why\b"
    r"|(?:which|that|this|it)[ \t]+(?:will|would)[ \t]+(?:help|give|let|allow|make|keep"
    r"|save|free|reduce|lower|boost)\b"
    r"|parce[ \t]+que\b|porque\b|weil\b|damit\b|perché\b|потому[ \t]+что\b|чтобы\b)"
    r"|,[ \t]*so[ \t]+(?!(?:far|much|many|long|on|forth|what)\b)[^\W\d_]"
    r"|^[ \t]*#+[ \t]*why\b",
    re.MULTILINE,
)
PURPOSE = re.compile(r"\bto[ \t]+([^\W\d_]+)\b(?=(?:[ \t]+([^\W\d_]+))?)")
WORD_BEFORE = re.compile(r"([^\W_]+(?:['’][^\W_]+)?)[^\w]*$")
# What "to …" can be for, besides the action verbs: "to handle stress", "to feel", "to be".
BENEFITS = _words(
    "handle manage reduce relieve lower cope feel stay keep help support give afford provide "
    "protect prevent avoid boost improve become enjoy prove show connect celebrate honour honor "
    "raise fund be clear unwind relax calm impress inspire thank surprise treat free live set "
    "overcome beat heal recover"
)
# Before "to + verb" these make the verb the goal itself ("I want to feel"), not a purpose.
NOT_PURPOSE = _words(
    "want wants wanted need needs needed like love hope plan planning going have has had try "
    "trying learn learning how able start begin decide continue aim wish would i'd used ought "
    "tend forget remember promise agree choose refuse seem expect intend mean dare ready go goes "
    "went get gets got time way chance me him them us you do be"
)
NEVER_A_PURPOSE = _words("start begin try")  # "no rush to start"
BENEFIT_PHRASES = (("work", "through"), ("get", "over"))
PEOPLE_WORDS = _words(
    "kids children child son sons daughter daughters family partner wife husband girlfriend "
    "boyfriend mum mom mother dad father parents grandma grandmother grandpa grandfather team"
)
