"""Interiors: a room box with a window, doors, a picture, skirting and a floor
pattern, chosen from the location's name so the same room looks the same in every
shot of it.

The room spans x in [-width/2, width/2], y in [0, depth], z in [0, height], grown
if needed to hold every actor and prop. Each wall is drawn only from inside (its
normal points into the room), so a camera outside the room sees through the
removed fourth wall, and a camera inside sees all four.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shotline.model.stage import SetPiece, Stage
from shotline.render.colour import RGB, mix, scale
from shotline.render.lighting import Look
from shotline.render.primitives import Ball, Face, Glow, Line, Solid, Strokes, box_faces, quad
from shotline.render.projection import FloatArray

WALLS: tuple[RGB, ...] = (
    (236, 222, 196), (204, 218, 196), (198, 214, 226), (236, 208, 186),
    (218, 210, 226), (230, 228, 216), (222, 200, 172),
)
WOOD: tuple[RGB, ...] = ((156, 112, 74), (132, 94, 62), (170, 130, 90))
TILE: tuple[RGB, ...] = ((200, 198, 190), (176, 184, 186))
CARPET: tuple[RGB, ...] = ((126, 108, 102), (98, 108, 124), (120, 120, 104))
CONCRETE: RGB = (152, 152, 148)
TRIM: RGB = (242, 238, 228)
DOORS: tuple[RGB, ...] = ((122, 84, 56), (96, 70, 50), (88, 110, 120), (150, 60, 52))

_TILED = ("KITCHEN", "BATH", "RESTROOM", "SHOWER", "HOSPITAL", "LAB", "CLINIC", "DINER")
_CARPET = ("OFFICE", "HOTEL", "BEDROOM", "CORRIDOR", "HALLWAY", "LIBRARY", "STUDY")
_CONCRETE = ("WAREHOUSE", "GARAGE", "FACTORY", "BASEMENT", "PRISON", "CELL", "BUNKER",
             "PARKING", "STATION", "HANGAR")


def location_rng(location: str) -> random.Random:
    """A random stream fixed by the location's name."""
    digest = hashlib.sha256(location.strip().upper().encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True)
class RoomBox:
    x0: float
    x1: float
    y0: float
    y1: float
    h: float


def room_box(stage: Stage) -> RoomBox:
    piece = stage.set
    w = max(piece.width, 2.0)
    d = max(piece.depth, 2.0)
    h = piece.height if piece.height >= 2.0 else 2.7
    x0, x1, y0, y1 = -w / 2, w / 2, 0.0, d
    for x, y in [(a.x, a.y) for a in stage.actors] + [(p.x, p.y) for p in stage.props]:
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        x0, x1 = min(x0, x - 0.6), max(x1, x + 0.6)
        y0, y1 = min(y0, y - 0.6), max(y1, y + 0.6)
    return RoomBox(x0, x1, y0, y1, h)


def _floor(location: str, rng: random.Random) -> tuple[RGB, str]:
    name = location.upper()
    if any(k in name for k in _TILED):
        return rng.choice(TILE), "tile"
    if any(k in name for k in _CARPET):
        return rng.choice(CARPET), "carpet"
    if any(k in name for k in _CONCRETE):
        return CONCRETE, "concrete"
    return rng.choice(WOOD), "wood"


def build_room(piece: SetPiece, box: RoomBox, look: Look) -> tuple[Solid, list[Solid]]:
    """The room shell (in drawing order) and the furniture to sort with the cast."""
    rng = location_rng(piece.location)
    wall = rng.choice(WALLS)
    floor, pattern = _floor(piece.location, rng)
    door_colour = rng.choice(DOORS)
    x0, x1, y0, y1, h = box.x0, box.x1, box.y0, box.y1, box.h
    w, d = x1 - x0, y1 - y0
    e = 0.004  # decals sit this far off their wall

    def wall_tone(nx: float, ny: float) -> RGB:
        # Each wall a step apart in tone, so corners read even in flat light.
        k = {(0, -1): 1.0, (1, 0): 0.9, (-1, 0): 0.83, (0, 1): 0.95}[(round(nx), round(ny))]
        return look.lit(wall, k)

    shell = Solid(anchor=np.array([(x0 + x1) / 2, (y0 + y1) / 2, h / 2]), keep_order=True)
    faces = shell.faces
    up, down = np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0])
    faces.append(Face(quad((x0, y0, 0), (x1, y0, 0), (x1, y1, 0), (x0, y1, 0)),
                      look.lit(floor, 0.92), up))
    faces.append(Face(quad((x0, y0, h), (x1, y0, h), (x1, y1, h), (x0, y1, h)),
                      look.lit(mix(wall, (250, 250, 246), 0.4), 0.74), down))

    # Floor pattern: lines running into the room read as perspective at a glance.
    boards: list[tuple[tuple[float, float, float], tuple[float, float, float]]] = []
    if pattern in ("wood", "tile"):
        step = 0.42 if pattern == "wood" else 0.6
        x = x0 + step
        while x < x1 - 0.05:
            boards.append(((x, y0, 0.0), (x, y1, 0.0)))
            x += step
    if pattern == "tile":
        y = y0 + 0.6
        while y < y1 - 0.05:
            boards.append(((x0, y, 0.0), (x1, y, 0.0)))
            y += 0.6
    if boards:
        shell.strokes.append(Strokes.of(boards, scale(look.lit(floor), 0.72), 1.0, 0.55))

    skirting = scale(look.lit(wall), 0.62)
    trim = look.lit(TRIM, 0.95)
    door = look.lit(door_colour)
    top = min(2.05, h - 0.15)

    # Back wall (y1), normal -y: the window.
    n = np.array([0.0, -1.0, 0.0])
    faces.append(Face(quad((x0, y1, 0), (x1, y1, 0), (x1, y1, h), (x0, y1, h)),
                      wall_tone(0, -1), n))
    faces.append(Face(quad((x0, y1 - e, 0), (x1, y1 - e, 0), (x1, y1 - e, 0.1),
                           (x0, y1 - e, 0.1)), skirting, n, depth=False))
    ww = min(1.5, w * 0.35)
    wx = x0 + w * rng.uniform(0.3, 0.7)
    sill, head = 0.9, min(2.15, h - 0.25)
    faces.append(Face(quad((wx - ww / 2 - 0.08, y1 - e, sill - 0.08),
                           (wx + ww / 2 + 0.08, y1 - e, sill - 0.08),
                           (wx + ww / 2 + 0.08, y1 - e, head + 0.08),
                           (wx - ww / 2 - 0.08, y1 - e, head + 0.08)), trim, n, depth=False,
                      ink=True))
    faces.append(Face(quad((wx - ww / 2, y1 - 2 * e, sill), (wx + ww / 2, y1 - 2 * e, sill),
                           (wx + ww / 2, y1 - 2 * e, head), (wx - ww / 2, y1 - 2 * e, head)),
                      look.glass, n, depth=False))
    mull = scale(trim, 0.9)
    shell.lines.append(Line(np.array([wx, y1 - 3 * e, sill]), np.array([wx, y1 - 3 * e, head]),
                            mull, 0.05, metres=True, normal=n))
    mid = (sill + head) / 2
    shell.lines.append(Line(np.array([wx - ww / 2, y1 - 3 * e, mid]),
                            np.array([wx + ww / 2, y1 - 3 * e, mid]), mull, 0.05, metres=True,
                            normal=n))

    # Left wall (x0), normal +x: a door near the back.
    n = np.array([1.0, 0.0, 0.0])
    faces.append(Face(quad((x0, y0, 0), (x0, y1, 0), (x0, y1, h), (x0, y0, h)),
                      wall_tone(1, 0), n))
    faces.append(Face(quad((x0 + e, y0, 0), (x0 + e, y1, 0), (x0 + e, y1, 0.1),
                           (x0 + e, y0, 0.1)), skirting, n, depth=False))
    dy = y0 + d * rng.uniform(0.55, 0.8)
    _door(shell, n, lambda s, z, k: (x0 + k * e, dy + s, z), top, trim, door)

    # Right wall (x1), normal -x: a framed picture.
    n = np.array([-1.0, 0.0, 0.0])
    faces.append(Face(quad((x1, y0, 0), (x1, y1, 0), (x1, y1, h), (x1, y0, h)),
                      wall_tone(-1, 0), n))
    faces.append(Face(quad((x1 - e, y0, 0), (x1 - e, y1, 0), (x1 - e, y1, 0.1),
                           (x1 - e, y0, 0.1)), skirting, n, depth=False))
    py = y0 + d * rng.uniform(0.35, 0.65)
    pw, ph, pz = 0.8, 0.6, 1.55
    faces.append(Face(quad((x1 - e, py - pw / 2, pz - ph / 2), (x1 - e, py + pw / 2, pz - ph / 2),
                           (x1 - e, py + pw / 2, pz + ph / 2), (x1 - e, py - pw / 2, pz + ph / 2)),
                      look.lit((60, 48, 40)), n, depth=False))
    art = look.lit(rng.choice(((120, 150, 170), (170, 140, 100), (130, 150, 110))))
    faces.append(Face(quad((x1 - 2 * e, py - pw / 2 + 0.06, pz - ph / 2 + 0.06),
                           (x1 - 2 * e, py + pw / 2 - 0.06, pz - ph / 2 + 0.06),
                           (x1 - 2 * e, py + pw / 2 - 0.06, pz + ph / 2 - 0.06),
                           (x1 - 2 * e, py - pw / 2 + 0.06, pz + ph / 2 - 0.06)),
                      art, n, depth=False))

    # Front wall (y0), normal +y: seen only from inside, on reverse angles.
    n = np.array([0.0, 1.0, 0.0])
    faces.append(Face(quad((x0, y0, 0), (x1, y0, 0), (x1, y0, h), (x0, y0, h)),
                      wall_tone(0, 1), n))
    faces.append(Face(quad((x0, y0 + e, 0), (x1, y0 + e, 0), (x1, y0 + e, 0.1),
                           (x0, y0 + e, 0.1)), skirting, n, depth=False))
    fx = x0 + w * rng.uniform(0.25, 0.75)
    _door(shell, n, lambda s, z, k: (fx + s, y0 + k * e, z), top, trim, door)

    # The room's edges, inked like a drawing.
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    edges: list[tuple[tuple[float, float, float], tuple[float, float, float]]] = []
    for i, (cx, cy) in enumerate(corners):
        nx_, ny_ = corners[(i + 1) % 4]
        edges += [((cx, cy, 0.0), (nx_, ny_, 0.0)), ((cx, cy, h), (nx_, ny_, h)),
                  ((cx, cy, 0.0), (cx, cy, h))]
    shell.strokes.append(Strokes.of(edges, look.ink, 1.4, look.ink_alpha * 0.55))

    furniture = [_lamp(box, rng, look)]
    return shell, furniture


Place = Callable[[float, float, int], tuple[float, float, float]]


def _door(shell: Solid, normal: FloatArray, place: Place, top: float, trim: RGB,
          door: RGB) -> None:
    """A door 0.9 m wide on a wall; ``place(s, z, k)`` is the point s metres along
    the wall from the door's centre, z up, k decal layers off the wall."""
    half = 0.45
    shell.faces.append(Face(quad(place(-half - 0.08, 0, 1), place(half + 0.08, 0, 1),
                                 place(half + 0.08, top + 0.08, 1),
                                 place(-half - 0.08, top + 0.08, 1)),
                            trim, normal, depth=False, ink=True))
    shell.faces.append(Face(quad(place(-half, 0, 2), place(half, 0, 2), place(half, top, 2),
                                 place(-half, top, 2)), door, normal, depth=False, ink=True))
    shell.faces.append(Face(quad(place(-half + 0.1, top * 0.55, 3),
                                 place(half - 0.1, top * 0.55, 3),
                                 place(half - 0.1, top - 0.12, 3),
                                 place(-half + 0.1, top - 0.12, 3)),
                            scale(door, 0.86), normal, depth=False))
    shell.balls.append(Ball(np.array(place(half - 0.1, 1.0, 4)), 0.035, (214, 192, 120)))


def _lamp(box: RoomBox, rng: random.Random, look: Look) -> Solid:
    """A floor lamp in a back corner: unlit by day, the room's practical by night."""
    left = rng.random() < 0.5
    x = box.x0 + 0.45 if left else box.x1 - 0.45
    y = box.y1 - 0.45
    z_shade = min(1.55, box.h - 0.5)
    shade_colour: RGB = (250, 236, 200) if not look.day else look.lit((236, 226, 200))
    solid = Solid(anchor=np.array([x, y, 0.8]))
    solid.lines.append(Line(np.array([x, y, 0.0]), np.array([x, y, z_shade]),
                            look.lit((60, 56, 52)), 0.03, metres=True, depth=True))
    solid.faces.extend(box_faces(x, y, z_shade - 0.1, 0.36, 0.36, 0.3, shade_colour,
                                 look.key_dir, shade=0.9 if not look.day else 0.75))
    if not look.day:
        solid.glows.append(Glow(np.array([x, y, z_shade]), 2.4, look.practical, 0.6))
    return solid
