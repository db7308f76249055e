"""One segment of the animatic: a board held for a cut's length, with burn-ins and
temp dialogue, as an MP4 of its own.

The first frame (and one every ``KEYFRAME_SECONDS`` in a long hold) is an IDR frame
from libx264. Every other frame differs from the one before only where the timecode
ticks or a subtitle comes or goes, so it is written directly as a P slice of skipped
macroblocks plus those few changed ones (see ``h264``): the cost of a frame is a few
numpy slices, not an encoder pass over the whole picture. When a subtitle changes,
the rows under the subtitles go as an I slice libx264 codes from those rows alone:
a tenth of their raw samples' size.
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

from shotline.animatic import audio, burnin, h264
from shotline.animatic.burnin import MB, Planes
from shotline.animatic.subtitles import Line
from shotline.animatic.timecode import check_fps, frame_count, timecode

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
                  height: int) -> av.VideoStream:
    stream = out.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.codec_context.thread_count = 1  # one frame to encode: threads only cost
    stream.codec_context.color_primaries = BT709
    stream.codec_context.color_trc = BT709
    stream.codec_context.colorspace = BT709
    stream.options = _x264_options({"crf": str(CRF)})
    return stream


def _x264_options(rate: dict[str, str]) -> dict[str, Any]:
    return {"preset": PRESET, "tune": "stillimage,zerolatency", **rate,
            "x264-params": X264_PARAMS}


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


class _Canvas:
    """The picture on screen (Y'CbCr, padded to whole macroblocks) and which of its
    macroblocks have changed since the last frame was written."""

    def __init__(self, board: _Board, strip_top: int) -> None:
        self.geo = board.geo
        self.y, self.u, self.v = (plane.copy() for plane in board.planes)
        self.top = strip_top  # subtitle strips are rows top.. of the picture
        self.glyphs = burnin.timecode_glyphs(board.geo)
        self.cells = [self.geo.cell_macroblocks(k) for k in range(self.geo.timecode_cells)]
        self.shown = [""] * self.geo.timecode_cells
        self.changed: set[int] = set()

    def strip(self) -> Planes:
        return self.y[self.top:], self.u[self.top // 2:], self.v[self.top // 2:]

    def show_strip(self, strip: Planes) -> None:
        current = self.strip()
        self.changed |= _changed_macroblocks(current, strip, self.top // MB, self.geo.width_mbs)
        for plane, rows in zip(current, strip, strict=True):
            plane[:] = rows

    def show_timecode(self, text: str) -> None:
        geo, unit = self.geo, self.geo.unit
        for k, ch in enumerate(text):
            if self.shown[k] != ch:  # usually just the frames digit
                self.shown[k] = ch
                x = geo.timecode_x + k * geo.cell
                gy, gu, gv = self.glyphs[ch]
                self.y[:unit, x:x + geo.cell] = gy
                self.u[:unit // 2, x // 2:(x + geo.cell) // 2] = gu
                self.v[:unit // 2, x // 2:(x + geo.cell) // 2] = gv
                self.changed.update(self.cells[k])

    def picture(self) -> av.VideoFrame:
        """The visible part as a frame for libx264."""
        self.changed.clear()
        return _frame((self.y, self.u, self.v), self.geo.width, self.geo.height)

    def p_frame(self, headers: h264.Headers, frame_num: int, fps: int) -> bytes:
        """The changes since the last frame as a P frame: raw samples for a few
        macroblocks, the subtitle rows coded by libx264 when many of theirs changed."""
        w = self.geo.width_mbs
        first = self.top // MB * w  # the strip's first macroblock
        rows = None
        if sum(a >= first for a in self.changed) >= STRIP_MIN_MACROBLOCKS:
            coder = _strip_coder(self.geo.padded_width, self.geo.padded_height - self.top, fps)
            coded = coder.code(self.strip(), headers)
            if coded is not None:
                rows = (first, coded)
                self.changed = {a for a in self.changed if a < first}
        blocks = [(a, h264.pcm_block(self.y, self.u, self.v, a % w, a // w))
                  for a in sorted(self.changed)]
        self.changed.clear()
        return h264.p_frame(headers, frame_num, blocks, rows)


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
    canvas = _Canvas(board, top)
    plain = canvas.strip()
    strips: dict[tuple[int, ...], Planes] = {(): (plain[0].copy(), plain[1].copy(),
                                                  plain[2].copy())}
    for _, on in states:
        if on not in strips:
            strips[on] = burnin.render_strip(board.image, geo, [caps[i] for i in on], top)
    strip_at = {frame: strips[on] for frame, on in states}

    sound = audio.segment_frames(spec.audio_wav, round(frames * Fraction(audio.RATE, fps)))
    video_tb, audio_tb = Fraction(1, fps), Fraction(1, audio.RATE)

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        video = _video_stream(out, fps, geo.width, geo.height)
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
            if headers is None or i - last_key >= KEYFRAME_SECONDS * fps:
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
                packet = av.Packet(canvas.p_frame(headers, frame_num, fps))
            _mux(out, video, packet, i, 1, video_tb)
            # Interleave: the sound up to the end of this frame (all of it after the last).
            until = (i + 1) * audio.RATE // fps if i + 1 < frames else len(sound) * audio.BLOCK
            while heard < len(sound) and heard * audio.BLOCK < until:
                _mux(out, sound_stream, av.Packet(sound[heard]), heard * audio.BLOCK,
                     audio.BLOCK, audio_tb)
                heard += 1
        video.encode(None)
    return buffer.getvalue()
