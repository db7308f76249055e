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


def _stream(changes: list[list[tuple[int, int, Planes]]]) -> bytes:
    """An IDR of a grey picture, then a P frame per entry of ``changes``, each a list of
    (mb x, mb y, the whole picture to take that macroblock from)."""
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
            packet = av.Packet(h264.p_frame(headers, n, blocks))
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
