"""Goal markdown → a flat list of blocks that the PDF export lays out line by line.

CommonMark through markdown-it-py with raw HTML disabled: `<script>` and friends stay
literal text, which is what the user typed and what the PDF must show. Nesting (lists,
block quotes) is flattened into per-block depths so the renderer never recurses.
markdown-it stops at 20 levels of nesting and silently skips whatever lies deeper; rather
than lose what the user wrote, such a top-level block is printed as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# A container opened at this level has its content parsed one level deeper: past the limit.
_DEEPEST = _PARSER.options["maxNesting"] - 1
_CONTAINERS = frozenset({"blockquote_open", "list_item_open"})
BULLETS = ("•", "◦", "▪")


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "heading" | "paragraph" | "code" | "rule"
    spans: tuple[Span, ...] = ()
    level: int = 0  # heading level, 1-6
    depth: int = 0  # list nesting
    quote: int = 0  # block quote nesting
    marker: str = ""  # bullet or number, on an item's first block only


def parse_markdown(text: str) -> list[Block]:
    tokens = _PARSER.parse(text)
    source: list[str] | None = None
    walker = _Walker()
    for group in _top_level(tokens):
        if any(token.type in _CONTAINERS and token.level >= _DEEPEST for token in group):
            # markdown-it skipped part of this block: print its source lines instead.
            source = source or text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            start, end = group[0].map or (0, len(source))
            walker.blocks += literal_blocks("\n".join(source[start:end]))
        else:
            for token in group:
                walker.feed(token)
    return walker.blocks


def _top_level(tokens: Sequence[Token]) -> list[list[Token]]:
    groups: list[list[Token]] = []
    for token in tokens:
        if (token.level == 0 and token.nesting >= 0) or not groups:
            groups.append([])
        groups[-1].append(token)
    return groups


def literal_blocks(text: str) -> list[Block]:
    """The text as typed: blank lines part paragraphs, other line breaks are kept."""
    paragraphs = re.split(r"\n[ \t]*\n", text)
    return [Block("paragraph", (Span(p.strip("\n")),)) for p in paragraphs if p.strip()]


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lists: list[list[int]] = []  # [ordered, next number] per open list
        self.quote = 0
        self.heading = 0
        self.marker = ""

    def feed(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.flush_marker()  # "- - x": the outer item has no text of its own
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else 0
            self.lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.marker = self.next_marker(token.markup)
        elif kind == "list_item_close":
            self.flush_marker()
        elif kind in ("blockquote_open", "blockquote_close"):
            self.quote += 1 if kind == "blockquote_open" else -1
        elif kind in ("heading_open", "heading_close"):
            self.heading = int(token.tag[1]) if kind == "heading_open" else 0
        elif kind == "inline":
            self.add("heading" if self.heading else "paragraph", inline_spans(token.children))
        elif kind in ("fence", "code_block"):
            self.flush_marker()
            self.add("code", (Span(token.content.rstrip("\n"), code=True),))
        elif kind == "html_block":  # only reachable if html were enabled: keep it literal
            self.add("paragraph", (Span(token.content.rstrip("\n")),))
        elif kind == "hr":
            self.add("rule", ())

    def next_marker(self, markup: str) -> str:
        if not self.lists:
            return "•"
        state = self.lists[-1]
        if not state[0]:
            return BULLETS[(len(self.lists) - 1) % len(BULLETS)]
        state[1] += 1
        return f"{state[1] - 1}{markup or '.'}"

    def flush_marker(self) -> None:
        if self.marker:
            self.add("paragraph", ())

    def add(self, kind: str, spans: tuple[Span, ...]) -> None:
        block = Block(kind, spans, self.heading, len(self.lists), self.quote, self.marker)
        self.blocks.append(block)
        self.marker = ""


def inline_spans(children: Sequence[Token] | None) -> tuple[Span, ...]:
    spans: list[Span] = []
    bold = italic = 0
    links: list[tuple[str, int]] = []  # href and where its text starts
    for token in children or ():
        kind, content = token.type, token.content
        if kind in ("text", "html_inline", "code_inline"):
            spans.append(Span(content, bold > 0, italic > 0, code=kind == "code_inline"))
        elif kind in ("softbreak", "hardbreak"):
            spans.append(Span(" " if kind == "softbreak" else "\n"))
        elif kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            italic += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            links.append((str(token.attrGet("href") or ""), len(spans)))
        elif kind == "link_close" and links:
            spans.extend(_link_target(*links.pop(), spans))
        elif kind == "image":  # never fetched: paper gets the alt text
            spans.append(Span(f"[image: {content}]" if content else "[image]", italic=True))
    return tuple(spans)


def _link_target(href: str, start: int, spans: list[Span]) -> list[Span]:
    """Paper has no clicks, so print the target after the text unless the text is the target."""
    label = "".join(span.text for span in spans[start:])
    bare = href.removeprefix("mailto:")
    if not href or label.strip() in (href, bare):
        return []
    return [Span(f" ({href})", muted=True)]
