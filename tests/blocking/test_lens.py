"""The gate from the aspect ratio, and distances that fill it."""

from __future__ import annotations

import math

import pytest

from shotline.blocking.lens import DEFAULT_ASPECT, Lens, sensor_height, shot_lens, usable_aspect
from shotline.model.shots import ShotSize
from shotline.model.stage import SUPER35_WIDTH_MM
from tests.blocking.helpers import shot


@pytest.mark.parametrize("aspect", [16 / 9, 2.39, 1.85, 4 / 3, 1.0])
def test_sensor_height_is_width_over_aspect(aspect: float) -> None:
    assert math.isclose(sensor_height(aspect), SUPER35_WIDTH_MM / aspect)


@pytest.mark.parametrize("aspect", [0.0, -1.0, math.nan, math.inf, 1e9])
def test_an_unusable_aspect_falls_back_to_sixteen_by_nine(aspect: float) -> None:
    assert usable_aspect(aspect) == DEFAULT_ASPECT


def test_vertical_field_of_view() -> None:
    lens = Lens(50.0, SUPER35_WIDTH_MM, sensor_height(16 / 9))
    expected = math.degrees(2 * math.atan(lens.height / (2 * 50.0)))
    assert math.isclose(lens.vertical_fov, expected)
    assert 15.0 < lens.vertical_fov < 17.0


def test_distance_and_framed_height_are_inverse() -> None:
    lens = Lens(65.0, SUPER35_WIDTH_MM, sensor_height(2.39))
    d = lens.distance_for(0.5)
    assert math.isclose(d, 0.5 * 65.0 / lens.height)
    assert math.isclose(lens.framed_height(d), 0.5)


def test_the_shot_lens_is_its_focal_length() -> None:
    assert shot_lens(shot(lens_mm=85.0), 16 / 9).focal == 85.0


@pytest.mark.parametrize("focal", [0.0, -50.0, math.nan, math.inf])
def test_a_lens_that_cannot_be_gets_the_sizes_lens(focal: float) -> None:
    assert shot_lens(shot(ShotSize.CU, lens_mm=focal), 16 / 9).focal == 75.0
