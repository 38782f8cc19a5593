"""The built-in goal templates (SMART, OKR) as plain data, and template helpers.

Pure: the data layer seeds these into `goal_templates`; the editor fills a new goal with a
template's `template_content`. The guiding prompts are written so that an untouched template
scores almost nothing in `smart.analyse_goal`: no numbers, dates, plans or reasons in the
prompts themselves, so only the user's own words can earn the letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEMPLATE_TYPES = ("smart", "okr", "custom")
MAX_TEMPLATE_FIELDS = 50
MAX_FIELD_NAME_LENGTH = 100


@dataclass(frozen=True)
class BuiltinTemplate:
    key: str
    name: str
    description: str
    template_type: str
    fields: tuple[str, ...]
    template_content: str


# Placeholders are italic lines the user overwrites: no bullets, digits, "plan", "because"
# or "by <date>" in them, or the raw template would pass SMART letters it has not earned.
SMART_CONTENT = """\
## Specific
> What exactly will you do? Paint it so clearly a stranger could see it.

_Your goal, in a full sentence: what you will do, where, and with whom._

## Measurable
> How will you know you have made it? Give me something you can count.

_The number you are aiming for, and how you will track it._

## Achievable
> What gets you there? Name the very next action you can take, and the rhythm you can \
keep up even on your worst days.

_The actions and the rhythm that make this happen._

## Relevant
> What will this give you? Who do you become when you get there? Let that pull you forward.

_What this gives you, and who it is for._

## Time-bound
> When is it done? Name the date and put it in your calendar: a dream with a date is a \
commitment.

_The date you will be done._
"""

OKR_CONTENT = """\
## Objective
> What do you want to conquer? A bold, inspiring line: the mountain, not the map.

_Your objective: a result you can picture, in plain words._

## Key results
> How will you know you have won? Give me results you cannot argue with, from where you \
are today to where you will stand.

_Key result: the metric, its value today and its target._

_Key result: …_

_Key result: …_

## Initiatives
> What will you actually do to move those results? Name the projects and habits that make \
them inevitable.

_Initiative: …_
"""

SMART = BuiltinTemplate(
    key="smart",
    name="SMART goal",
    description="Specific, Measurable, Achievable, Relevant, Time-bound: a wish made real.",
    template_type="smart",
    fields=("Specific", "Measurable", "Achievable", "Relevant", "Time-bound"),
    template_content=SMART_CONTENT,
)

OKR = BuiltinTemplate(
    key="okr",
    name="OKR",
    description="One inspiring Objective, measurable Key results, and the Initiatives behind them.",
    template_type="okr",
    fields=("Objective", "Key results", "Initiatives"),
    template_content=OKR_CONTENT,
)

BUILTIN_TEMPLATES: tuple[BuiltinTemplate, ...] = (SMART, OKR)

# ATX headings only; [ \t] keeps the match on one line (see smart_vocabulary.BULLETS). The closing
# "##" is trimmed in Python: a lazy group before `[ \t#]*$` is quadratic on long lines.
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*)$", re.MULTILINE)


def _heading_text(raw: str) -> str:
    text = raw.strip()
    unclosed = text.rstrip("#")
    # "## C#" keeps its "#"; only a separate closing run ("## Plan ##") is dropped.
    if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
        return unclosed.strip()
    return text


def clean_fields(fields: list[str] | tuple[str, ...]) -> list[str]:
    """Section names single-spaced, empties dropped, clipped: they are labels, never errors."""
    cleaned = (" ".join(str(field).split())[:MAX_FIELD_NAME_LENGTH] for field in fields)
    return [field for field in cleaned if field][:MAX_TEMPLATE_FIELDS]


def fields_from_content(content: str) -> list[str]:
    """The section names of a markdown text: its headings, in order."""
    return clean_fields([_heading_text(raw) for raw in _HEADING.findall(content or "")])
