"""Fills whose colour is a piecewise-linear function of an affine image function.

Skia's gradient shaders are slow in a raster build (about 13 ns a pixel here);
colours interpolated across triangle corners are five times cheaper. A colour
that is linear in an affine function of (u, v) is exactly what that interpolation
gives, so each polygon is cut into bands at the ramp's stops and each band is
drawn as a triangle fan with its corners' colours. That covers the sky and ground
(functions of the ray's elevation) and every plane of the depth image (1 / z is
affine on a plane). Edges are not antialiased: these fills lie under everything
else, or make the depth image, where a hard edge is the right answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from shotline.render._skia import Canvas, Points
from shotline.render.colour import RGB, argb
from shotline.render.projection import Affine

Stop = tuple[float, RGB]


def _cut(points: list[tuple[float, float, float]], level: float,
         keep_above: bool) -> list[tuple[float, float, float]]:
    """Clip (u, v, s) points to s >= level (or s <= level)."""
    out: list[tuple[float, float, float]] = []
    n = len(points)
    for i in range(n):
        a, b = points[i], points[(i + 1) % n]
        ina = a[2] >= level if keep_above else a[2] <= level
        inb = b[2] >= level if keep_above else b[2] <= level
        if ina:
            out.append(a)
        if ina != inb:
            t = (level - a[2]) / (b[2] - a[2])
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), level))
    return out


def _colour_at(stops: Sequence[Stop], s: float, lo: int) -> RGB:
    """Colour within band ``lo`` (between stops lo and lo + 1)."""
    (s0, c0), (s1, c1) = stops[lo], stops[lo + 1]
    t = 0.0 if s1 == s0 else (s - s0) / (s1 - s0)
    return (c0[0] + (c1[0] - c0[0]) * t, c0[1] + (c1[1] - c0[1]) * t,
            c0[2] + (c1[2] - c0[2]) * t)


def fill_ramp(canvas: Canvas, polygon: Points, f: Affine,
              stops: Sequence[Stop]) -> None:
    """Fill ``polygon`` with colour ``stops`` (ascending values of ``f``) over it;
    beyond the first and last stop the colour is held."""
    a, b, c = f
    pts = [(u, v, a * u + b * v + c) for u, v in polygon]
    values = [p[2] for p in pts]
    smin, smax = min(values), max(values)
    # Bands: below the first stop, between each pair, above the last.
    edges = [float("-inf"), *(s for s, _ in stops), float("inf")]
    for k in range(len(edges) - 1):
        lo, hi = edges[k], edges[k + 1]
        if hi <= smin or lo >= smax or hi <= lo:
            continue
        band = pts
        if lo > smin:
            band = _cut(band, lo, True)
        if hi < smax and len(band) >= 3:
            band = _cut(band, hi, False)
        if len(band) < 3:
            continue
        xy = [(p[0], p[1]) for p in band]
        if k == 0 or k == len(edges) - 2:  # a held end colour
            end = stops[0][1] if k == 0 else stops[-1][1]
            canvas.fill_polygon(xy, argb(end), aa=False)
            continue
        c0, c1 = stops[k - 1][1], stops[k][1]
        if c0 == c1:
            canvas.fill_polygon(xy, argb(c0), aa=False)
            continue
        colours = [argb(_colour_at(stops, p[2], k - 1)) for p in band]
        canvas.fill_mesh(xy, colours)
