"""One segment of the animatic: a board held for a cut's length, with burn-ins and
temp dialogue, as an MP4 of its own.

The first frame (and one every ``KEYFRAME_SECONDS`` in a long hold) is an IDR frame
from libx264. Every other frame differs from the one before only where the timecode
ticks or a subtitle comes or goes, so it is written directly as a P slice of skipped
macroblocks plus those few changed ones (see ``h264``): the cost of a frame is a few
numpy slices, not an encoder pass over the whole picture. When a subtitle changes,
the rows under the subtitles go as an I slice libx264 codes from those rows alone:
a tenth of their raw samples' size.

The frames field of the timecode changes every frame. Its looks are kept in an atlas
of macroblock columns right of the picture, which the SPS crops away: each look is
written there raw once per keyframe interval (a frame before it is first needed), and
from then on the field is a motion-copied macroblock of a few bits, not 384 bytes.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np
from av.packet import Packet
from av.stream import Stream
from PIL import Image

from shotline.animatic import audio, burnin, h264, mp4
from shotline.animatic.burnin import MB, Planes
from shotline.animatic.subtitles import Line
from shotline.animatic.timecode import check_fps, frame_count, frame_digits, timecode

KEYFRAME_SECONDS = 10  # an IDR at least this often, so players can seek in long holds
CRF = 23  # ~42 dB PSNR on a detailed 960x540 board
PRESET = "superfast"  # ~8 ms a 960x540 IDR; 3/4 of ultrafast's size, as good as veryfast
# The P slices written here follow these: CAVLC, one reference, no weighted
# prediction, no B-frames; stitchable keeps headers identical across segments so
# they can be joined; zerolatency returns each IDR as soon as it is encoded.
X264_PARAMS = ("cabac=0:weightp=0:bframes=0:ref=1:stitchable=1:keyint=infinite:"
               "scenecut=0:forced-idr=1:rc-lookahead=0:sync-lookahead=0")
BT709 = 1  # colour primaries, transfer and matrix: the conversion in burnin
# Subtitle rows: constant QP, so a strip's bits depend on that strip alone (crf would
# carry rate control from one strip to the next), and so one encoder per size can
# serve every segment a process makes. 20 keeps small text crisp.
STRIP_QP = 20
# Fewer changed macroblocks than this go as raw samples (a strip costs a few KB).
STRIP_MIN_MACROBLOCKS = 8


@dataclass(frozen=True)
class SegmentSpec:
    """What a segment shows: ``board_png`` (its size is the segment's; odd sizes lose a
    row or column) for ``duration`` seconds at ``fps``; the slate's ``scene`` and
    ``shot``; ``start_frame``, where the segment starts in the cut, for the timecode;
    the dialogue ``lines`` (seconds from the segment's start) burned in as subtitles;
    and ``audio_wav``, the temp dialogue already mixed for this segment (any PCM WAV,
    from the segment's start), or None for silence."""

    board_png: bytes
    duration: float
    fps: int = 24
    scene: str = ""
    shot: str = ""
    start_frame: int = 0
    lines: tuple[Line, ...] = ()
    audio_wav: bytes | None = None


@dataclass(frozen=True)
class _Board:
    geo: burnin.Geometry
    image: Image.Image  # RGB, padded to whole macroblocks, slate drawn: captions go on it
    planes: Planes  # the same as Y'CbCr, read-only


@functools.lru_cache(maxsize=8)
def _prepare(png: bytes, scene: str, shot: str, fps: int) -> _Board:
    """The board with its slate, ready to encode. Cached: an edit comes back to the
    same shot again and again (shot, reverse, shot), and this is half a segment's work."""
    try:
        with Image.open(io.BytesIO(png)) as image:
            rgb = np.asarray(image.convert("RGB"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"board_png is not an image: {exc}") from exc
    geo = burnin.geometry(rgb.shape[1], rgb.shape[0], fps)
    rgb = rgb[:geo.height, :geo.width]  # even sizes for 4:2:0
    pad = ((0, geo.padded_height - geo.height), (0, geo.padded_width - geo.width), (0, 0))
    board = Image.fromarray(np.pad(rgb, pad, mode="edge"))
    burnin.draw_slate(board, geo, scene, shot)
    planes = burnin.rgb_to_yuv420(np.asarray(board))
    for plane in planes:
        plane.flags.writeable = False
    return _Board(geo, board, planes)


def _video_stream(out: av.container.OutputContainer, fps: int, width: int,
                  height: int, crop: tuple[int, int] = (0, 0)) -> av.VideoStream:
    """libx264 at a coded size of ``width`` x ``height``, of which the SPS shows all
    but ``crop`` (columns on the right, rows at the bottom)."""
    stream = out.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.codec_context.thread_count = 1  # one frame to encode: threads only cost
    stream.codec_context.color_primaries = BT709
    stream.codec_context.color_trc = BT709
    stream.codec_context.colorspace = BT709
    stream.options = _x264_options({"crf": str(CRF)}, f":crop-rect=0,0,{crop[0]},{crop[1]}")
    return stream


def _x264_options(rate: dict[str, str], params: str = "") -> dict[str, Any]:
    return {"preset": PRESET, "tune": "stillimage,zerolatency", **rate,
            "x264-params": X264_PARAMS + params}


class _StripCoder:
    """libx264 at one strip size, coding each strip as an IDR picture of its own."""

    def __init__(self, width: int, height: int, fps: int) -> None:
        context = av.CodecContext.create("libx264", "w")
        assert isinstance(context, av.VideoCodecContext)
        context.width, context.height, context.pix_fmt = width, height, "yuv420p"
        context.time_base = Fraction(1, fps)
        context.thread_count = 1
        context.color_primaries = context.color_trc = context.colorspace = BT709
        context.options = _x264_options({"qp": str(STRIP_QP)})
        context.open()
        self.context = context
        self.headers: h264.Headers | None = None
        self.pts = 0

    def code(self, planes: Planes, main: h264.Headers) -> h264.IntraSlice | None:
        """The strip as an I slice, or None if libx264 chose picture parameters the
        segment's own do not share (then its bits would mean something else)."""
        frame = _frame(planes, self.context.width, self.context.height)
        frame.pts = self.pts
        self.pts += 1
        packets = self.context.encode(frame)
        if len(packets) != 1:
            raise RuntimeError("libx264 held a strip back: it must not buffer")
        unit = bytes(packets[0])
        if self.headers is None:  # in band, before the first picture
            self.headers = h264.parse_headers(unit)
        if not main.codes_like(self.headers):
            return None
        return h264.intra_slice(unit, self.headers)


@functools.lru_cache(maxsize=8)
def _strip_coder(width: int, height: int, fps: int) -> _StripCoder:
    return _StripCoder(width, height, fps)


def _frame(planes: Planes, width: int, height: int) -> av.VideoFrame:
    """Planes (at least ``width`` x ``height``) as an IDR-to-be for libx264."""
    frame = av.VideoFrame(width, height, "yuv420p")
    sizes = ((width, height), (width // 2, height // 2), (width // 2, height // 2))
    for plane, source, (w, h) in zip(frame.planes, planes, sizes, strict=True):
        view = np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)
        view[:h, :w] = source[:h, :w]
    frame.color_primaries = frame.color_trc = frame.colorspace = BT709
    frame.pict_type = av.video.frame.PictureType.I
    return frame


def _changed_macroblocks(old: Planes, new: Planes, first_row: int, width_mbs: int) -> set[int]:
    """Raster addresses of the macroblocks that differ between two strips that start
    at macroblock row ``first_row``."""
    rows = new[0].shape[0] // MB
    diff = (old[0] != new[0]).reshape(rows, MB, width_mbs, MB).any(axis=(1, 3))
    for o, n in zip(old[1:], new[1:], strict=True):
        diff |= (o != n).reshape(rows, MB // 2, width_mbs, MB // 2).any(axis=(1, 3))
    r, c = np.nonzero(diff)
    return {int(a) for a in (r + first_row) * width_mbs + c}


@dataclass(frozen=True)
class _Atlas:
    """Where the looks of the timecode's frames field are kept: tiles the field's size
    in macroblock columns right of the picture. A column holds at most
    ``ATLAS_ROWS`` macroblock rows, so every copy's vertical motion stays within what
    the smallest levels allow."""

    rows: range  # the frames field, in macroblocks
    cols: range
    first_col: int  # the atlas's first column: the picture's width in macroblocks
    per_column: int  # tiles one above the other
    width_mbs: int  # the atlas's width

    def origin(self, value: int) -> tuple[int, int]:
        """The macroblock row and column of the tile that shows frames ``value``."""
        column, row = divmod(value, self.per_column)
        return row * len(self.rows), self.first_col + column * len(self.cols)

    def motion(self, value: int) -> h264.Motion:
        """The motion vector (quarter samples) that copies the tile onto the field."""
        row, col = self.origin(value)
        return (col - self.cols.start) * MB * 4, (row - self.rows.start) * MB * 4

    def reaches(self, value: int, row: int) -> bool:
        """Whether the tile of ``value`` has rows at or below macroblock row ``row``."""
        return self.origin(value)[0] + len(self.rows) > row


ATLAS_ROWS = 8  # 112 px of vertical motion at most: within every level's limit from 1.1


def _atlas(geo: burnin.Geometry, fps: int) -> _Atlas:
    digits = frame_digits(fps)
    w = geo.width_mbs
    field = [a for k in range(geo.timecode_cells - digits, geo.timecode_cells)
             for a in geo.cell_macroblocks(k)]
    rows = range(min(a // w for a in field), max(a // w for a in field) + 1)
    cols = range(min(a % w for a in field), max(a % w for a in field) + 1)
    per_column = max(1, min(geo.padded_height // MB, ATLAS_ROWS) // len(rows))
    return _Atlas(rows, cols, w, per_column, -(-fps // per_column) * len(cols))


@functools.cache
def _band_yuv() -> tuple[int, int, int]:
    y, u, v = burnin.rgb_to_yuv420(np.full((2, 2, 3), burnin.BAND_RGB, np.uint8))
    return int(y[0, 0]), int(u[0, 0]), int(v[0, 0])


def _band_planes(rows: int, cols: int) -> Planes:
    """A flat patch of the band's colour, ``rows`` x ``cols`` samples of luma."""
    y, u, v = _band_yuv()
    return (np.full((rows, cols), y, np.uint8), np.full((rows // 2, cols // 2), u, np.uint8),
            np.full((rows // 2, cols // 2), v, np.uint8))


class _Canvas:
    """The coded picture (Y'CbCr: the board padded to whole macroblocks, then the
    atlas), which of its macroblocks have changed since the last frame was written,
    and which frames looks the atlas holds as written."""

    def __init__(self, board: _Board, strip_top: int, fps: int) -> None:
        geo = self.geo = board.geo
        self.fps = fps
        self.atlas = _atlas(geo, fps)
        self.coded_mbs = geo.width_mbs + self.atlas.width_mbs  # the coded width
        self.flat = _band_planes(geo.padded_height, self.atlas.width_mbs * MB)
        self.y, self.u, self.v = (np.concatenate((plane, flat), axis=1)
                                  for plane, flat in zip(board.planes, self.flat, strict=True))
        self.top = strip_top  # subtitle strips are rows top.. of the picture
        self.glyphs = burnin.timecode_glyphs(geo)
        self.cells = [tuple(self._coded(a) for a in geo.cell_macroblocks(k))
                      for k in range(geo.timecode_cells)]
        self.shown = [""] * geo.timecode_cells
        self.changed: set[int] = set()
        # Frames values whose tiles are in the reference -> whether the tile was seen
        # to match the field (checked once: neither changes while it is held).
        self.held: dict[int, bool] = {}
        self.field = tuple(r * self.coded_mbs + c
                           for r in self.atlas.rows for c in self.atlas.cols)

    def _coded(self, address: int) -> int:
        """A picture macroblock's address in the coded picture, atlas and all."""
        row, col = divmod(address, self.geo.width_mbs)
        return row * self.coded_mbs + col

    def strip(self) -> Planes:
        return self.y[self.top:], self.u[self.top // 2:], self.v[self.top // 2:]

    def show_strip(self, strip: Planes) -> None:
        """Subtitle rows (the picture's width) over the rows from ``top`` down."""
        width = self.geo.padded_width
        current = (self.y[self.top:, :width], self.u[self.top // 2:, :width // 2],
                   self.v[self.top // 2:, :width // 2])
        found = _changed_macroblocks(current, strip, self.top // MB, self.geo.width_mbs)
        self.changed |= {self._coded(a) for a in found}
        for plane, rows in zip(current, strip, strict=True):
            plane[:] = rows

    def _paint(self, text: str, first_cell: int, x0: int, y0: int) -> None:
        """Timecode characters from cell ``first_cell`` on, the field starting at
        luma column ``x0`` and row ``y0`` (the picture's band, or a tile)."""
        geo, unit = self.geo, self.geo.unit
        for k, ch in enumerate(text, first_cell):
            x = x0 + k * geo.cell
            gy, gu, gv = self.glyphs[ch]
            self.y[y0:y0 + unit, x:x + geo.cell] = gy
            self.u[y0 // 2:(y0 + unit) // 2, x // 2:(x + geo.cell) // 2] = gu
            self.v[y0 // 2:(y0 + unit) // 2, x // 2:(x + geo.cell) // 2] = gv

    def show_timecode(self, text: str) -> None:
        for k, ch in enumerate(text):
            if self.shown[k] != ch:  # usually just the frames digit
                self.shown[k] = ch
                self._paint(ch, k, self.geo.timecode_x, 0)
                self.changed.update(self.cells[k])

    def _tile(self, row: int, col: int) -> tuple[slice, slice]:
        return (slice(row * MB, (row + len(self.atlas.rows)) * MB),
                slice(col * MB, (col + len(self.atlas.cols)) * MB))

    def _holds(self, value: int) -> bool:
        """Whether the reference's tile for ``value`` shows what the field shows now."""
        if value not in self.held:
            return False
        if not self.held[value]:
            tile = self._tile(*self.atlas.origin(value))
            field = self._tile(self.atlas.rows.start, self.atlas.cols.start)
            if not ((self.y[tile] == self.y[field]).all()
                    and (self.u[_half(tile)] == self.u[_half(field)]).all()
                    and (self.v[_half(tile)] == self.v[_half(field)]).all()):
                return False
            self.held[value] = True
        return True

    def _keep(self, value: int) -> None:
        """Draw frames ``value`` into its tile (raw, in this frame) for later frames."""
        row, col = self.atlas.origin(value)
        tile, field = self._tile(row, col), self._tile(self.atlas.rows.start,
                                                        self.atlas.cols.start)
        for plane, scale in ((self.y, 1), (self.u, 2), (self.v, 2)):
            to = tile if scale == 1 else _half(tile)
            plane[to] = plane[field if scale == 1 else _half(field)]
        digits = frame_digits(self.fps)
        shift = (col - self.atlas.cols.start) * MB
        self._paint(f"{value:0{digits}d}", self.geo.timecode_cells - digits,
                    self.geo.timecode_x + shift, row * MB)
        self.changed.update(r * self.coded_mbs + c for r in range(row, row + len(self.atlas.rows))
                            for c in range(col, col + len(self.atlas.cols)))
        self.held[value] = False

    def picture(self) -> av.VideoFrame:
        """The coded picture as a frame for libx264, the atlas blank (it is kept anew
        after each keyframe, raw, where libx264 would blur it)."""
        at = self.geo.padded_width
        for plane, flat, scale in zip((self.y, self.u, self.v), self.flat, (1, 2, 2),
                                      strict=True):
            plane[:, at // scale:] = flat
        self.changed.clear()
        self.held.clear()
        return _frame((self.y, self.u, self.v), self.coded_mbs * MB, self.geo.padded_height)

    def p_frame(self, headers: h264.Headers, frame_num: int, value: int,
                upcoming: int | None) -> bytes:
        """The changes since the last frame as a P frame: raw samples for a few
        macroblocks, the subtitle rows coded by libx264 when many of theirs changed,
        the frames field copied from its tile (``value``: the frames shown now); and
        the tile of ``upcoming``, the next frame's, kept if it is not yet."""
        w = self.coded_mbs
        top_row = self.top // MB
        first = top_row * w  # the strip's first macroblock
        rows = None
        if sum(a >= first for a in self.changed) >= STRIP_MIN_MACROBLOCKS:
            coder = _strip_coder(w * MB, self.geo.padded_height - self.top, self.fps)
            coded = coder.code(self.strip(), headers)
            if coded is not None:
                rows = (first, coded)
                self.changed = {a for a in self.changed if a < first}
        moved: dict[int, h264.Motion] = {}
        if self.changed.issuperset(self.field) and self._holds(value):
            moved = dict.fromkeys(self.field, self.atlas.motion(value))
            self.changed.difference_update(self.field)
        if upcoming is not None and upcoming not in self.held and not (
                rows and self.atlas.reaches(upcoming, top_row)):
            self._keep(upcoming)
        blocks = [(a, h264.pcm_block(self.y, self.u, self.v, a % w, a // w))
                  for a in sorted(self.changed)]
        self.changed.clear()
        if rows is not None:  # the I slice redrew the tiles in its rows
            self.held = {v: seen for v, seen in self.held.items()
                         if not self.atlas.reaches(v, top_row)}
        return h264.p_frame(headers, frame_num, blocks, rows, moved)


def _half(region: tuple[slice, slice]) -> tuple[slice, slice]:
    """A luma region's chroma region (4:2:0)."""
    rows, cols = region
    return (slice(rows.start // 2, rows.stop // 2), slice(cols.start // 2, cols.stop // 2))


def _mux(out: av.container.OutputContainer, stream: Stream, packet: Packet[Stream], pts: int,
         duration: int, time_base: Fraction) -> None:
    packet.pts = packet.dts = pts
    packet.duration = duration
    packet.time_base = time_base
    packet.stream = stream
    out.mux(packet)


def encode_segment(spec: SegmentSpec) -> bytes:
    """The segment as an MP4: H.264 (yuv420p, the board's size, ``fps``) of exactly
    ``round(duration * fps)`` frames (at least one), and AAC mono 48 kHz (silent
    without ``audio_wav``), with the slate band, the timecode counting from
    ``start_frame`` and the subtitles burned in."""
    fps = spec.fps
    check_fps(fps)
    if spec.start_frame < 0:
        raise ValueError(f"start_frame must be 0 or more, not {spec.start_frame}")
    frames = frame_count(spec.duration, fps)
    board = _prepare(spec.board_png, spec.scene, spec.shot, fps)
    geo = board.geo

    # Every subtitle state (the captions on at once) drawn once, as the rows it covers.
    caps = burnin.captions(spec.lines, fps, frames, geo)
    states = burnin.subtitle_states(caps, frames)
    top = min((burnin.strip_top([caps[i] for i in on], geo) for _, on in states),
              default=geo.padded_height)
    canvas = _Canvas(board, top, fps)
    width = geo.padded_width
    strips: dict[tuple[int, ...], Planes] = {(): (
        canvas.y[top:, :width].copy(), canvas.u[top // 2:, :width // 2].copy(),
        canvas.v[top // 2:, :width // 2].copy())}
    for _, on in states:
        if on not in strips:
            strips[on] = burnin.render_strip(board.image, geo, [caps[i] for i in on], top)
    strip_at = {frame: strips[on] for frame, on in states}

    sound = audio.segment_frames(spec.audio_wav, round(frames * Fraction(audio.RATE, fps)))
    video_tb, audio_tb = Fraction(1, fps), Fraction(1, audio.RATE)

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        coded_width = canvas.coded_mbs * MB
        video = _video_stream(out, fps, coded_width, geo.padded_height,
                              (coded_width - geo.width, geo.padded_height - geo.height))
        sound_stream = out.add_stream("aac", rate=audio.RATE)
        sound_stream.layout = audio.LAYOUT
        sound_stream.bit_rate = audio.BIT_RATE
        headers: h264.Headers | None = None
        packet: Packet[Stream]
        last_key = frame_num = heard = 0
        for i in range(frames):
            if i in strip_at:
                canvas.show_strip(strip_at[i])
            canvas.show_timecode(timecode(spec.start_frame + i, fps))
            if headers is None or _keyframe(i, last_key, fps):
                picture = canvas.picture()
                picture.pts = i
                packets = video.encode(picture)
                if len(packets) != 1:
                    raise RuntimeError("libx264 held a frame back: it must not buffer")
                packet = packets[0]
                headers = headers or h264.parse_headers(video.codec_context.extradata or b"")
                last_key, frame_num = i, 0
            else:
                frame_num += 1
                after = i + 1 < frames and not _keyframe(i + 1, last_key, fps)
                packet = av.Packet(canvas.p_frame(
                    headers, frame_num, (spec.start_frame + i) % fps,
                    (spec.start_frame + i + 1) % fps if after else None))
            _mux(out, video, packet, i, 1, video_tb)
            # Interleave: the sound up to the end of this frame (all of it after the last).
            until = (i + 1) * audio.RATE // fps if i + 1 < frames else len(sound) * audio.BLOCK
            while heard < len(sound) and heard * audio.BLOCK < until:
                _mux(out, sound_stream, av.Packet(sound[heard]), heard * audio.BLOCK,
                     audio.BLOCK, audio_tb)
                heard += 1
        video.encode(None)
    return mp4.with_picture_size(buffer.getvalue(), geo.width, geo.height)


def _keyframe(i: int, last_key: int, fps: int) -> bool:
    return i - last_key >= KEYFRAME_SECONDS * fps
