"""Camera angles, the point-of-view camera, and the line no camera crosses."""

from __future__ import annotations

import math

import pytest

from shotline.blocking.aims import Aim, single
from shotline.blocking.body import eye_z
from shotline.blocking.cameras import DUTCH_ROLL, FURTHEST, LOW_Z, place, pov
from shotline.blocking.geometry import LINE_Y
from shotline.blocking.lens import Lens, sensor_height
from shotline.model.shots import Angle, Framing, ShotSize
from shotline.model.stage import SUPER35_WIDTH_MM, ActorMark
from shotline.planning.lenses import lens_for
from tests.blocking.helpers import actor, project, scene, shot, stage_one

S = ShotSize
A = ActorMark("MARA", -0.75, LINE_Y, -90.0, 1.70)
B = ActorMark("TEO", 0.75, LINE_Y, 90.0, 1.85)
LENS = Lens(50.0, SUPER35_WIDTH_MM, sensor_height(16 / 9))


def lens(size: ShotSize) -> Lens:
    return Lens(lens_for(size), SUPER35_WIDTH_MM, sensor_height(16 / 9))


@pytest.mark.parametrize("size", [S.WS, S.FS, S.MS, S.CU, S.ECU])
def test_eye_level_is_at_the_eyes(size: ShotSize) -> None:
    cam = place(single(A, size, LENS), Angle.EYE_LEVEL, LENS)
    assert cam.z == pytest.approx(eye_z(A))
    assert cam.roll == 0


@pytest.mark.parametrize("size", [S.EWS, S.WS, S.FS, S.MS, S.MCU, S.CU, S.ECU])
def test_high_is_above_the_eyes_looking_down(size: ShotSize) -> None:
    cam = place(single(A, size, lens(size)), Angle.HIGH, lens(size))
    assert cam.z > eye_z(A) + 0.8 and cam.tilt < -10
    if size in (S.MS, S.MCU, S.CU):
        assert cam.z == pytest.approx(eye_z(A) + 1.5, abs=0.15)


@pytest.mark.parametrize("size", [S.WS, S.FS, S.MWS, S.MS, S.MCU, S.CU, S.ECU])
def test_low_is_near_the_floor_looking_up(size: ShotSize) -> None:
    cam = place(single(A, size, lens(size)), Angle.LOW, lens(size))
    assert 0.5 <= cam.z <= LOW_Z + 1e-9 < eye_z(A)
    assert cam.tilt > 0


def test_overhead_looks_straight_down_with_screen_left_still_left() -> None:
    cam = place(single(A, S.MS, LENS), Angle.OVERHEAD, LENS)
    assert cam.tilt == -90 and cam.pan == 0 and cam.z > A.height
    left, right = project(cam, (-0.5, LINE_Y, 0.0)), project(cam, (0.5, LINE_Y, 0.0))
    assert left is not None and right is not None and left[0] < right[0]


def test_dutch_rolls_the_camera() -> None:
    cam = place(single(A, S.MS, LENS), Angle.DUTCH, LENS)
    assert cam.roll == DUTCH_ROLL == 15
    assert cam.z == pytest.approx(eye_z(A))


def test_angles_through_stage_scene() -> None:
    sheet = scene()
    heights = {"MARA": 1.7, "TEO": 1.8}
    for angle in Angle:
        stage = stage_one(shot(S.MCU, ("TEO",), angle=angle), sheet, heights)
        eyes = eye_z(actor(stage, "TEO"))
        cam = stage.camera
        if angle is Angle.HIGH:
            assert cam.z > eyes and cam.tilt < 0
        elif angle is Angle.LOW:
            assert cam.z < eyes and cam.tilt > 0
        elif angle is Angle.OVERHEAD:
            assert cam.tilt == -90
        else:
            assert cam.z == pytest.approx(eyes)
            assert cam.roll == (15 if angle is Angle.DUTCH else 0)


def test_an_aim_beyond_the_line_is_shot_from_downstage() -> None:
    far = Aim((2.0, LINE_Y + 3.0, 1.5), 2.0, (0.6, -0.8), 1.5)  # 3 m upstage, 2 m away
    cam = place(far, Angle.EYE_LEVEL, LENS)
    assert cam.y <= FURTHEST + 1e-9
    assert cam.x == pytest.approx(2.0)  # straight downstage of it
    p = project(cam, far.target)
    assert p is not None and max(map(abs, p)) < 1e-6


def test_pov_from_the_lookers_eyes_to_what_they_see() -> None:
    cam = pov(A, (B.x, B.y, eye_z(B)), Angle.EYE_LEVEL, LENS)
    assert cam.z == pytest.approx(eye_z(A))
    assert math.hypot(cam.x - A.x, cam.y - A.y) < 0.3 and cam.y < LINE_Y
    p = project(cam, (B.x, B.y, eye_z(B)))
    assert p is not None and max(map(abs, p)) < 1e-6


def test_pov_through_stage_scene() -> None:
    stage = stage_one(shot(S.MS, ("MARA",), Framing.POV,
                           description="MS POV MARA looking at Teo, eye level, 50 mm"))
    teo = actor(stage, "TEO")
    p = project(stage.camera, (teo.x, teo.y, eye_z(teo)))
    assert p is not None and max(map(abs, p)) < 1e-6
