"""The animatic's one audio format, AAC-LC mono 48 kHz, encoded only where it is heard.

Mono because temp dialogue is mono and FFmpeg's AAC encoder takes twice as long over
stereo (~47x against ~104x real time on speech, measured); a stereo animatic is
``LAYOUT = "stereo"``, ``CHANNELS = 2`` and ``BIT_RATE = 128_000`` here.

Most of a cut is silence, and an AAC frame of digital silence is the same few bytes
every time, so silent frames are that cached packet and the encoder runs only over
the stretches with sound (plus a frame either side for the transform's overlap).
Decoding the result gives the same samples as encoding the whole track.
"""

from __future__ import annotations

import functools
import math

import av
import numpy as np

from shotline.animatic.wav import Samples, read_wav, resample, to_channels

RATE = 48000
LAYOUT = "mono"
CHANNELS = 1
BIT_RATE = 64_000  # speech, mono: what broadcasters use for a voice channel
BLOCK = 1024  # samples per AAC-LC frame
_QUIET = 1.0 / 32768  # below a 16-bit step counts as silence
_MERGE_GAP = 8  # frames of silence cheaper to encode than a fresh encoder
_PRIMING = 1  # the encoder's first packet only primes the decoder


def _encoder() -> av.AudioCodecContext:
    codec = av.CodecContext.create("aac", "w")
    codec.sample_rate = RATE
    codec.layout = LAYOUT
    codec.format = "fltp"
    codec.bit_rate = BIT_RATE
    codec.options = {"aac_coder": "fast"}  # 3x twoloop's speed on speech; temp dialogue
    return codec


def _encode(samples: Samples) -> list[bytes]:
    """AAC packets for whole frames of samples, one per frame, priming dropped."""
    codec = _encoder()
    packets: list[bytes] = []
    for start in range(0, samples.shape[1], BLOCK):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, start:start + BLOCK]), format="fltp",
            layout=LAYOUT)
        frame.sample_rate = RATE
        frame.pts = start
        packets += [bytes(p) for p in codec.encode(frame)]
    packets += [bytes(p) for p in codec.encode(None)]
    frames = samples.shape[1] // BLOCK
    if len(packets) < _PRIMING + frames:
        raise RuntimeError(f"the AAC encoder gave {len(packets)} packets for {frames} frames")
    return packets[_PRIMING:_PRIMING + frames]


@functools.cache
def silent_packet() -> bytes:
    """The AAC frame that decodes to digital silence."""
    return _encode(np.zeros((CHANNELS, 4 * BLOCK), np.float32))[-1]


def blocks_for(samples: int) -> int:
    return math.ceil(samples / BLOCK)


def aac_frames(samples: Samples) -> list[bytes]:
    """One AAC packet per 1024 samples (``samples`` is (CHANNELS, n·1024) at RATE)."""
    count = samples.shape[1] // BLOCK
    silent = silent_packet()
    out = [silent] * count
    loud = np.abs(samples[:, :count * BLOCK]).reshape(CHANNELS, count, BLOCK).max(
        axis=(0, 2)) >= _QUIET
    for first, end in _runs(loud):
        # A frame's sound reaches into the packets before and after it (MDCT overlap):
        # encode from two frames early so the one before is settled, to one frame after.
        lo, hi = max(0, first - 2), min(count, end + 2)
        encoded = _encode(samples[:, lo * BLOCK:hi * BLOCK])
        for k in range(max(0, first - 1), min(count, end + 1)):
            out[k] = encoded[k - lo]
    return out


def _runs(loud: np.ndarray[tuple[int], np.dtype[np.bool_]]) -> list[tuple[int, int]]:
    """[first, end) frame ranges with sound, near neighbours merged."""
    runs: list[tuple[int, int]] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([False], loud, [False])).astype(np.int8)))
    for first, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        if runs and first - runs[-1][1] <= _MERGE_GAP:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((first, end))
    return runs


def segment_frames(wav: bytes | None, samples: int) -> list[bytes]:
    """The AAC packets of a segment ``samples`` long at RATE: the WAV (any PCM rate and
    channels) from its start, cut at the segment's end, silence where it has none."""
    count = blocks_for(samples)
    if wav is None:
        return [silent_packet()] * count
    pcm, rate = read_wav(wav)
    pcm = to_channels(resample(pcm, rate, RATE), CHANNELS)
    track = np.zeros((CHANNELS, count * BLOCK), np.float32)
    take = min(pcm.shape[1], samples)
    track[:, :take] = pcm[:, :take]
    return aac_frames(track)
