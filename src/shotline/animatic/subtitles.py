"""Dialogue lines and the cut's sidecar subtitles (SubRip and WebVTT)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """A line of dialogue on screen from ``start`` to ``end`` seconds, relative to its
    segment (burn-in, speech) or to the whole cut (sidecar subtitles)."""

    start: float
    end: float
    speaker: str
    text: str

    @property
    def words(self) -> str:
        """The text on one line: a blank line would end a subtitle cue early."""
        return " ".join(self.text.split())

    @property
    def caption(self) -> str:
        speaker = " ".join(self.speaker.split())
        return f"{speaker}: {self.words}" if speaker else self.words


def _cues(lines: Sequence[Line]) -> list[tuple[int, int, Line]]:
    """Lines with something to show, in time order, as whole milliseconds."""
    cues = []
    for line in lines:
        start, end = round(max(0.0, line.start) * 1000), round(line.end * 1000)
        if end > start and line.words:
            cues.append((start, end, line))
    cues.sort(key=lambda cue: (cue[0], cue[1]))
    return cues


def _clock(ms: int, separator: str) -> str:
    seconds, ms = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{ms:03d}"


def to_srt(lines: Sequence[Line]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm`` times, ``SPEAKER: text``. Lines with no
    words or no duration are left out."""
    blocks = [f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{line.caption}\n"
              for n, (start, end, line) in enumerate(_cues(lines), 1)]
    return "\n".join(blocks)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(lines: Sequence[Line]) -> str:
    """WebVTT: ``HH:MM:SS.mmm`` times, the speaker as a ``<v>`` voice span."""
    out = ["WEBVTT\n"]
    for start, end, line in _cues(lines):
        speaker = _escape(" ".join(line.speaker.split()))
        text = _escape(line.words)
        out.append(f"{_clock(start, '.')} --> {_clock(end, '.')}\n"
                   + (f"<v {speaker}>{text}\n" if speaker else f"{text}\n"))
    return "\n".join(out)
