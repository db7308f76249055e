"""The shot plan: coverage per scene and the edit through it, with real camera data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class ShotSize(StrEnum):
    EWS = "EWS"  # extreme wide
    WS = "WS"  # wide
    FS = "FS"  # full
    MWS = "MWS"  # medium wide (cowboy)
    MS = "MS"  # medium
    MCU = "MCU"  # medium close-up
    CU = "CU"  # close-up
    ECU = "ECU"  # extreme close-up
    INSERT = "INSERT"  # a prop or detail


class Framing(StrEnum):
    SINGLE = "single"
    TWO_SHOT = "two-shot"
    GROUP = "group"
    OTS = "OTS"
    POV = "POV"


class Angle(StrEnum):
    EYE_LEVEL = "eye level"
    HIGH = "high"
    LOW = "low"
    OVERHEAD = "overhead"
    DUTCH = "dutch"


class Movement(StrEnum):
    STATIC = "static"
    PAN = "pan"
    TILT = "tilt"
    DOLLY_IN = "dolly in"
    DOLLY_OUT = "dolly out"
    TRACKING = "tracking"
    CRANE = "crane"
    HANDHELD = "handheld"


class ShotSource(StrEnum):
    PLANNER = "planner"  # the deterministic coverage grammar
    NOTE = "note"  # a [[shot: ...]] note in the screenplay
    OVERRIDE = "override"  # the project's overrides file
    ASSIST = "assist"  # proposed by a text model (`--assist`); not in the edit


@dataclass(frozen=True)
class Shot:
    """One camera setup of a scene. ``covers`` are indexes of the scene's elements
    (0 is the first element after the heading), so they survive edits elsewhere."""

    id: str  # scene number + letter: "12A", "12B"
    scene: str
    size: ShotSize
    framing: Framing
    angle: Angle
    movement: Movement
    lens_mm: float
    subjects: tuple[str, ...]
    covers: tuple[int, ...]
    duration: float  # estimated seconds of screen time in the edit
    description: str
    locked: bool = False
    source: ShotSource = ShotSource.PLANNER
    suggested_by: str | None = None  # "provider:model" of an AI-suggested shot

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "scene": self.scene, "size": self.size.value,
            "framing": self.framing.value, "angle": self.angle.value,
            "movement": self.movement.value, "lens_mm": self.lens_mm,
            "subjects": list(self.subjects), "covers": list(self.covers),
            "duration": round(self.duration, 3), "description": self.description,
            "locked": self.locked, "source": self.source.value,
        }
        if self.suggested_by is not None:  # plans made without --assist read as before
            out["suggested_by"] = self.suggested_by
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Shot:
        return cls(
            id=d["id"], scene=d["scene"], size=ShotSize(d["size"]),
            framing=Framing(d["framing"]), angle=Angle(d["angle"]),
            movement=Movement(d["movement"]), lens_mm=float(d["lens_mm"]),
            subjects=tuple(d["subjects"]), covers=tuple(d["covers"]),
            duration=float(d["duration"]), description=d["description"],
            locked=bool(d.get("locked", False)), source=ShotSource(d.get("source", "planner")),
            suggested_by=d.get("suggested_by"),
        )


@dataclass(frozen=True)
class Cut:
    """One stretch of the edit: a shot, the scene elements seen in it, for how long."""

    shot: str
    covers: tuple[int, ...]
    duration: float

    def to_dict(self) -> dict[str, Any]:
        return {"shot": self.shot, "covers": list(self.covers),
                "duration": round(self.duration, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cut:
        return cls(shot=d["shot"], covers=tuple(d["covers"]), duration=float(d["duration"]))


@dataclass(frozen=True)
class ScenePlan:
    scene: str
    shots: tuple[Shot, ...]
    edit: tuple[Cut, ...]
    warnings: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return sum(c.duration for c in self.edit)

    def to_dict(self) -> dict[str, Any]:
        return {"scene": self.scene, "duration": round(self.duration, 3),
                "shots": [s.to_dict() for s in self.shots],
                "edit": [c.to_dict() for c in self.edit], "warnings": list(self.warnings)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScenePlan:
        return cls(scene=d["scene"], shots=tuple(Shot.from_dict(s) for s in d["shots"]),
                   edit=tuple(Cut.from_dict(c) for c in d["edit"]),
                   warnings=tuple(d.get("warnings", ())))


@dataclass(frozen=True)
class ShotPlan:
    scenes: tuple[ScenePlan, ...]

    @property
    def shots(self) -> tuple[Shot, ...]:
        return tuple(shot for scene in self.scenes for shot in scene.shots)

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.scenes)

    @property
    def suggested(self) -> tuple[Shot, ...]:
        return tuple(shot for shot in self.shots if shot.suggested_by is not None)

    def deterministic(self) -> ShotPlan:
        """The plan without AI-suggested shots: what plan_script made."""
        return ShotPlan(tuple(
            replace(s, shots=tuple(shot for shot in s.shots if shot.suggested_by is None))
            for s in self.scenes))

    def to_dict(self) -> dict[str, Any]:
        return {"duration": round(self.duration, 3), "shot_count": len(self.shots),
                "scenes": [s.to_dict() for s in self.scenes]}
