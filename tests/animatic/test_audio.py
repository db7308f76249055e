"""AAC encoded only where there is sound decodes as if encoded whole."""

from __future__ import annotations

import av
import numpy as np

from shotline.animatic import audio


def _decode(packets: list[bytes]) -> np.ndarray:
    encoder = audio._encoder()
    encoder.open()
    decoder = av.CodecContext.create("aac", "r")
    decoder.extradata = encoder.extradata
    out = []
    for data in packets:
        out += [f.to_ndarray() for f in decoder.decode(av.Packet(data))]
    return np.concatenate(out, axis=1)


def test_silence_between_sounds_is_the_cached_frame() -> None:
    n = 60 * audio.BLOCK
    t = np.arange(n) / audio.RATE
    track = np.zeros((audio.CHANNELS, n), np.float32)
    for start, end in ((5000, 9000), (30000, 30500), (58000, n)):
        track[:, start:end] = 0.3 * np.sin(2 * np.pi * 300 * t[start:end])
    hybrid = audio.aac_frames(track)
    whole = audio._encode(track)
    assert len(hybrid) == len(whole) == 60
    assert hybrid.count(audio.silent_packet()) > 25
    a, b = _decode(hybrid), _decode(whole)
    assert np.abs(a - b).max() < 1e-3
    assert np.abs(a[:, 9000 + 2048:29000]).max() < 1e-4  # silent between the sounds
    assert np.sqrt((a[:, 6000:8000] ** 2).mean()) > 0.15


def test_no_wav_is_all_silence() -> None:
    frames = audio.segment_frames(None, 48000)
    assert len(frames) == 47 and set(frames) == {audio.silent_packet()}
