"""Standard screenplay pagination, to measure scenes in eighths of a page.

The industry page: US Letter, Courier 12 (10 characters an inch, 6 lines an inch),
1 inch top and bottom, so about 55 lines of text. Element widths (characters) and
the blank lines before each element follow the common Final Draft defaults. Page
breaks follow the usual rules: a scene heading is never the last thing on a page,
a speech split across pages gets (MORE) and a (CONT'D) cue, action splits only
with two lines or more on each side.
"""

from __future__ import annotations

from dataclasses import dataclass

from shotline.model.script import Element, ElementType

T = ElementType

LINES_PER_PAGE = 55

# Width in characters and blank lines before, by element type. Sections, synopses
# and notes do not print.
WIDTH: dict[ElementType, int] = {
    T.SCENE_HEADING: 61,
    T.ACTION: 61,
    T.CHARACTER: 38,
    T.PARENTHETICAL: 26,
    T.DIALOGUE: 35,
    T.TRANSITION: 16,
    T.CENTERED: 61,
    T.LYRICS: 35,
}
BLANK_BEFORE: dict[ElementType, int] = {
    T.SCENE_HEADING: 1,
    T.ACTION: 1,
    T.CHARACTER: 1,
    T.TRANSITION: 1,
    T.CENTERED: 1,
    T.LYRICS: 1,
}
_MIN_SPLIT = 2  # lines of a split paragraph that must stay on each page


def wrapped_lines(text: str, width: int) -> int:
    """How many printed lines text takes when word-wrapped at width characters."""
    total = 0
    for row in text.split("\n"):
        if len(row) <= width:
            total += 1
            continue
        lines = 1
        used = 0
        for word in row.split(" "):
            size = len(word)
            if used and used + 1 + size <= width:
                used += 1 + size
                continue
            if used:
                lines += 1  # the word starts a new line
            while size > width:  # a word longer than a line breaks anywhere
                lines += 1
                size -= width
            used = size
        total += lines
    return total


@dataclass(slots=True)
class _Block:
    """What the paginator places: a paragraph, or a whole speech with its cue."""

    first: int  # index of its first element
    kind: ElementType
    lines: int
    blank_before: int
    split_cost: int  # extra lines a split adds: (MORE) and the repeated cue
    splittable: bool
    pair: _Block | None = None  # the second speech of a dual pair, printed alongside


@dataclass(frozen=True, slots=True)
class Position:
    """Where an element starts on the printed page (1-based page, 0-based line)."""

    page: int
    line: int

    @property
    def y(self) -> int:
        return (self.page - 1) * LINES_PER_PAGE + self.line


def _blocks(elements: tuple[Element, ...] | list[Element]) -> list[_Block]:
    blocks: list[_Block] = []
    speech: _Block | None = None
    for index, e in enumerate(elements):
        kind = e.type
        if kind is T.PAGE_BREAK:
            blocks.append(_Block(index, kind, 0, 0, 0, False))
            speech = None
            continue
        width = WIDTH.get(kind)
        if width is None:
            continue  # not printed
        lines = wrapped_lines(e.text, width)
        if kind is T.CHARACTER:
            first = blocks[-1] if blocks and speech is not None else None
            speech = _Block(index, kind, lines, 1, 2, True)
            if e.dual and first is not None and first.kind is T.CHARACTER and first.pair is None:
                first.pair = speech  # side by side: the pair is as tall as its taller half
            else:
                blocks.append(speech)
        elif kind in (T.DIALOGUE, T.PARENTHETICAL) and speech is not None:
            speech.lines += lines
        else:
            speech = None
            blocks.append(_Block(index, kind, lines, BLANK_BEFORE.get(kind, 1), 0,
                                 kind is T.ACTION))
    for block in blocks:
        if block.pair is not None:
            block.lines = max(block.lines, block.pair.lines)
            block.splittable = False
    return blocks


@dataclass(frozen=True, slots=True)
class Layout:
    """The printed script: page count, where each element starts (None if it does
    not print) and where the text ends."""

    pages: int
    positions: list[Position | None]
    end: Position


def paginate(elements: tuple[Element, ...] | list[Element]) -> Layout:
    """Lay elements out on US Letter pages the way screenplay software does."""
    positions: list[Position | None] = [None] * len(elements)
    blocks = _blocks(elements)
    page, used = 1, 0
    break_pending = False
    for k, block in enumerate(blocks):
        if block.kind is T.PAGE_BREAK:
            break_pending = used > 0
            continue
        if break_pending:
            page, used, break_pending = page + 1, 0, False
        before = block.blank_before if used else 0
        need = before + block.lines
        if block.kind is T.SCENE_HEADING and k + 1 < len(blocks):
            # Keep a heading with the first lines of what follows it.
            following = blocks[k + 1]
            need += following.blank_before + min(following.lines, _MIN_SPLIT)
        if used + need <= LINES_PER_PAGE:
            positions[block.first] = Position(page, used + before)
            used += before + block.lines
        else:
            room = LINES_PER_PAGE - used - before - block.split_cost // 2
            if (block.splittable and used and room >= _MIN_SPLIT
                    and block.lines - room >= _MIN_SPLIT):
                positions[block.first] = Position(page, used + before)
                page, used = page + 1, block.lines - room + block.split_cost // 2
            else:
                page = page + 1 if used else page
                positions[block.first] = Position(page, 0)
                used = block.lines
            while used > LINES_PER_PAGE:  # what is left runs on over whole pages
                page, used = page + 1, used - LINES_PER_PAGE
        if block.pair is not None:
            positions[block.pair.first] = positions[block.first]
    # Elements inside a speech start where their block starts; close enough for
    # measuring scenes, which begin at headings.
    last: Position | None = None
    for i, e in enumerate(elements):
        if positions[i] is None and e.type in WIDTH and last is not None:
            positions[i] = last
        if positions[i] is not None:
            last = positions[i]
    pages = page if used or page == 1 else page - 1
    return Layout(pages, positions, Position(page, used))
