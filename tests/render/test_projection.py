"""The pinhole camera: where world points land in the picture."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.model.stage import Camera
from shotline.render import project_points
from shotline.render.projection import camera_model, camera_record

W, H = 960, 540

angles = st.floats(-180, 180, allow_nan=False)
tilts = st.floats(-89, 89, allow_nan=False)
focals = st.floats(12, 150, allow_nan=False)
coords = st.floats(-20, 20, allow_nan=False)


def forward(cam: Camera) -> np.ndarray:
    return camera_model(cam, W, H).rotation[2]


@settings(max_examples=60, deadline=None)
@given(coords, coords, st.floats(0.2, 5), angles, tilts, angles, focals,
       st.floats(0.5, 50))
def test_a_point_on_the_optical_axis_lands_at_the_centre(
        x: float, y: float, z: float, pan: float, tilt: float, roll: float, focal: float,
        distance: float) -> None:
    cam = Camera(x, y, z, pan, tilt, roll, focal)
    point = np.array([x, y, z]) + forward(cam) * distance
    u, v = project_points(cam, point, W, H)[0]
    assert math.isclose(u, W / 2, abs_tol=1e-6)
    assert math.isclose(v, H / 2, abs_tol=1e-6)


@settings(max_examples=60, deadline=None)
@given(angles, tilts, angles, focals, st.floats(-0.3, 0.3), st.floats(-0.3, 0.3))
def test_doubling_the_focal_length_doubles_the_offsets(
        pan: float, tilt: float, roll: float, focal: float, dx: float, dy: float) -> None:
    cam = Camera(0, 0, 1.5, pan, tilt, roll, focal)
    model = camera_model(cam, W, H)
    # A point off the axis, 4 m ahead: right and down in camera space.
    point = model.position + model.rotation.T @ np.array([dx, dy, 4.0])
    short = project_points(cam, point, W, H)[0] - [W / 2, H / 2]
    long = project_points(Camera(0, 0, 1.5, pan, tilt, roll, focal * 2), point, W, H)[0]
    assert np.allclose(long - [W / 2, H / 2], 2 * short, atol=1e-6)


def test_the_world_projects_as_documented() -> None:
    # Pan 0 looks along +y; +x is the right of the frame; +z is up.
    cam = Camera(0, 0, 1.5, 0, 0, 0, 50)
    right, up = project_points(cam, [[1, 10, 1.5], [0, 10, 2.5]], W, H)
    assert right[0] > W / 2 and math.isclose(right[1], H / 2)
    assert up[1] < H / 2 and math.isclose(up[0], W / 2)
    # Pan 90 turns counter-clockwise seen from above: the camera looks along -x.
    u, v = project_points(Camera(0, 0, 1.5, 90, 0, 0, 50), [[-10, 0, 1.5]], W, H)[0]
    assert math.isclose(u, W / 2) and math.isclose(v, H / 2)
    # Tilting up puts a level point below the centre.
    assert project_points(Camera(0, 0, 1.5, 0, 10, 0, 50), [[0, 10, 1.5]], W, H)[0][1] > H / 2


@settings(max_examples=60, deadline=None)
@given(st.floats(-170, 170), focals, st.floats(-0.3, 0.3), st.floats(-0.3, 0.3))
def test_roll_rotates_the_picture_about_its_centre(
        roll: float, focal: float, dx: float, dz: float) -> None:
    point = [[dx, 5.0, 1.5 + dz]]
    level = project_points(Camera(0, 0, 1.5, 0, 0, 0, focal), point, W, H)[0] - [W / 2, H / 2]
    canted = project_points(Camera(0, 0, 1.5, 0, 0, roll, focal), point, W, H)[0] - [
        W / 2, H / 2]
    # The camera turns clockwise, so the world turns counter-clockwise on screen
    # (y grows downwards, so that is a negative angle in pixel coordinates).
    a = math.radians(-roll)
    expected = [level[0] * math.cos(a) - level[1] * math.sin(a),
                level[0] * math.sin(a) + level[1] * math.cos(a)]
    assert np.allclose(canted, expected, atol=1e-6)


def test_positive_roll_lifts_the_right_of_the_horizon() -> None:
    far_right = project_points(Camera(0, 0, 1.5, 0, 0, 10, 50), [[40, 100, 1.5]], W, H)[0]
    assert far_right[0] > W / 2 and far_right[1] < H / 2


@settings(max_examples=60, deadline=None)
@given(angles, tilts, angles, st.floats(0.0, 30))
def test_points_behind_the_camera_have_no_image(
        pan: float, tilt: float, roll: float, behind: float) -> None:
    cam = Camera(1, 2, 1.5, pan, tilt, roll, 35)
    point = np.array([1, 2, 1.5]) - forward(cam) * behind
    assert np.isnan(project_points(cam, point, W, H)).all()


def test_rows_match_their_points() -> None:
    cam = Camera(0, 0, 1.5, 0, 0, 0, 35)
    out = project_points(cam, [[0, 5, 1.5], [0, -5, 1.5], [1, 5, 1.5]], W, H)
    assert out.shape == (3, 2)
    assert not np.isnan(out[0]).any() and np.isnan(out[1]).all() and not np.isnan(out[2]).any()


@settings(max_examples=40, deadline=None)
@given(coords, coords, st.floats(0.2, 5), angles, tilts, angles, focals,
       st.sampled_from([(960, 540), (640, 480), (1280, 544), (500, 500)]))
def test_the_matrices_in_the_record_project_like_project_points(
        x: float, y: float, z: float, pan: float, tilt: float, roll: float, focal: float,
        size: tuple[int, int]) -> None:
    w, h = size
    cam = Camera(x, y, z, pan, tilt, roll, focal)
    record = camera_record(cam, camera_model(cam, w, h))
    k = np.array(record["intrinsics"])
    rt = np.array(record["extrinsics"])
    point = np.array([x, y, z]) + forward(cam) * 6 + np.array([0.3, -0.2, 0.4])
    cam_space = rt @ np.append(point, 1.0)
    if cam_space[2] <= 0.05:
        return
    uvw = k @ cam_space
    assert np.allclose(uvw[:2] / uvw[2], project_points(cam, point, w, h)[0], atol=1e-6)
    assert math.isclose(k[0, 0], focal / cam.sensor_width_mm * w)
    assert math.isclose(record["hfov_deg"], math.degrees(2 * math.atan(cam.sensor_width_mm
                                                                          / (2 * focal))))
