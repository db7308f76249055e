"""The few MP4 (ISO/IEC 14496-12) boxes a join reads and writes.

A movie here is what ``encode_segment`` or ``join_segments`` makes: one video track
and at most one audio track, one sample description each, no edit other than "play
it all from the start", no reordered frames. Reading turns a track's sample tables
into arrays (per sample: size, duration, sync, sample group; per chunk: offset and
sample count); writing makes the tables back from arrays. Media bytes are never
looked at: a join moves them and says where they went.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
Buffer = bytes | memoryview

_HEAD = struct.Struct(">I4s")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_U32_MAX = 0xFFFFFFFF
# The four-byte fields between the modification time and the duration.
_BEFORE_DURATION = {b"mvhd": 1, b"tkhd": 2, b"mdhd": 1}  # timescale; track id, reserved
_TABLES = {b"stsd", b"stts", b"stss", b"stsc", b"stsz", b"stco", b"co64", b"sgpd", b"sbgp"}
_VISUAL_ENTRY = 78  # bytes of a VisualSampleEntry before its child boxes
_AUDIO_ENTRY = 28  # the same for an AudioSampleEntry (version 0)


class Mp4Error(ValueError):
    """Not an MP4, or one laid out in a way a join does not handle."""


# ---------------------------------------------------------------- reading


def children(data: Buffer, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, end) of each box in data[start:end]."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise Mp4Error(f"a box header at byte {pos} runs past its parent")
        size, kind = _HEAD.unpack_from(data, pos)
        body = pos + 8
        if size == 1:
            if end - pos < 16:
                raise Mp4Error(f"a box header at byte {pos} runs past its parent")
            (size,) = _U64.unpack_from(data, body)
            body += 8
        elif size == 0:  # to the end of the file
            size = end - pos
        if size < body - pos or pos + size > end:
            raise Mp4Error(f"box {kind.decode('latin-1')!r} at byte {pos} has a bad size")
        yield kind, body, pos + size
        pos += size


def _only(data: Buffer, start: int, end: int,
          repeats: frozenset[bytes] = frozenset()) -> dict[bytes, tuple[int, int]]:
    """The child boxes by type (body start, end); a repeated type is refused unless it
    is one of ``repeats`` (then the last is kept)."""
    found: dict[bytes, tuple[int, int]] = {}
    for kind, body, stop in children(data, start, end):
        if kind in found and kind not in repeats:
            raise Mp4Error(f"more than one {kind.decode('latin-1')!r} box")
        found[kind] = (body, stop)
    return found


def _need(boxes: dict[bytes, tuple[int, int]], kind: bytes, where: str) -> tuple[int, int]:
    if kind not in boxes:
        raise Mp4Error(f"no {kind.decode()!r} box in {where}")
    return boxes[kind]


def _u32s(data: Buffer, start: int, end: int, count: int, width: int = 4) -> Ints:
    """``count`` big-endian unsigned integers at data[start:], within end."""
    if count < 0 or start + count * width > end:
        raise Mp4Error("a sample table is shorter than its entry count says")
    return np.frombuffer(data, f">u{width}", count, start).astype(np.int64)


@dataclass(frozen=True, eq=False)  # arrays: compared by identity
class Track:
    """A track's boxes kept as they are (bodies, for writing again) and its sample
    tables as arrays."""

    handler: bytes  # b"vide" or b"soun"
    timescale: int
    tkhd: bytes
    mdhd: bytes
    hdlr: bytes
    media_header: tuple[bytes, bytes]  # (type, body): vmhd, smhd or nmhd
    dinf: bytes
    stsd: bytes
    sgpd: bytes | None
    grouping: bytes | None  # the grouping type that sbgp and sgpd share
    sizes: Ints
    durations: Ints
    sync: Flags | None  # None: every sample is a sync sample
    groups: Ints | None  # sample group description index per sample
    chunk_offsets: Ints
    chunk_counts: Ints  # samples per chunk

    @cached_property
    def chunk_bytes(self) -> Ints:
        """Bytes per chunk: its samples' sizes added up."""
        if not len(self.chunk_counts):
            return np.zeros(0, np.int64)
        firsts = np.concatenate(([0], np.cumsum(self.chunk_counts)[:-1]))
        return np.add.reduceat(self.sizes, firsts).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Movie:
    ftyp: bytes  # body
    mvhd: bytes  # body
    timescale: int
    tracks: tuple[Track, ...]
    udta: bytes | None  # body


def read_movie(data: bytes) -> Movie:
    """The movie's header boxes and tables; every chunk is checked to lie in the file."""
    top: dict[bytes, tuple[int, int]] = {}
    for kind, body, end in children(data, 0, len(data)):
        if kind == b"moov" and kind in top:
            raise Mp4Error("more than one moov box")
        top[kind] = (body, end)
    if b"moof" in top:
        raise Mp4Error("a fragmented MP4 is not supported")
    if b"ftyp" not in top or b"moov" not in top:
        raise Mp4Error("no ftyp and moov boxes")
    moov = _only(data, *top[b"moov"], frozenset({b"trak"}))
    if b"mvex" in moov:
        raise Mp4Error("a fragmented MP4 is not supported")
    start, end = _need(moov, b"mvhd", "moov")
    mvhd = bytes(data[start:end])
    traks = [(body, stop) for kind, body, stop in children(data, *top[b"moov"])
             if kind == b"trak"]
    tracks = tuple(_track(data, *span) for span in traks)
    for track in tracks:
        last = track.chunk_offsets + track.chunk_bytes
        if len(last) and (track.chunk_offsets.min() < 0 or last.max() > len(data)):
            raise Mp4Error("a chunk of media lies outside the file")
    udta = moov.get(b"udta")
    return Movie(bytes(data[slice(*top[b"ftyp"])]), mvhd, _timescale(b"mvhd", mvhd), tracks,
                 bytes(data[slice(*udta)]) if udta else None)


def _timescale(kind: bytes, body: bytes) -> int:
    wide = 8 if body[:1] == b"\x01" else 4
    at = 4 + 2 * wide
    if len(body) < at + 4 + wide:
        raise Mp4Error(f"{kind.decode()} box is too short")
    scale: int = _U32.unpack_from(body, at)[0]
    if not scale:
        raise Mp4Error(f"{kind.decode()} box has a timescale of 0")
    return scale


def _body(data: Buffer, span: tuple[int, int]) -> bytes:
    return bytes(data[span[0]:span[1]])


def _track(data: Buffer, start: int, end: int) -> Track:
    trak = _only(data, start, end)
    if b"edts" in trak:
        _check_edits(data, *trak[b"edts"])
    mdia = _only(data, *_need(trak, b"mdia", "trak"))
    minf = _only(data, *_need(mdia, b"minf", "mdia"))
    headers = [kind for kind in (b"vmhd", b"smhd", b"nmhd") if kind in minf]
    if len(headers) != 1:
        raise Mp4Error("a track without a media header")
    hdlr = _body(data, _need(mdia, b"hdlr", "mdia"))
    if len(hdlr) < 12:
        raise Mp4Error("hdlr box is too short")
    mdhd = _body(data, _need(mdia, b"mdhd", "mdia"))
    stbl_span = _need(minf, b"stbl", "minf")
    stbl = _only(data, *stbl_span)
    unknown = sorted(kind.decode("latin-1") for kind in set(stbl) - _TABLES)
    if unknown or b"ctts" in stbl:
        raise Mp4Error(f"sample table boxes {unknown} are not supported")
    sizes = _sizes(data, *_need(stbl, b"stsz", "stbl"))
    count = len(sizes)
    durations = _durations(data, *_need(stbl, b"stts", "stbl"))
    if b"stco" in stbl:
        start, stop = stbl[b"stco"]
        offsets = _u32s(data, start + 8, stop, _entries(data, start, stop))
    else:
        start, stop = _need(stbl, b"co64", "stbl")
        offsets = _u32s(data, start + 8, stop, _entries(data, start, stop), 8)
    counts = _chunk_counts(data, *_need(stbl, b"stsc", "stbl"), len(offsets))
    if len(durations) != count or int(counts.sum()) != count:
        raise Mp4Error("the sample tables disagree on the number of samples")
    sync = _sync(data, *stbl[b"stss"], count) if b"stss" in stbl else None
    grouping, groups = (_groups(data, *stbl[b"sbgp"], count) if b"sbgp" in stbl
                        else (None, None))
    sgpd = _body(data, stbl[b"sgpd"]) if b"sgpd" in stbl else None
    if sgpd is not None:
        if len(sgpd) < 8:
            raise Mp4Error("sgpd box is too short")
        if grouping is not None and sgpd[4:8] != grouping:
            raise Mp4Error("sbgp and sgpd describe different sample groups")
        grouping = sgpd[4:8]
    return Track(hdlr[8:12], _timescale(b"mdhd", mdhd), _body(data, _need(trak, b"tkhd", "trak")),
                 mdhd, hdlr, (headers[0], _body(data, minf[headers[0]])),
                 _body(data, _need(minf, b"dinf", "minf")), _body(data, stbl[b"stsd"]), sgpd,
                 grouping, sizes, durations, sync, groups, offsets, counts)


def _entries(data: Buffer, start: int, stop: int) -> int:
    if stop - start < 8:
        raise Mp4Error("a sample table box is too short")
    count: int = _U32.unpack_from(data, start + 4)[0]
    return count


def _check_edits(data: Buffer, start: int, end: int) -> None:
    """Only the edit list that plays the whole track from its start (or none) keeps
    its meaning when tracks are laid end to end."""
    edts = _only(data, start, end)
    if b"elst" not in edts:
        return
    body, stop = edts[b"elst"]
    if _entries(data, body, stop) != 1:
        raise Mp4Error("edit lists of more than one edit are not supported")
    layout = ">Qqi" if bytes(data[body:body + 1]) == b"\x01" else ">Iii"
    if stop - body < 8 + struct.calcsize(layout):
        raise Mp4Error("elst box is too short")
    _, media_time, rate = struct.unpack_from(layout, data, body + 8)
    if media_time != 0 or rate != 0x10000:
        raise Mp4Error("an edit list that skips media or changes speed is not supported")


def _sizes(data: Buffer, start: int, stop: int) -> Ints:
    if stop - start < 12:
        raise Mp4Error("stsz box is too short")
    size, count = struct.unpack_from(">II", data, start + 4)
    if size:
        return np.full(count, size, np.int64)
    return _u32s(data, start + 12, stop, count)


def _durations(data: Buffer, start: int, stop: int) -> Ints:
    pairs = _u32s(data, start + 8, stop, 2 * _entries(data, start, stop)).reshape(-1, 2)
    return np.repeat(pairs[:, 1], pairs[:, 0])


def _chunk_counts(data: Buffer, start: int, stop: int, chunks: int) -> Ints:
    rows = _u32s(data, start + 8, stop, 3 * _entries(data, start, stop)).reshape(-1, 3)
    firsts = np.concatenate((rows[:, 0], [chunks + 1]))
    spans = np.diff(firsts)
    if len(rows) and (rows[0, 0] != 1 or (spans < 0).any() or (rows[:, 1] < 1).any()):
        raise Mp4Error("stsc box is malformed")
    if (rows[:, 2] != 1).any():
        raise Mp4Error("more than one sample description is not supported")
    if not len(rows) and chunks:
        raise Mp4Error("stsc box is malformed")
    return np.repeat(rows[:, 1], spans)


def _sync(data: Buffer, start: int, stop: int, count: int) -> Flags:
    numbers = _u32s(data, start + 8, stop, _entries(data, start, stop))
    if len(numbers) and (numbers.min() < 1 or numbers.max() > count):
        raise Mp4Error("stss box names a sample that does not exist")
    sync = np.zeros(count, np.bool_)
    sync[numbers - 1] = True
    return sync


def _groups(data: Buffer, start: int, stop: int, count: int) -> tuple[bytes, Ints]:
    if stop - start < 12 or bytes(data[start:start + 1]) != b"\x00":
        raise Mp4Error("only version 0 sbgp boxes are supported")
    grouping = bytes(data[start + 4:start + 8])
    entries: int = _U32.unpack_from(data, start + 8)[0]
    pairs = _u32s(data, start + 12, stop, 2 * entries).reshape(-1, 2)
    groups = np.repeat(pairs[:, 1], pairs[:, 0])
    if len(groups) > count:
        raise Mp4Error("sbgp box covers more samples than the track has")
    return grouping, np.concatenate((groups, np.zeros(count - len(groups), np.int64)))


# ---------------------------------------------------------------- sample descriptions


def _rate_fields(stsd: bytes, handler: bytes) -> list[int]:
    """Where the one sample entry of an stsd body keeps its bit rates: the position of
    each (max, average) pair of four-byte fields, in btrt and in an esds decoder
    configuration. They differ between encodes of one format, so a comparison of
    formats leaves them out and a join writes its own."""
    if len(stsd) < 16 or _U32.unpack_from(stsd, 4)[0] != 1:
        raise Mp4Error("a track must have exactly one sample description")
    kind, entry, entry_end = next(children(stsd, 8, len(stsd)))  # entry: its body
    fixed = _VISUAL_ENTRY if handler == b"vide" else _AUDIO_ENTRY
    if handler == b"soun" and stsd[entry + 8:entry + 10] != b"\x00\x00":
        raise Mp4Error("only version 0 audio sample entries are supported")
    found: list[int] = []
    if entry + fixed > entry_end:
        raise Mp4Error(f"sample entry {kind.decode('latin-1')!r} is too short")
    for child, body, end in children(stsd, entry + fixed, entry_end):
        if child == b"btrt" and end - body >= 12:
            found.append(body + 4)
        elif child == b"esds":
            found += _decoder_config(stsd, body + 4, end)
    return found


def _descriptor(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, body start, body end) of the MPEG-4 descriptor at pos."""
    if pos >= end:
        raise Mp4Error("esds box is malformed")
    tag, size, pos = data[pos], 0, pos + 1
    for _ in range(4):
        if pos >= end:
            raise Mp4Error("esds box is malformed")
        size, more = size << 7 | data[pos] & 0x7F, data[pos] & 0x80
        pos += 1
        if not more:
            break
    if pos + size > end:
        raise Mp4Error("esds box is malformed")
    return tag, pos, pos + size


def _decoder_config(data: bytes, pos: int, end: int) -> list[int]:
    tag, body, stop = _descriptor(data, pos, end)
    if tag != 0x03 or stop - body < 3:
        raise Mp4Error("esds box holds no ES descriptor")
    flags, at = data[body + 2], body + 3
    at += 2 if flags & 0x80 else 0  # depends on another stream
    at += 1 + data[at] if flags & 0x40 and at < stop else 0  # a URL
    at += 2 if flags & 0x20 else 0  # OCR stream
    tag, config, config_end = _descriptor(data, at, stop)
    if tag != 0x04 or config_end - config < 13:
        raise Mp4Error("esds box holds no decoder configuration")
    return [config + 5]  # after object type, stream type and buffer size


def format_signature(track: Track) -> bytes:
    """The sample description with its bit rates blanked: equal for two tracks when
    their samples can be played one after the other by one decoder."""
    stsd = bytearray(track.stsd)
    for at in _rate_fields(track.stsd, track.handler):
        stsd[at:at + 8] = bytes(8)
    return bytes(stsd)


def with_rates(stsd: bytes, handler: bytes, maximum: int, average: int) -> bytes:
    """The sample description with these bit rates (bits a second)."""
    out = bytearray(stsd)
    for at in _rate_fields(stsd, handler):
        out[at:at + 8] = struct.pack(">II", min(maximum, _U32_MAX), min(average, _U32_MAX))
    return bytes(out)


@dataclass(frozen=True)
class AudioFormat:
    codec: bytes  # the sample entry's type, b"mp4a" for AAC
    object_type: int  # from the esds, 0x40 for MPEG-4 audio
    channels: int
    rate: int


def audio_format(stsd: bytes) -> AudioFormat:
    _rate_fields(stsd, b"soun")  # validates the entry
    _, entry, _ = next(children(stsd, 8, len(stsd)))
    channels = _U16.unpack_from(stsd, entry + 16)[0]
    rate = _U32.unpack_from(stsd, entry + 24)[0] >> 16
    object_type = 0
    for child, body, end in children(stsd, entry + _AUDIO_ENTRY, len(stsd)):
        if child == b"esds":
            object_type = stsd[_decoder_config(stsd, body + 4, end)[0] - 5]
    return AudioFormat(stsd[12:16], object_type, channels, rate)


# ---------------------------------------------------------------- writing


_TKHD_WIDTH = {0: 76, 1: 88}  # where a tkhd's width sits, by version
_ENTRY_WIDTH = 8 + 8 + 24  # in an stsd: its header, the entry's box header, then fields


def with_picture_size(data: bytes, width: int, height: int) -> bytes:
    """The MP4 with its video tracks' stated picture size (tkhd and the sample entry)
    set to ``width`` x ``height``: the size players show, when the coded picture is
    larger and its SPS crops it (the crop is what decoders apply)."""
    out = bytearray(data)
    moov = [(body, end) for kind, body, end in children(data, 0, len(data)) if kind == b"moov"]
    if len(moov) != 1:
        raise Mp4Error("expected one moov box")
    for kind, body, end in children(data, *moov[0]):
        if kind != b"trak":
            continue
        trak = _only(data, body, end)
        mdia = _only(data, *_need(trak, b"mdia", "trak"))
        if _body(data, _need(mdia, b"hdlr", "mdia"))[8:12] != b"vide":
            continue
        tkhd, tkhd_end = _need(trak, b"tkhd", "trak")
        at = tkhd + _TKHD_WIDTH.get(data[tkhd], 76)
        stsd, stsd_end = _need(_only(data, *_need(_only(
            data, *_need(mdia, b"minf", "mdia")), b"stbl", "minf")), b"stsd", "stbl")
        entry = stsd + _ENTRY_WIDTH
        if at + 8 > tkhd_end or entry + 4 > stsd_end:
            raise Mp4Error("a video track's headers are too short")
        struct.pack_into(">II", out, at, width << 16, height << 16)  # 16.16 fixed point
        struct.pack_into(">HH", out, entry, width, height)
    return bytes(out)


def box(kind: bytes, *parts: bytes) -> bytes:
    size = 8 + sum(len(p) for p in parts)
    if size > _U32_MAX:
        return struct.pack(">I4sQ", 1, kind, size + 8) + b"".join(parts)
    return _HEAD.pack(size, kind) + b"".join(parts)


def box_header(kind: bytes, payload: int) -> bytes:
    """The header of a box whose ``payload`` bytes are written after it separately."""
    if payload + 8 > _U32_MAX:
        return struct.pack(">I4sQ", 1, kind, payload + 16)
    return _HEAD.pack(payload + 8, kind)


def _full(kind: bytes, version: int, *parts: bytes) -> bytes:
    return box(kind, bytes((version, 0, 0, 0)), *parts)


def with_duration(kind: bytes, body: bytes, duration: int) -> bytes:
    """An mvhd, tkhd or mdhd box with a new duration, in 64 bits where it needs them."""
    wide = 8 if body[:1] == b"\x01" else 4
    fixed = 4 * _BEFORE_DURATION[kind]
    times = [int.from_bytes(body[4 + k * wide:4 + (k + 1) * wide], "big") for k in (0, 1)]
    between = body[4 + 2 * wide:4 + 2 * wide + fixed]
    rest = body[4 + 2 * wide + fixed + wide:]
    if len(between) != fixed or not rest:
        raise Mp4Error(f"{kind.decode()} box is too short")
    size = 8 if max(*times, duration) > _U32_MAX else 4
    fields = b"".join(t.to_bytes(size, "big") for t in times)
    return box(kind, bytes((size // 8,)), body[1:4], fields, between,
               duration.to_bytes(size, "big"), rest)


def edit_list(duration: int) -> bytes:
    """An edts box that plays the whole track from its start (``duration`` in the
    movie's timescale)."""
    if duration > _U32_MAX:
        return box(b"edts", _full(b"elst", 1, struct.pack(">IQqhh", 1, duration, 0, 1, 0)))
    return box(b"edts", _full(b"elst", 0, struct.pack(">IIihh", 1, duration, 0, 1, 0)))


def _runs(values: Ints) -> tuple[Ints, Ints]:
    """(first index, length) of each run of equal values."""
    if not len(values):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    return starts, np.diff(np.concatenate((starts, [len(values)])))


def _u32_table(*columns: Ints) -> bytes:
    table = np.column_stack(columns) if len(columns) > 1 else columns[0]
    if len(table) and (table.min() < 0 or table.max() > _U32_MAX):
        raise Mp4Error("a sample table value does not fit in 32 bits")
    return bytes(table.astype(">u4").tobytes())


def stts(durations: Ints) -> bytes:
    starts, lengths = _runs(durations)
    return _full(b"stts", 0, _U32.pack(len(starts)), _u32_table(lengths, durations[starts]))


def stss(sync: Flags) -> bytes | None:
    """The sync sample table, or None when every sample is one (no stss says so)."""
    if sync.all():
        return None
    numbers = np.flatnonzero(sync).astype(np.int64) + 1
    return _full(b"stss", 0, _U32.pack(len(numbers)), _u32_table(numbers))


def stsc(chunk_counts: Ints) -> bytes:
    starts, _ = _runs(chunk_counts)
    rows = _u32_table(starts + 1, chunk_counts[starts], np.ones(len(starts), np.int64))
    return _full(b"stsc", 0, _U32.pack(len(starts)), rows)


def stsz(sizes: Ints) -> bytes:
    if len(sizes) and (sizes == sizes[0]).all():
        return _full(b"stsz", 0, struct.pack(">II", int(sizes[0]), len(sizes)))
    return _full(b"stsz", 0, struct.pack(">II", 0, len(sizes)), _u32_table(sizes))


def chunk_offsets(offsets: Ints) -> bytes:
    """stco, or co64 once the media passes 4 GiB."""
    if len(offsets) and offsets.max() > _U32_MAX:
        return _full(b"co64", 0, _U32.pack(len(offsets)),
                     bytes(offsets.astype(">u8").tobytes()))
    return _full(b"stco", 0, _U32.pack(len(offsets)), _u32_table(offsets))


def sbgp(grouping: bytes, groups: Ints) -> bytes:
    starts, lengths = _runs(groups)
    return _full(b"sbgp", 0, grouping, _U32.pack(len(starts)),
                 _u32_table(lengths, groups[starts]))


def bit_rates(sizes: Ints, durations: Ints, timescale: int) -> tuple[int, int]:
    """(maximum over any one second, average), bits a second, as btrt and esds say."""
    total = int(durations.sum())
    if not len(sizes) or not total:
        return 0, 0
    ends = np.cumsum(durations)
    starts = ends - durations
    spent = np.concatenate(([0], np.cumsum(sizes)))
    # The bytes of the samples that start within a second of each sample's start.
    last = np.searchsorted(starts, starts + timescale, side="left")
    window = spent[last] - spent[:len(sizes)]
    average = int(spent[-1]) * 8 * timescale // total
    return int(window.max()) * 8, average
