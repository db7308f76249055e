"""What a first assistant director's breakdown sheet holds, as typed records."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# Element categories of a breakdown sheet, in the order sheets list them.
CATEGORIES: tuple[str, ...] = (
    "props", "vehicles", "animals", "wardrobe", "special_effects", "visual_effects",
    "stunts", "extras",
)

# Where an element on a sheet came from: the lexicon, unless a text model suggested it.
DETERMINISTIC = "deterministic"


@dataclass(frozen=True)
class SuggestedElement:
    """An element a text model added to a scene's sheet (``shotline breakdown --assist``);
    its name is also in the scene's ``elements``, after the lexicon's."""

    category: str
    name: str
    suggested_by: str  # "provider:model"
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "name": self.name,
                "suggested_by": self.suggested_by, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SuggestedElement:
        return cls(category=d["category"], name=d["name"], suggested_by=d["suggested_by"],
                   note=d.get("note"))


def format_eighths(eighths: int) -> str:
    """Page length the way schedules write it: 12 -> '1 4/8', 3 -> '3/8', 16 -> '2'."""
    pages, rest = divmod(eighths, 8)
    if rest == 0:
        return str(pages)
    return f"{pages} {rest}/8" if pages else f"{rest}/8"


@dataclass(frozen=True)
class SceneBreakdown:
    number: str
    heading: str
    int_ext: str | None
    location: str
    time_of_day: str | None
    eighths: int
    screen_seconds: float
    characters: tuple[str, ...]
    speaking: tuple[str, ...]
    elements: dict[str, tuple[str, ...]]
    line: int
    page: int
    synopsis: str | None = None
    suggested: tuple[SuggestedElement, ...] = ()  # the AI-suggested part of elements

    def origin(self, category: str, name: str) -> str:
        """DETERMINISTIC, or the "provider:model" that suggested the element."""
        for s in self.suggested:
            if s.category == category and s.name == name:
                return s.suggested_by
        return DETERMINISTIC

    def deterministic(self) -> SceneBreakdown:
        """The sheet without what a text model suggested: the lexicon's own."""
        if not self.suggested:
            return self
        added = {(s.category, s.name) for s in self.suggested}
        kept = {c: tuple(n for n in names if (c, n) not in added)
                for c, names in self.elements.items()}
        return replace(self, elements={c: v for c, v in kept.items() if v}, suggested=())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "number": self.number,
            "heading": self.heading,
            "int_ext": self.int_ext,
            "location": self.location,
            "time_of_day": self.time_of_day,
            "eighths": self.eighths,
            "length": format_eighths(self.eighths),
            "screen_seconds": round(self.screen_seconds, 1),
            "characters": list(self.characters),
            "speaking": list(self.speaking),
            **{k: list(self.elements.get(k, ())) for k in CATEGORIES},
            "line": self.line,
            "page": self.page,
            "synopsis": self.synopsis,
        }
        if self.suggested:  # only then, so sheets made without --assist read as before
            out["suggested"] = [s.to_dict() for s in self.suggested]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SceneBreakdown:
        return cls(
            number=d["number"], heading=d["heading"], int_ext=d["int_ext"],
            location=d["location"], time_of_day=d["time_of_day"], eighths=d["eighths"],
            screen_seconds=d["screen_seconds"], characters=tuple(d["characters"]),
            speaking=tuple(d["speaking"]),
            elements={k: tuple(d[k]) for k in CATEGORIES if d.get(k)},
            line=d["line"], page=d["page"], synopsis=d.get("synopsis"),
            suggested=tuple(SuggestedElement.from_dict(e) for e in d.get("suggested", ())),
        )


@dataclass(frozen=True)
class CastMember:
    id: int  # the cast number of the breakdown board: 1 is the lead
    name: str
    scenes: tuple[str, ...]
    speaking_scenes: tuple[str, ...]
    eighths: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "scene_count": len(self.scenes),
            "speaking_scene_count": len(self.speaking_scenes),
            "scenes": list(self.scenes),
            "speaking_scenes": list(self.speaking_scenes),
            "eighths": self.eighths,
            "first_scene": self.scenes[0] if self.scenes else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CastMember:
        return cls(id=d["id"], name=d["name"], scenes=tuple(d["scenes"]),
                   speaking_scenes=tuple(d.get("speaking_scenes", ())), eighths=d["eighths"])


@dataclass(frozen=True)
class Location:
    name: str
    int_ext: str | None
    scenes: tuple[str, ...]
    eighths: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "int_ext": self.int_ext, "scenes": list(self.scenes),
                "scene_count": len(self.scenes), "eighths": self.eighths}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Location:
        return cls(name=d["name"], int_ext=d["int_ext"], scenes=tuple(d["scenes"]),
                   eighths=d["eighths"])


@dataclass(frozen=True)
class Breakdown:
    title: str | None
    pages: int  # printed pages, title page excluded
    eighths: int  # the script's length in eighths of a page
    runtime_seconds: float
    scenes: tuple[SceneBreakdown, ...]
    cast: tuple[CastMember, ...]
    locations: tuple[Location, ...]
    source: str | None = field(default=None, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Breakdown:
        return cls(
            title=d["title"], pages=d["pages"], eighths=d["eighths"],
            runtime_seconds=d["runtime_seconds"],
            scenes=tuple(SceneBreakdown.from_dict(s) for s in d["scenes"]),
            cast=tuple(CastMember.from_dict(c) for c in d["cast"]),
            locations=tuple(Location.from_dict(loc) for loc in d["locations"]),
        )

    @property
    def suggested(self) -> tuple[SuggestedElement, ...]:
        return tuple(e for s in self.scenes for e in s.suggested)

    def deterministic(self) -> Breakdown:
        """The breakdown without AI-suggested elements: what build_breakdown made."""
        return replace(self, scenes=tuple(s.deterministic() for s in self.scenes))

    def renumbered(self, numbers: list[str]) -> Breakdown:
        """The same breakdown with the project's scene numbers (kept across revisions)."""
        if len(numbers) != len(self.scenes):
            raise ValueError(f"{len(numbers)} numbers for {len(self.scenes)} scenes")
        new = dict(zip((s.number for s in self.scenes), numbers, strict=True))

        def remap(old: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new[n] for n in old)

        return replace(
            self,
            scenes=tuple(replace(s, number=new[s.number]) for s in self.scenes),
            cast=tuple(replace(c, scenes=remap(c.scenes),
                               speaking_scenes=remap(c.speaking_scenes)) for c in self.cast),
            locations=tuple(replace(loc, scenes=remap(loc.scenes)) for loc in self.locations),
        )

    def day_out_of_days(self) -> list[dict[str, Any]]:
        """Cast by scene: 'S' speaks, 'X' is present without a line."""
        rows: list[dict[str, Any]] = []
        for member in self.cast:
            speaking = set(member.speaking_scenes)
            present = set(member.scenes)
            rows.append({
                "id": member.id,
                "name": member.name,
                "marks": {s.number: ("S" if s.number in speaking else "X")
                          for s in self.scenes if s.number in present},
            })
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "pages": self.pages,
            "eighths": self.eighths,
            "length": format_eighths(self.eighths),
            "runtime_seconds": round(self.runtime_seconds, 1),
            "scene_count": len(self.scenes),
            "scenes": [s.to_dict() for s in self.scenes],
            "cast": [c.to_dict() for c in self.cast],
            "locations": [loc.to_dict() for loc in self.locations],
            "day_out_of_days": {
                "scenes": [s.number for s in self.scenes],
                "cast": self.day_out_of_days(),
            },
        }
