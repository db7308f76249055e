"""A shot while the plan is being made, and the line of text that describes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from shotline.model.shots import Angle, Framing, Movement, Shot, ShotSize, ShotSource


class Role(StrEnum):
    """What the shot is for in the scene's grammar; it words the description."""

    ESTABLISHING = "establishing"
    MASTER = "master"
    SCALE = "scale"
    COVERAGE = "coverage"  # singles, OTS, two-shots, groups, inserts, POVs
    MOVE = "move"  # a camera move on an entrance or on action


class Rank(IntEnum):
    """Which shot the edit prefers for a beat several shots cover (lowest first)."""

    ADDED = 0  # the overrides file adds it: the director asked
    NOTE = 1  # a shot note in the screenplay
    SPECIFIC = 2  # a single, insert, POV, move, two-shot, group, scale shot
    OTS = 3  # the over-the-shoulder that runs a speaker's whole side of a dialogue
    ESTABLISHING = 4
    MASTER = 5


_ANGLE_TEXT = {
    Angle.EYE_LEVEL: "eye level",
    Angle.HIGH: "high angle",
    Angle.LOW: "low angle",
    Angle.OVERHEAD: "overhead",
    Angle.DUTCH: "dutch angle",
}
_NAMES_SHOWN = 4


@dataclass(slots=True, eq=False)
class Draft:
    size: ShotSize
    framing: Framing
    angle: Angle
    movement: Movement
    lens_mm: float
    subjects: tuple[str, ...]
    rank: Rank
    role: Role = Role.COVERAGE
    source: ShotSource = ShotSource.PLANNER
    covers: dict[int, None] = field(default_factory=dict)  # an ordered set of element indexes
    shoulder: str | None = None  # OTS: whose shoulder is in the foreground
    eyeline: str | None = None  # "left" or "right": where the subject looks on screen
    sides: tuple[str, str] | None = None  # two in frame: who is screen left, who right
    detail: str = ""  # the place established, what a POV sees, the verb a move follows
    id: str = ""
    locked: bool = False
    description: str | None = None  # as an override states it; else written from the data

    def cover(self, indexes: tuple[int, ...]) -> None:
        for i in indexes:
            self.covers[i] = None

    def describe(self) -> str:
        if self.description is not None:
            return self.description
        return describe(self)

    def to_shot(self, scene: str, duration: float) -> Shot:
        covers = tuple(self.covers) if self.locked else tuple(sorted(self.covers))
        return Shot(id=self.id, scene=scene, size=self.size, framing=self.framing,
                    angle=self.angle, movement=self.movement, lens_mm=self.lens_mm,
                    subjects=self.subjects, covers=covers, duration=duration,
                    description=self.describe(), locked=self.locked, source=self.source)


def names(subjects: tuple[str, ...]) -> str:
    if len(subjects) <= _NAMES_SHOWN:
        return ", ".join(subjects[:-1]) + (" and " if len(subjects) > 1 else "") + (
            subjects[-1] if subjects else "")
    shown = ", ".join(subjects[:_NAMES_SHOWN])
    return f"{shown} and {len(subjects) - _NAMES_SHOWN} more"


def _what(d: Draft) -> str:
    who = names(d.subjects)
    framing = d.framing
    if d.role is Role.ESTABLISHING:
        return f"establishing {d.detail}".rstrip()
    if d.role is Role.SCALE:
        return f"over {d.detail}, for scale" if d.detail else "for scale"
    if d.role is Role.MASTER:
        if not d.subjects:
            return "master of the place"
        kind = {Framing.TWO_SHOT: "two-shot ", Framing.GROUP: "group "}.get(framing, "")
        return f"master, {kind}{who}"
    if d.size is ShotSize.INSERT:
        return who or d.detail or "detail"
    if framing is Framing.POV:
        looking = f" looking {d.detail}" if d.detail else ""
        return f"POV {who}{looking}".rstrip()
    if framing is Framing.OTS:
        return f"{who} over {d.shoulder}'s shoulder" if d.shoulder else f"OTS {who}".rstrip()
    if framing is Framing.TWO_SHOT:
        return f"two-shot {who}"
    if d.role is Role.MOVE and d.detail:
        return f"{who} ({d.detail})" if who else f"on the action ({d.detail})"
    if framing is Framing.GROUP:
        return f"group {who}" if who else "on the action"
    return who or "on the action"


def describe(d: Draft) -> str:
    """One line for people: 'MCU MARA over TEO's shoulder, looking screen right, eye level,
    65 mm'."""
    parts = [f"{d.size.value} {_what(d)}"]
    if d.sides is not None:
        parts.append(f"{d.sides[0]} screen left, {d.sides[1]} screen right")
    if d.eyeline is not None:
        parts.append(f"looking screen {d.eyeline}")
    parts.append(_ANGLE_TEXT[d.angle])
    if d.movement is not Movement.STATIC:
        parts.append(d.movement.value)
    parts.append(f"{d.lens_mm:g} mm")
    return ", ".join(parts)
