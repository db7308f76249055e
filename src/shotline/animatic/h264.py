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

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MB = 16
_START = re.compile(b"\x00\x00\x01")
_NEEDS_ESCAPE = re.compile(b"\x00\x00(?=[\x00-\x03])")
_P_SLICE_ALL = 5  # slice_type: P, and every slice of the picture is P
_P_SLICE = 0  # P, in a picture that also has an I slice
_I_SLICE = 2
_NAL_IDR = 5
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
    # What the meaning of slice data depends on beyond the slice header: the profile
    # and 4:2:0 (from the SPS, checked) and every field of the PPS (its bytes).
    profile: int = 0
    pps: bytes = b""

    def codes_like(self, other: Headers) -> bool:
        """Whether a slice coded under ``other`` decodes the same under these headers
        once its header is rewritten: same profile, same picture parameters."""
        return (self.profile, self.pps) == (other.profile, other.pps)


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
                   log2_max_poc_lsb, pps_id, deblocking_control, profile, pps)


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

    def se(self, v: int) -> None:
        self.ue(2 * v - 1 if v > 0 else -2 * v)

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


@dataclass(frozen=True)
class IntraSlice:
    """An I slice as libx264 coded it, less what depends on where it sits: the QP
    and deblocking its header chose, and its slice data (``bits`` bits, not
    byte-aligned, without the RBSP's trailing bits)."""

    qp_delta: int
    deblocking: tuple[int, int, int]  # disable_deblocking_filter_idc, alpha, beta (div 2)
    data: int
    bits: int


def intra_slice(access_unit: bytes, h: Headers) -> IntraSlice:
    """The one slice of an IDR access unit libx264 coded under headers ``h``."""
    slices = [n for n in split_nals(access_unit) if n[0] & 0x1F in (_NAL_SLICE, _NAL_IDR)]
    if len(slices) != 1 or slices[0][0] & 0x1F != _NAL_IDR:
        raise UnsupportedStreamError("expected an IDR picture of one slice")
    r = _Reader(slices[0][1:])
    if r.ue() != 0 or r.ue() % 5 != _I_SLICE or r.ue() != h.pps_id:
        raise UnsupportedStreamError("expected one I slice from the first macroblock")
    r.u(h.log2_max_frame_num)
    r.ue()  # idr_pic_id
    if h.poc_type == 0:
        r.u(h.log2_max_poc_lsb)
    r.u(2)  # no_output_of_prior_pics_flag, long_term_reference_flag
    qp_delta = r.se()
    idc = alpha = beta = 0
    if h.deblocking_control:
        idc = r.ue()
        if idc != 1:
            alpha, beta = r.se(), r.se()
    data, bits = r.bits & ((1 << r.left) - 1), r.left
    if not data:
        raise UnsupportedStreamError("slice without its stop bit")
    trailing = (data & -data).bit_length()  # the stop bit and the zeros after it
    return IntraSlice(qp_delta, (idc, alpha, beta), data >> trailing, bits - trailing)


def _header(w: _Writer, h: Headers, first_mb: int, slice_type: int, frame_num: int) -> None:
    """A non-IDR slice header up to what differs between P and I."""
    w.ue(first_mb)
    w.ue(slice_type)
    w.ue(h.pps_id)
    w.u(h.log2_max_frame_num, frame_num % (1 << h.log2_max_frame_num))
    if h.poc_type == 0:  # libx264's numbering: two per frame
        w.u(h.log2_max_poc_lsb, (2 * frame_num) % (1 << h.log2_max_poc_lsb))


def _nal(w: _Writer) -> bytes:
    rbsp = w.finish()
    header = bytes([(_NAL_REF_IDC << 5) | _NAL_SLICE])
    return b"\x00\x00\x00\x01" + header + _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)


Motion = tuple[int, int]  # a motion vector, in quarter samples (x, y)
_ZERO: Motion = (0, 0)
_MB_TYPE_P_L0_16X16 = 0
_CBP_NONE = 0  # coded_block_pattern 0 (inter): no residual


class _Field:
    """The motion of a P picture's macroblocks, as a decoder infers it: intra ones
    have none (reference index -1), moved ones theirs, every other one zero."""

    def __init__(self, width_mbs: int, intra: set[int], moved: Mapping[int, Motion]) -> None:
        self.width = width_mbs
        self.intra = intra
        self.moved = moved

    def _at(self, row: int, col: int) -> tuple[int, Motion] | None:
        """(reference index, motion) of a neighbour, None where there is none."""
        if row < 0 or not 0 <= col < self.width:
            return None
        neighbour = row * self.width + col
        if neighbour in self.intra:
            return -1, _ZERO
        return 0, self.moved.get(neighbour, _ZERO)

    def predicted(self, address: int) -> Motion:
        """The motion vector predictor of a 16x16 partition (8.4.1.3)."""
        row, col = divmod(address, self.width)
        a = self._at(row, col - 1)
        b = self._at(row - 1, col)
        c = self._at(row - 1, col + 1) or self._at(row - 1, col - 1)
        if b is None and c is None and a is not None:
            b = c = a
        found = [n or (-1, _ZERO) for n in (a, b, c)]
        same = [motion for ref, motion in found if ref == 0]
        if len(same) == 1:
            return same[0]
        xs, ys = sorted(m[0] for _, m in found), sorted(m[1] for _, m in found)
        return xs[1], ys[1]

    def skipped(self, address: int) -> Motion:
        """The motion a P_Skip macroblock here would take (8.4.1.1)."""
        row, col = divmod(address, self.width)
        a = self._at(row, col - 1)
        b = self._at(row - 1, col)
        if a is None or b is None or a == (0, _ZERO) or b == (0, _ZERO):
            return _ZERO
        return self.predicted(address)


Body = Callable[["_Writer"], None]


def _p_body(width_mbs: int, end: int, changed: list[tuple[int, bytes]],
            moved: dict[int, Motion]) -> Body:
    """What writes the macroblocks of a P slice ending before ``end``."""
    field = _Field(width_mbs, {a for a, _ in changed}, moved)
    # A skipped macroblock beside a moved one may infer its motion (right of it, below,
    # below-left, below-right): there, a zero motion is written out.
    near = {a + step for a in moved for step in (1, width_mbs, width_mbs - 1, width_mbs + 1)}
    blocks: dict[int, bytes | Motion] = dict(changed)
    blocks.update(moved)
    for address in sorted(near - blocks.keys()):
        if address < end and field.skipped(address) != _ZERO:
            blocks[address] = _ZERO

    def write(w: _Writer) -> None:
        last = -1
        for address in sorted(blocks):
            w.ue(address - last - 1)  # mb_skip_run
            what = blocks[address]
            if isinstance(what, bytes):
                w.ue(_MB_TYPE_P_I_PCM)
                w.align_zero()
                w.out += what
            else:
                mx, my = field.predicted(address)
                w.ue(_MB_TYPE_P_L0_16X16)  # one reference: no ref_idx
                w.se(what[0] - mx)
                w.se(what[1] - my)
                w.ue(_CBP_NONE)
            last = address
        if last < end - 1:
            w.ue(end - 1 - last)

    return write


@functools.lru_cache(maxsize=256)
def _moves_only(width_mbs: int, end: int, moved: tuple[tuple[int, Motion], ...]) -> Body:
    """The body of a P slice that only moves blocks, as bits written once."""
    w = _Writer()
    _p_body(width_mbs, end, [], dict(moved))(w)
    value, count = w.value, w.count

    def write(out: _Writer) -> None:
        out.u(count, value)

    return write


def p_frame(h: Headers, frame_num: int, changed: list[tuple[int, bytes]],
            rows: tuple[int, IntraSlice] | None = None,
            moved: Mapping[int, Motion] | None = None) -> bytes:
    """One Annex B access unit: a P slice copying the reference except the
    macroblocks in ``changed`` ((raster address, pcm_block bytes), ascending) and in
    ``moved`` (address -> motion vector: a copy of the reference from elsewhere, whole
    samples only for an exact copy); with ``rows`` (first macroblock, an I slice
    libx264 coded of the picture's rows from there to the bottom), the P slice ends
    where those rows begin."""
    total = h.width_mbs * h.height_mbs
    end = rows[0] if rows is not None else total
    moved = dict(moved or {})
    if (changed and changed[-1][0] >= end) or any(a >= end for a in moved):
        raise ValueError("a changed macroblock lies in the rows of the I slice")
    if changed or rows is not None:
        body = _p_body(h.width_mbs, end, changed, moved)
    else:  # the usual frame: its body repeats whenever the same blocks move alike
        body = _moves_only(h.width_mbs, end, tuple(sorted(moved.items())))
    out = b""
    if end:
        w = _Writer()
        _header(w, h, 0, _P_SLICE_ALL if rows is None else _P_SLICE, frame_num)
        w.u(1, 1)  # num_ref_idx_active_override_flag
        w.ue(0)  # one reference: the previous frame
        w.u(1, 0)  # ref_pic_list_modification_flag_l0
        w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
        w.ue(0)  # slice_qp_delta (se 0 codes as ue 0)
        if h.deblocking_control:
            w.ue(1)  # deblocking off: skipped blocks stay exact copies
        body(w)
        out = _nal(w)
    if rows is not None:
        first, coded = rows
        w = _Writer()
        _header(w, h, first, _I_SLICE, frame_num)
        w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag
        w.se(coded.qp_delta)
        if h.deblocking_control:
            idc, alpha, beta = coded.deblocking
            # Filter inside the slice as libx264 did, but not across its top edge,
            # which was the edge of its picture.
            w.ue(2 if idc == 0 else idc)
            if idc != 1:
                w.se(alpha)
                w.se(beta)
        w.u(coded.bits, coded.data)
        out += _nal(w)
    return out
