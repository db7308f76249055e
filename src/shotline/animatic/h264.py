"""Just enough H.264 to write the frames of a held board without an encoder.

A segment is a still with a ticking timecode, so after its first frame almost every
macroblock repeats the previous frame exactly. libx264 spends ~1 ms a frame at 960x540
finding that out; here the caller already knows which macroblocks changed. Each later
frame is one CAVLC P slice: P_Skip for everything unchanged (a copy of the previous
frame) and I_PCM (raw samples, lossless) for the few macroblocks that did change.
The IDR frames come from libx264, and the slices here follow its SPS and PPS, which
this module parses and checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MB = 16
_START = re.compile(b"\x00\x00\x01")
_NEEDS_ESCAPE = re.compile(b"\x00\x00(?=[\x00-\x03])")
_P_SLICE_ALL = 5  # slice_type: P, and every slice of the picture is P
_MB_TYPE_P_I_PCM = 30  # I_PCM (I mb_type 25) in a P slice is offset by 5
_NAL_SLICE = 1
_NAL_SPS = 7
_NAL_PPS = 8
_NAL_REF_IDC = 2  # every frame is a reference for the next


class UnsupportedStreamError(ValueError):
    """The encoder's headers use a feature the slice writer does not emit."""


def split_nals(annexb: bytes) -> list[bytes]:
    """The NAL units of an Annex B byte stream, without start codes (a four-byte start
    code's extra zero, and trailing zeros, are not part of a NAL unit)."""
    parts = (part.rstrip(b"\x00") for part in _START.split(annexb)[1:])
    return [part for part in parts if part]


class _Reader:
    """Exp-Golomb and fixed-width reads over an RBSP (escapes removed)."""

    def __init__(self, nal: bytes) -> None:
        rbsp = nal.replace(b"\x00\x00\x03", b"\x00\x00")
        self.bits = int.from_bytes(rbsp, "big")
        self.left = len(rbsp) * 8

    def u(self, n: int) -> int:
        self.left -= n
        if self.left < 0:
            raise UnsupportedStreamError("truncated parameter set")
        return (self.bits >> self.left) & ((1 << n) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


@dataclass(frozen=True)
class Headers:
    """What a P slice header needs from the SPS and PPS."""

    width_mbs: int
    height_mbs: int
    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int
    pps_id: int
    deblocking_control: bool


def _skip_scaling_lists(r: _Reader, count: int) -> None:
    for i in range(count):
        if r.u(1):
            size = 16 if i < 6 else 64
            last = next_ = 8
            for _ in range(size):
                if next_:
                    next_ = (last + r.se() + 256) % 256
                last = next_ or last


def parse_headers(annexb: bytes) -> Headers:
    """Read the SPS and PPS (Annex B, as libx264 puts them in extradata) and refuse
    what the slice writer cannot follow: CABAC, fields, weighted prediction, POC type 1,
    anything but 8-bit 4:2:0."""
    sps = pps = None
    for nal in split_nals(annexb):
        kind = nal[0] & 0x1F
        if kind == _NAL_SPS and sps is None:
            sps = nal
        elif kind == _NAL_PPS and pps is None:
            pps = nal
    if sps is None or pps is None:
        raise UnsupportedStreamError("no SPS/PPS in the encoder's headers")
    r = _Reader(sps[1:])
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    r.ue()  # sps id
    if profile in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
        chroma, depth_luma, depth_chroma = r.ue(), 0, 0
        if chroma == 3:
            r.u(1)
        depth_luma, depth_chroma = r.ue(), r.ue()
        r.u(1)  # transform bypass
        if r.u(1):
            _skip_scaling_lists(r, 8 if chroma != 3 else 12)
        if chroma != 1 or depth_luma or depth_chroma:
            raise UnsupportedStreamError("only 8-bit 4:2:0 is supported")
    log2_max_frame_num = r.ue() + 4
    poc_type = r.ue()
    log2_max_poc_lsb = 0
    if poc_type == 0:
        log2_max_poc_lsb = r.ue() + 4
    elif poc_type == 1:
        raise UnsupportedStreamError("POC type 1")
    r.ue()  # max_num_ref_frames
    r.u(1)  # gaps allowed
    width_mbs, height_map_units = r.ue() + 1, r.ue() + 1
    if not r.u(1):
        raise UnsupportedStreamError("interlaced")

    r = _Reader(pps[1:])
    pps_id = r.ue()
    r.ue()  # sps id
    if r.u(1):
        raise UnsupportedStreamError("CABAC")
    if r.u(1):
        raise UnsupportedStreamError("field POC in frame")
    if r.ue():
        raise UnsupportedStreamError("slice groups")
    r.ue()
    r.ue()  # default reference counts: the slice header overrides them
    if r.u(1):
        raise UnsupportedStreamError("weighted prediction")
    r.u(2)
    r.se()
    r.se()
    r.se()
    deblocking_control = bool(r.u(1))
    r.u(1)  # constrained intra
    if r.u(1):
        raise UnsupportedStreamError("redundant pictures")
    return Headers(width_mbs, height_map_units, log2_max_frame_num, poc_type,
                   log2_max_poc_lsb, pps_id, deblocking_control)


class _Writer:
    """Bits into a Python int: the header and the few codes between PCM blocks."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0
        self.out = bytearray()

    def u(self, n: int, v: int) -> None:
        self.value = (self.value << n) | v
        self.count += n

    def ue(self, v: int) -> None:
        v += 1
        n = v.bit_length()
        self.u(2 * n - 1, v)  # n-1 zeros then v's n bits

    def align_zero(self) -> None:
        pad = -self.count % 8
        self.u(pad, 0)
        self.out += self.value.to_bytes(self.count // 8, "big")
        self.value = self.count = 0

    def finish(self) -> bytes:
        self.u(1, 1)  # rbsp_stop_one_bit
        self.align_zero()
        return bytes(self.out)


U8Array = npt.NDArray[np.uint8]


def pcm_block(y: U8Array, u: U8Array, v: U8Array, mbx: int, mby: int) -> bytes:
    """A macroblock's raw samples in I_PCM order: 256 luma, 64 Cb, 64 Cr."""
    ys, cs = mby * MB, mby * 8
    xs, cx = mbx * MB, mbx * 8
    return (y[ys:ys + MB, xs:xs + MB].tobytes() + u[cs:cs + 8, cx:cx + 8].tobytes()
            + v[cs:cs + 8, cx:cx + 8].tobytes())


def p_frame(h: Headers, frame_num: int, changed: list[tuple[int, bytes]]) -> bytes:
    """One Annex B access unit: a P slice copying the reference except the
    macroblocks in ``changed`` ((raster address, pcm_block bytes), ascending)."""
    w = _Writer()
    w.ue(0)  # first_mb_in_slice
    w.ue(_P_SLICE_ALL)
    w.ue(h.pps_id)
    w.u(h.log2_max_frame_num, frame_num % (1 << h.log2_max_frame_num))
    if h.poc_type == 0:  # libx264's numbering: two per frame
        w.u(h.log2_max_poc_lsb, (2 * frame_num) % (1 << h.log2_max_poc_lsb))
    w.u(1, 1)  # num_ref_idx_active_override_flag
    w.ue(0)  # one reference: the previous frame
    w.u(1, 0)  # ref_pic_list_modification_flag_l0
    w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    w.ue(0)  # slice_qp_delta (se 0 codes as ue 0)
    if h.deblocking_control:
        w.ue(1)  # deblocking off: skipped blocks stay exact copies
    total = h.width_mbs * h.height_mbs
    last = -1
    for address, block in changed:
        w.ue(address - last - 1)  # mb_skip_run
        w.ue(_MB_TYPE_P_I_PCM)
        w.align_zero()
        w.out += block
        last = address
    if last < total - 1:
        w.ue(total - 1 - last)
    rbsp = w.finish()
    header = bytes([(_NAL_REF_IDC << 5) | _NAL_SLICE])
    return b"\x00\x00\x00\x01" + header + _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)
