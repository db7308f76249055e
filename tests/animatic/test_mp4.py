"""The MP4 boxes a join reads and writes: tables to arrays and back, the 64-bit forms a
long film needs, bit rates, and what is refused."""

from __future__ import annotations

import struct
from dataclasses import replace

import numpy as np
import pytest

from shotline.animatic import SegmentSpec, encode_segment, mp4
from tests.animatic.media import board


def _ints(*values: int) -> np.ndarray:
    return np.array(values, np.int64)


def _read_back(table: bytes) -> tuple[bytes, int, int]:
    """(type, body start, end) of the one box in ``table``."""
    [(kind, body, end)] = list(mp4.children(table, 0, len(table)))
    return kind, body, end


@pytest.fixture(scope="module")
def segment() -> bytes:
    return encode_segment(SegmentSpec(board(), 1.5, 24, "1", "1A"))


def test_a_segment_reads_as_one_video_and_one_audio_track(segment: bytes) -> None:
    movie = mp4.read_movie(segment)
    video, sound = movie.tracks
    assert (video.handler, sound.handler) == (b"vide", b"soun")
    assert len(video.sizes) == 36 and set(video.durations.tolist()) == {video.timescale // 24}
    assert video.sync is not None and video.sync.tolist() == [True] + [False] * 35
    assert sound.timescale == 48000 and set(sound.durations.tolist()) == {1024}
    assert int(sound.chunk_counts.sum()) == len(sound.sizes)
    assert sound.grouping == b"roll" and sound.groups is not None
    # Every sample's bytes are where the tables say, inside the file.
    ends = video.chunk_offsets + video.chunk_bytes
    assert ends.max() <= len(segment) and video.chunk_bytes.sum() == video.sizes.sum()
    found = mp4.audio_format(sound.stsd)
    assert (found.codec, found.object_type, found.channels, found.rate) == (
        b"mp4a", 0x40, 1, 48000)


def test_tables_are_run_length_coded() -> None:
    stts = mp4.stts(_ints(512, 512, 512, 1024, 512))
    assert stts[8:] == struct.pack(">4I", 0, 3, 3, 512) + struct.pack(">4I", 1, 1024, 1, 512)
    stsc = mp4.stsc(_ints(1, 1, 2, 2, 2, 1))
    assert struct.unpack(">I", stsc[12:16]) == (3,)
    assert struct.unpack(">9I", stsc[16:]) == (1, 1, 1, 3, 2, 1, 6, 1, 1)
    assert mp4.stss(np.ones(4, np.bool_)) is None  # every sample a sync sample: no box
    stss = mp4.stss(np.array([True, False, False, True]))
    assert stss is not None and struct.unpack(">3I", stss[12:]) == (2, 1, 4)
    same = mp4.stsz(_ints(4, 4, 4))
    assert struct.unpack(">II", same[12:]) == (4, 3)  # one size for all, no table
    assert struct.unpack(">5I", mp4.stsz(_ints(4, 5, 6))[12:]) == (0, 3, 4, 5, 6)


def test_offsets_past_4_gib_use_co64() -> None:
    small = mp4.chunk_offsets(_ints(40, 2 ** 32 - 1))
    assert _read_back(small)[0] == b"stco"
    big = mp4.chunk_offsets(_ints(40, 2 ** 32 + 7))
    kind, body, end = _read_back(big)
    assert kind == b"co64" and struct.unpack(">IQQ", big[body + 4:end]) == (2, 40, 2 ** 32 + 7)


def test_durations_past_32_bits_use_version_1(segment: bytes) -> None:
    movie = mp4.read_movie(segment)
    long = 2 ** 33 + 5
    for kind, body in ((b"mvhd", movie.mvhd), (b"tkhd", movie.tracks[0].tkhd),
                       (b"mdhd", movie.tracks[0].mdhd)):
        short = mp4.with_duration(kind, body, 1234)
        assert short[8] == 0 and len(short) == 8 + len(body)
        wide = mp4.with_duration(kind, body, long)
        assert wide[8] == 1 and len(wide) == 8 + len(body) + 12
        # The fields after the duration are kept as they were.
        assert wide.endswith(short[-(len(body) - 4 - 16 - 4 * (kind == b"tkhd")):])
    assert mp4.with_duration(b"mdhd", movie.tracks[0].mdhd, long)[8 + 24:8 + 32] == \
        long.to_bytes(8, "big")
    assert mp4.edit_list(long)[16] == 1 and mp4.edit_list(100)[16] == 0
    assert mp4.box_header(b"mdat", 2 ** 32) == struct.pack(">I4sQ", 1, b"mdat", 2 ** 32 + 16)
    assert mp4.box_header(b"mdat", 100) == struct.pack(">I4s", 108, b"mdat")


def test_bit_rates_over_the_busiest_second() -> None:
    # Ten samples of 100 bytes a tenth of a second apart, then one of 1000 bytes.
    sizes, durations = _ints(*[100] * 10, 1000), _ints(*[4800] * 11)
    top, average = mp4.bit_rates(sizes, durations, 48000)
    assert average == 2000 * 8 * 48000 // (11 * 4800)
    assert top == (9 * 100 + 1000) * 8  # the second from the second sample on
    assert mp4.bit_rates(_ints(), _ints(), 48000) == (0, 0)


def test_formats_compare_without_their_bit_rates(segment: bytes) -> None:
    video = mp4.read_movie(segment).tracks[0]
    faster = mp4.with_rates(video.stsd, b"vide", 10 ** 6, 5 * 10 ** 5)
    assert faster != video.stsd
    assert mp4.format_signature(video) == mp4.format_signature(replace(video, stsd=faster))


@pytest.mark.parametrize(("data", "message"), [
    (b"", "no ftyp and moov"),
    (b"\x00\x00\x00\x10ftypisom", r"runs past|bad size"),
    (struct.pack(">I4s", 4, b"ftyp"), "bad size"),
    (struct.pack(">I4s", 16, b"ftyp") + bytes(8) + struct.pack(">I4s", 8, b"moof"),
     "fragmented"),
])
def test_refuses_what_is_not_an_mp4_it_reads(data: bytes, message: str) -> None:
    with pytest.raises(mp4.Mp4Error, match=message):
        mp4.read_movie(data)


def test_refuses_an_unknown_sample_table(segment: bytes) -> None:
    at = segment.index(b"stss")
    renamed = segment[:at] + b"sdtp" + segment[at + 4:]
    with pytest.raises(mp4.Mp4Error, match="sdtp"):
        mp4.read_movie(renamed)


def test_refuses_tables_that_disagree(segment: bytes) -> None:
    at = segment.index(b"stsz") + 12  # the sample count
    count = struct.unpack(">I", segment[at:at + 4])[0]
    fewer = segment[:at] + struct.pack(">I", count - 1) + segment[at + 4:]
    with pytest.raises(mp4.Mp4Error, match=r"disagree|shorter"):
        mp4.read_movie(fewer)
