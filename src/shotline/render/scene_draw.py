"""Drawing world primitives into the colour and depth canvases at once, so each is
projected once and both images agree on the geometry."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shotline.render._skia import Canvas
from shotline.render.colour import argb, grey
from shotline.render.depth import DepthRange
from shotline.render.lighting import Look
from shotline.render.primitives import Ball, Face, Glow, Line, Patches, Solid, Strokes
from shotline.render.projection import CameraModel, FloatArray, clip_near, clip_segment_near
from shotline.render.ramps import Stop, fill_ramp


@dataclass
class DrawContext:
    model: CameraModel
    look: Look
    depth: DepthRange
    colour: Canvas
    grey: Canvas
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    depth_stops: list[Stop] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.depth_stops = self.depth.stops()
        self.ink_width = max(1.0, self.model.height / 400)
        m = self.model
        self._tx = m.width / 2 / m.fx  # half the frame's width over depth
        self._ty = m.height / 2 / m.fy
        self._nx = float(np.hypot(1.0, self._tx))
        self._ny = float(np.hypot(1.0, self._ty))

    def in_view(self, centre: FloatArray, radius: float) -> bool:
        """Whether a sphere reaches into the view frustum."""
        cam = self.model.rotation @ (centre - self.model.position)
        x, y, z = float(cam[0]), float(cam[1]), float(cam[2])
        if z + radius <= self.model.near:
            return False
        if (abs(x) - self._tx * z) / self._nx > radius:
            return False
        return (abs(y) - self._ty * z) / self._ny <= radius

    def _offscreen(self, xy: FloatArray) -> bool:
        w, h = self.model.width, self.model.height
        lo = xy.min(axis=0)
        hi = xy.max(axis=0)
        return bool(hi[0] < 0 or hi[1] < 0 or lo[0] > w or lo[1] > h)

    def face(self, face: Face) -> None:
        model = self.model
        if face.normal is not None:
            toward = model.position - face.points[0]
            if float(face.normal @ toward) <= 1e-3:
                return
        cam = clip_near(model.to_camera(face.points), model.near)
        if cam is None:
            return
        xy = model.to_pixels(cam)
        if self._offscreen(xy):
            return
        look = self.look
        colour = face.colour
        if not look.interior:
            colour = look.fog(colour, float(np.linalg.norm(cam.mean(axis=0))))
        pts = xy.tolist()
        self.colour.fill_polygon(pts, argb(colour, face.alpha))
        if face.ink:
            self.colour.stroke(pts, argb(look.ink, look.ink_alpha * 0.8), self.ink_width, True)
        if face.depth:
            z = cam[:, 2]
            near, far = self.depth.level(float(z.min())), self.depth.level(float(z.max()))
            if near - far < 1.5:  # all one grey level: a flat fill is far cheaper
                self.grey.fill_polygon(pts, grey((near + far) / 2))
                return
            if face.normal is not None:
                plane = model.inverse_depth_of(face.normal, cam[0])
            else:
                plane = model.inverse_depth_plane(cam)
            if plane is not None:
                fill_ramp(self.grey, pts, plane, self.depth_stops)

    def line(self, line: Line) -> None:
        model = self.model
        if line.normal is not None and float(line.normal @ (model.position - line.a)) <= 1e-3:
            return
        cam = model.to_camera(np.stack([line.a, line.b]))
        seg = clip_segment_near(cam[0], cam[1], model.near)
        if seg is None:
            return
        xy = model.to_pixels(np.array(seg))
        if self._offscreen(xy):
            return
        colour = line.colour
        z = (seg[0][2] + seg[1][2]) / 2
        if not self.look.interior:
            colour = self.look.fog(colour, float(np.linalg.norm(cam.mean(axis=0))))
        width = line.width * model.fx / z if line.metres else line.width
        pts = xy.tolist()
        self.colour.stroke(pts, argb(colour, line.alpha), width)
        if line.depth:
            self.grey.stroke(pts, self.flat_depth(z), width)

    def strokes(self, strokes: Strokes) -> None:
        model = self.model
        ca, cb = model.to_camera(strokes.a), model.to_camera(strokes.b)
        near = model.near
        ahead_a, ahead_b = ca[:, 2] > near, cb[:, 2] > near
        keep = ahead_a | ahead_b
        if not keep.any():
            return
        ca, cb = ca[keep], cb[keep]
        ahead_a, ahead_b = ahead_a[keep], ahead_b[keep]
        for behind, other in ((~ahead_a, False), (~ahead_b, True)):
            if behind.any():  # slide the end behind the camera up to the near plane
                p, q = (cb, ca) if other else (ca, cb)
                t = (near - p[behind, 2]) / (q[behind, 2] - p[behind, 2])
                p[behind] = p[behind] + t[:, None] * (q[behind] - p[behind])
                p[behind, 2] = near
        pa, pb = model.to_pixels(ca), model.to_pixels(cb)
        colour = strokes.colour
        if not self.look.interior:
            mid = (ca.mean(axis=0) + cb.mean(axis=0)) / 2
            colour = self.look.fog(colour, float(np.linalg.norm(mid)))
        segs = np.concatenate([pa, pb], axis=1).tolist()
        self.colour.stroke_segments(segs, argb(colour, strokes.alpha), strokes.width)

    def patches(self, patches: Patches) -> None:
        model = self.model
        if patches.normal is not None:
            toward = model.position - patches.points[0, 0]
            if float(patches.normal @ toward) <= 1e-3:
                return
        k = len(patches.points)
        cam = model.to_camera(patches.points.reshape(-1, 3))
        ahead = (cam[:, 2] > model.near).reshape(k, 4).all(axis=1)
        if not ahead.any():
            return
        cam = cam.reshape(k, 4, 3)[ahead]
        colour = patches.colour
        if not self.look.interior:
            colour = self.look.fog(colour, float(np.linalg.norm(cam.reshape(-1, 3).mean(axis=0))))
        xy = model.to_pixels(cam.reshape(-1, 3)).reshape(-1, 4, 2)
        self.colour.fill_polygons(xy.tolist(), argb(colour, patches.alpha))

    def ball(self, ball: Ball) -> None:
        model = self.model
        cam = model.to_camera(ball.centre[None, :])[0]
        z = float(cam[2])
        if z <= max(model.near, ball.radius * 0.5):
            return
        u, v = model.to_pixels(cam[None, :])[0]
        r = ball.radius * model.fx / z
        if u + r < 0 or v + r < 0 or u - r > model.width or v - r > model.height:
            return
        colour = ball.colour
        if not self.look.interior:
            colour = self.look.fog(colour, float(np.linalg.norm(cam)))
        roll = self.roll_deg()
        if ball.ink:
            ink = self.ink_width
            self.colour.fill_oval(u, v, r + ink, r * ball.squash + ink, roll,
                                  argb(self.look.ink, self.look.ink_alpha))
        self.colour.fill_oval(u, v, r, r * ball.squash, roll, argb(colour))
        self.grey.fill_oval(u, v, r, r * ball.squash, roll, self.flat_depth(z))

    def roll_deg(self) -> float:
        """How far the world's vertical leans in the picture (dutch angle)."""
        r = self.model.rotation  # world up in camera space is r[:, 2]
        return float(np.degrees(np.arctan2(r[0, 2], -r[1, 2])))

    def glow(self, glow: Glow) -> None:
        model = self.model
        cam = model.to_camera(glow.centre[None, :])[0]
        if cam[2] <= model.near:
            return
        u, v = model.to_pixels(cam[None, :])[0]
        r = glow.radius * model.fx / cam[2]
        if r > 4 * (model.width + model.height):
            return
        self.colour.glow(float(u), float(v), float(r), argb(glow.colour, glow.alpha))

    def solid(self, solid: Solid) -> None:
        if not self.in_view(solid.anchor, solid.radius()):
            return
        faces = solid.faces
        if len(faces) > 1 and not solid.keep_order:  # far faces first within the object too
            pos = self.model.position
            faces = sorted(faces, key=lambda f: -float(
                np.sum((f.points.mean(axis=0) - pos) ** 2)))
        for f in faces:
            self.face(f)
        for p in solid.patches:
            self.patches(p)
        for st in solid.strokes:
            self.strokes(st)
        for ln in solid.lines:
            self.line(ln)
        for b in solid.balls:
            self.ball(b)
        for g in solid.glows:
            self.glow(g)
        if solid.label and solid.label_at is not None:
            # Tag it under the object, or on it when its foot is out of the frame.
            for at in (solid.label_at, solid.anchor):
                cam = self.model.to_camera(at[None, :])
                if cam[0, 2] <= self.model.near:
                    continue
                u, v = self.model.to_pixels(cam)[0]
                if 0 <= u <= self.model.width and 0 <= v <= self.model.height:
                    self.labels.append((float(u), float(v), solid.label))
                    break

    def flat_depth(self, z: float) -> int:
        """The depth canvas colour of something ``z`` metres ahead."""
        return grey(self.depth.level(z))

    def draw_labels(self) -> None:
        """Prop names in small dark tags, over everything else."""
        size = max(9.0, self.model.height / 48)
        pad = size * 0.35
        for u, v, text in self.labels:
            w = self.colour.text_width(text, size, bold=True)
            x0 = min(max(u - w / 2 - pad, 2), self.model.width - w - 2 * pad - 2)
            y0 = min(max(v + size * 0.6, 2), self.model.height - size - 2 * pad - 2)
            self.colour.fill_rect(x0, y0, x0 + w + 2 * pad, y0 + size + 2 * pad,
                                  argb((20, 20, 24), 0.62))
            self.colour.text(text, x0 + pad, y0 + pad + size * 0.82, size,
                             argb((250, 246, 236)), bold=True)
