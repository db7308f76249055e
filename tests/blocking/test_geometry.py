"""Angles and directions in the stage's frame."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shotline.blocking.geometry import bearing, heading, look_at, rotate, unit, wrap


def close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(math.isclose(x, y, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


def test_headings_follow_the_stage_conventions() -> None:
    assert close(heading(0), (0.0, 1.0))  # into the set
    assert close(heading(90), (-1.0, 0.0))  # counter-clockwise from above: towards -x
    assert close(heading(-90), (1.0, 0.0))
    assert close(heading(180), (0.0, -1.0))  # towards the audience


@given(st.floats(-720, 720))
def test_bearing_inverts_heading(degrees: float) -> None:
    assert math.isclose(wrap(bearing(*heading(degrees)) - degrees), 0.0, abs_tol=1e-6)


def test_rotate_is_counter_clockwise() -> None:
    assert close(rotate((0.0, 1.0), 90), heading(90))
    assert close(rotate((1.0, 0.0), 90), (0.0, 1.0))


def test_wrap_keeps_angles_in_range() -> None:
    assert wrap(190) == -170
    assert wrap(-180) == 180
    assert wrap(540) == 180


def test_unit_of_nothing_points_at_the_audience() -> None:
    assert unit((0.0, 0.0)) == (0.0, -1.0)
    assert close(unit((3.0, 4.0)), (0.6, 0.8))


@pytest.mark.parametrize(("target", "pan", "tilt"), [
    ((0, 5, 0), 0, 0), ((-5, 0, 0), 90, 0), ((5, 0, 0), -90, 0),
    ((0, 1, 1), 0, 45), ((0, 0, -2), 0, -90),
])
def test_look_at(target: tuple[float, float, float], pan: float, tilt: float) -> None:
    got = look_at((0.0, 0.0, 0.0), target)
    assert math.isclose(got[0], pan, abs_tol=1e-9)
    assert math.isclose(got[1], tilt, abs_tol=1e-9)
