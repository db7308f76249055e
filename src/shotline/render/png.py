"""PNG encoding, tuned for speed over size.

Scanlines are written unfiltered and deflated at level 1: on flat fills and smooth
ramps PNG's filters buy little size for their cost. The deflate is the standard
library's zlib, whose output is a function of its input alone. Frames are
content-addressed, so a faster deflate that promises less (ISA-L's output may vary
with the CPU's instruction set) would let a resumed run or a farm worker store a
different object for the same frame, and redo everything downstream of it.

Runs of all-black rows (most of a pose image) are not compressed each time: each
run is spliced in as deflate blocks made once per run length and kept. Every
segment ends with a full flush, so no back-reference crosses into another.
"""

from __future__ import annotations

import struct
import threading
import zlib
from functools import lru_cache

import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x01"
_FINAL_BLOCK = b"\x03\x00"  # an empty, final, fixed-Huffman block
_LEVEL = 1


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind)) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _raw_deflate(data: memoryview) -> bytes:
    """Raw deflate blocks ending on a full flush, to be spliced with others."""
    co = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(zlib.Z_FULL_FLUSH)


@lru_cache(maxsize=64)
def _zero_rows(row_bytes: int, rows: int) -> bytes:
    return _raw_deflate(memoryview(bytes(row_bytes * rows)))


def _deflate(rows: U8) -> bytes:
    """The zlib stream of ``rows`` (one scanline each, filter byte included)."""
    blank: npt.NDArray[np.bool_] = np.logical_not(rows.any(axis=1))
    if not blank.any():
        return zlib.compress(rows.data, _LEVEL)
    parts = [_ZLIB_HEADER]
    row_bytes = rows.shape[1]
    edges = np.flatnonzero(np.diff(blank.astype(np.int8))) + 1
    starts = [0, *edges.tolist()]
    ends = [*edges.tolist(), len(blank)]
    for start, end in zip(starts, ends, strict=True):
        if blank[start]:
            n, bit = end - start, 1
            while n:  # powers of two rows: a handful of cached blocks serve any run
                if n & bit:
                    parts.append(_zero_rows(row_bytes, bit))
                    n -= bit
                bit <<= 1
        else:
            parts.append(_raw_deflate(rows[start:end].data))
    parts.append(_FINAL_BLOCK)
    parts.append(struct.pack(">I", zlib.adler32(rows.data) & 0xFFFFFFFF))
    return b"".join(parts)


def _png(rows: U8, width: int, height: int, colour_type: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join((_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", _deflate(rows)),
                     _chunk(b"IEND", b"")))


_local = threading.local()


def _scan_buffer(height: int, row_bytes: int) -> U8:
    """A reused (height, row_bytes + 1) buffer whose first column (the filter
    byte, 0 = none) stays zero."""
    cache: dict[tuple[int, int], U8] | None = getattr(_local, "scan", None)
    if cache is None:
        cache = _local.scan = {}
    buf = cache.get((height, row_bytes))
    if buf is None:
        if len(cache) >= 8:
            cache.clear()
        buf = cache[(height, row_bytes)] = np.zeros((height, row_bytes + 1), dtype=np.uint8)
    return buf


def encode_rgb(bgra: U8) -> bytes:
    """(h, w, 4) BGRA pixels to an RGB PNG, alpha dropped."""
    h, w = bgra.shape[:2]
    rows = _scan_buffer(h, w * 3)
    rgb = rows[:, 1:].reshape(h, w, 3)
    for c in range(3):  # one channel at a time: far faster than a 3-of-4 strided copy
        rgb[:, :, c] = bgra[:, :, 2 - c]
    return _png(rows, w, h, 2)


def encode_grey(grey: U8) -> bytes:
    """(h, w) pixels to an 8-bit greyscale PNG."""
    h, w = grey.shape
    rows = _scan_buffer(h, w)
    rows[:, 1:] = grey
    return _png(rows, w, h, 0)
