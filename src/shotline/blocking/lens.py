"""The camera's lens and gate: a focal length on Super 35, the gate's height from the
frame's aspect ratio, and the distance at which a subject fills the frame."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shotline.model.shots import Shot
from shotline.model.stage import SUPER35_WIDTH_MM
from shotline.planning.lenses import LENS_MM

DEFAULT_ASPECT = 16 / 9
_ASPECTS = (0.2, 10.0)  # what a frame can sensibly be; anything else is a mistake
_FALLBACK_MM = 50.0


def usable_aspect(aspect: float) -> float:
    ok = math.isfinite(aspect) and _ASPECTS[0] <= aspect <= _ASPECTS[1]
    return aspect if ok else DEFAULT_ASPECT


def sensor_height(aspect: float) -> float:
    """The gate's height in mm for a frame of `aspect` (width / height) on Super 35."""
    return SUPER35_WIDTH_MM / usable_aspect(aspect)


@dataclass(frozen=True, slots=True)
class Lens:
    focal: float  # mm
    width: float  # gate width, mm
    height: float  # gate height, mm

    @property
    def tan_half_width(self) -> float:
        return self.width / (2 * self.focal)

    @property
    def tan_half_height(self) -> float:
        return self.height / (2 * self.focal)

    @property
    def vertical_fov(self) -> float:
        """Vertical angle of view in degrees: 2 atan(h / 2f)."""
        return math.degrees(2 * math.atan(self.tan_half_height))

    def distance_for(self, framed_height: float) -> float:
        """How far from the lens a subject `framed_height` metres tall fills the frame's
        height: by similar triangles, framed height * f / gate height."""
        return framed_height * self.focal / self.height

    def framed_height(self, distance: float) -> float:
        """The height the frame spans at `distance`: the inverse of distance_for."""
        return distance * self.height / self.focal


def shot_lens(shot: Shot, aspect: float) -> Lens:
    """The shot's lens; one that is not a usable focal length gets the size's usual lens."""
    focal = shot.lens_mm
    if not (math.isfinite(focal) and 1.0 <= focal <= 2000.0):
        focal = LENS_MM.get(shot.size, _FALLBACK_MM)
    return Lens(float(focal), SUPER35_WIDTH_MM, sensor_height(aspect))
