"""The animatic: a segment per cut (the board held for the cut, slate, timecode and
subtitles burned in, temp dialogue), joined without re-encoding, and sidecar
subtitles. Everything here is a pure function of bytes and values, so an engine can
cache each piece. See docs/animatic.md."""

from shotline.animatic.join import join_segments
from shotline.animatic.segment import SegmentSpec, encode_segment
from shotline.animatic.speech import (
    VOICES,
    SpeechError,
    fit_speech,
    mix_speech,
    speak,
    speech_available,
    voice_for,
)
from shotline.animatic.subtitles import Line, to_srt, to_vtt
from shotline.animatic.timecode import frame_count, timecode

__all__ = [
    "VOICES",
    "Line",
    "SegmentSpec",
    "SpeechError",
    "encode_segment",
    "fit_speech",
    "frame_count",
    "join_segments",
    "mix_speech",
    "speak",
    "speech_available",
    "timecode",
    "to_srt",
    "to_vtt",
    "voice_for",
]
