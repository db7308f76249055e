"""Focal lengths that follow from the shot size, for a Super 35 camera.

The Super 35 gate is 24.89 x 18.66 mm, so its "normal" lens is about 35-40 mm.
The table uses the focal lengths of a common cinema prime set (18, 25, 32, 40, 50,
65, 75 and a 100 mm macro): wide sizes on wide lenses, faces on the longer lenses
that flatter them and throw the background out of focus.
"""

from __future__ import annotations

import math

from shotline.model.shots import ShotSize

GATE_WIDTH_MM = 24.89  # Super 35, 4-perf

LENS_MM: dict[ShotSize, float] = {
    ShotSize.EWS: 18.0,
    ShotSize.WS: 25.0,
    ShotSize.FS: 32.0,
    ShotSize.MWS: 40.0,
    ShotSize.MS: 50.0,
    ShotSize.MCU: 65.0,
    ShotSize.CU: 75.0,
    ShotSize.ECU: 100.0,
    ShotSize.INSERT: 100.0,  # a macro, to fill the frame with a small object
}

# Sizes from widest to tightest, for choosing the widest shot left in a scene.
WIDEST_FIRST: tuple[ShotSize, ...] = tuple(LENS_MM)


def lens_for(size: ShotSize) -> float:
    return LENS_MM[size]


def horizontal_fov(lens_mm: float) -> float:
    """Horizontal angle of view in degrees on the Super 35 gate."""
    return math.degrees(2 * math.atan(GATE_WIDTH_MM / (2 * lens_mm)))
