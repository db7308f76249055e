"""Cameras: an aim placed at the shot's angle, and the point-of-view camera.

Angles, all relative to the subject's eyes:
- eye level: the lens at the subject's eye height, tilted to the aim point;
- high: 1.5 m above the eyes (on wide shots, at least 15 degrees above the aim point,
  since 1.5 m is nothing at 50 m), tilting down;
- low: 0.75 m off the floor (lower for something near the floor), tilting up;
- overhead: straight above the aim point looking down (tilt -90), screen up towards +y
  so screen left is still -x;
- dutch: eye level with the camera rolled 15 degrees.
The distance to the aim point is the size's, whatever the angle, so a tilted camera
sees its subject foreshortened, as a real one does. No camera is steeper than 60
degrees unless it is overhead.

The 180-degree rule: every camera stands on the audience's side of the line, at
y <= LINE_Y - MARGIN. For points on the line a camera there sees x increase from screen
left to screen right, whatever way it is turned, so the screen-left principal is left of
the other in every shot that shows both. Aims already come from that side; a subject
standing so far upstage that the size's distance would cross the line is shot from
straight downstage, and if even that crosses, from the line's edge, looser than the size.
"""

from __future__ import annotations

import math

from shotline.blocking.aims import Aim
from shotline.blocking.body import eye_z
from shotline.blocking.geometry import LINE_Y, Vec3, clamp, heading, look_at
from shotline.blocking.lens import Lens
from shotline.model.shots import Angle
from shotline.model.stage import ActorMark, Camera

MARGIN = 0.05  # how far on the audience's side of the line every camera stays
FURTHEST = LINE_Y - MARGIN  # the largest y a camera may have
HIGH_RISE = 1.5
HIGH_MIN_DEGREES = 15.0
LOW_Z = 0.75
_LOW_UNDER = 0.25  # a low camera stays at least this far under its aim point
_LOW_FLOOR = 0.1
DUTCH_ROLL = 15.0
MAX_STEEP = math.sin(math.radians(60.0))
MIN_DISTANCE = 0.1
POV_FORWARD = 0.1  # the lens just in front of the looker's eyes
POV_DOWNSTAGE = 0.15  # and on the audience's side of the line


def camera(at: Vec3, pan: float, tilt: float, roll: float, lens: Lens) -> Camera:
    return Camera(x=at[0], y=at[1], z=at[2], pan=pan, tilt=tilt, roll=roll,
                  focal_mm=lens.focal, sensor_width_mm=lens.width,
                  sensor_height_mm=lens.height)


def _height_for(angle: Angle, aim: Aim, distance: float) -> float:
    tz = aim.target[2]
    if angle is Angle.HIGH:
        rise = max(HIGH_RISE, distance * math.tan(math.radians(HIGH_MIN_DEGREES)))
        return max(aim.eye_z, tz) + rise
    if angle is Angle.LOW:
        return max(_LOW_FLOOR, min(LOW_Z, tz - _LOW_UNDER))
    return aim.eye_z


def place(aim: Aim, angle: Angle, lens: Lens) -> Camera:
    """The camera `aim.distance` from the target, towards `aim.away`, at the angle's height."""
    tx, ty, tz = aim.target
    distance = max(aim.distance, MIN_DISTANCE)
    if angle is Angle.OVERHEAD:
        return camera((tx, min(ty, FURTHEST), tz + distance), 0.0, -90.0, 0.0, lens)
    steep = clamp((_height_for(angle, aim, distance) - tz) / distance, -MAX_STEEP, MAX_STEEP)
    across = distance * math.sqrt(1.0 - steep * steep)
    ax, ay = aim.away
    if ty + ay * across > FURTHEST:
        ax, ay = 0.0, -1.0  # from straight downstage
        across = max(across, ty - FURTHEST)  # and never past the line
    at = (tx + ax * across, ty + ay * across, tz + steep * distance)
    pan, tilt = look_at(at, aim.target)
    return camera(at, pan, tilt, DUTCH_ROLL if angle is Angle.DUTCH else 0.0, lens)


def pov(looker: ActorMark, target: Vec3, angle: Angle, lens: Lens) -> Camera:
    """From the looker's eyes, towards what they look at."""
    dx, dy = heading(looker.facing)
    at = (looker.x + POV_FORWARD * dx,
          min(looker.y + POV_FORWARD * dy, LINE_Y) - POV_DOWNSTAGE, eye_z(looker))
    roll = DUTCH_ROLL if angle is Angle.DUTCH else 0.0
    if angle is Angle.OVERHEAD:
        return camera(at, 0.0, -90.0, roll, lens)
    pan, tilt = look_at(at, target)
    return camera(at, pan, tilt, roll, lens)
