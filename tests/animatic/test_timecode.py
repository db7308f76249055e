"""Timecode and frame counts."""

from __future__ import annotations

import pytest

from shotline.animatic import frame_count, timecode


@pytest.mark.parametrize(("frame", "fps", "expected"), [
    (0, 24, "00:00:00:00"),
    (23, 24, "00:00:00:23"),
    (24, 24, "00:00:01:00"),
    (24 * 60 - 1, 24, "00:00:59:23"),
    (24 * 60, 24, "00:01:00:00"),
    (24 * 3600 - 1, 24, "00:59:59:23"),
    (24 * 3600, 24, "01:00:00:00"),
    (24 * 3600 * 2 + 24 * 61 + 5, 24, "02:01:01:05"),
    (24, 25, "00:00:00:24"),
    (25, 25, "00:00:01:00"),
    (25 * 3600 + 25 * 90 + 12, 25, "01:01:30:12"),
    (24 * 3600 * 24 - 1, 24, "23:59:59:23"),
    (24 * 3600 * 24, 24, "00:00:00:00"),  # a day rolls over
    (25 * 3600 * 24 + 26, 25, "00:00:01:01"),
    (119, 120, "00:00:00:119"),  # above 100 fps the frames field has three digits
    (9, 10, "00:00:00:09"),
])
def test_timecode(frame: int, fps: int, expected: str) -> None:
    assert timecode(frame, fps) == expected


def test_timecode_refuses_nonsense() -> None:
    for frame, fps in ((-1, 24), (0, 0), (0, 121)):
        with pytest.raises(ValueError):
            timecode(frame, fps)


def test_frame_count_rounds_and_is_at_least_one() -> None:
    assert frame_count(10.0, 24) == 240
    assert frame_count(1.02, 25) == 26  # 25.5 rounds to even
    assert frame_count(1.06, 25) == 26
    assert frame_count(0.001, 24) == 1
    assert frame_count(0.0, 24) == 1
    with pytest.raises(ValueError):
        frame_count(float("nan"), 24)
