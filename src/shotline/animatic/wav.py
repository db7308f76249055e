"""PCM WAV in and out, as float samples shaped (channels, frames)."""

from __future__ import annotations

import io
import wave

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]

_SCALE = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}


def read_wav(data: bytes) -> tuple[Samples, int]:
    """Samples in [-1, 1] and the sample rate of a PCM WAV (8, 16, 24 or 32 bit).
    A header that claims more data than there is (a WAV written to a pipe) is fine."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a PCM WAV: {exc}") from exc
    if width not in _SCALE or channels < 1 or rate < 1:
        raise ValueError(f"unsupported WAV: {width * 8}-bit, {channels} channels, {rate} Hz")
    raw = raw[: len(raw) // (width * channels) * width * channels]
    if width == 1:
        ints = np.frombuffer(raw, np.uint8).astype(np.int32) - 128
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8  # sign-extend
    else:
        ints = np.frombuffer(raw, "<i2" if width == 2 else "<i4").astype(np.int64)
    samples = (ints / _SCALE[width]).astype(np.float32)
    return samples.reshape(-1, channels).T.copy(), rate


def write_wav(samples: Samples, rate: int) -> bytes:
    """16-bit PCM WAV of (channels, frames) samples, clipped to [-1, 1]."""
    ints = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(samples.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(ints.T.tobytes())
    return out.getvalue()


def resample(samples: Samples, rate: int, to_rate: int) -> Samples:
    """Linear interpolation to another rate: plenty for synthetic temp dialogue."""
    if rate == to_rate or samples.shape[1] == 0:
        return samples
    n = round(samples.shape[1] * to_rate / rate)
    positions = np.arange(n, dtype=np.float64) * (rate / to_rate)
    source = np.arange(samples.shape[1], dtype=np.float64)
    return np.stack([np.interp(positions, source, ch) for ch in samples]).astype(np.float32)


def to_channels(samples: Samples, channels: int) -> Samples:
    """Mix down to mono, or copy mono out to every channel."""
    if samples.shape[0] == channels:
        return samples
    mono = samples.mean(axis=0, dtype=np.float32)[None, :]
    return np.repeat(mono, channels, axis=0)
