"""Shot sizes frame what they say: the camera is as far from the subject as the size's
framed height needs, and the subject's body lands where the size puts it."""

from __future__ import annotations

import math

import pytest

from shotline.blocking.framing import FRAMES, frame_centre, framed_height
from shotline.model.shots import ShotSize
from shotline.model.stage import Stage
from tests.blocking.helpers import (
    CHIN,
    EYES,
    FEET,
    HEAD_TOP,
    KNEES,
    MID_CHEST,
    SHOULDERS,
    WAIST,
    actor,
    project,
    scene,
    shot,
    stage_one,
)

S = ShotSize
HEIGHTS = {"MARA": 1.70, "TEO": 1.82}


def height_y(stage: Stage, name: str, fraction: float) -> float:
    """Where, top (1) to bottom (-1), a point of the body `fraction` of its height up lands."""
    mark = actor(stage, name)
    p = project(stage.camera, (mark.x, mark.y, fraction * mark.height))
    assert p is not None
    return p[1]


def single(size: ShotSize, name: str = "MARA", lens_mm: float | None = None) -> Stage:
    return stage_one(shot(size, (name,), lens_mm=lens_mm), scene(), HEIGHTS)


def test_the_table_covers_every_size_of_a_person() -> None:
    assert set(FRAMES) == set(ShotSize) - {S.INSERT}
    heights = [FRAMES[s].height for s in (S.WS, S.FS, S.MWS, S.MS, S.MCU, S.CU, S.ECU)]
    assert heights == sorted(heights, reverse=True)  # tighter sizes frame less


@pytest.mark.parametrize(("size", "ratio"), [
    (S.WS, 3.0), (S.FS, 1.15), (S.MWS, 0.75), (S.MS, 0.5), (S.MCU, 0.3), (S.CU, 0.2),
    (S.ECU, 0.08)])
def test_framed_height_per_size(size: ShotSize, ratio: float) -> None:
    assert math.isclose(framed_height(size, 1.7), ratio * 1.7)


@pytest.mark.parametrize("size", [S.WS, S.FS, S.MWS, S.MS, S.MCU, S.CU, S.ECU])
@pytest.mark.parametrize("name", ["MARA", "TEO"])
def test_a_whole_body_spans_one_over_the_framed_height(size: ShotSize, name: str) -> None:
    """Feet to head top covers 1/ratio frames: an MS (half a body) shows the body twice over."""
    stage = single(size, name)
    span = (height_y(stage, name, HEAD_TOP) - height_y(stage, name, FEET)) / 2
    assert span == pytest.approx(1 / FRAMES[size].height, rel=0.04)


@pytest.mark.parametrize("lens_mm", [18.0, 40.0, 135.0])
def test_the_distance_follows_the_lens(lens_mm: float) -> None:
    stage = single(S.MCU, lens_mm=lens_mm)
    mark = actor(stage, "MARA")
    cam = stage.camera
    target_z = frame_centre(S.MCU, EYES * mark.height, framed_height(S.MCU, mark.height))
    d = math.dist((cam.x, cam.y, cam.z), (mark.x, mark.y, target_z))
    assert d == pytest.approx(framed_height(S.MCU, 1.70) * lens_mm / cam.sensor_height_mm)


def test_fs_is_head_to_toe() -> None:
    stage = single(S.FS)
    assert 0.7 < height_y(stage, "MARA", HEAD_TOP) < 1.0
    assert -1.0 < height_y(stage, "MARA", FEET) < -0.7


def test_mws_cuts_at_the_knees() -> None:
    stage = single(S.MWS)
    assert 0.7 < height_y(stage, "MARA", HEAD_TOP) < 1.0
    assert -1.15 < height_y(stage, "MARA", KNEES) < -0.9


def test_ms_cuts_at_the_waist() -> None:
    stage = single(S.MS)
    assert 0.6 < height_y(stage, "MARA", HEAD_TOP) < 1.0
    assert -1.1 < height_y(stage, "MARA", WAIST) < -0.85


def test_mcu_cuts_at_mid_chest() -> None:
    stage = single(S.MCU)
    assert 0.5 < height_y(stage, "MARA", HEAD_TOP) < 1.0
    assert -1.1 < height_y(stage, "MARA", MID_CHEST) < -0.9


def test_cu_is_head_and_shoulders() -> None:
    stage = single(S.CU)
    assert 0.6 < height_y(stage, "MARA", HEAD_TOP) < 1.05
    assert -1.0 < height_y(stage, "MARA", CHIN) < 0.0
    assert -1.1 < height_y(stage, "MARA", SHOULDERS) < -0.9


def test_ecu_is_the_eyes() -> None:
    stage = single(S.ECU)
    assert abs(height_y(stage, "MARA", EYES)) < 0.1
    assert height_y(stage, "MARA", HEAD_TOP) > 1.0
    assert height_y(stage, "MARA", CHIN) < -1.0


def test_ws_shows_the_figure_a_third_of_the_frame_tall() -> None:
    stage = single(S.WS)
    top, feet = height_y(stage, "MARA", HEAD_TOP), height_y(stage, "MARA", FEET)
    assert -1.0 < feet < top < 1.0
    assert (top - feet) / 2 == pytest.approx(1 / 3, rel=0.04)


def test_singles_centre_the_subject() -> None:
    for size in (S.MS, S.MCU, S.CU, S.ECU):
        stage = single(size)
        mark = actor(stage, "MARA")
        p = project(stage.camera, (mark.x, mark.y, EYES * mark.height))
        assert p is not None and abs(p[0]) < 1e-6


def test_ews_shows_the_whole_set_and_people_as_specks() -> None:
    stage = single(S.EWS)
    top, feet = height_y(stage, "MARA", HEAD_TOP), height_y(stage, "MARA", FEET)
    assert (top - feet) / 2 <= 1 / 6 + 1e-9
    half = stage.set.width / 2
    mark = actor(stage, "MARA")
    for x in (-half, half):
        p = project(stage.camera, (x, mark.y, EYES * mark.height))
        assert p is not None and abs(p[0]) <= 1 + 1e-9
