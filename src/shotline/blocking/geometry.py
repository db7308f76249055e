"""Vectors and angles in the stage's frame (see shotline.model.stage).

x is the set's right as the audience sees it, y runs away from the audience, z is up.
A facing or pan of 0 degrees looks along +y; angles grow counter-clockwise from above,
so 90 degrees looks along -x and -90 along +x.

The set's front edge (the open fourth wall) is y = 0; the line between the two
principals runs across the set at y = LINE_Y, leaving an apron in front of it.
"""

from __future__ import annotations

import math

Vec2 = tuple[float, float]
Vec3 = tuple[float, float, float]

LINE_Y = 1.0  # where the 180-degree line runs: this far upstage of the set's front edge
_TINY = 1e-9


def heading(degrees: float) -> Vec2:
    """The horizontal unit vector a facing or pan of `degrees` looks along."""
    r = math.radians(degrees)
    return (-math.sin(r), math.cos(r))


def bearing(dx: float, dy: float) -> float:
    """The facing, in degrees, of the horizontal direction (dx, dy)."""
    if abs(dx) < _TINY and abs(dy) < _TINY:
        return 0.0
    return wrap(math.degrees(math.atan2(-dx, dy)))


def wrap(degrees: float) -> float:
    """The same angle in (-180, 180]."""
    a = math.fmod(degrees, 360.0)
    if a > 180.0:
        a -= 360.0
    elif a <= -180.0:
        a += 360.0
    return a


def rotate(v: Vec2, degrees: float) -> Vec2:
    """`v` turned counter-clockwise (seen from above) by `degrees`."""
    r = math.radians(degrees)
    c, s = math.cos(r), math.sin(r)
    return (c * v[0] - s * v[1], s * v[0] + c * v[1])


def unit(v: Vec2, default: Vec2 = (0.0, -1.0)) -> Vec2:
    n = math.hypot(v[0], v[1])
    return (v[0] / n, v[1] / n) if n > _TINY else default


def look_at(eye: Vec3, target: Vec3) -> tuple[float, float]:
    """Pan and tilt, in degrees, of a camera at `eye` aimed at `target`."""
    dx, dy, dz = target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]
    across = math.hypot(dx, dy)
    if across < _TINY:
        return 0.0, (90.0 if dz > 0 else -90.0)  # straight up or down: keep +y as screen up
    return bearing(dx, dy), math.degrees(math.atan2(dz, across))


def clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def finite(value: float, default: float) -> float:
    return value if math.isfinite(value) else default
