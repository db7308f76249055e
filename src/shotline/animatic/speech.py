"""Temp dialogue: espeak-ng voices per character, and fitting speech to its time.

espeak-ng is a system program, not a Python dependency. Without it ``speak`` returns
None, and the animatic is silent: callers report that (``speech_available``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections.abc import Sequence

import numpy as np

from shotline.animatic.wav import read_wav, resample, to_channels, write_wav

# Accents and voice variants that sound apart from one another. ("en-gb+f2" would
# not do: espeak-ng 1.51 ignores variants on "en-gb"; "en" is the same accent.)
VOICES: tuple[str, ...] = (
    "en-us+m1", "en+f2", "en+m3", "en-us+f3", "en-gb-scotland+m4", "en-us+f4",
    "en-gb-x-rp+m2", "en-029+f1", "en-us+m7", "en-gb-x-rp+f5", "en+m6", "en-us-nyc+f2",
)
DEFAULT_WPM = 150  # the planner's speaking pace: 2.5 words a second
MIX_RATE = 48000
_FADE_SECONDS = 0.01  # a trimmed ending fades out instead of clicking
_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+\-]*")
_EXTENSION = re.compile(r"\s*\([^)]*\)\s*")  # (V.O.), (O.S.), (CONT'D)


class SpeechError(RuntimeError):
    """espeak-ng is installed but failed."""


def find_espeak() -> str | None:
    """The espeak-ng executable, or None where it is not installed."""
    return shutil.which("espeak-ng")


def speech_available() -> bool:
    return find_espeak() is not None


def _character(name: str) -> str:
    return " ".join(_EXTENSION.sub(" ", name).split()).upper()


def voice_for(character: str, cast: Sequence[str] = ()) -> str:
    """A character's voice, the same in every process and run. Without ``cast`` it is
    a hash of the name (so adding a character never re-voices the others, but two may
    share a voice); with ``cast`` (the characters in a fixed order, leads first) the
    first ``len(VOICES)`` get different voices. Extensions such as (V.O.) are ignored."""
    name = _character(character)
    order = list(dict.fromkeys(_character(c) for c in cast))
    if name in order:
        return VOICES[order.index(name) % len(VOICES)]
    return VOICES[zlib.crc32(name.encode("utf-8")) % len(VOICES)]


def speak(text: str, voice: str, rate_wpm: int = DEFAULT_WPM) -> bytes | None:
    """The text said by espeak-ng as a 16-bit mono WAV, or None without espeak-ng.
    The text goes in on stdin, never through a shell or the argument list."""
    if not _VOICE.fullmatch(voice):
        raise ValueError(f"not an espeak-ng voice name: {voice!r}")
    exe = find_espeak()
    if exe is None:
        return None
    words = " ".join(text.split())
    if not words:
        return write_wav(np.zeros((1, 0), np.float32), 22050)
    rate = min(450, max(80, int(rate_wpm)))
    try:
        done = subprocess.run(
            [exe, "-v", voice, "-s", str(rate), "-b", "1", "--stdin", "--stdout"],
            input=words.encode("utf-8"), capture_output=True, check=False,
            timeout=30 + len(words) / 20)
    except subprocess.TimeoutExpired as exc:
        raise SpeechError(f"espeak-ng timed out on {len(words)} characters") from exc
    if done.returncode != 0 or not done.stdout:
        raise SpeechError(f"espeak-ng failed ({done.returncode}): "
                          f"{done.stderr.decode('utf-8', 'replace').strip()}")
    # Written to a pipe, the WAV header cannot hold the real length: rewrite it.
    samples, sample_rate = read_wav(done.stdout)
    return write_wav(samples, sample_rate)


def fit_speech(wav: bytes, duration: float) -> bytes:
    """The WAV cut or padded with silence to exactly ``duration`` seconds (rounded to
    whole samples), at its own rate and channels, 16-bit; a cut ending fades out
    over 10 ms rather than clicking."""
    samples, rate = read_wav(wav)
    n = max(0, round(duration * rate))
    if samples.shape[1] >= n:
        samples = samples[:, :n].copy()
        fade = min(n, round(_FADE_SECONDS * rate))
        if fade:
            samples[:, n - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    else:
        samples = np.pad(samples, ((0, 0), (0, n - samples.shape[1])))
    return write_wav(samples, rate)


def mix_speech(parts: Sequence[tuple[float, bytes]], duration: float) -> bytes:
    """One mono 48 kHz WAV of ``duration`` seconds with each (start seconds, WAV) part
    placed at its start; empty parts are skipped, overlaps add, the end is cut."""
    n = max(0, round(duration * MIX_RATE))
    mix = np.zeros((1, n), np.float32)
    for start, wav in parts:
        if not wav:
            continue
        samples, rate = read_wav(wav)
        mono = resample(to_channels(samples, 1), rate, MIX_RATE)
        at = max(0, round(start * MIX_RATE))
        take = max(0, min(mono.shape[1], n - at))
        mix[:, at:at + take] += mono[:, :take]
    return write_wav(mix, MIX_RATE)
