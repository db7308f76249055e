"""The focal length table for a Super 35 camera."""

from __future__ import annotations

import pytest

from shotline.model.shots import ShotSize
from shotline.planning.lenses import LENS_MM, WIDEST_FIRST, horizontal_fov, lens_for

S = ShotSize


def test_every_size_has_a_lens() -> None:
    assert set(LENS_MM) == set(ShotSize)


def test_lenses_get_longer_as_shots_get_tighter() -> None:
    lenses = [lens_for(size) for size in WIDEST_FIRST]
    assert lenses == sorted(lenses)
    assert WIDEST_FIRST[0] is S.EWS and WIDEST_FIRST[-1] is S.INSERT


@pytest.mark.parametrize(("sizes", "low", "high"), [
    ((S.EWS, S.WS), 18, 28),  # wide
    ((S.MWS, S.MS), 35, 50),  # medium
    ((S.CU, S.ECU), 75, 100),  # close
])
def test_ranges_follow_the_usual_super_35_practice(
        sizes: tuple[ShotSize, ...], low: float, high: float) -> None:
    assert all(low <= lens_for(size) <= high for size in sizes)


def test_horizontal_angle_of_view_on_the_super_35_gate() -> None:
    # 2 * atan(24.89 / (2 * f)): about 69 degrees at 18 mm, 28 at 50 mm, 14 at 100 mm.
    assert horizontal_fov(18) == pytest.approx(69.3, abs=0.1)
    assert horizontal_fov(50) == pytest.approx(28.0, abs=0.1)
    assert horizontal_fov(100) == pytest.approx(14.2, abs=0.1)
