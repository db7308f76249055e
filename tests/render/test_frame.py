"""Rendered frames: valid images, the right things in the right places, and no
crash on awkward stages."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from shotline.model.appearance import Appearance, appearance_for
from shotline.model.stage import ActorMark, Camera, PropMark, SetPiece, Stage
from shotline.render import COCO18_LIMBS, RenderedFrame, project_points, render_stage
from shotline.render.pose import COCO18_COLOURS
from tests.render.examples import (
    FIELD,
    HARBOUR,
    HARBOUR_DAY,
    KITCHEN,
    KITCHEN_NIGHT,
    aim,
    close_up,
    crowd,
    facing,
    insert,
    stage,
    two_shot,
)

W, H = 960, 540


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def single(piece: SetPiece = KITCHEN, camera: Camera | None = None,
           actor: ActorMark | None = None) -> Stage:
    """One person mid-room, facing a camera 4 m away."""
    who = actor or ActorMark("MARA", 0.0, 3.0, 180.0, 1.7)
    cam = camera or aim(0.0, -1.0, 1.5, 0.0, 3.0, 1.1, 32)
    return stage("3A", piece, [who], [], cam, "FS", ("MARA",))


@pytest.fixture(scope="module")
def frame() -> RenderedFrame:
    return render_stage(two_shot(), {})


def test_the_three_images_are_pngs_of_the_frame_size(frame: RenderedFrame) -> None:
    for data, mode in ((frame.image, "RGB"), (frame.depth, "L"), (frame.pose, "RGB")):
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format == "PNG" and image.mode == mode and image.size == (W, H)


@pytest.mark.parametrize("size", [(640, 480), (1280, 544), (320, 320), (1, 1)])
def test_other_sizes_and_aspects(size: tuple[int, int]) -> None:
    w, h = size
    out = render_stage(two_shot(), {}, w, h)
    for data in (out.image, out.depth, out.pose):
        assert Image.open(io.BytesIO(data)).size == (w, h)
    assert (out.camera["width"], out.camera["height"]) == (w, h)
    k = np.array(out.camera["intrinsics"])
    assert math.isclose(k[0, 0], k[1, 1]) and math.isclose(k[0, 2], w / 2)
    assert math.isclose(out.camera["sensor_height_mm"], out.camera["sensor_width_mm"] * h / w)


def test_the_same_stage_gives_the_same_bytes(frame: RenderedFrame) -> None:
    again = render_stage(two_shot(), {})
    assert (again.image, again.depth, again.pose) == (frame.image, frame.depth, frame.pose)
    render_stage(crowd(), {}, 640, 360)  # other work in between changes nothing
    assert render_stage(two_shot(), {}).image == frame.image


def test_a_character_looks_the_same_in_every_shot_and_by_default() -> None:
    default = render_stage(single(), {})
    explicit = render_stage(single(), {"MARA": appearance_for("MARA")})
    assert default.image == explicit.image


def chest(st: Stage, name: str = "MARA") -> tuple[int, int]:
    actor = next(a for a in st.actors if a.name == name)
    height = appearance_for(name).height
    u, v = project_points(st.camera, [[actor.x, actor.y, height * 0.68]], W, H)[0]
    return round(float(u)), round(float(v))


def test_the_costume_colours_show_where_the_figure_stands() -> None:
    st = single()
    u, v = chest(st)
    base = appearance_for("MARA")
    red = render_stage(st, {"MARA": replace(base, top="#d01010", bottom="#101010")})
    blue = render_stage(st, {"MARA": replace(base, top="#1010d0", bottom="#101010")})
    r = pixels(red.image)[v - 3:v + 4, u - 3:u + 4].reshape(-1, 3).mean(axis=0)
    b = pixels(blue.image)[v - 3:v + 4, u - 3:u + 4].reshape(-1, 3).mean(axis=0)
    assert r[0] > r[2] + 80 and b[2] > b[0] + 80
    # Skin at the face, hair or skin on the head: not the wall colour behind.
    far = pixels(red.image)[v, min(W - 1, u + 200)]
    assert np.abs(pixels(red.image)[v, u].astype(int) - far).sum() > 60


def test_day_and_night_look_clearly_different() -> None:
    for day, night in ((KITCHEN, KITCHEN_NIGHT), (HARBOUR_DAY, HARBOUR)):
        bright = pixels(render_stage(single(day), {}).image).mean()
        dark = pixels(render_stage(single(night), {}).image).mean()
        assert bright > dark + 50, (day.location, bright, dark)


def test_interiors_and_exteriors_look_different() -> None:
    inside = pixels(render_stage(single(KITCHEN), {}).image).astype(int)
    outside = pixels(render_stage(single(FIELD), {}).image).astype(int)
    assert np.abs(inside - outside).mean() > 30
    # Outdoors the top of a level frame is sky: bluer than it is red.
    level = single(HARBOUR_DAY, aim(0.0, -1.0, 1.5, 0.0, 3.0, 1.5, 32))
    sky = pixels(render_stage(level, {}).image)[60:120, 600:900].reshape(-1, 3).mean(axis=0)
    assert sky[2] > sky[0] + 20


def test_a_near_figure_is_brighter_than_the_far_wall_in_depth() -> None:
    st = single()
    depth = pixels(render_stage(st, {}).depth)
    u, v = chest(st)
    back_wall = project_points(st.camera, [[-2.0, 6.0, 2.2]], W, H)[0]
    wall = depth[int(back_wall[1]), int(back_wall[0])]
    assert depth[v, u] > wall + 40
    assert depth.max() == 255 or depth[v, u] > 150  # the subject sits high in the range


def test_depth_runs_smoothly_along_the_floor() -> None:
    st = stage("3B", KITCHEN, [], [], aim(0, -1, 1.6, 0, 4, 0.0, 25), "WS")
    depth = pixels(render_stage(st, {}).depth).astype(int)
    column = depth[H // 2 + 40:, W // 2]
    assert (np.diff(column) >= 0).all()  # nearer (lower in frame) is never darker
    assert column[-1] > column[0]


def test_depth_of_the_sky_is_black_and_the_camera_record_has_the_mapping() -> None:
    out = render_stage(single(HARBOUR_DAY, aim(0.0, -1.0, 1.5, 0.0, 3.0, 1.5, 32)), {})
    assert pixels(out.depth)[5, W // 2] == 0
    assert 0 < out.camera["depth_near_m"] < out.camera["depth_far_m"]


def keypoint_colour(pose: np.ndarray, u: float, v: float, k: int) -> bool:
    """Whether keypoint k's dot is drawn at (u, v)."""
    patch = pose[int(v) - 1:int(v) + 2, int(u) - 1:int(u) + 2].reshape(-1, 3).astype(int)
    return bool((np.abs(patch - COCO18_COLOURS[k]).sum(axis=1) < 30).any())


def test_pose_keypoints_sit_where_the_head_and_feet_project() -> None:
    st = single(camera=aim(0.0, -3.0, 1.5, 0.0, 3.0, 0.9, 28))
    out = render_stage(st, {})
    pose = pixels(out.pose)
    a = st.actors[0]
    f = math.radians(a.facing)
    ahead = np.array([-math.sin(f), math.cos(f), 0.0])
    height = appearance_for("MARA").height
    nose = np.array([a.x, a.y, 0]) + ahead * 0.071 * height + [0, 0, 0.922 * height]
    u, v = project_points(st.camera, [nose], W, H)[0]
    assert keypoint_colour(pose, u, v, 0)
    right = np.array([math.cos(f), math.sin(f), 0.0])
    ankle = np.array([a.x, a.y, 0]) + right * 0.068 * height + [0, 0, 0.046 * height]
    u, v = project_points(st.camera, [ankle], W, H)[0]
    assert keypoint_colour(pose, u, v, 10)
    assert len(COCO18_LIMBS) == 17


def test_pose_shows_only_characters_in_the_frame() -> None:
    beside = ActorMark("TEO", 30.0, 3.0, 180.0, 1.8)
    behind = ActorMark("ADA", 0.0, -4.0, 0.0, 1.6)
    st = replace(single(), actors=(beside, behind))
    assert pixels(render_stage(st, {}).pose).max() == 0
    st = replace(single(), actors=(beside, behind, single().actors[0]))
    assert pixels(render_stage(st, {}).pose).max() > 0


def test_the_camera_record_is_complete_json(frame: RenderedFrame) -> None:
    cam = json.loads(json.dumps(frame.camera))
    for key in ("position", "pan_deg", "tilt_deg", "roll_deg", "focal_mm", "sensor_width_mm",
                "sensor_height_mm", "hfov_deg", "vfov_deg", "width", "height", "intrinsics",
                "extrinsics", "depth_near_m", "depth_far_m"):
        assert key in cam
    st = two_shot()
    assert cam["position"] == [st.camera.x, st.camera.y, st.camera.z]
    assert cam["focal_mm"] == st.camera.focal_mm
    fx = st.camera.focal_mm / st.camera.sensor_width_mm * W
    assert np.allclose(cam["intrinsics"], [[fx, 0, W / 2], [0, fx, H / 2], [0, 0, 1]])
    assert math.isclose(cam["vfov_deg"], math.degrees(2 * math.atan(H / 2 / fx)))
    r = np.array(cam["extrinsics"])[:, :3]
    assert np.allclose(r @ r.T, np.eye(3), atol=1e-9)

    def leaves(value: object) -> list[object]:
        if isinstance(value, dict):
            return [x for v in value.values() for x in leaves(v)]
        if isinstance(value, list):
            return [x for v in value for x in leaves(v)]
        return [value]

    # Plain Python values only, so any JSON encoder takes it (numpy scalars are not).
    assert {type(v) for v in leaves(frame.camera)} <= {int, float, str}


def test_the_burn_in_shows_the_shot(frame: RenderedFrame) -> None:
    other = pixels(render_stage(replace(two_shot(), shot_id="5D", size="MCU"), {}).image)
    here = pixels(frame.image)
    diff = np.abs(here.astype(int) - other.astype(int)).sum(axis=2) > 0
    ys, xs = np.nonzero(diff)
    assert len(ys) > 20
    assert xs.max() < W * 0.4 and ys.max() < H * 0.2  # only in the corner box
    scene = pixels(render_stage(replace(two_shot(), scene="77"), {}).image)
    assert (np.abs(scene.astype(int) - here.astype(int)).sum(axis=2) > 0)[: H // 5].any()


@pytest.mark.parametrize("st", [
    stage("1A", KITCHEN, [], [], aim(0, -1, 1.6, 0, 3, 1.2, 32), "WS"),
    stage("1B", HARBOUR, [], [], aim(0, -6, 1.8, 0, 6, 1.2, 18), "EWS"),
    crowd(100, HARBOUR_DAY),
    stage("1C", KITCHEN, [ActorMark("MARA", 0, -3, 0, 1.7), ActorMark("TEO", 0, 0.5, 0, 1.8)],
          [PropMark("BOX", 0, -2, 0.5, 0.5)], aim(0, 1.0, 1.6, 0, 4, 1.4, 35), "MS"),
    # The camera in the back wall, and one inside a figure.
    stage("1D", KITCHEN, [ActorMark("MARA", 0, 3, 180, 1.7)], [],
          Camera(0, 6.0, 1.6, 180, 0, 0, 25), "WS"),
    stage("1E", KITCHEN, [ActorMark("MARA", 0, 3, 180, 1.7)], [],
          Camera(0, 3.0, 1.5, 0, 0, 0, 25), "CU"),
    stage("1F", KITCHEN, [ActorMark("MARA", 0, 3, 90, 1.7, "lying")], [],
          Camera(0, 3, 2.5, 0, -90, 0, 18), "EWS"),
    stage("1G", FIELD, [ActorMark("MARA", 0, 5, 200, 1.7, "running")], [],
          aim(-2, 0, 1.2, 0.5, 5, 1.0, 32, roll=35), "WS"),
    stage("1H", FIELD, [ActorMark("MARA", 0, 5, 200, 1.7, "sitting")], [],
          Camera(0, 0, 30, 0, 90, 180, 12), "EWS"),
    stage("1I", SetPiece("interior", "", 0, 0, 0, False, None),
          [ActorMark("", 0, 1, 0, 0, "walking")], [PropMark("", 0, 1, 0, 0)],
          Camera(0, 0, 0, 0, 0, 0, 300), ""),
    close_up(), insert(),
], ids=lambda s: s.shot_id + "-" + s.set.location)
def test_awkward_stages_render(st: Stage) -> None:
    out = render_stage(st, {})
    assert Image.open(io.BytesIO(out.image)).size == (W, H)
    assert len(out.depth) > 0 and len(out.pose) > 0


def test_facing_shows_in_the_frame() -> None:
    """A face toward the camera shows skin where a back view shows hair."""
    who = appearance_for("MARA")
    look = replace(who, hair="short", hair_colour="#101010", skin="#f0c8a0")
    towards = single(actor=ActorMark("MARA", 0, 3, 180, 1.7))
    away = single(actor=ActorMark("MARA", 0, 3, 0, 1.7))
    u, v = project_points(towards.camera, [[0, 3, look.height * 0.925]], W, H)[0]
    front = pixels(render_stage(towards, {"MARA": look}).image)[int(v), int(u)].astype(int)
    back = pixels(render_stage(away, {"MARA": look}).image)[int(v), int(u)].astype(int)
    assert front.sum() > back.sum() + 150


def test_taller_and_broader_figures_take_more_of_the_frame() -> None:
    base = replace(appearance_for("MARA"), top="#d01010", bottom="#d01010")
    st = single()

    def red_area(look: Appearance) -> int:
        img = pixels(render_stage(st, {"MARA": look}).image).astype(int)
        return int(((img[:, :, 0] > 120) & (img[:, :, 1] < 60)).sum())

    assert red_area(replace(base, height=1.9)) > red_area(replace(base, height=1.5)) * 1.2
    assert red_area(replace(base, build="broad")) > red_area(replace(base, build="slim")) * 1.1


def test_walking_posture_changes_the_legs() -> None:
    standing = single(actor=ActorMark("MARA", 0, 3, 90, 1.7))
    walking = single(actor=ActorMark("MARA", 0, 3, 90, 1.7, "walking"))
    a = render_stage(standing, {}).pose
    b = render_stage(walking, {}).pose
    assert a != b


def test_facing_helper_points_where_it_says() -> None:
    assert math.isclose(facing(0, 0, 0, 1), 0.0, abs_tol=1e-9)
    assert math.isclose(facing(0, 0, -1, 0), 90.0)
