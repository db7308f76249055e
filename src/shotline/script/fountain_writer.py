"""A typed Script back to Fountain text that reads back to the same elements."""

from __future__ import annotations

from shotline.model.script import Element, ElementType, Script
from shotline.script.emphasis import render_emphasis
from shotline.script.fountain_reader import is_heading, is_natural_cue, looks_like_title_key

T = ElementType

# Characters that mean something at the start of a Fountain line.
_MARKERS = "!@.~>#=["
# Elements that stay in a character's dialogue block (no blank line before them):
# the reader takes notes and lyrics there as well, so the sequence reads back alike.
_IN_BLOCK = (T.PARENTHETICAL, T.DIALOGUE, T.NOTE, T.LYRICS)


def _title_key(key: str) -> str:
    return key[:1].upper() + key[1:]


def _title_page(page: dict[str, str]) -> list[str]:
    out: list[str] = []
    for key, value in page.items():
        rows = render_emphasis(value, ()).split("\n")
        if len(rows) == 1 and rows[0]:
            out.append(f"{_title_key(key)}: {rows[0]}")
        else:
            out.append(f"{_title_key(key)}:")
            out.extend("    " + row for row in rows if row)
    return out


def _marked(e: Element) -> str:
    return render_emphasis(e.text, e.emphasis)


def _action(e: Element, first_in_paragraph: bool) -> list[str]:
    rows = _marked(e).split("\n")
    out: list[str] = []
    for k, row in enumerate(rows):
        if not row:
            out.append("  ")  # an empty line inside the paragraph
            continue
        stripped = row.lstrip()
        forced = stripped[:1] in _MARKERS or (
            k == 0 and first_in_paragraph and (
                is_heading(stripped)
                or (len(rows) > 1 and is_natural_cue(stripped))
                or (len(rows) == 1 and stripped.endswith("TO:") and stripped.isupper())))
        out.append("!" + row if forced or row[:1] == "!" else row)
    return out


def _cue(e: Element, second_of_pair: bool) -> str:
    text = _marked(e)
    natural = (is_natural_cue(text) and not is_heading(text) and text[:1] not in _MARKERS
               and not text.endswith("^"))
    return ("" if natural else "@") + text + (" ^" if second_of_pair else "")


def _transition(e: Element) -> str:
    text = _marked(e)
    if text.isupper() and text.endswith("TO:") and text[:1] not in _MARKERS:
        return text
    return "> " + text


def to_fountain(script: Script) -> str:
    """Fountain text for a Script; ``parse_fountain(to_fountain(s))`` has s's elements."""
    out: list[str] = _title_page(script.title_page)
    block_open = False  # inside a cue's dialogue block
    pair_open = False  # a dual cue is waiting for its partner
    previous: ElementType | None = None
    for e in script.elements:
        kind = e.type
        # Two lyric passages in a row would read as one: the blank line parts them.
        block_open = block_open and kind in _IN_BLOCK and not (
            kind is T.LYRICS and previous is T.LYRICS)
        previous = kind
        if out and not block_open:
            out.append("")
        if kind is T.SCENE_HEADING:
            text = _marked(e)
            number = f" #{e.scene_number}#" if e.scene_number else ""
            out.append(("" if is_heading(text) else ".") + text + number)
        elif kind is T.ACTION:
            out.extend(_action(e, True))
        elif kind is T.CHARACTER:
            second = e.dual and pair_open
            pair_open = e.dual and not second
            out.append(_cue(e, second))
            block_open = True
        elif kind is T.PARENTHETICAL:
            out.append(_marked(e))
        elif kind is T.DIALOGUE:
            out.extend(row if row else "  " for row in _marked(e).split("\n"))
        elif kind is T.TRANSITION:
            out.append(_transition(e))
        elif kind is T.CENTERED:
            out.extend(f"> {row} <" for row in _marked(e).split("\n"))
        elif kind is T.LYRICS:
            out.extend("~" + row for row in _marked(e).split("\n"))
        elif kind is T.SECTION:
            out.append("#" * max(e.level, 1) + " " + _marked(e))
        elif kind is T.SYNOPSIS:
            out.append("= " + _marked(e))
        elif kind is T.NOTE:
            # A note that ends in "]" gets a space, or its end would read as "]]".
            body = e.text + " " if e.text.endswith("]") else e.text
            out.append("[[" + body + "]]")
        elif kind is T.PAGE_BREAK:
            out.append("===")
    if not script.title_page and out and looks_like_title_key(out[0]):
        out.insert(0, "")  # a first line like "KEY: value" would start a title page
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""

