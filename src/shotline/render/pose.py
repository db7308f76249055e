"""The pose image: OpenPose COCO-18 skeletons on black, as pose-conditioned image
models expect them.

Keypoints (0-based): nose, neck, right shoulder, elbow, wrist, left shoulder,
elbow, wrist, right hip, knee, ankle, left hip, knee, ankle, right eye, left eye,
right ear, left ear. Limbs and colours follow OpenPose's drawing order: limb i is
drawn in colour i at 60% brightness, all people's limb i before limb i + 1, and
then each keypoint as a dot in its own colour. A keypoint behind the camera or
outside the frame is left out, with the limbs that need it.
"""

from __future__ import annotations

import numpy as np

from shotline.render._skia import Canvas
from shotline.render.figures import Figure
from shotline.render.projection import CameraModel, FloatArray

KEYPOINTS: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)

COCO18_LIMBS: tuple[tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
    (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
)

COCO18_COLOURS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
    (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
    (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
)


def _pack(c: tuple[int, int, int], k: float = 1.0) -> int:
    r, g, b = (int(v * k) for v in c)
    return 0xFF000000 | r << 16 | g << 8 | b


def keypoints(model: CameraModel, figure: Figure) -> FloatArray:
    """(18, 2) pixel positions; NaN where the keypoint is not in the picture."""
    cam = model.to_camera(figure.joints[:18])
    out = np.full((18, 2), np.nan)
    ahead = cam[:, 2] > model.near
    if ahead.any():
        out[ahead] = model.to_pixels(cam[ahead])
    inside = ((out[:, 0] >= 0) & (out[:, 0] < model.width) & (out[:, 1] >= 0)
              & (out[:, 1] < model.height))
    out[~inside] = np.nan
    return out


_ROUND = np.linspace(0.0, 2 * np.pi, 12, endpoint=False)
_COS, _SIN = np.cos(_ROUND), np.sin(_ROUND)


def _ellipses(a: FloatArray, b: FloatArray, half_width: float) -> FloatArray:
    """(n, 12, 2) outlines of ellipses spanning a to b, ``half_width`` across,
    as OpenPose draws its limbs."""
    centre = (a + b) / 2
    along = (b - a) / 2
    length = np.hypot(along[:, 0], along[:, 1])[:, None]
    across = np.stack([-along[:, 1], along[:, 0]], axis=1) / np.maximum(length, 1e-9)
    across *= half_width
    return np.asarray(centre[:, None, :] + _COS[None, :, None] * along[:, None, :]
                      + _SIN[None, :, None] * across[:, None, :], dtype=np.float64)


def draw_pose(canvas: Canvas, model: CameraModel, people: list[FloatArray]) -> None:
    canvas.clear(0xFF000000)
    people = [p for p in people if not np.isnan(p).all()]
    if not people:
        return
    points = np.stack(people)  # (n, 18, 2)
    scale = model.height / 512
    stick = max(1.0, 4.0 * scale)  # OpenPose's stickwidth: the ellipse's half-width
    dot = max(2.0, 4.0 * scale)
    for i, (a, b) in enumerate(COCO18_LIMBS):
        both = ~(np.isnan(points[:, a, 0]) | np.isnan(points[:, b, 0]))
        if both.any():
            shapes = _ellipses(points[both, a], points[both, b], stick)
            canvas.fill_polygons(shapes.tolist(), _pack(COCO18_COLOURS[i], 0.6))
    for k in range(18):
        seen = points[~np.isnan(points[:, k, 0]), k]
        if len(seen):
            canvas.fill_circles([(float(x), float(y), dot) for x, y in seen.tolist()],
                                _pack(COCO18_COLOURS[k]))
