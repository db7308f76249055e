"""Characters as stylised figures built on a 3D skeleton.

The skeleton's first 18 joints are OpenPose's COCO-18 keypoints, so the figure
that is drawn and the pose image come from the same points. Everything about a
figure follows from its mark (place, facing, posture) and its Appearance (height,
build, hair, colours), so a character looks the same in every shot.

The figure is drawn from its projected joints: limbs as round-capped strokes whose
width follows the perspective, the torso as the outline of its chest and hips, the
head with its hair and a face that turns with the facing (eyes, nose and ears are
where the skeleton puts them). Every part has a thin ink outline, like a board
drawing; small figures drop the details they could not show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shotline.model.appearance import Appearance
from shotline.model.stage import ActorMark
from shotline.render.colour import RGB, argb, hex_rgb, mix, scale
from shotline.render.primitives import Face, box_faces
from shotline.render.projection import FloatArray
from shotline.render.scene_draw import DrawContext

(NOSE, NECK, R_SHOULDER, R_ELBOW, R_WRIST, L_SHOULDER, L_ELBOW, L_WRIST, R_HIP, R_KNEE,
 R_ANKLE, L_HIP, L_KNEE, L_ANKLE, R_EYE, L_EYE, R_EAR, L_EAR) = range(18)
(HEAD, CROWN, R_TOE, L_TOE, CHEST_F, CHEST_B, BELLY_F, BELLY_B, MOUTH_R, MOUTH_L, R_TRAP,
 L_TRAP) = range(18, 30)
JOINTS = 30

BUILD_WIDTH = {"slim": 0.86, "average": 1.0, "broad": 1.22}
SHOE: RGB = (46, 42, 40)


def _standing(b: float) -> FloatArray:
    """Joints as (right, forward, up) in units of the figure's height."""
    j = np.zeros((JOINTS, 3))
    j[HEAD] = (0, 0.004, 0.932)
    j[CROWN] = (0, 0, 1.0)
    j[NOSE] = (0, 0.071, 0.922)
    j[R_EYE], j[L_EYE] = (0.025, 0.058, 0.944), (-0.025, 0.058, 0.944)
    j[R_EAR], j[L_EAR] = (0.066, 0.0, 0.93), (-0.066, 0.0, 0.93)
    j[MOUTH_R], j[MOUTH_L] = (0.014, 0.06, 0.897), (-0.014, 0.06, 0.897)
    j[NECK] = (0, 0, 0.818)
    j[R_TRAP], j[L_TRAP] = (0.05 * b, -0.005, 0.842), (-0.05 * b, -0.005, 0.842)
    j[R_SHOULDER], j[L_SHOULDER] = (0.118 * b, 0, 0.81), (-0.118 * b, 0, 0.81)
    j[R_ELBOW], j[L_ELBOW] = (0.134 * b, -0.012, 0.626), (-0.134 * b, -0.012, 0.626)
    j[R_WRIST], j[L_WRIST] = (0.13 * b, 0.018, 0.468), (-0.13 * b, 0.018, 0.468)
    j[R_HIP], j[L_HIP] = (0.074 * b, 0, 0.526), (-0.074 * b, 0, 0.526)
    j[R_KNEE], j[L_KNEE] = (0.07 * b, 0.012, 0.286), (-0.07 * b, 0.012, 0.286)
    j[R_ANKLE], j[L_ANKLE] = (0.068 * b, 0, 0.046), (-0.068 * b, 0, 0.046)
    j[R_TOE], j[L_TOE] = (0.07 * b, 0.076, 0.016), (-0.07 * b, 0.076, 0.016)
    j[CHEST_F], j[CHEST_B] = (0, 0.07 * b, 0.74), (0, -0.06 * b, 0.75)
    j[BELLY_F], j[BELLY_B] = (0, 0.06 * b, 0.58), (0, -0.055 * b, 0.58)
    return j


def _set(j: FloatArray, index: int, forward: float, up: float) -> None:
    j[index, 1], j[index, 2] = forward, up


SEAT = 0.45  # metres: a chair's seat, as the blocking frames a seated head
SEATED = 0.52  # seat to head top, as a fraction of height


def _posed(posture: str, b: float, height: float) -> FloatArray:
    """The skeleton in units of height; ``height`` (metres) places absolute things,
    the seat and the floor under someone lying down."""
    j = _standing(b)
    if posture == "walking":
        _set(j, R_KNEE, 0.07, 0.29)
        _set(j, R_ANKLE, 0.14, 0.05)
        _set(j, R_TOE, 0.215, 0.03)
        _set(j, L_KNEE, -0.035, 0.28)
        _set(j, L_ANKLE, -0.125, 0.085)
        _set(j, L_TOE, -0.065, 0.025)
        _set(j, R_ELBOW, -0.06, 0.632)
        _set(j, R_WRIST, -0.1, 0.48)
        _set(j, L_ELBOW, 0.05, 0.632)
        _set(j, L_WRIST, 0.12, 0.5)
    elif posture == "running":
        upper = j[:, 2] > 0.5
        j[upper, 1] += (j[upper, 2] - 0.5) * 0.22  # lean into the run
        _set(j, R_KNEE, 0.15, 0.37)
        _set(j, R_ANKLE, 0.11, 0.17)
        _set(j, R_TOE, 0.18, 0.15)
        _set(j, L_KNEE, -0.05, 0.27)
        _set(j, L_ANKLE, -0.2, 0.15)
        _set(j, L_TOE, -0.15, 0.09)
        _set(j, R_ELBOW, -0.05, 0.65)
        _set(j, R_WRIST, 0.02, 0.58)
        _set(j, L_ELBOW, 0.13, 0.66)
        _set(j, L_WRIST, 0.2, 0.76)
    elif posture == "sitting":
        drop = 1.0 - (SEAT / height + SEATED)  # head top at seat + 0.52 of height
        upper = j[:, 2] > 0.5
        j[upper, 2] -= drop
        j[upper, 1] -= 0.05
        knee = SEAT / height + 0.02
        for side_knee, side_ankle, side_toe in ((R_KNEE, R_ANKLE, R_TOE),
                                                (L_KNEE, L_ANKLE, L_TOE)):
            _set(j, side_knee, 0.2, knee)
            _set(j, side_ankle, 0.23, 0.046)
            _set(j, side_toe, 0.3, 0.016)
        _set(j, R_ELBOW, 0.0, 0.626 - drop)
        _set(j, L_ELBOW, 0.0, 0.626 - drop)
        _set(j, R_WRIST, 0.14, knee + 0.04)
        _set(j, L_WRIST, 0.14, knee + 0.04)
    elif posture == "lying":
        # On the back along the facing, head first: up becomes forward.
        lying = j.copy()
        lying[:, 1] = j[:, 2] - 0.5
        lying[:, 2] = 0.12 + j[:, 1]
        j = lying
    return j


@dataclass(frozen=True, eq=False)
class Figure:
    mark: ActorMark
    appearance: Appearance
    joints: FloatArray  # (JOINTS, 3) world
    forward: FloatArray  # unit, horizontal
    right: FloatArray
    height: float
    build: float

    @property
    def anchor(self) -> FloatArray:
        return np.asarray((self.joints[R_HIP] + self.joints[L_HIP]) / 2, dtype=np.float64)


def build_figure(mark: ActorMark, appearance: Appearance) -> Figure:
    height = appearance.height if appearance.height > 0 else (mark.height or 1.7)
    b = BUILD_WIDTH.get(appearance.build, 1.0)
    f = math.radians(mark.facing)
    forward = np.array([-math.sin(f), math.cos(f), 0.0])
    right = np.array([math.cos(f), math.sin(f), 0.0])
    local = _posed(mark.posture, b, height) * height
    world = (np.array([mark.x, mark.y, 0.0]) + local[:, :1] * right + local[:, 1:2] * forward
             + local[:, 2:3] * np.array([0.0, 0.0, 1.0]))
    return Figure(mark, appearance, world, forward, right, height, b)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull, counter-clockwise (monotone chain, written out for speed)."""
    pts = sorted(points)
    if len(pts) < 3:
        return pts
    lower: list[tuple[float, float]] = []
    for px, py in pts:
        while len(lower) >= 2:
            (ox, oy), (ax, ay) = lower[-2], lower[-1]
            if (ax - ox) * (py - oy) - (ay - oy) * (px - ox) > 0:
                break
            lower.pop()
        lower.append((px, py))
    upper: list[tuple[float, float]] = []
    for px, py in reversed(pts):
        while len(upper) >= 2:
            (ox, oy), (ax, ay) = upper[-2], upper[-1]
            if (ax - ox) * (py - oy) - (ay - oy) * (px - ox) > 0:
                break
            upper.pop()
        upper.append((px, py))
    return lower[:-1] + upper[:-1]


def draw_shadow(ctx: DrawContext, fig: Figure) -> None:
    """A soft contact shadow on the floor, pushed a little away from the key light."""
    model = ctx.model
    kx, ky = ctx.look.key_dir
    centre = fig.anchor.copy()
    centre[2] = 0.002
    h = fig.height
    if fig.mark.posture == "lying":
        along, across = 0.55 * h, 0.16 * h * fig.build
    elif fig.mark.posture == "sitting":
        centre += fig.forward * 0.08 * h
        along, across = 0.24 * h, 0.19 * h * fig.build
    else:
        along, across = 0.15 * h, 0.17 * h * fig.build
    centre[0] += kx * 0.05 * h
    centre[1] += ky * 0.05 * h
    angles = np.linspace(0, 2 * math.pi, 12, endpoint=False)
    ring = (centre + np.cos(angles)[:, None] * fig.forward * along
            + np.sin(angles)[:, None] * fig.right * across)
    cam = model.to_camera(ring)
    if (cam[:, 2] <= model.near).any():
        return
    xy = model.to_pixels(cam)
    span = float(np.ptp(xy[:, 0]) + np.ptp(xy[:, 1]))
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    if hi[0] < 0 or hi[1] < 0 or lo[0] > model.width or lo[1] > model.height:
        return
    alpha = ctx.look.shadow_alpha
    if span >= 120:
        ctx.colour.soft_polygon(xy.tolist(), argb((0, 0, 0), alpha), span * 0.05)
        return
    # Smaller ones fake the blur with a faint ring round a darker core: far cheaper.
    colour = argb((0, 0, 0), alpha * 0.5)
    ctx.colour.fill_polygon(xy.tolist(), colour)
    if span >= 30:
        mid = xy.mean(axis=0)
        ctx.colour.fill_polygon((mid + (xy - mid) * 0.62).tolist(), colour)


def draw_chair(ctx: DrawContext, fig: Figure, seat: bool, back: bool) -> None:
    """Sitters get a chair: a seat under them and a back behind them, each drawn
    when the caller's painter's order calls for it."""
    hips = fig.anchor
    seat_top = float(hips[2]) - 0.04 * fig.height
    wood = ctx.look.lit((112, 80, 56))
    if seat:
        for face in box_faces(float(hips[0]), float(hips[1]), 0.0, 0.46, 0.46, seat_top, wood,
                              ctx.look.key_dir):
            ctx.face(face)
    if not back:
        return
    behind = hips - fig.forward * 0.2
    r = fig.right * 0.22
    up = np.array([0.0, 0.0, 1.0])
    low = behind + up * (seat_top - behind[2])
    high = behind + up * (seat_top + 0.45 - behind[2])
    ctx.face(Face(np.array([low - r, low + r, high + r, high - r]), scale(wood, 0.85), ink=True))


class _Pen:
    """One figure's projected joints, and its parts drawn into colour and depth."""

    def __init__(self, ctx: DrawContext, xy: list[list[float]], z: list[float],
                 outline: bool) -> None:
        self.ctx = ctx
        self.xy = xy
        self.z = z
        self.fx = ctx.model.fx
        self.ink = argb(ctx.look.ink)  # opaque: blending costs, and reads no better
        # Big figures: each part inked, and given its own depth. Smaller ones get
        # one outline and one depth silhouette for the whole body instead.
        self.outline = outline
        self.o = max(1.0, ctx.model.height / 420)

    def width(self, metres: float, joints: tuple[int, ...]) -> float:
        z = sum(self.z[i] for i in joints) / len(joints)
        return metres * self.fx / z

    def depth(self, joints: tuple[int, ...]) -> int:
        return self.ctx.flat_depth(sum(self.z[i] for i in joints) / len(joints))

    def limb(self, joints: tuple[int, ...], metres: float, colour: RGB) -> None:
        pts = [self.xy[i] for i in joints]
        w = self.width(metres, joints)
        if self.outline:
            self.ctx.colour.stroke(pts, self.ink, w + 2 * self.o)
            self.ctx.grey.stroke(pts, self.depth(joints), w)
        self.ctx.colour.stroke(pts, argb(colour), w)

    def hull(self, joints: tuple[int, ...]) -> list[tuple[float, float]]:
        return _hull([(self.xy[i][0], self.xy[i][1]) for i in joints])

    def blob(self, joints: tuple[int, ...], rounding_m: float, colour: RGB) -> None:
        pts = self.hull(joints)
        if len(pts) < 3:
            return
        w = self.width(rounding_m, joints)
        if self.outline:
            self.ctx.colour.blob(pts, self.ink, w + 2 * self.o)
            self.ctx.grey.blob(pts, self.depth(joints), w)
        self.ctx.colour.blob(pts, argb(colour), w)

    def disc(self, joint: int, radius_m: float, colour: RGB) -> None:
        x, y = self.xy[joint]
        r = radius_m * self.fx / self.z[joint]
        if self.outline:
            self.ctx.colour.fill_circle(x, y, r + self.o, self.ink)
        self.ctx.colour.fill_circle(x, y, r, argb(colour))


def draw_figure(ctx: DrawContext, fig: Figure) -> None:
    model = ctx.model
    cam = model.to_camera(fig.joints)
    z = cam[:, 2]
    if z.max() <= model.near:
        return
    ahead = z > model.near
    xy = np.zeros((JOINTS, 2))
    xy[ahead] = model.to_pixels(cam[ahead])
    if ahead.all():
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        pad = 0.15 * fig.height * model.fx / float(z.min())
        if (hi[0] + pad < 0 or hi[1] + pad < 0 or lo[0] - pad > model.width
                or lo[1] - pad > model.height):
            return
        size_px = fig.height * model.fx / float(z.mean())
    else:
        size_px = 1e6  # the lens is within reach of the figure: draw what is in front
    app = fig.appearance
    look = ctx.look
    h, b = fig.height, fig.build
    to_cam = model.position - fig.joints[HEAD]
    to_cam /= max(float(np.linalg.norm(to_cam)), 1e-9)
    toward = float(fig.forward @ to_cam)  # 1: faces the camera, -1: back to it
    facing_light = -float(fig.forward[0] * look.key_dir[0] + fig.forward[1] * look.key_dir[1])

    skin = look.figure(hex_rgb(app.skin), facing_light * 0.5 + 0.3)
    hair = look.figure(hex_rgb(app.hair_colour), 0.4)
    top = look.figure(hex_rgb(app.top), facing_light)
    bottom = look.figure(hex_rgb(app.bottom), facing_light)
    shoe = look.figure(SHOE, 0.0)
    if size_px < 14:  # a speck in a crowd: a body and a head
        _speck(ctx, xy, z, ahead, top, bottom, skin, hair, h, b)
        return

    detailed = size_px >= 220
    pen = _Pen(ctx, xy.tolist(), z.tolist(), outline=detailed)
    zl = pen.z

    everything = bool(ahead.all())

    def ok(*joints: int) -> bool:
        return everything or all(bool(ahead[i]) for i in joints)

    sitting = fig.mark.posture == "sitting"
    if sitting and toward >= 0:  # seen from the front: the whole chair is behind
        draw_chair(ctx, fig, seat=True, back=True)

    right_far = zl[R_SHOULDER] > zl[L_SHOULDER]
    arms = [(R_SHOULDER, R_ELBOW, R_WRIST), (L_SHOULDER, L_ELBOW, L_WRIST)]
    legs = [(R_HIP, R_KNEE, R_ANKLE), (L_HIP, L_KNEE, L_ANKLE)]
    shoes = [(R_ANKLE, R_TOE), (L_ANKLE, L_TOE)]
    if not right_far:
        arms.reverse()
        legs.reverse()
        shoes.reverse()
    torso = (R_SHOULDER, L_SHOULDER, R_TRAP, L_TRAP, CHEST_F, CHEST_B, BELLY_F, BELLY_B,
             R_HIP, L_HIP)
    pelvis = (R_HIP, L_HIP, BELLY_F, BELLY_B)
    arm_w, leg_w, torso_round = 0.05 * h * b, 0.072 * h * b, 0.06 * h * b
    if not detailed:
        _silhouette(pen, [p for p in legs if ok(*p)],
                    [p for p in (*arms, *shoes, (NECK, HEAD)) if ok(*p)],
                    torso if ok(*torso) else None, leg_w, arm_w, torso_round, h)

    if app.hair == "long" and toward >= -0.2 and ok(HEAD, NECK):
        _long_hair(pen, hair, h)
    far_arm, near_arm = arms
    if ok(*far_arm):
        pen.limb(far_arm, arm_w, scale(top, 0.8))
        pen.disc(far_arm[2], 0.028 * h, scale(skin, 0.85))
    if detailed:
        for shoe_joints in shoes:
            if ok(*shoe_joints):
                pen.limb(shoe_joints, 0.05 * h, shoe)
    else:
        feet = [[pen.xy[i] for i in p] for p in shoes if ok(*p)]
        if feet:
            ctx.colour.stroke_polylines(feet, argb(shoe), pen.width(0.05 * h, shoes[0]))
    for leg, colour in ((legs[0], scale(bottom, 0.8)), (legs[1], bottom)):
        if ok(*leg):
            pen.limb(leg, leg_w, colour)
    if sitting and toward < 0:  # from behind, the seat hides the legs beyond it
        draw_chair(ctx, fig, seat=True, back=False)
    if detailed and ok(*pelvis):
        pen.blob(pelvis, 0.05 * h, bottom)
    if ok(NECK, HEAD):
        pen.limb((NECK, HEAD), 0.05 * h, scale(skin, 0.9))
    if ok(*torso):
        pen.blob(torso, torso_round, top)
    if ok(*near_arm):
        pen.limb(near_arm, arm_w, top)
        pen.disc(near_arm[2], 0.028 * h, skin)
    if ok(HEAD, CROWN, NOSE):
        _head(pen, fig, hair, skin, toward, size_px)
    if sitting and toward < 0:
        draw_chair(ctx, fig, seat=False, back=True)


def _silhouette(pen: _Pen, legs: list[tuple[int, ...]], thin: list[tuple[int, ...]],
                torso: tuple[int, ...] | None, leg_w: float, arm_w: float, round_w: float,
                h: float) -> None:
    """One ink outline round the whole body, and its depth at one distance: four
    strokes each instead of one per part, and at this size inner lines would not
    show anyway."""
    colour, grey, ink, o = pen.ctx.colour, pen.ctx.grey, pen.ink, pen.o
    level = pen.depth(tuple(range(JOINTS)))
    if legs:
        lines = [[pen.xy[i] for i in p] for p in legs]
        w = pen.width(leg_w, legs[0])
        colour.stroke_polylines(lines, ink, w + 2 * o)
        grey.stroke_polylines(lines, level, w)
    if thin:
        lines = [[pen.xy[i] for i in p] for p in thin]
        w = pen.width(arm_w, thin[0])
        colour.stroke_polylines(lines, ink, w + 2 * o)
        grey.stroke_polylines(lines, level, w)
    if torso is not None:
        pts = pen.hull(torso)
        if len(pts) >= 3:
            w = pen.width(round_w, torso)
            colour.blob(pts, ink, w + 2 * o)
            grey.blob(pts, level, w)
    x, y = pen.xy[HEAD]
    r = pen.width(0.07 * h, (HEAD,))
    colour.fill_circle(x, y, r + o, ink)
    grey.fill_circle(x, y, r, level)


def _speck(ctx: DrawContext, xy: FloatArray, z: FloatArray, ahead: np.ndarray, top: RGB,
           bottom: RGB, skin: RGB, hair: RGB, h: float, b: float) -> None:
    if not ahead[[HEAD, NECK, R_HIP, L_HIP, R_ANKLE, L_ANKLE]].all():
        return
    k = ctx.model.fx
    hips = ((xy[R_HIP] + xy[L_HIP]) / 2).tolist()
    feet = ((xy[R_ANKLE] + xy[L_ANKLE]) / 2).tolist()
    zb = float(z[NECK])
    w = max(0.8, 0.1 * h * b * k / zb)
    ctx.colour.stroke([hips, feet], argb(bottom), w * 0.8)
    ctx.colour.stroke([xy[NECK].tolist(), hips], argb(top), w * 1.2)
    r = max(0.7, 0.068 * h * k / float(z[HEAD]))
    ctx.colour.fill_circle(float(xy[HEAD, 0]), float(xy[HEAD, 1]), r, argb(mix(skin, hair, 0.5)))
    ctx.grey.stroke([xy[HEAD].tolist(), feet], ctx.flat_depth(zb), w)


def _long_hair(pen: _Pen, hair: RGB, h: float) -> None:
    """Hair falling to the shoulders: behind a face that looks our way, over the
    back of one that does not."""
    x, y = pen.xy[HEAD]
    nx, ny = pen.xy[NECK]
    w = pen.width(0.125 * h, (HEAD,))
    pts = [[x, y], [x + (nx - x) * 1.25, y + (ny - y) * 1.25]]
    if pen.outline:
        pen.ctx.colour.stroke(pts, pen.ink, w + 2 * pen.o)
    pen.ctx.colour.stroke(pts, argb(hair), w)


def _project(pen: _Pen, point: FloatArray) -> tuple[float, float] | None:
    model = pen.ctx.model
    cam = model.rotation @ (point - model.position)
    if cam[2] <= model.near:
        return None
    return (float(model.cx + model.fx * cam[0] / cam[2]),
            float(model.cy + model.fy * cam[1] / cam[2]))


def _head(pen: _Pen, fig: Figure, hair: RGB, skin: RGB, toward: float,
          size_px: float) -> None:
    ctx = pen.ctx
    canvas = ctx.colour
    app = fig.appearance
    h = fig.height
    radius_m = 0.068 * h * (1 + (fig.build - 1) * 0.25)
    hx, hy = pen.xy[HEAD]
    cx, cy = pen.xy[CROWN]
    r = pen.width(radius_m, (HEAD,))
    tall = math.hypot(cx - hx, cy - hy)  # short when seen from above
    rx = 0.86 * r
    ry = min(max(tall * 1.02, rx), r)
    angle = math.degrees(math.atan2(cx - hx, -(cy - hy))) if tall > 1e-6 else 0.0
    o = pen.o if pen.outline else 0.0
    detail = r >= 7.0

    # Where the hair sits, worked out in 3D so it is right from any angle: up over
    # a face that looks at us, back in profile, over all but the nape from behind.
    up = np.array([0.0, 0.0, 1.0])
    lift = 0.2 + 1.3 * max(0.0, toward)
    hair_at = _project(pen, fig.joints[HEAD] + (up * lift - fig.forward * 0.55) * radius_m)

    def behind_head() -> None:
        if app.hair == "ponytail":
            tip = _project(pen, fig.joints[HEAD] - fig.forward * 1.6 * radius_m
                           - up * 1.4 * radius_m)
            root = _project(pen, fig.joints[HEAD] - fig.forward * 0.9 * radius_m
                            + up * 0.2 * radius_m)
            if tip and root:
                if pen.outline:
                    canvas.stroke([root, tip], pen.ink, r * 0.5 + 2 * o)
                canvas.stroke([root, tip], argb(hair), r * 0.5)
        elif app.hair == "bun":
            bun = _project(pen, fig.joints[HEAD] + (up * 0.75 - fig.forward * 0.7) * radius_m)
            if bun:
                if pen.outline:
                    canvas.fill_circle(bun[0], bun[1], r * 0.42 + o, pen.ink)
                canvas.fill_circle(bun[0], bun[1], r * 0.42, argb(hair))

    facing_us = toward > 0
    if facing_us:
        behind_head()
    if detail:  # ears go under the head: only what sticks out shows
        for ear in (R_EAR, L_EAR):
            ex, ey = pen.xy[ear]
            if o:
                canvas.fill_circle(ex, ey, r * 0.2 + o, pen.ink)
            canvas.fill_circle(ex, ey, r * 0.2, argb(scale(skin, 0.92)))
    if o:
        canvas.fill_oval(hx, hy, rx + o, ry + o, angle, pen.ink)
    if pen.outline:
        ctx.grey.fill_circle(hx, hy, r, pen.depth((HEAD,)))
    if not detail and app.hair != "bald" and hair_at is not None:
        # A small head: hair all over, then the face as a smaller oval turned the
        # way the hair is not. Two fills, no clipping.
        canvas.fill_oval(hx, hy, rx, ry, angle, argb(hair))
        if toward > -0.35:
            k = 0.45 + 0.2 * (1 - max(0.0, toward))
            fx_, fy_ = hx + (hx - hair_at[0]) * k, hy + (hy - hair_at[1]) * k
            canvas.fill_oval(fx_, fy_, rx * 0.8, ry * 0.78, angle, argb(skin))
        if toward > -0.2 and r >= 2.5:
            _face(pen, fig, hair, skin, r, False)
        return
    canvas.fill_oval(hx, hy, rx, ry, angle, argb(skin))

    if app.hair != "bald" and hair_at is not None:
        grow = {"curly": 1.14, "short": 1.05}.get(app.hair, 1.07)
        canvas.clip_oval(hx, hy, rx * grow, ry * grow, angle)
        canvas.fill_circle(hair_at[0], hair_at[1], r * 1.02, argb(hair))
        canvas.unclip()
        if app.hair == "curly" and detail:
            # Curls: bumps along the crown's edge, hugging the head.
            ux, uy = (cx - hx) / max(tall, 1e-6), (cy - hy) / max(tall, 1e-6)
            if tall < 0.3 * r:  # from above: curls all round
                ux, uy, spread = 0.0, -1.0, 50.0
            else:
                spread = 20.0
            bumps = []
            for k in range(-3, 4):
                a = math.radians(k * spread)
                dx = ux * math.cos(a) - uy * math.sin(a)
                dy = uy * math.cos(a) + ux * math.sin(a)
                bumps.append((hx + dx * rx * 0.92, hy + dy * ry * 0.92, r * 0.27))
            canvas.fill_circles(bumps, argb(hair))

    if toward > -0.2 and r >= 2.5:
        _face(pen, fig, hair, skin, r, detail)
    if not facing_us:
        behind_head()
        if app.hair == "long":
            _long_hair(pen, hair, h)


def _face(pen: _Pen, fig: Figure, hair: RGB, skin: RGB, r: float, detail: bool) -> None:
    """Eyes, brows, nose and mouth, each drawn only when it turns toward the lens."""
    ctx = pen.ctx
    canvas = ctx.colour
    where = ctx.model.position

    def seen(joint: int, normal: FloatArray, margin: float) -> bool:
        to_cam = where - fig.joints[joint]
        return float(normal @ to_cam) > margin * float(np.linalg.norm(to_cam))

    dots = []
    for eye, side in ((R_EYE, 1.0), (L_EYE, -1.0)):
        if not seen(eye, fig.forward * 0.8 + fig.right * side * 0.6, 0.2):
            continue
        ex, ey = pen.xy[eye]
        dots.append((ex, ey, max(0.7, r * 0.1)))
        if detail and r >= 12:
            brow = [[ex - r * 0.15, ey - r * 0.21], [ex + r * 0.15, ey - r * 0.23]]
            canvas.stroke(brow, argb(scale(hair, 0.75)), max(1.0, r * 0.06))
    if dots:
        canvas.fill_circles(dots, argb((28, 22, 20)))
    if not detail:
        return
    if seen(NOSE, fig.forward, -0.2):
        nx, ny = pen.xy[NOSE]
        canvas.fill_circle(nx, ny, r * 0.14, argb(scale(skin, 0.8)))
    if r >= 9 and seen(NOSE, fig.forward, 0.35):
        canvas.stroke([pen.xy[MOUTH_R], pen.xy[MOUTH_L]], argb((132, 64, 60)),
                      max(1.0, r * 0.06))
