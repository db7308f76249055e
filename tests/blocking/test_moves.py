"""Where moving cameras end."""

from __future__ import annotations

import math

import pytest

from shotline.blocking.cameras import FURTHEST
from shotline.blocking.geometry import LINE_Y
from shotline.blocking.moves import camera_end
from shotline.model.shots import Movement, ShotSize
from shotline.model.stage import Camera
from tests.blocking.helpers import project, shot, stage_one

CAM = Camera(x=1.0, y=-3.0, z=1.6, pan=18.43494882, tilt=0.0, roll=0.0, focal_mm=50.0)
TARGET = (0.0, 0.0, 1.6)  # where CAM looks


def dist(cam: Camera) -> float:
    return math.dist((cam.x, cam.y, cam.z), TARGET)


def centred(cam: Camera) -> bool:
    p = project(cam, TARGET)
    return p is not None and max(map(abs, p)) < 1e-6


def test_static_does_not_move() -> None:
    assert camera_end(CAM, TARGET, Movement.STATIC, 1, "1A") is None


def test_dolly_in_and_out_along_the_view_axis() -> None:
    start = dist(CAM)
    closer = camera_end(CAM, TARGET, Movement.DOLLY_IN, 1, "1A")
    further = camera_end(CAM, TARGET, Movement.DOLLY_OUT, 1, "1A")
    assert closer is not None and further is not None
    assert dist(closer) == pytest.approx(0.6 * start)
    assert dist(further) == pytest.approx(1.5 * start)
    assert centred(closer) and centred(further)


def test_a_dolly_stops_short_of_the_line() -> None:
    near = Camera(x=0.0, y=LINE_Y - 0.2, z=1.6, pan=0.0, tilt=0.0, roll=0.0, focal_mm=50.0)
    end = camera_end(near, (0.0, LINE_Y + 3.0, 1.6), Movement.DOLLY_IN, 1, "1A")
    assert end is not None and end.y == pytest.approx(FURTHEST)


def test_tracking_runs_along_the_line_the_way_the_subject_faces() -> None:
    right = camera_end(CAM, TARGET, Movement.TRACKING, 1, "1A")
    left = camera_end(CAM, TARGET, Movement.TRACKING, -1, "1A")
    assert right is not None and left is not None
    assert right.x > CAM.x > left.x
    assert right.y == left.y == CAM.y and right.z == CAM.z and right.pan == CAM.pan


def test_crane_rises_and_keeps_its_aim() -> None:
    end = camera_end(CAM, TARGET, Movement.CRANE, 1, "1A")
    assert end is not None and end.z >= CAM.z + 1.5 and centred(end)
    assert (end.x, end.y) == (CAM.x, CAM.y)


def test_pan_and_tilt_turn_in_place() -> None:
    pan = camera_end(CAM, TARGET, Movement.PAN, 1, "1A")
    tilt = camera_end(CAM, TARGET, Movement.TILT, 1, "1A")
    assert pan is not None and tilt is not None
    assert pan.pan == pytest.approx(CAM.pan - 30)  # towards screen right
    assert tilt.tilt == pytest.approx(CAM.tilt + 20)
    assert (pan.x, pan.y, pan.z) == (tilt.x, tilt.y, tilt.z) == (CAM.x, CAM.y, CAM.z)


def test_handheld_is_a_small_fixed_shake() -> None:
    one = camera_end(CAM, TARGET, Movement.HANDHELD, 1, "1A")
    again = camera_end(CAM, TARGET, Movement.HANDHELD, 1, "1A")
    other = camera_end(CAM, TARGET, Movement.HANDHELD, 1, "1B")
    assert one is not None and one == again and one != other
    assert math.dist((one.x, one.y, one.z), (CAM.x, CAM.y, CAM.z)) < 0.12
    assert abs(one.pan - CAM.pan) <= 1.5 and one.y <= CAM.y


@pytest.mark.parametrize("movement", list(Movement))
def test_only_moving_shots_have_an_end(movement: Movement) -> None:
    stage = stage_one(shot(ShotSize.MS, ("MARA",), movement=movement))
    assert (stage.camera_end is None) == (movement is Movement.STATIC)
    if stage.camera_end is not None:
        assert stage.camera_end != stage.camera
        assert stage.camera_end.y < LINE_Y
