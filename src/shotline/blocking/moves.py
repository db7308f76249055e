"""Where a moving camera ends.

- dolly in: 40% of the way to the aim point along the view axis; dolly out: half as
  far again back along it (a push in or pull back keeps the subject centred);
- tracking: sideways along the line, the way the subject faces (screen right when
  nobody is named), by half the distance to the subject and at least 2 m, keeping its
  pan and tilt as it follows the action;
- crane: up by a quarter of the distance and at least 1.5 m, tilting to keep the aim;
- pan: 30 degrees the way the subject looks; tilt: 20 degrees up, a reveal;
- handheld: a few centimetres and a degree or two off, the same for the same shot id;
- static: no end.
No end crosses the line: a dolly stops at its audience side, and nothing else moves
towards it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace

from shotline.blocking.cameras import FURTHEST
from shotline.blocking.geometry import Vec3, clamp, look_at, wrap
from shotline.model.shots import Movement
from shotline.model.stage import Camera

DOLLY_IN = 0.4
DOLLY_OUT = 0.5
TRACK = (0.5, 2.0)  # of the distance, at least metres
CRANE = (0.25, 1.5)
PAN = 30.0
TILT = 20.0
SHAKE = (0.05, 1.5, 1.0, 2.0)  # metres; pan, tilt and roll degrees
_MAX_TILT = 90.0


def _along(cam: Camera, target: Vec3, fraction: float) -> Camera:
    """The camera moved `fraction` of the way to the target (negative: away from it),
    stopping on the audience's side of the line."""
    dy = target[1] - cam.y
    if dy and cam.y + fraction * dy > FURTHEST:
        stop = (FURTHEST - cam.y) / dy
        fraction = max(0.0, stop) if fraction > 0 else min(0.0, stop)
    at = (cam.x + fraction * (target[0] - cam.x), cam.y + fraction * dy,
          cam.z + fraction * (target[2] - cam.z))
    if cam.tilt <= -_MAX_TILT:
        return replace(cam, x=at[0], y=at[1], z=at[2])  # overhead stays straight down
    pan, tilt = look_at(at, target)
    return replace(cam, x=at[0], y=at[1], z=at[2], pan=pan, tilt=tilt)


def _shake(seed: str) -> tuple[float, ...]:
    """Six numbers in [-1, 1], fixed by the seed."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return tuple(b / 127.5 - 1.0 for b in digest[:6])


def camera_end(cam: Camera, target: Vec3, movement: Movement, direction: float,
               seed: str) -> Camera | None:
    """Where the camera is at the end of the shot. `target` is its aim point, `direction`
    +1 or -1: which way along x the subject faces."""
    distance = math.dist((cam.x, cam.y, cam.z), target)
    side = 1.0 if direction >= 0 else -1.0
    if movement is Movement.DOLLY_IN:
        return _along(cam, target, DOLLY_IN)
    if movement is Movement.DOLLY_OUT:
        return _along(cam, target, -DOLLY_OUT)
    if movement is Movement.TRACKING:
        return replace(cam, x=cam.x + side * max(TRACK[0] * distance, TRACK[1]))
    if movement is Movement.CRANE:
        z = cam.z + max(CRANE[0] * distance, CRANE[1])
        if cam.tilt <= -_MAX_TILT:
            return replace(cam, z=z)
        pan, tilt = look_at((cam.x, cam.y, z), target)
        return replace(cam, z=z, pan=pan, tilt=tilt)
    if movement is Movement.PAN:
        return replace(cam, pan=wrap(cam.pan - side * PAN))  # right is clockwise: less pan
    if movement is Movement.TILT:
        return replace(cam, tilt=clamp(cam.tilt + TILT, -_MAX_TILT, _MAX_TILT))
    if movement is Movement.HANDHELD:
        a, b, c, d, e, f = _shake(seed)
        metres, pan, tilt, roll = SHAKE
        return replace(cam, x=cam.x + metres * a, y=cam.y - metres * (b + 1) / 2,
                       z=cam.z + metres * c, pan=wrap(cam.pan + pan * d),
                       tilt=clamp(cam.tilt + tilt * e, -_MAX_TILT, _MAX_TILT),
                       roll=cam.roll + roll * f)
    return None
