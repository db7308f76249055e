"""Colours as (r, g, b) floats in 0..255, and packing them for the canvas."""

from __future__ import annotations

RGB = tuple[float, float, float]


def hex_rgb(value: str) -> RGB:
    """``"#a86b48"`` to (168, 107, 72); anything unreadable is a neutral grey."""
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        n = int(text, 16)
    except ValueError:
        return (128.0, 128.0, 128.0)
    if len(text) != 6:
        return (128.0, 128.0, 128.0)
    return (float(n >> 16 & 255), float(n >> 8 & 255), float(n & 255))


def _byte(v: float) -> int:
    return 0 if v <= 0 else 255 if v >= 255 else int(v + 0.5)


def argb(c: RGB, alpha: float = 1.0) -> int:
    """Pack for skia: 0xAARRGGBB, channels clamped to 0..255."""
    return (_byte(alpha * 255) << 24 | _byte(c[0]) << 16 | _byte(c[1]) << 8 | _byte(c[2]))


def grey(v: float) -> int:
    """An opaque grey level, for the depth canvas."""
    n = _byte(v)
    return 0xFF000000 | n << 16 | n << 8 | n


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` at t = 0, ``b`` at t = 1."""
    t = min(1.0, max(0.0, t))
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def scale(c: RGB, k: float) -> RGB:
    return (c[0] * k, c[1] * k, c[2] * k)


def tint(c: RGB, t: RGB) -> RGB:
    """Multiply by a light's colour, ``t`` in 0..1 per channel."""
    return (c[0] * t[0], c[1] * t[1], c[2] * t[2])

