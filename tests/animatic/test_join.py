"""join_segments: every frame kept, no re-encoding, sound kept in step."""

from __future__ import annotations

import numpy as np
import pytest

from shotline.animatic import SegmentSpec, encode_segment, join_segments
from shotline.animatic.wav import write_wav
from tests.animatic.media import board, packets, probe


def _segment(duration: float, start: int, seed: int = 0, sound: bool = False,
             fps: int = 24, size: tuple[int, int] = (320, 180)) -> bytes:
    wav = None
    if sound:  # a tone over the whole segment
        t = np.arange(round(duration * 48000)) / 48000
        wav = write_wav((0.4 * np.sin(2 * np.pi * 500 * t))[None, :].astype(np.float32), 48000)
    return encode_segment(SegmentSpec(board(*size, seed=seed), duration, fps, "3", f"3{seed}",
                                      start, audio_wav=wav))


@pytest.fixture(scope="module")
def three() -> list[bytes]:
    return [_segment(1.0, 0, 0), _segment(0.5, 24, 1, sound=True), _segment(0.75, 36, 2)]


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


def test_joins_join_again(three: list[bytes]) -> None:
    whole = join_segments(three)
    again = join_segments([join_segments(three[:2]), three[2]])
    assert packets(again) == packets(whole)
    assert len(probe(again).frames) == 54
    assert join_segments([three[0]]) and len(probe(join_segments([three[0]])).frames) == 24


def test_sound_never_drifts() -> None:
    # 40 two-frame cuts: each 4000 samples, not a whole number of 1024-sample frames.
    cut = _segment(2 / 24, 0)
    p = probe(join_segments([cut] * 40))
    assert len(p.frames) == 80
    assert abs(p.audio.shape[1] - 80 * 2000) <= 1024


def test_refuses_what_it_cannot_join(three: list[bytes]) -> None:
    with pytest.raises(ValueError):
        join_segments([])
    with pytest.raises(ValueError, match="segment 1 is not an MP4"):
        join_segments([three[0], b"not a video"])
    with pytest.raises(ValueError):
        join_segments([three[0], _segment(0.5, 0, size=(256, 144))])
    with pytest.raises(ValueError):
        join_segments([three[0], _segment(0.5, 0, fps=25)])
