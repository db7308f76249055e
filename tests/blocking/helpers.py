"""Scenes, plans and a pinhole camera for the blocking tests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from shotline.blocking import stage_scene
from shotline.blocking.body import eye_z
from shotline.breakdown import build_breakdown
from shotline.model.breakdown import Breakdown, SceneBreakdown
from shotline.model.shots import Angle, Framing, Movement, ScenePlan, Shot, ShotSize
from shotline.model.stage import ActorMark, Camera, Stage
from shotline.planning import plan_script
from shotline.planning.lenses import lens_for
from shotline.script import parse_fountain

# Body landmarks as fractions of standing height.
HEAD_TOP, EYES, CHIN, SHOULDERS, MID_CHEST, WAIST, KNEES, FEET = (
    1.0, 0.93, 0.87, 0.82, 0.74, 0.60, 0.28, 0.0)

# MARA speaks first on screen: she is screen left.
KITCHEN = """\
INT. OKAFOR HOUSE - KITCHEN - NIGHT

MARA (30s) stands at the sink. TEO (20s) leans in the doorway.

MARA
You're late again.

TEO
The ferry was late.

MARA
The ferry is never late.

TEO
(shrugging)
Then I was.

Mara sets down a chipped MUG in front of him.

MARA
Sit. Down.

TEO
Fine!

He sits. Mara looks out of the window at the grey harbour.
"""



def planned(text: str) -> tuple[Breakdown, list[ScenePlan]]:
    script = parse_fountain(text)
    breakdown = build_breakdown(script)
    return breakdown, list(plan_script(script, breakdown).scenes)


def staged(text: str, aspect: float = 16 / 9) -> list[tuple[ScenePlan, tuple[Stage, ...]]]:
    """Each scene's plan and stages for a screenplay."""
    breakdown, plans = planned(text)
    return [(plan, stage_scene(plan, scene, aspect=aspect))
            for plan, scene in zip(plans, breakdown.scenes, strict=True)]


def scene(characters: Sequence[str] = ("MARA", "TEO"), speaking: Sequence[str] | None = None,
          location: str = "OKAFOR HOUSE - KITCHEN", int_ext: str | None = "INT",
          time_of_day: str | None = "DAY", props: Sequence[str] = (),
          **elements: tuple[str, ...]) -> SceneBreakdown:
    found = {"props": tuple(props), **elements} if props else dict(elements)
    return SceneBreakdown(
        number="1", heading=f"{int_ext or ''}. {location} - {time_of_day or ''}",
        int_ext=int_ext, location=location, time_of_day=time_of_day, eighths=8,
        screen_seconds=60.0, characters=tuple(characters),
        speaking=tuple(characters if speaking is None else speaking), elements=found,
        line=1, page=1)


def shot(size: ShotSize = ShotSize.MS, subjects: Sequence[str] = ("MARA",),
         framing: Framing = Framing.SINGLE, angle: Angle = Angle.EYE_LEVEL,
         movement: Movement = Movement.STATIC, lens_mm: float | None = None,
         description: str = "", shot_id: str = "1A") -> Shot:
    return Shot(id=shot_id, scene="1", size=size, framing=framing, angle=angle,
                movement=movement, lens_mm=lens_for(size) if lens_mm is None else lens_mm,
                subjects=tuple(subjects), covers=(), duration=1.0, description=description)


def plan_of(*shots: Shot) -> ScenePlan:
    lettered = tuple(replace(s, id=f"1{chr(ord('A') + i % 26)}{i // 26 or ''}")
                     for i, s in enumerate(shots))
    return ScenePlan(scene="1", shots=lettered, edit=())


def stage_one(s: Shot, sheet: SceneBreakdown | None = None,
              heights: dict[str, float] | None = None, aspect: float = 16 / 9) -> Stage:
    return stage_scene(plan_of(s), sheet or scene(), heights, aspect)[0]


def actor(stage: Stage, name: str) -> ActorMark:
    return next(a for a in stage.actors if a.name == name)


# A pinhole camera, written from the conventions in shotline.model.stage.

def axes(cam: Camera) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Forward, right and up unit vectors of the camera."""
    pan, tilt, roll = (math.radians(a) for a in (cam.pan, cam.tilt, cam.roll))
    forward = (-math.sin(pan) * math.cos(tilt), math.cos(pan) * math.cos(tilt), math.sin(tilt))
    right = (math.cos(pan), math.sin(pan), 0.0)
    up = (right[1] * forward[2] - right[2] * forward[1],
          right[2] * forward[0] - right[0] * forward[2],
          right[0] * forward[1] - right[1] * forward[0])
    # Rolled clockwise as the camera sees: its right edge dips.
    c, s = math.cos(roll), math.sin(roll)
    rolled_right = tuple(r * c - u * s for r, u in zip(right, up, strict=True))
    rolled_up = tuple(u * c + r * s for r, u in zip(right, up, strict=True))
    return forward, rolled_right, rolled_up


def project(cam: Camera, point: Sequence[float]) -> tuple[float, float] | None:
    """Where a point lands in the frame: x from -1 (left edge) to 1 (right edge), y from
    -1 (bottom) to 1 (top); None behind the camera."""
    forward, right, up = axes(cam)
    w = (point[0] - cam.x, point[1] - cam.y, point[2] - cam.z)
    depth = sum(a * b for a, b in zip(w, forward, strict=True))
    if depth <= 1e-9:
        return None
    across = sum(a * b for a, b in zip(w, right, strict=True)) / depth
    upward = sum(a * b for a, b in zip(w, up, strict=True)) / depth
    return (across * cam.focal_mm / (cam.sensor_width_mm / 2),
            upward * cam.focal_mm / (cam.sensor_height_mm / 2))


def in_frame(cam: Camera, point: Sequence[float], slack: float = 0.0) -> bool:
    p = project(cam, point)
    return p is not None and abs(p[0]) <= 1 + slack and abs(p[1]) <= 1 + slack


def eye_point(stage: Stage, name: str) -> tuple[float, float, float]:
    """The eyes of a standing or seated actor, as the body module places them."""
    mark = actor(stage, name)
    return (mark.x, mark.y, eye_z(mark))


def cameras(stage: Stage) -> list[Camera]:
    return [stage.camera] + ([stage.camera_end] if stage.camera_end else [])
