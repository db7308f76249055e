"""One staged shot to a board frame, its depth image, its pose image and its camera."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from shotline.model.appearance import Appearance, appearance_for
from shotline.model.stage import SetPiece, Stage
from shotline.render._skia import Canvas
from shotline.render.burnin import draw_burnin
from shotline.render.colour import argb
from shotline.render.depth import depth_range
from shotline.render.exterior import build_exterior, draw_sky_and_ground
from shotline.render.figures import Figure, build_figure, draw_figure, draw_shadow
from shotline.render.lighting import Look, look_for
from shotline.render.png import encode_grey, encode_rgb
from shotline.render.pose import draw_pose, keypoints
from shotline.render.primitives import Solid
from shotline.render.projection import camera_model, camera_record
from shotline.render.props import build_prop
from shotline.render.room import RoomBox, build_room, room_box
from shotline.render.scene_draw import DrawContext


@dataclass(frozen=True)
class RenderedFrame:
    """A rendered shot. ``image``: RGB PNG, the board frame. ``depth``: 8-bit grey
    PNG, inverse depth, near white and far black (see ``depth.py``). ``pose``: RGB
    PNG, OpenPose COCO-18 skeletons on black. ``camera``: the camera as JSON-able
    data, with its intrinsic and extrinsic matrices and the depth mapping."""

    image: bytes
    depth: bytes
    pose: bytes
    camera: dict[str, Any]


class _Buffers:
    """Pixel buffers and canvases for one image size, reused frame after frame."""

    def __init__(self, width: int, height: int) -> None:
        self.bgra = np.zeros((height, width, 4), dtype=np.uint8)
        self.colour = Canvas(self.bgra)
        self.grey = np.zeros((height, width), dtype=np.uint8)
        self.depth = Canvas(self.grey, antialias=False)
        self.pose_bgra = np.zeros((height, width, 4), dtype=np.uint8)
        self.pose = Canvas(self.pose_bgra, antialias=False)  # as OpenPose draws


_local = threading.local()  # canvases are not shared between threads


def _buffers(width: int, height: int) -> _Buffers:
    cache: dict[tuple[int, int], _Buffers] | None = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    found = cache.get((width, height))
    if found is None:
        if len(cache) >= 4:
            cache.clear()
        found = cache[(width, height)] = _Buffers(width, height)
    return found


@lru_cache(maxsize=32)
def _room(piece: SetPiece, box: RoomBox, look: Look) -> tuple[Solid, tuple[Solid, ...]]:
    shell, furniture = build_room(piece, box, look)
    return shell, tuple(furniture)


@lru_cache(maxsize=32)
def _exterior(piece: SetPiece, look: Look) -> tuple[Solid, tuple[Solid, ...]]:
    decals, dressing = build_exterior(piece, look)
    return decals, tuple(dressing)


def _appearance(name: str, appearances: Mapping[str, Appearance]) -> Appearance:
    found = appearances.get(name)
    if found is None:
        found = appearances.get(name.strip().upper())
    return found if found is not None else appearance_for(name)


def _check(stage: Stage) -> None:
    c = stage.camera
    values = (c.x, c.y, c.z, c.pan, c.tilt, c.roll, c.focal_mm, c.sensor_width_mm)
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"shot {stage.shot_id}: the camera has a non-finite value")


def render_stage(stage: Stage, appearances: Mapping[str, Appearance], width: int = 960,
                 height: int = 540, clean: bool = False) -> RenderedFrame:
    """Render the stage from its camera: the board frame, depth, pose and camera.
    A clean frame has no labels or burn-in: it is what image models are shown."""
    _check(stage)
    model = camera_model(stage.camera, width, height)
    look = look_for(stage.set)
    buf = _buffers(width, height)
    ctx = DrawContext(model, look, depth_range(stage, model), buf.colour, buf.depth)
    buf.colour.clear(argb(look.clear))
    buf.depth.clear(0xFF000000)

    if stage.set.kind == "interior":
        backdrop, dressing = _room(stage.set, room_box(stage), look)
    else:
        draw_sky_and_ground(ctx, stage)
        backdrop, dressing = _exterior(stage.set, look)
    ctx.solid(backdrop)

    figures = [build_figure(a, _appearance(a.name, appearances)) for a in stage.actors
               if math.isfinite(a.x) and math.isfinite(a.y) and math.isfinite(a.facing)]
    for fig in figures:
        draw_shadow(ctx, fig)

    # Painter's algorithm: the farthest object first.
    here = model.position
    order: list[tuple[float, int, Solid | Figure]] = []
    for solid in (*dressing, *(build_prop(p, look) for p in stage.props)):
        order.append((float(np.sum((solid.anchor - here) ** 2)), len(order), solid))
    for fig in figures:
        order.append((float(np.sum((fig.anchor - here) ** 2)), len(order), fig))
    order.sort(key=lambda item: (-item[0], item[1]))
    for _, _, thing in order:
        if isinstance(thing, Figure):
            draw_figure(ctx, thing)
        else:
            ctx.solid(thing)
    if not clean:
        ctx.draw_labels()
        draw_burnin(buf.colour, stage)

    draw_pose(buf.pose, model, [keypoints(model, f) for f in figures])
    camera = camera_record(stage.camera, model)
    camera["depth_near_m"] = ctx.depth.near
    camera["depth_far_m"] = ctx.depth.far
    camera["depth_encoding"] = "inverse depth: 255 * (near/z - near/far) / (1 - near/far)"
    return RenderedFrame(
        image=encode_rgb(buf.bgra),
        depth=encode_grey(buf.grey),
        pose=encode_rgb(buf.pose_bgra),
        camera=camera,
    )
