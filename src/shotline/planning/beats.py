"""A scene's beats: the units the edit shows, each exactly once.

An action paragraph is a beat; so is a speech (its cue, parentheticals and dialogue
travel together) and a passage of lyrics. Two speeches written side by side (dual
dialogue) are one beat, played at once. Transitions, notes, sections, synopses,
centered text and page breaks are not beats: they take no time in the edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from shotline.breakdown.characters import cue_name
from shotline.model.script import Element, ElementType
from shotline.planning.durations import action_seconds, lyrics_seconds, speech_seconds

T = ElementType

_SPEECH_PARTS = (T.PARENTHETICAL, T.DIALOGUE, T.LYRICS)
# Cue extensions for a voice whose speaker is not in the picture.
_OFF_SCREEN = frozenset({"VO", "OS", "OC", "OFF", "OFFSCREEN", "PRELAP", "PRE-LAP", "FILTERED",
                         "PHONE", "RADIO", "INTERCOM"})
_STRONG_WORDS = 5  # a line this short lands hard


class BeatKind(StrEnum):
    ACTION = "action"
    SPEECH = "speech"
    DUAL = "dual"  # two speeches at once
    LYRICS = "lyrics"


@dataclass(frozen=True, slots=True)
class Beat:
    kind: BeatKind
    indexes: tuple[int, ...]  # every element it carries: cue, parentheticals, dialogue
    core: tuple[int, ...]  # the action, dialogue or lyrics elements among them
    line: int  # source line where it starts
    last_line: int  # source line where it ends
    text: str
    speakers: tuple[str, ...] = ()
    off_screen: bool = False  # a voice over, or a speaker outside the frame
    strong: bool = False  # a line that calls for the listener's reaction
    seconds: float = 0.0


@dataclass(slots=True)
class _Speech:
    name: str | None
    off_screen: bool
    dual: bool
    indexes: list[int]
    core: list[int]


def off_screen(extension: str | None) -> bool:
    """True for cue extensions like (V.O.), (O.S.), (O.C.), (PRE-LAP)."""
    if not extension:
        return False
    marks = extension.upper().replace(".", "").replace("'", "").replace(",", " ").split()
    return any(m in _OFF_SCREEN for m in marks)


def _speech(elements: Sequence[Element], i: int) -> tuple[_Speech, int]:
    """The speech starting at elements[i] (a cue, or a stray parenthetical or dialogue)."""
    first = elements[i]
    if first.type is T.CHARACTER:
        speech = _Speech(cue_name(first.name or first.text) or None, off_screen(first.extension),
                         first.dual, [i], [])
        k = i + 1
    else:
        speech = _Speech(None, False, False, [], [])
        k = i
    end = k
    while k < len(elements):
        kind = elements[k].type
        if kind in _SPEECH_PARTS:
            speech.indexes.append(k)
            if kind is not T.PARENTHETICAL:
                speech.core.append(k)
            k += 1
            end = k
        elif kind is T.NOTE:
            k += 1  # a note may stand inside a speech; it is not part of it
        else:
            break
    return speech, end


def _last_line(elements: Sequence[Element], indexes: Sequence[int]) -> int:
    return max(elements[i].line + elements[i].text.count("\n") for i in indexes)


def _strong(elements: Sequence[Element], core: Sequence[int]) -> bool:
    texts = [elements[i] for i in core if elements[i].type is T.DIALOGUE]
    if not texts:
        return False
    said = " ".join(e.text for e in texts).strip()
    return (said.rstrip("\"'\u201d ").endswith("!") or any(e.emphasis for e in texts)
            or len(said.split()) <= _STRONG_WORDS)


def _speech_beat(elements: Sequence[Element], speeches: Sequence[_Speech]) -> Beat:
    indexes = tuple(i for s in speeches for i in s.indexes)
    core = tuple(i for s in speeches for i in s.core)
    seconds = max(speech_seconds(elements[i] for i in s.indexes) for s in speeches)
    names = tuple(s.name for s in speeches if s.name)
    return Beat(
        kind=BeatKind.DUAL if len(speeches) > 1 else BeatKind.SPEECH,
        indexes=indexes,
        core=core,
        line=elements[indexes[0]].line,
        last_line=_last_line(elements, indexes),
        text=" ".join(elements[i].text for i in core),
        speakers=names,
        off_screen=all(s.off_screen for s in speeches),
        strong=_strong(elements, core),
        seconds=seconds,
    )


def split_beats(elements: Sequence[Element], lead_in: float = 0.0) -> tuple[Beat, ...]:
    """The scene's beats in order; lead_in seconds (the heading's) go to the first."""
    beats: list[Beat] = []
    i = 0
    n = len(elements)
    while i < n:
        e = elements[i]
        if e.type is T.ACTION:
            beats.append(Beat(BeatKind.ACTION, (i,), (i,), e.line, _last_line(elements, (i,)),
                              e.text, seconds=action_seconds(e.text)))
            i += 1
        elif e.type is T.LYRICS:
            beats.append(Beat(BeatKind.LYRICS, (i,), (i,), e.line, _last_line(elements, (i,)),
                              e.text, seconds=lyrics_seconds(e.text)))
            i += 1
        elif e.type is T.CHARACTER or e.type in _SPEECH_PARTS:
            speech, i = _speech(elements, i)
            if not speech.core:
                continue  # a cue with nothing said is not a beat
            group = [speech]
            if speech.dual:
                k = i
                while k < n and elements[k].type is T.NOTE:
                    k += 1
                if k < n and elements[k].type is T.CHARACTER and elements[k].dual:
                    second, after = _speech(elements, k)
                    if second.core:
                        group.append(second)
                        i = after
            beats.append(_speech_beat(elements, group))
        else:
            i += 1
    if beats and lead_in:
        beats[0] = replace(beats[0], seconds=beats[0].seconds + lead_in)
    return tuple(beats)
