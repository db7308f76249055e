"""A shot staged in 3D: the set, the actors on their marks, the props, the camera.

World units are metres. Right-handed, z up: the floor is z = 0, +x is the set's
right as the audience sees it, +y runs away from the audience into the set. A
facing or pan of 0 degrees looks along +y; angles grow counter-clockwise seen
from above. Tilt is positive upwards; roll is positive clockwise as the camera sees.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

# Super 35 (3-perf 16:9 extraction): 24.89 mm wide; the height follows the aspect.
SUPER35_WIDTH_MM = 24.89

SetKind = Literal["interior", "exterior"]
Posture = Literal["standing", "sitting", "walking", "running", "lying"]


@dataclass(frozen=True)
class SetPiece:
    kind: SetKind
    location: str
    width: float  # x extent of the playing area (room width, or the ground shown)
    depth: float  # y extent
    height: float  # wall height (interior); 0 for exteriors
    daylight: bool  # day or night lighting
    time_of_day: str | None


@dataclass(frozen=True)
class ActorMark:
    name: str
    x: float
    y: float
    facing: float  # degrees, 0 = +y
    height: float  # metres, from the character's appearance
    posture: Posture = "standing"


@dataclass(frozen=True)
class PropMark:
    name: str
    x: float
    y: float
    z: float  # height of its centre above the floor
    size: float  # metres across


@dataclass(frozen=True)
class Camera:
    x: float
    y: float
    z: float  # lens height above the floor
    pan: float  # degrees, 0 = looking along +y
    tilt: float  # degrees, positive up
    roll: float  # degrees (dutch angle)
    focal_mm: float
    sensor_width_mm: float = SUPER35_WIDTH_MM
    sensor_height_mm: float = SUPER35_WIDTH_MM * 9 / 16
    near: float = 0.05
    far: float = 1000.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Camera:
        return cls(**d)


@dataclass(frozen=True)
class Stage:
    shot_id: str
    scene: str
    set: SetPiece
    actors: tuple[ActorMark, ...]
    props: tuple[PropMark, ...]
    camera: Camera
    camera_end: Camera | None  # where a moving camera ends (dolly, crane, tracking...)
    subjects: tuple[str, ...]  # who or what the shot is about
    size: str  # the shot size, e.g. "MCU"
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "shot_id": self.shot_id, "scene": self.scene, "set": asdict(self.set),
            "actors": [asdict(a) for a in self.actors],
            "props": [asdict(p) for p in self.props],
            "camera": self.camera.to_dict(),
            "camera_end": self.camera_end.to_dict() if self.camera_end else None,
            "subjects": list(self.subjects), "size": self.size,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stage:
        return cls(
            shot_id=d["shot_id"], scene=d["scene"], set=SetPiece(**d["set"]),
            actors=tuple(ActorMark(**a) for a in d["actors"]),
            props=tuple(PropMark(**p) for p in d["props"]),
            camera=Camera.from_dict(d["camera"]),
            camera_end=Camera.from_dict(d["camera_end"]) if d.get("camera_end") else None,
            subjects=tuple(d["subjects"]), size=d["size"], description=d["description"],
        )
