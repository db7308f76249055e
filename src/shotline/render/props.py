"""Key props as simple shapes a reader recognises, each with a small name tag.

The shape comes from the prop's name (a suitcase is a case with a handle, a cup a
short cylinder, a letter a flat sheet, a table a top on legs); anything unknown is
a box. ``size`` is the prop's size across, ``z`` the height of its centre.
"""

from __future__ import annotations

import math

import numpy as np

from shotline.model.stage import PropMark
from shotline.render.colour import RGB, scale
from shotline.render.lighting import Look
from shotline.render.primitives import Ball, Glow, Line, Solid, Strokes, box_faces

_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("case", ("SUITCASE", "BAG", "CASE", "LUGGAGE", "BACKPACK", "BRIEFCASE", "BOX", "CRATE",
              "PARCEL", "PACKAGE")),
    ("table", ("TABLE", "DESK", "COUNTER", "BAR", "WORKBENCH")),
    ("seat", ("CHAIR", "STOOL", "SOFA", "COUCH", "BENCH", "ARMCHAIR", "BED")),
    ("light", ("LAMP", "LANTERN", "CANDLE", "TORCH", "FLASHLIGHT", "LIGHT")),
    ("vessel", ("CUP", "MUG", "GLASS", "BOTTLE", "VASE", "CAN", "JAR", "KETTLE", "POT",
                "FLASK", "TEAPOT", "WINE")),
    ("sheet", ("LETTER", "BOOK", "PHOTO", "PAPER", "CARD", "ENVELOPE", "LAPTOP", "TABLET",
               "MAP", "NOTE", "FILE", "FOLDER", "NEWSPAPER", "SCRIPT", "TICKET", "PHONE")),
    ("ball", ("BALL", "GLOBE", "APPLE", "ORANGE", "ORB", "HEAD", "SKULL", "FLOWER")),
)

_COLOURS: dict[str, RGB] = {
    "case": (150, 92, 56), "table": (128, 90, 60), "seat": (110, 84, 66),
    "light": (236, 214, 160), "vessel": (204, 208, 214), "sheet": (238, 234, 222),
    "ball": (200, 120, 70), "box": (168, 140, 104),
}


def prop_kind(name: str) -> str:
    words = name.upper().replace("-", " ").replace("'", " ").split()
    for kind, keys in _KINDS:
        if any(w.rstrip("S") in keys or w in keys for w in words):
            return kind
    return "box"


def build_prop(prop: PropMark, look: Look) -> Solid:
    kind = prop_kind(prop.name)
    s = max(prop.size, 0.02)
    x, y, zc = prop.x, prop.y, max(prop.z, 0.0)
    colour = look.lit(_COLOURS[kind])
    key = look.key_dir
    solid = Solid(anchor=np.array([x, y, zc]))
    if kind == "case":
        h = s * 0.7
        z0 = max(0.0, zc - h / 2)
        solid.faces.extend(box_faces(x, y, z0, s, s * 0.32, h, colour, key))
        top = z0 + h
        solid.lines.append(Line(np.array([x - s * 0.16, y, top]), np.array([x - s * 0.12, y,
                                top + s * 0.1]), scale(colour, 0.5), s * 0.05, metres=True))
        solid.lines.append(Line(np.array([x - s * 0.12, y, top + s * 0.1]),
                                np.array([x + s * 0.12, y, top + s * 0.1]), scale(colour, 0.5),
                                s * 0.05, metres=True))
        solid.lines.append(Line(np.array([x + s * 0.12, y, top + s * 0.1]),
                                np.array([x + s * 0.16, y, top]), scale(colour, 0.5), s * 0.05,
                                metres=True))
    elif kind == "table":
        top_z = zc if zc > 0.3 else 0.75
        leg = scale(colour, 0.7)
        for dx in (-0.42, 0.42):
            for dy in (-0.3, 0.3):
                solid.lines.append(Line(np.array([x + dx * s, y + dy * s, 0.0]),
                                        np.array([x + dx * s, y + dy * s, top_z]), leg, 0.05,
                                        metres=True, depth=True))
        solid.faces.extend(box_faces(x, y, top_z - 0.04, s, s * 0.7, 0.04, colour, key))
        grain = [((x - s / 2 + 0.02, y + s * 0.7 * f, top_z + 0.0005),
                  (x + s / 2 - 0.02, y + s * 0.7 * f, top_z + 0.0005))
                 for f in (-0.3, -0.12, 0.05, 0.22)]
        solid.strokes.append(Strokes.of(grain, scale(colour, 0.8), 1.0, 0.6))
    elif kind == "seat":
        seat_z = min(0.45, zc + s * 0.2) if zc > 0 else 0.45
        solid.faces.extend(box_faces(x, y, 0.0, s, s * 0.8, seat_z, colour, key))
        solid.faces.extend(box_faces(x, y + s * 0.36, seat_z, s, s * 0.08, s * 0.5,
                                     scale(colour, 0.9), key))
    elif kind == "vessel":
        h = s * 1.4
        z0 = max(0.0, zc - h / 2)
        solid.lines.append(Line(np.array([x, y, z0 + s * 0.25]), np.array([x, y, z0 + h - s *
                                0.25]), colour, s, metres=True, depth=True))
        solid.balls.append(Ball(np.array([x, y, z0 + h - s * 0.25]), s * 0.5,
                                scale(colour, 1.08), squash=0.45))
    elif kind == "sheet":
        thick = min(0.02, s * 0.02)
        z_top = max(0.0, zc - thick / 2) + thick
        solid.faces.extend(box_faces(x, y, z_top - thick, s, s * 0.72, thick, colour, key))
        # Lines of writing, so a page reads as a page in an insert.
        lines = []
        for k in range(6):
            yy = y + s * 0.72 * (0.32 - k * 0.11)
            length = 0.78 if k % 3 != 2 else 0.5
            lines.append(((x - s * 0.39, yy, z_top + 0.0005),
                          (x - s * 0.39 + s * length, yy, z_top + 0.0005)))
        solid.strokes.append(Strokes.of(lines, scale(colour, 0.45), 1.4, 0.7))
    elif kind == "ball":
        solid.balls.append(Ball(np.array([x, y, max(zc, s / 2)]), s / 2, colour, ink=True))
    elif kind == "light":
        h = s * 1.2
        z0 = max(0.0, zc - h / 2)
        base = look.lit((70, 62, 54))
        solid.lines.append(Line(np.array([x, y, z0]), np.array([x, y, z0 + h * 0.6]), base,
                                s * 0.15, metres=True, depth=True))
        glow_colour = look.practical if not look.day else colour
        solid.balls.append(Ball(np.array([x, y, z0 + h * 0.75]), s * 0.35, glow_colour, ink=True))
        if not look.day:
            solid.glows.append(Glow(np.array([x, y, z0 + h * 0.75]), max(1.2, s * 4),
                                    look.practical, 0.5))
    else:
        z0 = max(0.0, zc - s / 2)
        solid.faces.extend(box_faces(x, y, z0, s, s, s * 0.8, colour, key))
    label_z = zc - s * 0.6 if kind != "table" else 0.0
    solid.label = prop.name.strip().upper()[:24] or None
    solid.label_at = np.array([x, y, max(0.0, label_z)])
    if not math.isfinite(x + y + zc):
        solid.faces.clear()
        solid.lines.clear()
        solid.balls.clear()
        solid.label = None
    return solid
