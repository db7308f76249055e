"""How distance becomes a grey level in the depth image.

The depth image stores inverse depth, as MiDaS-style monocular depth models (and
the ControlNets trained on them) do: near is white, far is black, and

    level = 255 * clamp((near / z - near / far) / (1 - near / far), 0, 1)

where z is the distance along the camera's optical axis. Inverse depth is exactly
affine over the image on any plane, so floors and walls get a true per-pixel
value from one linear ramp each. ``near`` is set per shot from how far the
subjects are (they land at about 70% white), ``far`` at 100 x near; the sky is 0.
Both are written to the frame's camera record (``depth_near_m``, ``depth_far_m``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shotline.model.stage import Stage
from shotline.render.colour import RGB
from shotline.render.projection import CameraModel
from shotline.render.ramps import Stop

SUBJECT_LEVEL = 0.7  # where the subjects of the shot land, as a fraction of white


@dataclass(frozen=True)
class DepthRange:
    near: float  # metres along the optical axis that map to white
    far: float  # and to black

    def level(self, z: float) -> float:
        """Grey level (0..255) of a point ``z`` metres in front of the camera."""
        if z <= 0:
            return 255.0
        k = self.near / self.far
        return 255.0 * min(1.0, max(0.0, (self.near / z - k) / (1.0 - k)))

    def stops(self) -> list[Stop]:
        """Ramp stops over inverse depth (1 / z), black at far to white at near."""
        black: RGB = (0.0, 0.0, 0.0)
        white: RGB = (255.0, 255.0, 255.0)
        return [(1.0 / self.far, black), (1.0 / self.near, white)]


def _subject_distance(stage: Stage, model: CameraModel) -> float | None:
    wanted = {s.strip().upper() for s in stage.subjects}
    points: list[tuple[float, float, float]] = []
    everyone: list[tuple[float, float, float]] = []
    for actor in stage.actors:
        centre = (actor.x, actor.y, actor.height * 0.55)
        everyone.append(centre)
        if actor.name.strip().upper() in wanted:
            points.append(centre)
    for prop in stage.props:
        if prop.name.strip().upper() in wanted:
            points.append((prop.x, prop.y, prop.z))
    for group in (points, everyone):
        if not group:
            continue
        z = model.to_camera(np.array(group, dtype=np.float64))[:, 2]
        z = z[z > model.near]
        if len(z):
            return float(z.min())
    return None


def depth_range(stage: Stage, model: CameraModel) -> DepthRange:
    subject = _subject_distance(stage, model)
    if subject is None:
        # Nobody in front: whatever the centre of the frame looks at on the floor.
        down = -float(model.rotation[2, 2])
        height = float(model.position[2])
        subject = height / down if down > 0.05 and height > 0 else 4.0
    subject = min(max(subject, 0.15), 60.0)
    near = max(model.near, subject * SUBJECT_LEVEL)
    return DepthRange(near=near, far=near * 100.0)
