"""Burn-ins: the slate band (scene, shot, timecode) and the dialogue subtitles.

Text is drawn with Pillow's bundled font, so frames are the same on every machine,
and converted to Y'CbCr (BT.709, limited range) in numpy, where each 2x2 block's
chroma depends on those four pixels only: a strip converted alone matches the same
rows of the whole frame, which is what lets a frame be patched by macroblocks.

The band is one macroblock row tall (two from 1080 lines, three from 1800) and the
timecode sits on the macroblock grid, its frames field in one macroblock column, so a
frame usually changes a single macroblock.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from shotline.animatic.subtitles import Line
from shotline.animatic.timecode import frame_digits

U8 = npt.NDArray[np.uint8]
Planes = tuple[U8, U8, U8]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

MB = 16
BAND_RGB = (22, 22, 22)
SLATE_RGB = (205, 205, 205)
TIMECODE_RGB = (255, 255, 255)
SPEAKER_RGB = (255, 214, 110)
SUBTITLE_RGB = (255, 255, 255)
BOX_RGBA = (0, 0, 0, 165)
PAGE_ROWS = 2  # subtitle rows shown at once; longer lines turn pages
MIN_WIDTH, MIN_HEIGHT = 128, 64

# BT.709 limited range, rows Y, Cb, Cr over R, G, B in 0..255.
_KR, _KB = 0.2126, 0.0722
_KG = 1 - _KR - _KB
_YUV = np.array([
    [_KR, _KG, _KB],
    [-_KR / (2 - 2 * _KB), -_KG / (2 - 2 * _KB), 0.5],
    [0.5, -_KG / (2 - 2 * _KR), -_KB / (2 - 2 * _KR)],
], np.float32) * np.array([[219 / 255], [224 / 255], [224 / 255]], np.float32)


def rgb_to_yuv420(rgb: U8) -> Planes:
    """(h, w, 3) RGB with even h and w to Y, Cb, Cr planes (chroma at half size).
    Elementwise, not a matrix product: no BLAS threads fighting the engine's workers."""
    f = rgb.astype(np.float32)
    k = _YUV
    # +0.5 rounds, as astype truncates; limited range never leaves 0..255.
    y = f[..., 0] * k[0, 0] + f[..., 1] * k[0, 1] + f[..., 2] * k[0, 2] + 16.5
    pairs = f[0::2] + f[1::2]
    quads = (pairs[:, 0::2] + pairs[:, 1::2]) * 0.25
    r, g, b = quads[..., 0], quads[..., 1], quads[..., 2]
    cb = r * k[1, 0] + g * k[1, 1] + b * k[1, 2] + 128.5
    cr = r * k[2, 0] + g * k[2, 1] + b * k[2, 2] + 128.5
    return y.astype(np.uint8), cb.astype(np.uint8), cr.astype(np.uint8)


@functools.cache
def font(size: int) -> Font:
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Geometry:
    width: int  # the picture, even
    height: int
    padded_width: int  # to whole macroblocks
    padded_height: int
    unit: int  # band height: whole macroblock rows
    cell: int  # width of one timecode character
    timecode_x: int
    timecode_cells: int

    @property
    def width_mbs(self) -> int:
        return self.padded_width // MB

    def cell_macroblocks(self, index: int) -> tuple[int, ...]:
        """Raster addresses of the macroblocks under timecode character ``index``."""
        x0 = self.timecode_x + index * self.cell
        cols = range(x0 // MB, (x0 + self.cell - 1) // MB + 1)
        return tuple(row * self.width_mbs + col
                     for row in range(self.unit // MB) for col in cols)


def geometry(width: int, height: int, fps: int) -> Geometry:
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValueError(f"a board must be at least {MIN_WIDTH}x{MIN_HEIGHT}, "
                         f"not {width}x{height}")
    width, height = width - width % 2, height - height % 2
    unit = MB * max(1, (height + 360) // 720)  # 16 px; 32 from 1080 lines; 48 from 1800
    cell = unit // 2
    cells = 9 + frame_digits(fps)  # "HH:MM:SS:" and the frames
    # Right-aligned, half a unit in, ending on a macroblock edge: the frames field's
    # two digits then fill one macroblock column.
    right = (width - unit // 2) // MB * MB
    return Geometry(width, height, math.ceil(width / MB) * MB, math.ceil(height / MB) * MB,
                    unit, cell, max(0, right - cells * cell), cells)


def _timecode_font(geo: Geometry) -> Font:
    return font(round(geo.unit * 0.875))


def _centre_y(f: Font, text: str, box: int) -> int:
    top, bottom = f.getbbox(text)[1::2]
    return (box - (int(bottom) - int(top))) // 2 - int(top)


def draw_slate(board: Image.Image, geo: Geometry, scene: str, shot: str) -> None:
    """The band across the top, with the scene and shot on its left."""
    draw = ImageDraw.Draw(board)
    draw.rectangle((0, 0, geo.padded_width - 1, geo.unit - 1), fill=BAND_RGB)
    f = _timecode_font(geo)
    text = f"SC {' '.join(scene.split())}   SHOT {' '.join(shot.split())}"
    room = geo.timecode_x - geo.unit
    while text and f.getlength(text) > room:
        text = text[:-2] + "…" if len(text) > 1 else ""
    draw.text((geo.unit // 2, _centre_y(f, "SC 0", geo.unit)), text, font=f, fill=SLATE_RGB)


@functools.lru_cache(maxsize=16)
def timecode_glyphs(geo: Geometry) -> dict[str, Planes]:
    """Each timecode character as band-coloured Y, Cb, Cr patches one cell wide."""
    chars = "0123456789:"
    strip = Image.new("RGB", (geo.cell * len(chars), geo.unit), BAND_RGB)
    draw = ImageDraw.Draw(strip)
    f = _timecode_font(geo)
    y = _centre_y(f, "0", geo.unit)
    for i, ch in enumerate(chars):
        x = i * geo.cell + (geo.cell - f.getlength(ch)) / 2
        draw.text((x, y), ch, font=f, fill=TIMECODE_RGB)
    planes = rgb_to_yuv420(np.asarray(strip))
    half = geo.cell // 2
    return {ch: (planes[0][:, i * geo.cell:(i + 1) * geo.cell],
                 planes[1][:, i * half:(i + 1) * half],
                 planes[2][:, i * half:(i + 1) * half]) for i, ch in enumerate(chars)}


@dataclass(frozen=True)
class Caption:
    """One page of a line: its rows and the frames it is on, [first, end)."""

    rows: tuple[str, ...]
    speaker: str  # drawn in its own colour at the start of the first row, or ""
    first: int
    end: int


def _wrap(text: str, f: Font, width: float) -> list[str]:
    rows: list[str] = []
    row = ""
    for whole in text.split():
        word = whole
        while f.getlength(word) > width and len(word) > 1:  # a word wider than the box
            cut = len(word) - 1
            while cut > 1 and f.getlength(word[:cut]) > width:
                cut -= 1
            if row:
                rows.append(row)
                row = ""
            rows.append(word[:cut])
            word = word[cut:]
        candidate = f"{row} {word}" if row else word
        if row and f.getlength(candidate) > width:
            rows.append(row)
            row = word
        else:
            row = candidate
    if row:
        rows.append(row)
    return rows


def _subtitle_style(geo: Geometry) -> tuple[Font, int, int]:
    """The subtitle font, the box's padding and the height of a row."""
    f = font(max(11, round(geo.height / 24)))
    size = f.size if isinstance(f, ImageFont.FreeTypeFont) else 11
    return f, max(2, round(size * 0.3)), round(size * 1.25)


def captions(lines: Sequence[Line], fps: int, frames: int, geo: Geometry) -> list[Caption]:
    """The pages of each line and their frames: a frame shows a line whose time
    contains the frame's start; a long line's pages share its time by length."""
    f, pad, _ = _subtitle_style(geo)
    width = geo.width * 0.92 - 2 * pad
    out: list[Caption] = []
    for line in lines:
        speaker = " ".join(line.speaker.split())
        rows = _wrap(line.caption, f, width)
        if not rows or line.end <= line.start:
            continue
        pages = [tuple(rows[i:i + PAGE_ROWS]) for i in range(0, len(rows), PAGE_ROWS)]
        weights = [sum(len(r) for r in page) for page in pages]
        total, done = sum(weights), 0
        for n, (page, weight) in enumerate(zip(pages, weights, strict=True)):
            t0 = line.start + (line.end - line.start) * done / total
            done += weight
            t1 = line.start + (line.end - line.start) * done / total
            first = min(frames, max(0, math.ceil(t0 * fps - 1e-9)))
            end = min(frames, max(0, math.ceil(t1 * fps - 1e-9)))
            if end > first:
                out.append(Caption(page, speaker if n == 0 and speaker else "", first, end))
    return out


def subtitle_states(caps: Sequence[Caption], frames: int) -> list[tuple[int, tuple[int, ...]]]:
    """(first frame, captions on) at frame 0 and wherever that set changes."""
    cuts = sorted({0, *(c.first for c in caps), *(c.end for c in caps)} - {frames})
    states: list[tuple[int, tuple[int, ...]]] = []
    for frame in cuts:
        on = tuple(i for i, c in enumerate(caps) if c.first <= frame < c.end)
        if not states or states[-1][1] != on:
            states.append((frame, on))
    return states


Box = tuple[int, int, int, int]  # x0, y0, x1, y1


def _boxes(caps: Sequence[Caption], geo: Geometry) -> list[tuple[Caption, Box]]:
    """Each caption's box, stacked up from the bottom, the first on top."""
    f, pad, row_height = _subtitle_style(geo)
    bottom = geo.height - max(geo.unit // 2, round(geo.height * 0.04))
    out: list[tuple[Caption, Box]] = []
    for cap in reversed(caps):
        w = round(max(f.getlength(r) for r in cap.rows)) + 2 * pad
        h = len(cap.rows) * row_height + 2 * pad
        x0 = (geo.width - w) // 2
        box = (max(0, x0), max(geo.unit, bottom - h), min(geo.width, x0 + w), bottom)
        out.append((cap, box))
        bottom = box[1] - pad
    return out[::-1]


def strip_top(caps: Sequence[Caption], geo: Geometry) -> int:
    """The macroblock row where the captions' boxes begin."""
    boxes = _boxes(caps, geo)
    top = min((b[1] for _, b in boxes), default=geo.padded_height)
    return top // MB * MB


def render_strip(board: Image.Image, geo: Geometry, caps: Sequence[Caption],
                 top: int) -> Planes:
    """Rows ``top`` to the bottom of the (padded, slated) board with the captions on."""
    strip = board.crop((0, top, geo.padded_width, geo.padded_height)).convert("RGBA")
    if caps:
        layer = Image.new("RGBA", strip.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        f, pad, row_height = _subtitle_style(geo)
        for cap, (x0, y0, x1, y1) in _boxes(caps, geo):
            draw.rectangle((x0, y0 - top, x1 - 1, y1 - top - 1), fill=BOX_RGBA)
            for n, row in enumerate(cap.rows):
                x = x0 + pad + (x1 - x0 - 2 * pad - f.getlength(row)) / 2
                y = y0 - top + pad + n * row_height + _centre_y(f, "Hg", row_height)
                rest = row
                if n == 0 and cap.speaker and row.startswith(cap.speaker + ":"):
                    name = cap.speaker + ":"
                    draw.text((x, y), name, font=f, fill=SPEAKER_RGB)
                    x += f.getlength(name)
                    rest = row[len(name):]
                draw.text((x, y), rest, font=f, fill=SUBTITLE_RGB)
        strip = Image.alpha_composite(strip, layer)
    return rgb_to_yuv420(np.asarray(strip.convert("RGB")))
