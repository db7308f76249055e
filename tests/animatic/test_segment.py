"""encode_segment: the MP4 it makes, its burn-ins and its sound."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import numpy as np
import pytest

from shotline.animatic import Line, SegmentSpec, burnin, encode_segment, h264
from shotline.animatic.burnin import Planes, captions, geometry
from shotline.animatic.segment import _frame, _prepare, _StripCoder
from shotline.animatic.wav import write_wav
from tests.animatic.media import board, packets, probe

BOARD = board()


def _tone(start: float, end: float, total: float, rate: int = 22050) -> bytes:
    t = np.arange(round(total * rate)) / rate
    tone = np.where((t >= start) & (t < end), 0.5 * np.sin(2 * np.pi * 330 * t), 0.0)
    return write_wav(tone[None, :].astype(np.float32), rate)


def test_format_and_frame_count() -> None:
    for duration, fps, frames in ((1.0, 24, 24), (1.02, 25, 26), (0.01, 24, 1)):
        p = probe(encode_segment(SegmentSpec(BOARD, duration, fps, "1", "1A")))
        assert (p.codec, p.pix_fmt, p.width, p.height) == ("h264", "yuv420p", 320, 180)
        assert len(p.frames) == frames and p.video_seconds == pytest.approx(frames / fps)
        assert p.keyframes[0] and not any(p.keyframes[1:])
        assert (p.audio_codec, p.audio_rate, p.audio_channels) == ("aac", 48000, 1)
        assert 0 <= p.audio.shape[1] - frames * 48000 / fps < 1024
        assert np.abs(p.audio).max() == 0  # no audio_wav: a silent track
        assert not p.errors


def test_board_size_is_kept_even_and_checked() -> None:
    p = probe(encode_segment(SegmentSpec(board(321, 181), 0.1, 24)))
    assert (p.width, p.height) == (320, 180)
    with pytest.raises(ValueError):
        encode_segment(SegmentSpec(board(100, 60), 1.0))
    with pytest.raises(ValueError):
        encode_segment(SegmentSpec(b"not a png", 1.0))
    with pytest.raises(ValueError):
        encode_segment(SegmentSpec(BOARD, 1.0, fps=0))


def test_only_the_timecode_ticks() -> None:
    p = probe(encode_segment(SegmentSpec(BOARD, 1.5, 24, "12", "12A", start_frame=0)))
    geo = geometry(320, 180, 24)
    x0, x1 = geo.timecode_x, geo.timecode_x + geo.timecode_cells * geo.cell
    first = p.frames[0].astype(int)
    for n in (1, 9, 10, 24, 35):
        changed = np.argwhere(p.frames[n].astype(int) != first)
        assert len(changed), f"frame {n} shows the same timecode as frame 0"
        rows, cols = changed[:, 0], changed[:, 1]
        assert rows.max() < geo.unit and cols.min() >= x0 - 16 and cols.max() < x1 + 16
    # Frame to frame, only the frames field's macroblock changes (and the seconds' at 24).
    step = np.argwhere(p.frames[2] != p.frames[1])
    assert step[:, 1].min() >= x1 - 16


def test_timecode_counts_from_start_frame() -> None:
    geo = geometry(320, 180, 24)
    band = np.s_[: geo.unit, geo.timecode_x: geo.timecode_x + geo.timecode_cells * geo.cell]
    from_zero = probe(encode_segment(SegmentSpec(BOARD, 2.0, 24, start_frame=0))).frames
    from_30 = probe(encode_segment(SegmentSpec(BOARD, 0.5, 24, start_frame=30))).frames

    def distance(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a[band].astype(int) - b[band].astype(int)).mean())

    assert distance(from_zero[30], from_30[0]) < 2  # the same digits (one lossy, one exact)
    assert distance(from_zero[0], from_30[0]) > 4 * distance(from_zero[30], from_30[0]) + 2
    assert distance(from_zero[35], from_30[5]) < 2


def test_subtitle_only_while_its_line_is_on() -> None:
    line = Line(0.5, 1.0, "MARA", "Look at them.")
    p = probe(encode_segment(SegmentSpec(BOARD, 1.5, 24, lines=(line,))))
    geo = geometry(320, 180, 24)
    bottom = np.s_[geo.height // 2:, :]
    # The subtitle's rows come and go coded anew (lossy, like the first frame's
    # picture), so "gone" is "within a level or so".
    change = [float(np.abs(f[bottom].astype(int) - p.frames[0][bottom]).mean())
              for f in p.frames]
    assert [c > 3 for c in change] == [12 <= n < 24 for n in range(36)]
    assert max(change[24:]) < 1.5
    # and nothing but the subtitle and the timecode changed
    for f in p.frames[12:24]:
        assert (f[geo.unit: geo.height // 2] == p.frames[0][geo.unit: geo.height // 2]).all()


def test_long_lines_turn_pages_and_lines_stack() -> None:
    words = " ".join(f"word{n}" for n in range(60))
    lines = (Line(0.0, 2.0, "TEO", words), Line(1.0, 1.5, "MARA", "Overlapping."))
    geo = geometry(320, 180, 24)
    pages = captions(lines, 24, 48, geo)
    assert len([c for c in pages if c.speaker == "TEO" or not c.speaker]) > 2
    assert pages[0].speaker == "TEO" and pages[0].first == 0
    p = probe(encode_segment(SegmentSpec(BOARD, 2.0, 24, lines=lines)))
    assert len(p.frames) == 48 and not p.errors
    turns = sum((a[geo.unit:] != b[geo.unit:]).any() for a, b in pairwise(p.frames))
    assert turns >= len(pages)


def test_segments_with_speech_are_heard_where_it_is() -> None:
    wav = _tone(0.25, 0.75, 1.0)
    p = probe(encode_segment(SegmentSpec(BOARD, 1.0, 24, audio_wav=wav)))
    level = [float(np.sqrt((p.audio[:, i * 4800:(i + 1) * 4800] ** 2).mean())) for i in range(10)]
    assert max(level[:2]) < 1e-3 and max(level[8:]) < 1e-3
    assert min(level[3:7]) > 0.2
    # Any PCM WAV will do; sound past the segment's end is cut.
    stereo = write_wav(np.full((2, 96000), 0.25, np.float32), 48000)
    p = probe(encode_segment(SegmentSpec(BOARD, 0.5, 24, audio_wav=stereo)))
    assert p.audio.shape[1] < 24000 + 1024


def test_long_holds_get_a_keyframe_every_ten_seconds() -> None:
    p = probe(encode_segment(SegmentSpec(BOARD, 25.0, 2)))
    assert [n for n, k in enumerate(p.keyframes) if k] == [0, 20, 40]
    assert len(p.frames) == 50 and not p.errors


def test_large_boards() -> None:
    p = probe(encode_segment(SegmentSpec(board(1920, 1080), 3 / 24, 24, "100", "100AB",
                                         start_frame=24 * 3600 - 1)))
    assert (p.width, p.height, len(p.frames)) == (1920, 1080, 3)
    assert (p.frames[1] != p.frames[0]).any() and not p.errors


def test_same_spec_same_bytes() -> None:
    spec = SegmentSpec(BOARD, 0.5, 24, "2", "2C", 7, (Line(0.1, 0.3, "TEO", "Go."),))
    first = encode_segment(spec)
    _prepare.cache_clear()
    assert encode_segment(spec) == first


def test_subtitle_rows_go_coded_not_raw() -> None:
    line = Line(0.5, 1.0, "MARA", "Look at them, all of them, waiting for the weather.")
    data = encode_segment(SegmentSpec(board(960, 540), 1.5, 24, lines=(line,)))
    sizes = [len(p) for p in packets(data)]
    geo = geometry(960, 540, 24)
    # Where the subtitle comes and goes, its rows as raw samples would be hundreds of
    # macroblocks at 384 bytes each; coded, a few kilobytes.
    raw_rows = (geo.padded_height - geo.height // 2) // 16 * geo.width_mbs * 384
    assert max(sizes[12], sizes[24]) < raw_rows / 8
    assert max(sizes[13:24]) < 1000  # between, only the timecode


def test_a_strip_codes_the_same_after_other_strips() -> None:
    """One encoder per strip size serves every segment of a process, so a strip's
    bits must not depend on the strips coded before it (constant QP, all IDR)."""
    rng = np.random.default_rng(3)

    def strip() -> Planes:
        return (rng.integers(0, 256, (48, 320), dtype=np.uint8),
                rng.integers(0, 256, (24, 160), dtype=np.uint8),
                rng.integers(0, 256, (24, 160), dtype=np.uint8))

    first, second = strip(), strip()
    fresh = _StripCoder(320, 48, 24)
    frame = _frame(first, 320, 48)
    frame.pts = 0
    headers = h264.parse_headers(bytes(fresh.context.encode(frame)[0]))
    alone = fresh.code(first, headers)
    used = _StripCoder(320, 48, 24)
    used.code(second, headers)
    used.code(strip(), headers)
    assert alone is not None and used.code(first, headers) == alone
    # Picture parameters the segment does not share: its bits would mean something
    # else there, so there is no slice to take (the rows go raw instead).
    assert used.code(first, dataclasses.replace(headers, pps=b"\x68\xee")) is None


def test_the_frames_field_is_copied_from_its_atlas_tile() -> None:
    """After its tile is kept, each frame's frames field costs a motion vector, and
    decodes to the exact glyphs, across keyframes too; the atlas itself is cropped
    away, so the picture is the board's size."""
    geo = geometry(320, 180, 24)
    data = encode_segment(SegmentSpec(BOARD, 12.0, 24, start_frame=5))
    p = probe(data)
    assert (p.width, p.height, len(p.frames)) == (320, 180, 288) and not p.errors
    glyphs = burnin.timecode_glyphs(geo)
    x = geo.timecode_x + 9 * geo.cell  # the frames field: one macroblock
    for n, frame in enumerate(p.frames):
        if n % 240 == 0:
            continue  # keyframes are libx264's, lossy
        ff = f"{(5 + n) % 24:02d}"
        assert (frame[:16, x:x + 16] == np.hstack([glyphs[ff[0]][0], glyphs[ff[1]][0]])).all()
    sizes = [len(s) for s in packets(data)]
    ticks = [s for n, s in enumerate(sizes) if n % 240 > 24 and (5 + n) % 24]
    assert max(ticks) < 40  # a skip run, a motion vector and a skip run: no samples
    assert min(sizes[1:24]) > 384  # the first second keeps each tile, raw, once


def test_the_mp4_states_the_visible_size() -> None:
    from shotline.animatic import mp4

    movie = mp4.read_movie(encode_segment(SegmentSpec(board(200, 100), 0.5, 24)))
    (video,) = [t for t in movie.tracks if t.handler == b"vide"]
    assert video.tkhd[76:84] == (200 << 16).to_bytes(4, "big") + (100 << 16).to_bytes(4, "big")
    assert video.stsd[40:44] == (200).to_bytes(2, "big") + (100).to_bytes(2, "big")
