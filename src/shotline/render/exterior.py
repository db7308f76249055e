"""Exteriors: sky and ground to the horizon, hills far off, and dressing that
says what kind of place it is (a street of buildings and lamp posts, a quay on the
water, or trees in a field), fixed by the location's name.

The sky and the ground are one ramp over the image, a function of the world
height of the ray through each pixel; it is exact at any tilt or roll and knows
where the horizon is without drawing a ground polygon out to infinity.
"""

from __future__ import annotations

import math
import random

import numpy as np

from shotline.model.stage import SetPiece, Stage
from shotline.render.colour import RGB, argb, mix, scale
from shotline.render.lighting import Look
from shotline.render.primitives import (
    Ball,
    Face,
    Glow,
    Line,
    Patches,
    Solid,
    Strokes,
    box_faces,
    quad,
)
from shotline.render.ramps import fill_ramp
from shotline.render.room import location_rng
from shotline.render.scene_draw import DrawContext

_URBAN = ("STREET", "ROAD", "CITY", "ALLEY", "ROOF", "PARKING", "TOWN", "SQUARE", "MARKET",
          "AVENUE", "SIDEWALK", "BRIDGE", "STATION", "PLAZA", "DOWNTOWN", "LOT", "CORNER",
          "BLOCK", "HIGHWAY", "CAFE", "SCHOOL", "HOUSE", "BUILDING", "YARD")
_COAST = ("HARBOUR", "HARBOR", "DOCK", "PIER", "BEACH", "SEA", "LAKE", "RIVER", "SHORE",
          "PORT", "QUAY", "MARINA", "COAST", "BOAT", "FERRY", "WATER", "BAY", "CANAL")

_PUFFS = ((-1.6, 0.25, 0.6), (0.0, 0.0, 1.0), (1.5, 0.2, 0.7), (0.6, -0.4, 0.6))  # a cloud

GROUND: dict[str, RGB] = {"urban": (106, 106, 110), "coast": (176, 164, 138),
                          "nature": (112, 138, 76)}


def place_kind(location: str) -> str:
    name = location.upper()
    if any(k in name for k in _COAST):
        return "coast"
    if any(k in name for k in _URBAN):
        return "urban"
    return "nature"


def draw_sky_and_ground(ctx: DrawContext, stage: Stage) -> None:
    model, look = ctx.model, ctx.look
    kind = place_kind(stage.set.location)
    ground = look.lit(GROUND[kind], 1.0 if look.day else 0.6)
    h = max(float(model.position[2]), 0.05)
    g = model.world_ray(2)  # > 0 above the horizon
    horizon_ground = mix(ground, look.haze, 0.8)
    sky_h, sky_m, sky_z = look.sky
    stops = [
        (-h / 2.5, scale(ground, 0.86)),
        (-h / 30, look.fog(ground, 30)),
        (-1e-9, horizon_ground),
        (0.0, sky_h), (0.12, sky_m), (0.5, sky_z),
    ]
    rect = [(0.0, 0.0), (float(model.width), 0.0), (float(model.width), float(model.height)),
            (0.0, float(model.height))]
    fill_ramp(ctx.colour, rect, g, stops)
    inverse_depth = (-g[0] / h, -g[1] / h, -g[2] / h)  # 1/z of the ground plane
    fill_ramp(ctx.grey, rect, inverse_depth, ctx.depth_stops)
    _sky_details(ctx, stage.set.location)


def _directions(azimuth: np.ndarray, elevation: np.ndarray) -> np.ndarray:
    ce = np.cos(elevation)
    return np.stack([np.cos(azimuth) * ce, np.sin(azimuth) * ce, np.sin(elevation)], axis=1)


def _sky_details(ctx: DrawContext, location: str) -> None:
    """Clouds by day; the moon and stars by night. They sit at infinity."""
    model, look = ctx.model, ctx.look
    rng = location_rng(location + "/sky")
    if look.day:
        n = 6
        az = np.array([rng.uniform(0, 2 * math.pi) for _ in range(n)])
        el = np.array([math.radians(rng.uniform(6, 24)) for _ in range(n)])
    else:
        n = 60
        az = np.array([rng.uniform(0, 2 * math.pi) for _ in range(n)])
        el = np.array([math.radians(rng.uniform(5, 75)) for _ in range(n)])
    cam = _directions(az, el) @ model.rotation.T
    ahead = cam[:, 2] > 1e-3
    if not ahead.any():
        return
    xy = np.full((n, 2), np.nan)
    xy[ahead] = model.to_pixels(cam[ahead])
    unit = model.fx * math.tan(math.radians(1.0))  # pixels per degree, near the centre
    w, hgt = model.width, model.height
    if look.day:
        puff = argb((250, 250, 252), 0.55)
        for i in np.flatnonzero(ahead):
            u, v = xy[i]
            size = unit * rng.uniform(2.0, 4.0)
            if u + 4 * size < 0 or u - 4 * size > w or v + size < 0 or v - size > hgt:
                continue
            roll = ctx.roll_deg()
            cr, sr = math.cos(math.radians(roll)), math.sin(math.radians(roll))
            for dx, dy, k in _PUFFS:
                ox = (dx * cr - dy * sr) * size
                oy = (dx * sr + dy * cr) * size
                ctx.colour.fill_oval(u + ox, v + oy, size * 1.3 * k, size * 0.55 * k, roll, puff)
        return
    inside = ahead & (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < hgt)
    stars = [(float(xy[i, 0]), float(xy[i, 1]), 0.6 + (i % 3) * 0.35)
             for i in np.flatnonzero(inside)]
    if stars:
        ctx.colour.fill_circles(stars, argb((230, 236, 255), 0.75))
    moon = _directions(np.array([rng.uniform(0, 2 * math.pi)]),
                       np.array([math.radians(28.0)])) @ model.rotation.T
    if moon[0, 2] > 1e-3:
        u, v = model.to_pixels(moon)[0]
        r = unit * 1.6
        if -4 * r < u < w + 4 * r and -4 * r < v < hgt + 4 * r:
            ctx.colour.glow(float(u), float(v), float(r * 4), argb((150, 170, 230), 0.35))
            ctx.colour.fill_circle(float(u), float(v), float(r), argb((236, 238, 226)))


def build_exterior(piece: SetPiece, look: Look) -> tuple[Solid, list[Solid]]:
    """Ground markings (in drawing order) and the dressing, sorted with the cast."""
    kind = place_kind(piece.location)
    rng = location_rng(piece.location)
    w = max(piece.width, 4.0)
    d = max(piece.depth, 4.0)
    centre = np.array([0.0, d / 2, 0.0])
    decals = Solid(anchor=centre, keep_order=True)
    dressing: list[Solid] = []
    dressing.extend(_hills(rng, look, centre, kind))
    if kind == "urban":
        _street(decals, dressing, rng, look, w, d)
    elif kind == "coast":
        _quay(decals, dressing, rng, look, w, d)
    else:
        _field(decals, dressing, rng, look, w, d)
    return decals, dressing


def _hills(rng: random.Random, look: Look, centre: np.ndarray, kind: str) -> list[Solid]:
    base: RGB = (96, 120, 84) if kind == "nature" else (110, 118, 120)
    out = []
    count = 9
    for i in range(count):
        a = 2 * math.pi * (i + rng.uniform(-0.2, 0.2)) / count
        r = rng.uniform(380, 520)
        half = rng.uniform(160, 260)
        peak = rng.uniform(18, 55)
        mid = centre + np.array([math.cos(a) * r, math.sin(a) * r, 0.0])
        along = np.array([-math.sin(a), math.cos(a), 0.0])
        pts = [mid - along * half]
        for k in range(1, 8):
            t = k / 8
            pts.append(mid + along * half * (2 * t - 1)
                       + np.array([0.0, 0.0, peak * math.sin(math.pi * t) ** 0.8]))
        pts.append(mid + along * half)
        out.append(Solid(anchor=mid, faces=[Face(np.array(pts), look.lit(base, 0.85))]))
    return out


def _building(dressing: list[Solid], rng: random.Random, look: Look, x: float, y: float,
              facing_x: float) -> None:
    """A block beside the street, its windowed face toward it (facing_x = +1 or -1)."""
    depth = rng.uniform(10, 14)
    width = rng.uniform(9, 16)
    height = rng.uniform(7, 26)
    cx = x - facing_x * depth / 2
    colour = look.lit(rng.choice(((176, 160, 140), (150, 140, 132), (190, 178, 160),
                                  (132, 134, 140), (168, 120, 96))))
    solid = Solid(anchor=np.array([cx, y, height / 2]))
    solid.faces.extend(box_faces(cx, y, 0.0, depth, width, height, colour, look.key_dir,
                                 ink=False))
    fx = x + facing_x * 0.02
    lit: list[list[tuple[float, float, float]]] = []
    dark: list[list[tuple[float, float, float]]] = []
    z = 3.0
    while z + 1.6 < height:
        s = -width / 2 + 1.4
        while s + 1.2 < width / 2:
            win = [(fx, y + s, z), (fx, y + s + 1.1, z), (fx, y + s + 1.1, z + 1.5),
                   (fx, y + s, z + 1.5)]
            (lit if not look.day and rng.random() < 0.45 else dark).append(win)
            s += 2.4
        z += 3.2
    normal = np.array([facing_x, 0.0, 0.0])
    glass = (70, 88, 104) if look.day else (22, 28, 44)
    if dark:
        solid.patches.append(Patches(np.array(dark), look.lit(glass), normal))
    if lit:
        solid.patches.append(Patches(np.array(lit), look.practical, normal))
    dressing.append(solid)


def _lamp_post(dressing: list[Solid], look: Look, x: float, y: float) -> None:
    solid = Solid(anchor=np.array([x, y, 2.5]))
    top = np.array([x, y, 4.2])
    solid.lines.append(Line(np.array([x, y, 0.0]), top, look.lit((60, 64, 70)), 0.12,
                            metres=True, depth=True))
    head = look.practical if not look.day else look.lit((220, 222, 214))
    solid.balls.append(Ball(top + np.array([0.0, 0.0, 0.12]), 0.22, head))
    if not look.day:
        solid.glows.append(Glow(top, 1.8, look.practical, 0.55))
        solid.glows.append(Glow(np.array([x, y, 0.05]), 2.2, look.practical, 0.2))
    dressing.append(solid)


def _street(decals: Solid, dressing: list[Solid], rng: random.Random, look: Look,
            w: float, d: float) -> None:
    up = np.array([0.0, 0.0, 1.0])
    half = w / 2 + 1.5
    y0, y1 = -80.0, d + 120.0
    paving = look.lit((164, 160, 152))
    decals.faces.append(Face(quad((-half, y0, 0.003), (half, y0, 0.003), (half, y1, 0.003),
                                  (-half, y1, 0.003)), paving, up, depth=False))
    kerb = look.lit((200, 198, 190))
    joint = scale(paving, 0.8)
    for x in (-half, half):
        decals.lines.append(Line(np.array([x, y0, 0.01]), np.array([x, y1, 0.01]), kerb, 0.15,
                                 metres=True))
    joints = []
    y = -10.0
    while y < d + 20:
        joints.append(((-half, y, 0.006), (half, y, 0.006)))
        y += 2.0
    decals.strokes.append(Strokes.of(joints, joint, 1.0, 0.6))
    for side in (-1.0, 1.0):
        y = -40.0 + rng.uniform(0, 6)
        while y < d + 80:
            gap = rng.uniform(0.5, 3.0)
            x = side * (half + rng.uniform(7, 10))
            _building(dressing, rng, look, x, y, -side)
            y += 16 + gap
        y = -6.0
        while y < d + 30:
            _lamp_post(dressing, look, side * (half - 0.4), y)
            y += 14.0


def _quay(decals: Solid, dressing: list[Solid], rng: random.Random, look: Look,
          w: float, d: float) -> None:
    up = np.array([0.0, 0.0, 1.0])
    edge = d + 3.0
    water = look.lit((58, 96, 116) if look.day else (40, 60, 100), 1.0)
    decals.faces.append(Face(quad((-3000.0, edge, 0.004), (3000.0, edge, 0.004),
                                  (3000.0, 4000.0, 0.004), (-3000.0, 4000.0, 0.004)),
                             water, up, depth=False))
    decals.lines.append(Line(np.array([-200.0, edge, 0.02]), np.array([200.0, edge, 0.02]),
                             look.lit((214, 208, 192)), 0.25, metres=True))
    # Glints on the water: short strokes across it.
    glint = look.lit((170, 200, 214)) if look.day else look.practical
    glints = []
    for _ in range(24):
        gx = rng.uniform(-60, 60)
        gy = edge + rng.uniform(4, 90)
        glints.append(((gx, gy, 0.01), (gx + 1.6, gy, 0.01)))
    decals.strokes.append(Strokes.of(glints, glint, 1.5, 0.5))
    x = -w / 2 - 2
    while x < w / 2 + 3:
        bollard = Solid(anchor=np.array([x, edge - 0.4, 0.3]))
        bollard.faces.extend(box_faces(x, edge - 0.4, 0.0, 0.3, 0.3, 0.55,
                                       look.lit((50, 52, 56)), look.key_dir))
        dressing.append(bollard)
        x += 4.0
    for side in (-1.0, 1.0):
        for k in range(3):
            _building(dressing, rng, look, side * (w / 2 + 12 + k * 3), -10.0 + k * 17,
                      -side)
        _lamp_post(dressing, look, side * (w / 2 + 1.0), edge - 1.0)


def _tree(dressing: list[Solid], rng: random.Random, look: Look, x: float, y: float) -> None:
    height = rng.uniform(5, 11)
    crown = rng.uniform(1.8, 3.2)
    leaf = look.lit(rng.choice(((70, 104, 58), (58, 92, 60), (86, 112, 62))))
    solid = Solid(anchor=np.array([x, y, height * 0.6]))
    solid.lines.append(Line(np.array([x, y, 0.0]), np.array([x, y, height - crown]),
                            look.lit((84, 66, 50)), 0.35, metres=True, depth=True))
    solid.balls.append(Ball(np.array([x, y, height - crown]), crown, scale(leaf, 0.85),
                            squash=1.1))
    solid.balls.append(Ball(np.array([x + crown * 0.3, y, height - crown * 0.55]),
                            crown * 0.7, leaf, squash=1.05))
    dressing.append(solid)


def _field(decals: Solid, dressing: list[Solid], rng: random.Random, look: Look,
           w: float, d: float) -> None:
    up = np.array([0.0, 0.0, 1.0])
    grass = look.lit(GROUND["nature"])
    tufts = []
    for _ in range(70):
        tx = rng.uniform(-30, 30)
        ty = rng.uniform(-20, d + 40)
        s = rng.uniform(0.3, 0.7)
        tufts.append([(tx, ty, 0.004), (tx + s, ty, 0.004), (tx + s * 0.8, ty + s * 0.35, 0.004),
                      (tx + s * 0.1, ty + s * 0.3, 0.004)])
    decals.patches.append(Patches(np.array(tufts), scale(grass, 0.78), up))
    path = look.lit((170, 150, 112))
    decals.faces.append(Face(quad((-0.8, -40.0, 0.002), (0.8, -40.0, 0.002),
                                  (1.6, d + 120.0, 0.002), (-1.6, d + 120.0, 0.002)),
                             mix(path, grass, 0.35), up, depth=False))
    for _ in range(16):
        a = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(max(w, d) * 0.8 + 6, 70)
        _tree(dressing, rng, look, math.cos(a) * r, d / 2 + math.sin(a) * r)
