"""The one place that talks to skia-python, which ships without type stubs.

Everything else draws through :class:`Canvas`, whose methods take plain floats,
tuples and packed 0xAARRGGBB colours. The canvas draws straight into a numpy
array (no copy on the way out), and keeps its few Paint objects for reuse: making
skia objects costs more than drawing small shapes with them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import skia  # type: ignore[import-not-found,import-untyped,unused-ignore]

Point = tuple[float, float]
Points = Sequence[Sequence[float]]  # (x, y) pairs: tuples, lists or numpy rows

_ROUND_CAP: Any = skia.Paint.kRound_Cap
_ROUND_JOIN: Any = skia.Paint.kRound_Join
_STROKE: Any = skia.Paint.kStroke_Style
_TRIANGLES: Any = skia.Vertices.kTriangles_VertexMode
_FAN: Any = skia.Vertices.kTriangleFan_VertexMode
_DST: Any = skia.BlendMode.kDst  # vertex colours alone, no paint colour


# DejaVu Sans by its file where Debian puts it: matching by family name goes through
# fontconfig, whose answer can change with the state of its cache (a process killed
# while writing it), and boards must come out the same bytes every time.
_FONT_FILES = {False: ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                       "/usr/share/fonts/dejavu/DejaVuSans.ttf"),
               True: ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                      "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")}


@functools.cache
def _typeface(bold: bool) -> Any:
    for path in _FONT_FILES[bold]:
        face = skia.Typeface.MakeFromFile(path)
        if face is not None and face.countGlyphs() > 0:
            return face
    style = skia.FontStyle.Bold() if bold else skia.FontStyle.Normal()
    face = skia.Typeface("DejaVu Sans", style)
    if face is None or face.countGlyphs() == 0:  # any sans the machine has
        face = skia.Typeface("sans-serif", style)
    return face


@functools.cache
def _font(size: float, bold: bool) -> Any:
    face = _typeface(bold)
    font = skia.Font(face, size)
    font.setSubpixel(True)
    font.setEdging(skia.Font.Edging.kAntiAlias)
    return font


def _path(points: Points, close: bool) -> Any:
    path = skia.Path()
    first = True
    for x, y in points:
        if first:
            path.moveTo(x, y)
            first = False
        else:
            path.lineTo(x, y)
    if close:
        path.close()
    return path


class Canvas:
    """A skia raster canvas over ``pixels``: (h, w, 4) BGRA or (h, w) grey.

    BGRA is skia's native order here: its raster pipeline runs markedly faster on
    it than on RGBA (interpolated colours most of all).

    ``antialias=False`` suits data images (depth, pose): edges stay exact values
    instead of blends that would read as a depth or a colour of their own, and
    aliased paths rasterise several times faster.
    """

    def __init__(self, pixels: np.ndarray[Any, np.dtype[np.uint8]],
                 antialias: bool = True) -> None:
        self.pixels = pixels
        self.height, self.width = int(pixels.shape[0]), int(pixels.shape[1])
        grey = pixels.ndim == 2
        colour_type = skia.ColorType.kGray_8_ColorType if grey else \
            skia.ColorType.kBGRA_8888_ColorType
        self._surface: Any = skia.Surface(pixels, colour_type, skia.AlphaType.kPremul_AlphaType)
        self._canvas: Any = self._surface.getCanvas()
        aa = antialias
        self._fill: Any = skia.Paint(AntiAlias=aa)
        self._hard: Any = skia.Paint(AntiAlias=False)
        self._line: Any = skia.Paint(AntiAlias=aa, Style=_STROKE, StrokeCap=_ROUND_CAP,
                                     StrokeJoin=_ROUND_JOIN)
        self._blob: Any = skia.Paint(AntiAlias=aa, Style=skia.Paint.kStrokeAndFill_Style,
                                     StrokeJoin=_ROUND_JOIN)
        self._mesh: Any = skia.Paint()
        self._soft: dict[float, Any] = {}

    def clear(self, argb: int) -> None:
        self._canvas.clear(argb)

    def fill_polygon(self, points: Points, argb: int, aa: bool = True) -> None:
        paint = self._fill if aa else self._hard
        paint.setColor(argb)
        self._canvas.drawPath(_path(points, True), paint)

    def fill_polygons(self, polygons: Sequence[Points], argb: int) -> None:
        """Several polygons in one colour, drawn as one path."""
        path = skia.Path()
        for points in polygons:
            first = True
            for x, y in points:
                if first:
                    path.moveTo(x, y)
                    first = False
                else:
                    path.lineTo(x, y)
            path.close()
        self._fill.setColor(argb)
        self._canvas.drawPath(path, self._fill)

    def blob(self, points: Points, argb: int, rounding: float) -> None:
        """A polygon grown by ``rounding / 2`` with round corners (torsos, hair)."""
        self._blob.setColor(argb)
        self._blob.setStrokeWidth(rounding)
        self._canvas.drawPath(_path(points, True), self._blob)

    def stroke(self, points: Points, argb: int, width: float,
               close: bool = False) -> None:
        self._line.setColor(argb)
        self._line.setStrokeWidth(width)
        self._canvas.drawPath(_path(points, close), self._line)

    def stroke_polylines(self, lines: Sequence[Points], argb: int, width: float) -> None:
        """Several open polylines in one colour and width, as one path."""
        path = skia.Path()
        for points in lines:
            first = True
            for x, y in points:
                if first:
                    path.moveTo(x, y)
                    first = False
                else:
                    path.lineTo(x, y)
        self._line.setColor(argb)
        self._line.setStrokeWidth(width)
        self._canvas.drawPath(path, self._line)

    def stroke_segments(self, segments: Sequence[tuple[float, float, float, float]], argb: int,
                        width: float) -> None:
        """Many separate round-capped segments in one colour, as one path."""
        path = skia.Path()
        for x0, y0, x1, y1 in segments:
            path.moveTo(x0, y0)
            path.lineTo(x1, y1)
        self._line.setColor(argb)
        self._line.setStrokeWidth(width)
        self._canvas.drawPath(path, self._line)

    def fill_circle(self, x: float, y: float, r: float, argb: int) -> None:
        self._fill.setColor(argb)
        self._canvas.drawCircle(x, y, r, self._fill)

    def fill_circles(self, circles: Sequence[tuple[float, float, float]], argb: int) -> None:
        path = skia.Path()
        for x, y, r in circles:
            path.addCircle(x, y, r)
        self._fill.setColor(argb)
        self._canvas.drawPath(path, self._fill)

    def fill_oval(self, x: float, y: float, rx: float, ry: float, angle: float,
                  argb: int) -> None:
        """An ellipse centred on (x, y), its rx axis turned ``angle`` degrees."""
        self._fill.setColor(argb)
        canvas = self._canvas
        canvas.save()
        canvas.translate(x, y)
        canvas.rotate(angle)
        canvas.drawOval(skia.Rect(-rx, -ry, rx, ry), self._fill)
        canvas.restore()

    def fill_rect(self, x0: float, y0: float, x1: float, y1: float, argb: int) -> None:
        self._fill.setColor(argb)
        self._canvas.drawRect(skia.Rect(x0, y0, x1, y1), self._fill)

    def stroke_rect(self, x0: float, y0: float, x1: float, y1: float, argb: int,
                    width: float) -> None:
        self._line.setColor(argb)
        self._line.setStrokeWidth(width)
        self._canvas.drawRect(skia.Rect(x0, y0, x1, y1), self._line)

    def fill_mesh(self, points: Points, argbs: Sequence[int],
                  fan: bool = True) -> None:
        """Triangles with colours interpolated between their corners (no AA)."""
        mode = _FAN if fan else _TRIANGLES
        vertices = skia.Vertices(mode, [skia.Point(x, y) for x, y in points], None, list(argbs))
        self._canvas.drawVertices(vertices, self._mesh, _DST)

    def soft_polygon(self, points: Points, argb: int, sigma: float) -> None:
        """A polygon with edges blurred by ``sigma`` pixels (shadows)."""
        key = round(max(sigma, 0.5), 1)
        paint = self._soft.get(key)
        if paint is None:
            blur = skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, key)
            paint = self._soft[key] = skia.Paint(AntiAlias=True, MaskFilter=blur)
        paint.setColor(argb)
        self._canvas.drawPath(_path(points, True), paint)

    def glow(self, x: float, y: float, r: float, argb: int) -> None:
        """A radial falloff from ``argb`` at the centre to transparent at ``r``."""
        if r < 0.5:
            return
        clear = argb & 0x00FFFFFF
        shader = skia.GradientShader.MakeRadial(skia.Point(x, y), r, [argb, clear])
        paint = skia.Paint(AntiAlias=True, Shader=shader)
        self._canvas.drawCircle(x, y, r, paint)

    def text(self, s: str, x: float, y: float, size: float, argb: int,
             bold: bool = False) -> None:
        """Text with its baseline starting at (x, y)."""
        self._fill.setColor(argb)
        self._canvas.drawString(s, x, y, _font(size, bold), self._fill)

    def text_width(self, s: str, size: float, bold: bool = False) -> float:
        return float(_font(size, bold).measureText(s))

    def clip_oval(self, x: float, y: float, rx: float, ry: float, angle: float) -> None:
        """Until :meth:`unclip`, draw only inside this ellipse (turned ``angle``
        degrees, like :meth:`fill_oval`)."""
        canvas = self._canvas
        canvas.save()
        canvas.translate(x, y)
        canvas.rotate(angle)
        path = skia.Path()
        path.addOval(skia.Rect(-rx, -ry, rx, ry))
        canvas.clipPath(path, skia.ClipOp.kIntersect, True)
        canvas.rotate(-angle)  # the clip stays; later drawing is in plain pixels again
        canvas.translate(-x, -y)

    def unclip(self) -> None:
        self._canvas.restore()
