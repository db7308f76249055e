"""Shot notes in the screenplay: ``[[shot: CU MARA, low angle]]``.

A note whose text starts with ``shot:`` asks for a shot at that point of the scene.
Its words name a size, a framing, an angle, a movement, a lens (``85mm``), the
characters in it (``over TEO`` for an over-the-shoulder) and, for an insert, the
thing to show. Anything else is an unknown word, and the note is reported, not
guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from shotline.breakdown.characters import key
from shotline.breakdown.lexicon import base
from shotline.model.script import Element, ElementType
from shotline.model.shots import Angle, Framing, Movement, ShotSize

_SHOT_NOTE = re.compile(r"^\s*shot\s*:", re.IGNORECASE)
_LENS = re.compile(r"(\d{1,4}(?:\.\d+)?)\s*-?\s*mm\b", re.IGNORECASE)
_LENS_WORD = re.compile(r"^(\d{1,4}(?:\.\d+)?)mm$")
_SPLIT = re.compile(r"[\s,;/]+")
_MAX_PHRASE = 4
_MAX_LENS_MM = 2000.0

EXPECTED = "expected size, framing, angle, movement, lens (e.g. 85mm) or character names"

_SIZES = {
    ShotSize.EWS: ("ews", "els", "xws", "xls", "extreme wide", "extreme wide shot",
                   "extreme long shot", "establishing", "establishing shot"),
    ShotSize.WS: ("ws", "ls", "wide", "wide shot", "long shot", "master"),
    ShotSize.FS: ("fs", "full", "full shot"),
    ShotSize.MWS: ("mws", "mls", "medium wide", "medium wide shot", "medium long shot",
                   "cowboy", "cowboy shot"),
    ShotSize.MS: ("ms", "medium", "mid", "medium shot", "mid shot"),
    ShotSize.MCU: ("mcu", "medium close-up", "medium close up", "medium closeup"),
    ShotSize.CU: ("cu", "close-up", "close up", "closeup", "close"),
    ShotSize.ECU: ("ecu", "xcu", "extreme close-up", "extreme close up", "extreme closeup"),
    ShotSize.INSERT: ("insert", "insert shot"),
}
_FRAMINGS = {
    Framing.SINGLE: ("single", "clean single"),
    Framing.TWO_SHOT: ("two-shot", "two shot", "2-shot", "2 shot", "twoshot"),
    Framing.GROUP: ("group", "group shot"),
    Framing.OTS: ("ots", "over the shoulder", "over-the-shoulder"),
    Framing.POV: ("pov", "point of view"),
}
_ANGLES = {
    Angle.EYE_LEVEL: ("eye level", "eye-level", "eyelevel"),
    Angle.HIGH: ("high", "high angle", "high-angle"),
    Angle.LOW: ("low", "low angle", "low-angle"),
    Angle.OVERHEAD: ("overhead", "top down", "top-down", "bird's eye", "birds eye",
                     "bird's-eye", "birds-eye"),
    Angle.DUTCH: ("dutch", "dutch angle", "canted", "tilted"),
}
_MOVEMENTS = {
    Movement.STATIC: ("static", "locked off", "locked-off", "fixed", "on sticks"),
    Movement.PAN: ("pan",),
    Movement.TILT: ("tilt",),
    Movement.DOLLY_IN: ("dolly in", "push in", "push-in", "track in", "dolly", "push"),
    Movement.DOLLY_OUT: ("dolly out", "pull out", "pull back", "pull-back", "track out"),
    Movement.TRACKING: ("tracking", "track", "tracking shot", "steadicam", "follow"),
    Movement.CRANE: ("crane", "jib", "crane up", "crane down", "drone", "aerial"),
    Movement.HANDHELD: ("handheld", "hand-held", "hand held"),
}
_FILLER = frozenset({"angle", "shot", "lens", "on", "of", "the", "a", "an", "with", "and",
                     "shoulder", "camera", "to", "at"})

_Value = ShotSize | Framing | Angle | Movement
V = TypeVar("V")


def _vocabulary() -> dict[tuple[str, ...], _Value]:
    table: dict[tuple[str, ...], _Value] = {}
    items: list[Iterable[tuple[_Value, tuple[str, ...]]]] = [
        _SIZES.items(), _FRAMINGS.items(), _ANGLES.items(), _MOVEMENTS.items()]
    for group in items:
        for value, phrases in group:
            for phrase in phrases:
                table[tuple(phrase.split())] = value
    return table


_VOCABULARY = _vocabulary()
_KIND = {ShotSize: "size", Framing: "framing", Angle: "angle", Movement: "movement"}


class ShotNoteError(ValueError):
    """A shot note the planner cannot read; the message names the line and the word."""


@dataclass(frozen=True, slots=True)
class NoteSpec:
    """What a shot note asks for; what it leaves out the planner fills in."""

    line: int
    text: str
    size: ShotSize | None = None
    framing: Framing | None = None
    angle: Angle | None = None
    movement: Movement | None = None
    lens_mm: float | None = None
    subjects: tuple[str, ...] = ()  # characters, as the breakdown lists them
    thing: str | None = None  # a prop or other breakdown element to show
    shoulder: str | None = None  # "over TEO": whose shoulder an OTS looks over


def is_shot_note(element: Element) -> bool:
    return element.type is ElementType.NOTE and _SHOT_NOTE.match(element.text) is not None


def note_body(text: str) -> str:
    return " ".join(_SHOT_NOTE.sub("", text, count=1).split())


def _strip(word: str) -> str:
    word = word.strip(".:!?\"()[]")
    for suffix in ("'s", "\u2019s"):
        if word.lower().endswith(suffix):
            word = word[: -len(suffix)]
    return word


def _longest(table: Mapping[tuple[str, ...], V], words: Sequence[str], i: int
             ) -> tuple[V, int] | None:
    """The longest phrase of table starting at words[i], and how many words it takes."""
    for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
        found = table.get(tuple(words[i:i + size]))
        if found is not None:
            return found, size
    return None


class _Reader:
    def __init__(self, body: str, line: int, names: Sequence[str], things: Sequence[str]):
        self.body = body
        self.line = line
        self.words = [w for w in (_strip(w) for w in _SPLIT.split(_LENS.sub(r"\1mm", body)))
                      if w]
        self.lower = [w.lower() for w in self.words]
        self.names = {tuple(key(n).split()): n for n in names if key(n)}
        self.things = {tuple(base(w) for w in t.lower().split()): t for t in things if t}
        self.values: dict[str, _Value] = {}
        self.lens: float | None = None
        self.subjects: list[str] = []
        self.shoulder: str | None = None
        self.thing: str | None = None
        self.loose: list[str] = []  # words that are none of the above

    def fail(self, problem: str) -> ShotNoteError:
        return ShotNoteError(f"line {self.line}: shot note '{self.body}' - {problem}")

    def _set(self, value: _Value) -> None:
        kind = _KIND[type(value)]
        have = self.values.get(kind)
        if have is not None and have != value:
            raise self.fail(f"two {kind}s ({have.value} and {value.value}); give one")
        self.values[kind] = value

    def read(self) -> NoteSpec:
        if not self.words:
            raise self.fail(f"the note is empty; {EXPECTED}")
        upper = [key(w) for w in self.words]
        stems = [base(w) for w in self.lower]
        i = 0
        while i < len(self.words):
            word = self.lower[i]
            vocabulary = _longest(_VOCABULARY, self.lower, i)
            name = _longest(self.names, upper, i)
            if vocabulary is not None and (name is None or vocabulary[1] >= name[1]):
                self._set(vocabulary[0])
                i += vocabulary[1]
                continue
            if word == "over" and i + 1 < len(self.words):
                whose = _longest(self.names, upper, i + 1)
                if whose is not None:
                    self._set(Framing.OTS)
                    self.shoulder = whose[0]
                    i += 1 + whose[1]
                    continue
            if name is not None:
                if name[0] not in self.subjects:
                    self.subjects.append(name[0])
                i += name[1]
                continue
            lens = _LENS_WORD.match(word)
            if lens is not None:
                mm = float(lens.group(1))
                if not 0 < mm <= _MAX_LENS_MM:
                    raise self.fail(f"lens {lens.group(1)}mm is not a real focal length")
                if self.lens is not None and self.lens != mm:
                    raise self.fail(f"two lenses ({self.lens:g}mm and {mm:g}mm); give one")
                self.lens = mm
                i += 1
                continue
            thing = _longest(self.things, stems, i)
            if thing is not None and self.thing is None:
                self.thing = thing[0]
                i += thing[1]
                continue
            if word not in _FILLER:
                self.loose.append(self.words[i])
            i += 1
        size = self.values.get("size")
        if self.loose:
            if size is not ShotSize.INSERT:
                raise self.fail(f"unknown word '{self.loose[0]}'; {EXPECTED}")
            # An insert shows whatever the director names.
            self.thing = " ".join(([self.thing] if self.thing else []) + self.loose)
        framing = self.values.get("framing")
        angle = self.values.get("angle")
        movement = self.values.get("movement")
        return NoteSpec(
            line=self.line,
            text=self.body,
            size=size if isinstance(size, ShotSize) else None,
            framing=framing if isinstance(framing, Framing) else None,
            angle=angle if isinstance(angle, Angle) else None,
            movement=movement if isinstance(movement, Movement) else None,
            lens_mm=self.lens,
            subjects=tuple(self.subjects),
            thing=self.thing,
            shoulder=self.shoulder,
        )


def parse_shot_note(text: str, line: int, names: Sequence[str] = (),
                    things: Sequence[str] = ()) -> NoteSpec:
    """Read a ``shot:`` note. ``names`` are the scene's characters, ``things`` its props
    and other breakdown elements. Raises ShotNoteError with a message for people."""
    return _Reader(note_body(text), line, names, things).read()
