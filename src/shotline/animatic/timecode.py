"""SMPTE non-drop-frame timecode and frame counts at whole-number frame rates."""

from __future__ import annotations

import math

DAY_HOURS = 24  # timecode rolls over to 00:00:00:00 after 23:59:59:(fps-1)
MAX_FPS = 120


def frame_count(duration: float, fps: int) -> int:
    """The frames a stretch of ``duration`` seconds takes: rounded, at least one."""
    check_fps(fps)
    if not math.isfinite(duration):
        raise ValueError(f"a duration must be a finite number of seconds, not {duration!r}")
    return max(1, round(duration * fps))


def check_fps(fps: int) -> None:
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= MAX_FPS:
        raise ValueError(f"fps must be a whole number from 1 to {MAX_FPS}, not {fps!r}")


def timecode(frame: int, fps: int) -> str:
    """``HH:MM:SS:FF`` for a frame number counted from 00:00:00:00."""
    check_fps(fps)
    if frame < 0:
        raise ValueError(f"frame numbers start at 0, not {frame}")
    seconds, ff = divmod(frame, fps)
    minutes, ss = divmod(seconds, 60)
    hours, mm = divmod(minutes, 60)
    return f"{hours % DAY_HOURS:02d}:{mm:02d}:{ss:02d}:{ff:0{frame_digits(fps)}d}"


def frame_digits(fps: int) -> int:
    """Digits of the frames field: two, or three above 100 fps."""
    return max(2, len(str(fps - 1)))
