"""The screenplay as typed elements, each tied to the line it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple


class ElementType(StrEnum):
    SCENE_HEADING = "scene_heading"
    ACTION = "action"
    CHARACTER = "character"
    PARENTHETICAL = "parenthetical"
    DIALOGUE = "dialogue"
    TRANSITION = "transition"
    CENTERED = "centered"
    LYRICS = "lyrics"
    SECTION = "section"
    SYNOPSIS = "synopsis"
    NOTE = "note"
    PAGE_BREAK = "page_break"


ELEMENT_TYPES: tuple[str, ...] = tuple(t.value for t in ElementType)

Style = Literal["bold", "italic", "underline"]


@dataclass(frozen=True, slots=True)
class Emphasis:
    """A styled span of an element's plain text: ``text[start:end]``."""

    start: int
    end: int
    style: Style


class Element(NamedTuple):
    """One screenplay element (immutable; a named tuple because a script has thousands).

    ``text`` is plain text: forcing marks, scene numbers, emphasis markup and
    inline notes are removed (emphasis survives as ``emphasis`` spans, inline
    notes as separate ``note`` elements right after their host). Lines inside a
    multi-line element are joined with ``\\n``. ``line`` is 1-based in the source.
    """

    type: ElementType
    text: str
    line: int
    scene_number: str | None = None  # scene_heading only
    name: str | None = None  # character only: the cue without extension
    extension: str | None = None  # character only: "V.O.", "O.S.", "CONT'D"...
    dual: bool = False  # character only: one of a dual-dialogue pair
    level: int = 0  # section only: 1 for "#", 2 for "##"...
    emphasis: tuple[Emphasis, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.value, "text": self.text, "line": self.line}
        kind = self.type
        if kind is ElementType.SCENE_HEADING:
            out["scene_number"] = self.scene_number
        elif kind is ElementType.CHARACTER:
            out["name"] = self.name
            out["extension"] = self.extension
            out["dual"] = self.dual
        elif kind is ElementType.SECTION:
            out["level"] = self.level
        if self.emphasis:
            out["emphasis"] = [
                {"start": e.start, "end": e.end, "style": e.style} for e in self.emphasis
            ]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Element:
        return cls(
            ElementType(d["type"]), d["text"], int(d["line"]),
            scene_number=d.get("scene_number"), name=d.get("name"),
            extension=d.get("extension"), dual=bool(d.get("dual", False)),
            level=int(d.get("level", 0)),
            emphasis=tuple(Emphasis(e["start"], e["end"], e["style"])
                           for e in d.get("emphasis", ())),
        )


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed screenplay: its title page and its elements in reading order."""

    title_page: dict[str, str] = field(default_factory=dict)
    elements: tuple[Element, ...] = ()
    source: str | None = None  # file name it was read from, for messages

    def to_dict(self) -> dict[str, Any]:
        return {
            "title_page": dict(self.title_page),
            "elements": [e.to_dict() for e in self.elements],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str | None = None) -> Script:
        return cls(title_page=dict(d["title_page"]),
                   elements=tuple(Element.from_dict(e) for e in d["elements"]), source=source)

    @property
    def title(self) -> str | None:
        return self.title_page.get("title")
