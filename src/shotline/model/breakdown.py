"""What a first assistant director's breakdown sheet holds, as typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Element categories of a breakdown sheet, in the order sheets list them.
CATEGORIES: tuple[str, ...] = (
    "props", "vehicles", "animals", "wardrobe", "special_effects", "visual_effects",
    "stunts", "extras",
)


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

    def to_dict(self) -> dict[str, Any]:
        return {
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
            "eighths": self.eighths,
            "first_scene": self.scenes[0] if self.scenes else None,
        }


@dataclass(frozen=True)
class Location:
    name: str
    int_ext: str | None
    scenes: tuple[str, ...]
    eighths: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "int_ext": self.int_ext, "scenes": list(self.scenes),
                "scene_count": len(self.scenes), "eighths": self.eighths}


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
