"""join_segments: every frame kept, no re-encoding, sound kept in step, bytes moved and
tables rewritten (never a remux), the same bytes for the same inputs."""

from __future__ import annotations

import io
import struct
from fractions import Fraction

import av
import numpy as np
import pytest

from shotline.animatic import SegmentSpec, audio, encode_segment, join_segments, mp4
from shotline.animatic.wav import write_wav
from tests.animatic.media import board, packets, probe


def _segment(duration: float, start: int, seed: int = 0, sound: bool = False,
             fps: int = 24, size: tuple[int, int] = (320, 180), pitch: float = 500) -> bytes:
    wav = None
    if sound:  # a tone over the whole segment
        t = np.arange(round(duration * 48000)) / 48000
        wav = write_wav((0.4 * np.sin(2 * np.pi * pitch * t))[None, :].astype(np.float32),
                        48000)
    return encode_segment(SegmentSpec(board(*size, seed=seed), duration, fps, "3", f"3{seed}",
                                      start, audio_wav=wav))


@pytest.fixture(scope="module")
def three() -> list[bytes]:
    return [_segment(1.0, 0, 0), _segment(0.5, 24, 1, sound=True), _segment(0.75, 36, 2)]


@pytest.fixture(scope="module")
def short_cuts() -> list[bytes]:
    """Cuts of 1 to 5 frames, each with its own tone: short enough that the sound has to
    be both trimmed and padded to stay with the picture."""
    return [_segment(frames / 24, 0, k % 3, sound=True, pitch=300 + 37 * k)
            for k, frames in enumerate([2, 1, 3, 2, 5, 1, 1, 4, 2, 3, 1, 2])]


def _audio_packets(mp4_bytes: bytes) -> list[tuple[int, bytes]]:
    with av.open(io.BytesIO(mp4_bytes)) as container:
        stream = container.streams.audio[0]
        return [(p.pts or 0, bytes(p)) for p in container.demux(stream) if p.size]


def _video_packets(mp4_bytes: bytes) -> list[tuple[int, int, bool]]:
    with av.open(io.BytesIO(mp4_bytes)) as container:
        stream = container.streams.video[0]
        return [(p.pts or 0, p.duration or 0, p.is_keyframe)
                for p in container.demux(stream) if p.size]


def test_every_frame_kept_without_re_encoding(three: list[bytes]) -> None:
    joined = join_segments(three)
    p = probe(joined)
    assert len(p.frames) == 24 + 12 + 18 and p.video_seconds == pytest.approx(54 / 24)
    assert [n for n, k in enumerate(p.keyframes) if k] == [0, 24, 36]
    assert packets(joined) == [b for s in three for b in packets(s)]
    assert not p.errors
    # The second segment's sound is where its picture is, within half an AAC frame;
    # sound right at a cut fades in over one frame (the decoder's overlap restarts).
    heard = np.flatnonzero(np.abs(p.audio[0]) > 0.05)
    assert 48000 - 512 <= heard[0] <= 48000 + 512 + 1024
    assert abs(heard[-1] - 72000) <= 512 + 64
    middle = p.audio[0, 48000 + 2000:72000 - 2000].reshape(-1, 1000)
    assert np.sqrt((middle ** 2).mean(axis=1)).min() > 0.25  # a 0.4 tone throughout
    assert 0 <= p.audio.shape[1] - 54 * 2000 < 1024


def test_the_same_inputs_give_the_same_bytes(three: list[bytes]) -> None:
    first = join_segments(three)
    assert join_segments(list(three)) == first
    assert join_segments([bytes(s) for s in three]) == first
    assert join_segments(three[::-1]) != first


def test_timestamps_and_durations_are_patched(three: list[bytes]) -> None:
    joined = join_segments(three)
    video = _video_packets(joined)
    tick = 512  # a frame at 24 fps in libx264's 12288 timescale
    assert [pts for pts, _, _ in video] == [k * tick for k in range(54)]
    assert {duration for _, duration, _ in video} == {tick}
    sound = _audio_packets(joined)
    assert [pts for pts, _ in sound] == [k * audio.BLOCK for k in range(len(sound))]
    with av.open(io.BytesIO(joined)) as container:
        stream = container.streams.video[0]
        assert stream.frames == 54
        assert stream.time_base is not None and stream.duration is not None
        assert float(stream.duration * stream.time_base) == pytest.approx(54 / 24)
        assert container.duration is not None
        assert container.duration / 1e6 == pytest.approx(54 / 24, abs=0.03)
    movie = mp4.read_movie(joined)
    assert len(movie.tracks) == 2 and movie.udta is not None
    track = movie.tracks[0]
    # Every chunk points at bytes inside the one mdat, after the ftyp.
    assert track.chunk_offsets.min() > 8 and (
        track.chunk_offsets + track.chunk_bytes).max() <= joined.index(b"moov") - 4


def test_joins_join_again(three: list[bytes]) -> None:
    whole = join_segments(three)
    again = join_segments([join_segments(three[:2]), three[2]])
    assert packets(again) == packets(whole)
    assert _audio_packets(again) == _audio_packets(whole)
    assert len(probe(again).frames) == 54
    assert join_segments([three[0]]) and len(probe(join_segments([three[0]])).frames) == 24


def _laid_as_expected(parts: list[bytes]) -> tuple[list[tuple[int, bytes]], int]:
    """Where the rule puts each input's sound: end to end, a packet dropped when the
    sound is more than half a packet ahead of the picture's cut, silence added when it
    is as far behind. (pts, bytes) of every audio packet, and the furthest any packet
    lies from where it belongs, in samples."""
    out: list[tuple[int, bytes]] = []
    clock = worst = 0
    picture = Fraction(0)
    for part in parts:
        at = round(picture * audio.RATE)
        kept = [(at + pts, data) for pts, data in _audio_packets(part)]
        while kept and kept[0][0] + audio.BLOCK // 2 < clock:
            kept.pop(0)
        while kept and kept[0][0] - clock >= audio.BLOCK // 2:
            out.append((clock, audio.silent_packet()))
            clock += audio.BLOCK
        for belongs, data in kept:
            worst = max(worst, abs(belongs - clock))
            out.append((clock, data))
            clock += audio.BLOCK
        picture += Fraction(len(_video_packets(part)), 24)
    return out, worst


def test_sound_is_trimmed_and_padded_to_stay_with_the_picture(short_cuts: list[bytes]) -> None:
    # A cut whose sound stops short of its picture (as a file from elsewhere may): the
    # next cut's sound must wait for its picture, behind silence.
    short = _segment(0.5, 0, 1, sound=True, pitch=1200)
    parts = [*short_cuts[:6], _remuxed(short, sound=len(_audio_packets(short)) - 3),
             *short_cuts[6:]]
    joined = join_segments(parts)
    expected, worst = _laid_as_expected(parts)
    assert _audio_packets(joined) == expected
    assert worst <= audio.BLOCK // 2  # 11 ms at 48 kHz
    # Both happened: packets were dropped, and silence was added.
    heard = sum(len(_audio_packets(s)) for s in parts)
    silence = sum(1 for _, data in expected if data == audio.silent_packet())
    assert silence >= 2 and len(expected) - silence < heard
    frames = sum(len(_video_packets(s)) for s in parts)
    p = probe(joined)
    assert len(p.frames) == frames and not p.errors
    assert abs(p.audio.shape[1] - frames * 2000) <= audio.BLOCK


def test_sound_never_drifts() -> None:
    # 40 two-frame cuts: each 4000 samples, not a whole number of 1024-sample frames.
    cut = _segment(2 / 24, 0)
    p = probe(join_segments([cut] * 40))
    assert len(p.frames) == 80
    assert abs(p.audio.shape[1] - 80 * 2000) <= 1024


def test_refuses_what_it_cannot_join(three: list[bytes]) -> None:
    with pytest.raises(ValueError, match="no segments"):
        join_segments([])
    with pytest.raises(ValueError, match="segment 1 is not an MP4"):
        join_segments([three[0], b"not a video"])
    with pytest.raises(ValueError, match="segment 1 differs in format"):
        join_segments([three[0], _segment(0.5, 0, size=(256, 144))])
    with pytest.raises(ValueError, match="segment 1 differs in format"):
        join_segments([three[0], _segment(0.5, 0, fps=25)])


def test_refuses_a_cut_short_file(three: list[bytes]) -> None:
    whole = three[1]
    for end in (len(whole) - 40, whole.index(b"moov") + 200, 20):
        with pytest.raises(ValueError, match="segment 1 is not an MP4"):
            join_segments([three[0], whole[:end]])


def _patched_first_offset(data: bytes, value: int) -> bytes:
    at = data.index(b"stco") + 8  # after the type, version and flags: the entry count
    return data[:at + 4] + struct.pack(">I", value) + data[at + 8:]


def test_refuses_a_chunk_outside_the_file(three: list[bytes]) -> None:
    bad = _patched_first_offset(three[1], len(three[1]) + 10)
    with pytest.raises(ValueError, match=r"segment 1 is not an MP4: .*outside the file"):
        join_segments([three[0], bad])


def _remuxed(data: bytes, options: dict[str, str] | None = None, shift: int = 0,
             twice: bool = False, sound: int | None = None) -> bytes:
    """The segment's packets in a file PyAV's muxer lays out: fragmented, shifted in
    time (an edit list), with its video track twice, or with the first ``sound`` of
    its audio packets (none without)."""
    out = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, \
            av.open(out, "w", format="mp4", options=options or {}) as target:
        video = source.streams.video[0]
        streams = {video.index: [target.add_stream_from_template(video)
                                 for _ in range(2 if twice else 1)]}
        if sound is not None:
            heard = source.streams.audio[0]
            streams[heard.index] = [target.add_stream_from_template(heard)]
        left = sound
        for packet in source.demux(*[s for s in source.streams if s.index in streams]):
            if not packet.size:
                continue
            if packet.stream.type == "audio":
                assert left is not None
                if not left:
                    continue
                left -= 1
            for stream in streams[packet.stream.index]:
                copy = av.Packet(bytes(packet))
                copy.pts, copy.dts = (packet.pts or 0) + shift, (packet.dts or 0) + shift
                copy.duration, copy.time_base = packet.duration, packet.time_base
                copy.stream = stream
                target.mux(copy)
    return out.getvalue()


def test_refuses_layouts_it_does_not_join() -> None:
    silent = _segment(0.5, 0)
    plain = _remuxed(silent)
    assert len(probe(join_segments([plain, plain])).frames) == 24  # no sound: joins
    with pytest.raises(ValueError, match="fragmented MP4 is not supported"):
        join_segments([plain, _remuxed(silent, {"movflags": "frag_keyframe+empty_moov"})])
    with pytest.raises(ValueError, match="edit list"):
        join_segments([plain, _remuxed(silent, shift=512 * 3)])
    with pytest.raises(ValueError, match="2 video, 0 audio and 0 other tracks"):
        join_segments([plain, _remuxed(silent, twice=True)])
    with pytest.raises(ValueError, match="segment 1 differs in format"):
        join_segments([plain, silent])  # one has sound, the other not


def test_refuses_reordered_frames() -> None:
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as target:
        stream = target.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        stream.options = {"preset": "ultrafast", "x264-params": "bframes=2:b-adapt=0"}
        for k in range(12):
            frame = av.VideoFrame.from_ndarray(
                np.full((64, 64, 3), k * 20, np.uint8), format="rgb24")
            frame.pts = k
            target.mux(stream.encode(frame))
        target.mux(stream.encode(None))
    with pytest.raises(ValueError, match="not supported"):
        join_segments([out.getvalue()])
