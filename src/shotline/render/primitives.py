"""World-space drawing primitives: the set and the props are built from these."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shotline.render.colour import RGB
from shotline.render.projection import FloatArray


@dataclass(frozen=True, eq=False)
class Face:
    """A flat polygon in the world (n x 3 points, in order around it)."""

    points: FloatArray
    colour: RGB
    normal: FloatArray | None = None  # when set, seen only from the side it points to
    depth: bool = True  # False for decals lying on another face (same depth)
    ink: bool = False  # outline it
    alpha: float = 1.0


@dataclass(frozen=True, eq=False)
class Patches:
    """Many small quads on one plane in one colour (windows, tiles), one path."""

    points: FloatArray  # (k, 4, 3)
    colour: RGB
    normal: FloatArray | None = None
    alpha: float = 1.0


@dataclass(frozen=True, eq=False)
class Strokes:
    """Thin lines of one colour and pixel width (floor boards, edges, joints),
    projected together and drawn as one path."""

    a: FloatArray  # (n, 3) starts
    b: FloatArray  # (n, 3) ends
    colour: RGB
    width: float  # pixels
    alpha: float = 1.0

    @staticmethod
    def of(segments: list[tuple[tuple[float, float, float], tuple[float, float, float]]],
           colour: RGB, width: float, alpha: float = 1.0) -> Strokes:
        a = np.array([s[0] for s in segments], dtype=np.float64).reshape(-1, 3)
        b = np.array([s[1] for s in segments], dtype=np.float64).reshape(-1, 3)
        return Strokes(a, b, colour, width, alpha)


@dataclass(frozen=True, eq=False)
class Line:
    a: FloatArray
    b: FloatArray
    colour: RGB
    width: float  # pixels, or metres when ``metres`` (posts, trunks)
    alpha: float = 1.0
    metres: bool = False
    depth: bool = False  # solid enough to show in the depth image
    normal: FloatArray | None = None  # on a wall: seen only from the side it points to


@dataclass(frozen=True, eq=False)
class Ball:
    """A round shape that faces the camera: a tree crown, a ball, a lamp globe."""

    centre: FloatArray
    radius: float  # metres
    colour: RGB
    squash: float = 1.0  # height / width
    ink: bool = False


@dataclass(frozen=True, eq=False)
class Glow:
    """Light spilling round a practical: a radial falloff, ``radius`` metres."""

    centre: FloatArray
    radius: float
    colour: RGB
    alpha: float = 0.6


@dataclass(eq=False)
class Solid:
    """Everything drawn for one object, in order, at one painter's distance."""

    anchor: FloatArray
    faces: list[Face] = field(default_factory=list)
    patches: list[Patches] = field(default_factory=list)
    strokes: list[Strokes] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    balls: list[Ball] = field(default_factory=list)
    glows: list[Glow] = field(default_factory=list)
    label: str | None = None
    label_at: FloatArray | None = None
    keep_order: bool = False  # the faces are already in drawing order
    _radius: float | None = None

    def radius(self) -> float:
        """How far its geometry reaches from the anchor (for frustum culling)."""
        if self._radius is None:
            pts = [f.points for f in self.faces]
            pts += [p.points.reshape(-1, 3) for p in self.patches]
            pts += [s.a for s in self.strokes] + [s.b for s in self.strokes]
            pts += [np.stack([ln.a, ln.b]) for ln in self.lines]
            pts += [g.centre[None, :] for g in self.glows]
            reach = 0.0
            if pts:
                every = np.concatenate(pts)
                reach = float(np.sqrt(((every - self.anchor) ** 2).sum(axis=1).max()))
            for ball in self.balls:
                reach = max(reach, float(np.linalg.norm(ball.centre - self.anchor)) + ball.radius)
            for glow in self.glows:
                reach = max(reach, float(np.linalg.norm(glow.centre - self.anchor)) + glow.radius)
            for ln in self.lines:
                reach += ln.width if ln.metres else 0.0
            self._radius = reach + 0.01
        return self._radius


def quad(*corners: tuple[float, float, float]) -> FloatArray:
    return np.array(corners, dtype=np.float64)


def box_faces(cx: float, cy: float, z0: float, sx: float, sy: float, sz: float,
              colour: RGB, look_side: tuple[float, float], shade: float = 0.72,
              ink: bool = True) -> list[Face]:
    """An axis-aligned box standing on z0: five faces (no bottom), each seen only
    from outside; sides facing away from the key light are darker."""
    x0, x1 = cx - sx / 2, cx + sx / 2
    y0, y1 = cy - sy / 2, cy + sy / 2
    z1 = z0 + sz
    kx, ky = look_side

    def tone(nx: float, ny: float) -> RGB:
        k = shade + (1 - shade) * max(0.0, -(nx * kx + ny * ky))
        return (colour[0] * k, colour[1] * k, colour[2] * k)

    top = (min(255.0, colour[0] * 1.08), min(255.0, colour[1] * 1.08),
           min(255.0, colour[2] * 1.08))
    return [
        Face(quad((x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)), top,
             np.array([0.0, 0.0, 1.0]), ink=ink),
        Face(quad((x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)), tone(0, -1),
             np.array([0.0, -1.0, 0.0]), ink=ink),
        Face(quad((x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)), tone(0, 1),
             np.array([0.0, 1.0, 0.0]), ink=ink),
        Face(quad((x0, y0, z0), (x0, y1, z0), (x0, y1, z1), (x0, y0, z1)), tone(-1, 0),
             np.array([-1.0, 0.0, 0.0]), ink=ink),
        Face(quad((x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)), tone(1, 0),
             np.array([1.0, 0.0, 0.0]), ink=ink),
    ]
