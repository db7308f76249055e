"""Temp dialogue: espeak-ng, voices per character, fitting speech to its time."""

from __future__ import annotations

import io
import shutil
import wave

import numpy as np
import pytest

from shotline.animatic import VOICES, fit_speech, mix_speech, speak, speech_available, voice_for
from shotline.animatic import speech as speech_module
from shotline.animatic.wav import read_wav, write_wav

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed")


def _wav(seconds: float, rate: int = 22050, channels: int = 1) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return write_wav(np.repeat(tone[None, :], channels, axis=0), rate)


@needs_espeak
def test_speak_gives_a_wav_with_sound() -> None:
    data = speak("The ferry leaves at six.", voice_for("MARA"))
    assert data is not None
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        frames = w.getnframes()
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(frames), "<i2")
    assert len(pcm) == frames and 0.8 < frames / rate < 4.0  # the header tells the truth
    assert np.abs(pcm).max() > 3000


@needs_espeak
def test_speak_takes_any_text_safely() -> None:
    data = speak('-v zz --help; rm -rf / $(echo "hi") `ls` [[x]]', "en-us+m1")
    assert data is not None and read_wav(data)[0].shape[1] > 0
    empty = speak("  \n ", "en")
    assert empty is not None and read_wav(empty)[0].shape[1] == 0


@needs_espeak
def test_every_voice_sounds_different() -> None:
    said = {speak("Look at them.", voice) for voice in VOICES}
    assert len(said) == len(VOICES)


def test_without_espeak_speak_returns_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech_module, "find_espeak", lambda: None)
    assert speak("Anyone there?", "en") is None
    assert not speech_available()


def test_voice_names_are_checked() -> None:
    with pytest.raises(ValueError):
        speak("hello", "--stdout")
    with pytest.raises(ValueError):
        speak("hello", "en us")


def test_voices_per_character() -> None:
    assert len(set(VOICES)) == len(VOICES)
    assert voice_for("MARA") == voice_for("MARA") == voice_for("Mara (V.O.)")
    assert voice_for("MARA") != voice_for("TEO")
    cast = [f"CHARACTER {n}" for n in range(len(VOICES) + 3)]
    voices = [voice_for(c, cast) for c in cast]
    assert len(set(voices[:len(VOICES)])) == len(VOICES)  # as far as the list allows
    assert all(v in VOICES for v in voices)
    assert voice_for("NOBODY", cast) == voice_for("NOBODY")


def test_fit_speech_pads_and_trims_exactly() -> None:
    for rate, channels in ((22050, 1), (48000, 2)):
        source = _wav(1.0, rate, channels)
        longer, shorter = fit_speech(source, 1.5), fit_speech(source, 0.25)
        for data, seconds in ((longer, 1.5), (shorter, 0.25)):
            with wave.open(io.BytesIO(data)) as w:
                assert w.getnframes() == round(seconds * rate)
                assert (w.getframerate(), w.getnchannels()) == (rate, channels)
        padded, _ = read_wav(longer)
        assert np.abs(padded[:, rate:]).max() == 0  # silence after the speech
        assert np.abs(padded[:, : rate // 2]).max() > 0.4
        trimmed, _ = read_wav(shorter)
        assert abs(trimmed[0, -1]) < 0.01  # faded out, no click
    assert read_wav(fit_speech(_wav(1.0), 0.0))[0].shape[1] == 0


def test_mix_speech_places_parts() -> None:
    mix, rate = read_wav(mix_speech([(0.5, _wav(0.5)), (2.0, b""), (1.8, _wav(1.0))], 2.0))
    assert rate == 48000 and mix.shape == (1, 96000)
    level = [float(np.abs(mix[0, i * 4800:(i + 1) * 4800]).max()) for i in range(20)]
    assert max(level[:5]) == 0 and min(level[5:10]) > 0.4
    assert max(level[10:18]) == 0 and min(level[18:]) > 0.4


def test_wav_formats_read_back() -> None:
    tone = np.linspace(-0.9, 0.9, 100, dtype=np.float32)[None, :]
    for width in (1, 3, 4):
        ints = np.round(tone[0] * (2 ** (8 * width - 1) - 1)).astype(np.int64)
        if width == 1:
            raw = (ints + 128).astype(np.uint8).tobytes()
        elif width == 3:
            raw = b"".join(int(i).to_bytes(3, "little", signed=True) for i in ints)
        else:
            raw = ints.astype("<i4").tobytes()
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(width)
            w.setframerate(8000)
            w.writeframes(raw)
        samples, rate = read_wav(out.getvalue())
        assert rate == 8000 and np.abs(samples - tone).max() < 0.01
    with pytest.raises(ValueError):
        read_wav(b"RIFF nonsense")
