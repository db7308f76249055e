"""The four looks: interior or exterior, by day or by night.

Day interiors are warm (window light and tungsten fill), day exteriors neutral
with a blue sky and haze; night exteriors are deep blue moonlight with warm
practicals, night interiors dim blue shadows around warm lamps. Night looks push
contrast: darker surroundings, brighter key on the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shotline.model.stage import SetPiece
from shotline.render.colour import RGB, mix, tint


@dataclass(frozen=True)
class Look:
    interior: bool
    day: bool
    light: RGB  # the key light: multiplies every surface colour (tint x strength)
    figure_light: RGB  # what the cast gets: at night more than the set, for contrast
    fill: float  # how much of the key the unlit side keeps
    sky: tuple[RGB, RGB, RGB]  # horizon, middle, zenith
    haze: RGB  # what far things fade to outdoors
    fog_m: float  # distance at which a colour is half way to the haze
    ink: RGB  # outline colour
    ink_alpha: float
    practical: RGB  # lamps, lit windows
    glass: RGB  # what a window shows
    shadow_alpha: float  # soft contact shadows
    key_dir: tuple[float, float]  # horizontal direction the key light travels (unit)
    clear: RGB  # behind everything

    def lit(self, c: RGB, k: float = 1.0) -> RGB:
        t = tint(c, self.light)
        return (t[0] * k, t[1] * k, t[2] * k)

    def figure(self, c: RGB, facing_light: float) -> RGB:
        """A costume or skin colour under the light the cast is given, by how
        squarely it faces the key (-1 away .. 1 into it)."""
        k = 0.55 + 0.45 * (self.fill + (1.0 - self.fill) * max(0.0, facing_light))
        t = tint(c, self.figure_light)
        return (t[0] * k, t[1] * k, t[2] * k)

    def fog(self, c: RGB, distance: float) -> RGB:
        """Aerial perspective outdoors; interiors are too small for it."""
        if self.interior or distance <= 0:
            return c
        return mix(c, self.haze, 1.0 - math.pow(0.5, distance / self.fog_m))


def _key(angle_deg: float) -> tuple[float, float]:
    a = math.radians(angle_deg)
    return (math.cos(a), math.sin(a))


def look_for(piece: SetPiece) -> Look:
    interior = piece.kind == "interior"
    day = piece.daylight
    if interior and day:
        return Look(
            interior=True, day=True, light=(1.0, 0.97, 0.9), figure_light=(1.04, 1.0, 0.94),
            fill=0.6,
            sky=((236, 240, 238), (200, 222, 240), (170, 200, 235)),
            haze=(220, 220, 215), fog_m=1e9, ink=(52, 40, 32), ink_alpha=0.55,
            practical=(255, 226, 170), glass=(222, 236, 246), shadow_alpha=0.30,
            key_dir=_key(-60.0), clear=(150, 140, 125),
        )
    if interior:
        return Look(
            interior=True, day=False, light=(0.36, 0.42, 0.66),
            figure_light=(0.74, 0.66, 0.66), fill=0.35,
            sky=((30, 40, 70), (20, 28, 55), (10, 14, 34)),
            haze=(30, 36, 60), fog_m=1e9, ink=(8, 10, 22), ink_alpha=0.65,
            practical=(255, 190, 110), glass=(24, 34, 70), shadow_alpha=0.45,
            key_dir=_key(-120.0), clear=(20, 22, 34),
        )
    if day:
        return Look(
            interior=False, day=True, light=(1.0, 0.99, 0.96), figure_light=(1.02, 1.0, 0.97),
            fill=0.6,
            sky=((222, 232, 238), (160, 196, 232), (92, 146, 214)),
            haze=(200, 214, 226), fog_m=220.0, ink=(40, 40, 44), ink_alpha=0.5,
            practical=(255, 236, 200), glass=(170, 200, 225), shadow_alpha=0.32,
            key_dir=_key(-55.0), clear=(200, 214, 226),
        )
    return Look(
        interior=False, day=False, light=(0.42, 0.5, 0.78), figure_light=(0.62, 0.68, 0.9),
        fill=0.3,
        sky=((38, 54, 96), (18, 28, 62), (6, 10, 28)),
        haze=(30, 42, 76), fog_m=70.0, ink=(4, 6, 16), ink_alpha=0.7,
        practical=(255, 204, 130), glass=(255, 206, 128), shadow_alpha=0.5,
        key_dir=_key(-125.0), clear=(30, 42, 76),
    )
