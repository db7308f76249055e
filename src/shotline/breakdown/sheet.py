"""The breakdown of a whole script: scenes, cast, locations and their lengths."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shotline.breakdown.characters import aliases, cue_name, introductions, named_in
from shotline.breakdown.headings import parse_heading
from shotline.breakdown.lexicon import Lexicon, default_lexicon
from shotline.breakdown.pagination import LINES_PER_PAGE, Position, paginate
from shotline.model.breakdown import (
    CATEGORIES,
    Breakdown,
    CastMember,
    Location,
    SceneBreakdown,
)
from shotline.model.script import Element, ElementType, Script

T = ElementType

SECONDS_PER_PAGE = 60.0  # the industry's page-a-minute rule


@dataclass
class ScriptScene:
    heading: Element | None
    start: int  # index of its first element
    elements: list[Element] = field(default_factory=list)


def split_scenes(script: Script) -> list[ScriptScene]:
    scenes: list[ScriptScene] = []
    for index, e in enumerate(script.elements):
        if e.type is T.SCENE_HEADING:
            scenes.append(ScriptScene(e, index))
        elif scenes:
            scenes[-1].elements.append(e)
    if not scenes and any(e.type in (T.ACTION, T.DIALOGUE) for e in script.elements):
        # A script with no headings is one scene.
        scenes.append(ScriptScene(None, 0, list(script.elements)))
    return scenes


_LETTER_TAIL = re.compile(r"^(.*?\d)([A-Z]*)$")


def scene_numbers(given: list[str | None], reserved: set[str] | frozenset[str] = frozenset()
                  ) -> list[str]:
    """The script's scene numbers, and numbers for the scenes without one.

    With no numbers at all: 1, 2, 3... Where only some scenes are numbered, the
    industry's insert numbering: after 12 come 12A, 12B; after 12A, 12B; before
    the first numbered scene 1, A1, B1...
    """
    if not any(given):
        return [str(k + 1) for k in range(len(given))]
    # A number the script repeats counts once; the repeat is numbered as an insert.
    unique: list[str | None] = []
    for g in given:
        unique.append(g if g and g not in unique else None)
    given = unique
    taken = {g for g in given if g} | set(reserved)  # reserved: numbers retired earlier
    out: list[str] = []
    first = next(g for g in given if g)
    previous: str | None = None
    for number in given:
        if number:
            out.append(number)
            previous = number
            continue
        if previous is None:
            stem, start, before = first, 0, True
        else:
            m = _LETTER_TAIL.match(previous)
            stem, tail = (m.group(1), m.group(2)) if m else (previous, "")
            start, before = (_index(tail) if tail else 0), False
        k = start
        while True:
            k += 1
            candidate = f"{_letters(k)}{stem}" if before else f"{stem}{_letters(k)}"
            if candidate not in taken:
                break
        taken.add(candidate)
        out.append(candidate)
        previous = candidate if not before else None
    return out


def _index(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27: the inverse of _letters."""
    k = 0
    for ch in letters:
        k = k * 26 + ord(ch) - 64
    return k


def _letters(k: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    out = ""
    while k:
        k, rest = divmod(k - 1, 26)
        out = chr(65 + rest) + out
    return out


def _eighths(lines: int) -> int:
    return max(1, int(lines * 8 / LINES_PER_PAGE + 0.5))


def build_breakdown(script: Script, lexicon: Lexicon | None = None) -> Breakdown:
    """A first AD's breakdown of the script."""
    lexicon = lexicon or default_lexicon()
    layout = paginate(script.elements)
    scenes = split_scenes(script)
    numbers = scene_numbers([s.heading.scene_number if s.heading else None for s in scenes])

    action_of = [
        [e.text for e in s.elements if e.type is T.ACTION] for s in scenes
    ]
    speakers_of = [
        list(dict.fromkeys(cue_name(e.name) for e in s.elements
                           if e.type is T.CHARACTER and cue_name(e.name)))
        for s in scenes
    ]
    known = aliases(
        (name for speakers in speakers_of for name in speakers),
        introductions(text for texts in action_of for text in texts),
    )

    def start_of(scene: ScriptScene) -> Position:
        for i in range(scene.start, len(layout.positions)):
            position = layout.positions[i]
            if position is not None:
                return position
        return layout.end

    starts = [start_of(s).y for s in scenes] + [layout.end.y]
    sheets: list[SceneBreakdown] = []
    for k, scene in enumerate(scenes):
        speaking = speakers_of[k]
        present = list(speaking)
        for text in action_of[k]:
            for name in named_in(text, known):
                if name not in present:
                    present.append(name)
        found: dict[str, set[str]] = {}
        for text in action_of[k]:
            for category, terms in lexicon.find(text).items():
                found.setdefault(category, set()).update(terms)
        eighths = _eighths(starts[k + 1] - starts[k])
        heading_text = scene.heading.text if scene.heading else ""
        heading = parse_heading(heading_text)
        synopsis = next((e.text for e in scene.elements if e.type is T.SYNOPSIS), None)
        sheets.append(SceneBreakdown(
            number=numbers[k],
            heading=heading_text,
            int_ext=heading.int_ext,
            location=heading.location,
            time_of_day=heading.time_of_day,
            eighths=eighths,
            screen_seconds=eighths / 8 * SECONDS_PER_PAGE,
            characters=tuple(present),
            speaking=tuple(speaking),
            elements={c: tuple(sorted(found[c])) for c in CATEGORIES if c in found},
            line=scene.heading.line if scene.heading else (
                scene.elements[0].line if scene.elements else 1),
            page=start_of(scene).page,
            synopsis=synopsis,
        ))
    total_eighths = _eighths(layout.end.y) if script.elements else 0
    return Breakdown(
        title=script.title_page.get("title", "").split("\n")[0] or None,
        pages=layout.pages if script.elements else 0,
        eighths=total_eighths,
        runtime_seconds=total_eighths / 8 * SECONDS_PER_PAGE,
        scenes=tuple(sheets),
        cast=_cast(sheets),
        locations=_locations(sheets),
        source=script.source,
    )


def _cast(scenes: list[SceneBreakdown]) -> tuple[CastMember, ...]:
    order: dict[str, int] = {}
    in_scenes: dict[str, list[SceneBreakdown]] = {}
    for scene in scenes:
        for name in scene.characters:
            order.setdefault(name, len(order))
            in_scenes.setdefault(name, []).append(scene)
    # Cast numbers as on a stripboard: most scenes first, then first to appear.
    ranked = sorted(order, key=lambda n: (-len(in_scenes[n]), order[n]))
    return tuple(
        CastMember(
            id=k + 1,
            name=name,
            scenes=tuple(s.number for s in in_scenes[name]),
            speaking_scenes=tuple(s.number for s in in_scenes[name] if name in s.speaking),
            eighths=sum(s.eighths for s in in_scenes[name]),
        )
        for k, name in enumerate(ranked)
    )


def _locations(scenes: list[SceneBreakdown]) -> tuple[Location, ...]:
    grouped: dict[str, list[SceneBreakdown]] = {}
    for scene in scenes:
        if scene.location:
            grouped.setdefault(scene.location, []).append(scene)
    out: list[Location] = []
    for name, group in grouped.items():
        kinds = {s.int_ext for s in group if s.int_ext}
        int_ext = kinds.pop() if len(kinds) == 1 else ("INT/EXT" if kinds else None)
        out.append(Location(name, int_ext, tuple(s.number for s in group),
                            sum(s.eighths for s in group)))
    return tuple(out)
