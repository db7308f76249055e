"""The P slice writer, checked against FFmpeg's decoder."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest

from shotline.animatic import h264
from shotline.animatic.burnin import Planes
from shotline.animatic.segment import _video_stream
from tests.animatic.media import probe

W, H = 320, 176


Change = list[tuple[int, int, Planes]]  # (mb x, mb y, the picture to take it from)


def _stream(changes: list[Change], rows: dict[int, tuple[int, h264.IntraSlice]] | None = None,
            moved: list[dict[int, h264.Motion]] | None = None) -> bytes:
    """An IDR of a grey picture, then a P frame per entry of ``changes``: its raw
    macroblocks, and for frame n (from 1) the I slice ``rows[n]`` and the motion
    copies ``moved[n - 1]`` where given."""
    grey: Planes = (np.full((H, W), 120, np.uint8), np.full((H // 2, W // 2), 128, np.uint8),
                    np.full((H // 2, W // 2), 128, np.uint8))
    out_buffer = io.BytesIO()
    with av.open(out_buffer, "w", format="mp4") as out:
        video = _video_stream(out, 24, W, H)
        picture = av.VideoFrame.from_ndarray(np.concatenate(
            [grey[0], grey[1].reshape(-1, W), grey[2].reshape(-1, W)]), format="yuv420p")
        picture.pts = 0
        (first,) = video.encode(picture)
        headers = h264.parse_headers(video.codec_context.extradata or b"")
        assert (headers.width_mbs, headers.height_mbs) == (W // 16, H // 16)
        out.mux(first)
        for n, change in enumerate(changes, 1):
            blocks = sorted((y * headers.width_mbs + x, h264.pcm_block(*planes, x, y))
                            for x, y, planes in change)
            packet = av.Packet(h264.p_frame(headers, n, blocks, (rows or {}).get(n),
                                            moved[n - 1] if moved else None))
            packet.pts = packet.dts = n
            packet.duration = 1
            packet.time_base = Fraction(1, 24)
            packet.stream = video
            out.mux(packet)
    return out_buffer.getvalue()


def test_skipped_and_pcm_macroblocks_decode_exactly() -> None:
    rng = np.random.default_rng(1)
    noise: Planes = (rng.integers(0, 256, (H, W), dtype=np.uint8),
                     rng.integers(0, 256, (H // 2, W // 2), dtype=np.uint8),
                     rng.integers(0, 256, (H // 2, W // 2), dtype=np.uint8))
    zeros: Planes = (np.zeros((H, W), np.uint8), np.zeros((H // 2, W // 2), np.uint8),
                     np.zeros((H // 2, W // 2), np.uint8))  # escapes needed throughout
    last_x, last_y = W // 16 - 1, H // 16 - 1
    changes = [[], [(0, 0, noise), (1, 0, zeros), (last_x, last_y, noise)],
               [(5, 3, zeros)], [(x, 2, noise) for x in range(W // 16)]] + [[]] * 20
    mp4 = _stream(changes)
    p = probe(mp4)
    assert len(p.frames) == len(changes) + 1 and not p.errors
    assert (p.frames[1] == p.frames[0]).all()  # all skipped: an exact copy
    f = p.frames[2]
    assert (f[:16, :16] == noise[0][:16, :16]).all() and (f[:16, 16:32] == 0).all()
    assert (f[-16:, -16:] == noise[0][-16:, -16:]).all()
    assert (f[16:-16] == p.frames[0][16:-16]).all()
    assert (p.frames[3][48:64, 80:96] == 0).all()
    assert (p.frames[4][32:48] == noise[0][32:48]).all()
    assert (p.frames[-1] == p.frames[4]).all()  # frame_num wraps past 16 without harm


def test_nal_units_split_on_three_and_four_byte_start_codes() -> None:
    stream = b"\x00\x00\x00\x01\x67\xaa\x00\x00\x01\x68\xbb\x00\x00\x00\x00\x01\x65\xcc\x00"
    assert h264.split_nals(stream) == [b"\x67\xaa", b"\x68\xbb", b"\x65\xcc"]


def test_headers_we_cannot_follow_are_refused() -> None:
    with pytest.raises(h264.UnsupportedStreamError):
        h264.parse_headers(b"\x00\x00\x00\x01\x09\x10")  # no SPS or PPS
    # A PPS with CABAC on: pps_id 0, sps_id 0, entropy_coding_mode_flag 1.
    sps = bytes.fromhex("6742c01e da0280bf e5c04400 00030004 00000300 c83c5895 20")
    pps = bytes([0x68, 0b11100000])
    with pytest.raises(h264.UnsupportedStreamError, match="CABAC"):
        h264.parse_headers(b"\x00\x00\x00\x01" + sps + b"\x00\x00\x00\x01" + pps)


def _decoded_alone(unit: bytes, width: int, height: int) -> np.ndarray:
    """Luma of an access unit decoded by itself (its own SPS and PPS in band)."""
    decoder = av.CodecContext.create("h264", "r")
    frames = decoder.decode(av.Packet(unit)) + decoder.decode(None)
    assert len(frames) == 1 and (frames[0].width, frames[0].height) == (width, height)
    return frames[0].to_ndarray()[:height]  # the luma plane, as decoded


def test_rows_coded_by_libx264_decode_as_they_did_alone() -> None:
    from shotline.animatic.segment import _frame, _StripCoder

    rng = np.random.default_rng(7)
    rows = 4  # the picture's bottom four macroblock rows
    strip: Planes = (rng.integers(0, 256, (rows * 16, W), dtype=np.uint8),
                     np.full((rows * 8, W // 2), 100, np.uint8),
                     np.full((rows * 8, W // 2), 150, np.uint8))
    coder = _StripCoder(W, rows * 16, 24)
    frame = _frame(strip, W, rows * 16)
    frame.pts = 0
    unit = bytes(coder.context.encode(frame)[0])
    alone = _decoded_alone(unit, W, rows * 16)
    headers = h264.parse_headers(unit)
    coded = h264.intra_slice(unit, headers)
    first = (H // 16 - rows) * (W // 16)
    p = probe(_stream([[(0, 0, strip)], []], rows={1: (first, coded)}))
    assert not p.errors and len(p.frames) == 3
    assert (p.frames[1][-rows * 16:] == alone).all()  # the very same samples
    above = p.frames[1][:-rows * 16]
    assert (above[:16, :16] == strip[0][:16, :16]).all()  # the raw block in the P slice
    assert (above[16:] == p.frames[0][16:-rows * 16]).all()
    assert (above[:16, 16:] == p.frames[0][:16, 16:]).all()
    assert (p.frames[2] == p.frames[1]).all()  # and the next frame copies them


def test_changed_macroblocks_must_lie_above_the_rows() -> None:
    headers = h264.Headers(4, 4, 4, 0, 6, 0, True)
    rows = (8, h264.IntraSlice(0, (0, 0, 0), 1, 1))
    with pytest.raises(ValueError, match="I slice"):
        h264.p_frame(headers, 1, [(9, bytes(384))], rows)


def test_a_picture_of_more_than_one_slice_is_refused_as_a_source() -> None:
    headers = h264.Headers(4, 4, 4, 0, 6, 0, True)
    with pytest.raises(h264.UnsupportedStreamError):
        h264.intra_slice(b"\x00\x00\x01\x65\x88" + b"\x00\x00\x01\x65\x88", headers)
    with pytest.raises(h264.UnsupportedStreamError):
        h264.intra_slice(b"\x00\x00\x01\x41\x9a", headers)  # a P slice, not an IDR


def test_moved_macroblocks_copy_exactly_wherever_they_sit() -> None:
    """Macroblocks copied from elsewhere in the reference, among raw ones and skipped
    ones whose inferred motion would otherwise follow theirs: every frame must decode
    to what the writer meant, checked against FFmpeg's decoder."""
    rng = np.random.default_rng(5)
    noise: Planes = (rng.integers(0, 256, (H, W), dtype=np.uint8),
                     rng.integers(0, 256, (H // 2, W // 2), dtype=np.uint8),
                     rng.integers(0, 256, (H // 2, W // 2), dtype=np.uint8))
    cols, rows = W // 16, H // 16
    frames: list[tuple[dict[int, h264.Motion], list[tuple[int, int]]]] = [
        ({}, [(x, y) for y in range(rows) for x in range(cols)]),  # noise everywhere
        ({1 * cols + 1: (64, 64)}, []),  # one block, copied from two down and right
        ({0: (16 * 4, 0), 1: (16 * 4, 0), cols: (16 * 4, 0), cols + 1: (16 * 4, 0)}, []),
        # Raw blocks left of and above a skipped one whose above-right moved.
        ({2 * cols + 6: (-64, 64)}, [(4, 3), (5, 2)]),
    ]
    for _ in range(12):
        moved = {}
        for address in rng.choice(rows * cols, 6, replace=False).tolist():
            y, x = divmod(address, cols)
            dx, dy = int(rng.integers(-x, cols - x)), int(rng.integers(-y, rows - y))
            moved[address] = (dx * 64, dy * 64)
        raw = [divmod(int(a), cols)[::-1] for a in rng.choice(rows * cols, 4, replace=False)
               if int(a) not in moved]
        frames.append((moved, raw))
    stream = _stream([[(x, y, noise) for x, y in raw] for _, raw in frames],
                     moved=[motion for motion, _ in frames])
    p = probe(stream)
    assert not p.errors and len(p.frames) == len(frames) + 1
    for n, (moved, raw) in enumerate(frames, 1):
        expected = p.frames[n - 1].copy()
        for address, (mx, my) in moved.items():
            y, x = divmod(address, cols)
            sy, sx = y * 16 + my // 4, x * 16 + mx // 4
            expected[y * 16:y * 16 + 16, x * 16:x * 16 + 16] = \
                p.frames[n - 1][sy:sy + 16, sx:sx + 16]
        for x, y in raw:
            expected[y * 16:y * 16 + 16, x * 16:x * 16 + 16] = \
                noise[0][y * 16:y * 16 + 16, x * 16:x * 16 + 16]
        assert (p.frames[n] == expected).all(), f"frame {n}"
