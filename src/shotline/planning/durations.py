"""Screen time: dialogue at speaking pace, action at the page-a-minute rate of its print.

A speech takes as long as it takes to say (about 2.5 words a second, plus a breath
before the next one). Action has no words to time, so it runs at the industry's rate
for the space it takes on the page: a page of 55 lines a minute, counting the blank
line before the paragraph, and a scene heading's lines go to the scene's first beat.
On a typical page of mixed action and dialogue this gives about a minute a page
(see docs/planning.md for the figures).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shotline.breakdown.pagination import LINES_PER_PAGE, WIDTH, wrapped_lines
from shotline.model.script import Element, ElementType

T = ElementType

WORDS_PER_SECOND = 2.5
SUNG_WORDS_PER_SECOND = 1.5  # songs stretch their words
SPEECH_PAUSE = 0.5  # the breath between one speech and the next
DIRECTED_PAUSE = 1.0  # a "(beat)" or "(pause)" parenthetical
PAGE_SECONDS = 60.0
LINE_SECONDS = PAGE_SECONDS / LINES_PER_PAGE

_PAUSE = re.compile(r"\b(beat|pause|silence|a moment|long look)\b", re.IGNORECASE)


def words(text: str) -> int:
    return sum(1 for w in text.split() if any(ch.isalnum() for ch in w))


def action_seconds(text: str) -> float:
    """An action paragraph's time: its printed lines and the blank line before it."""
    return (wrapped_lines(text, WIDTH[T.ACTION]) + 1) * LINE_SECONDS


def heading_seconds(heading: str) -> float:
    """The time a scene heading's print stands for: the moment a new place takes to see.
    It is added to the scene's first beat."""
    if not heading.strip():
        return 0.0
    return (wrapped_lines(heading, WIDTH[T.SCENE_HEADING]) + 1) * LINE_SECONDS


def lyrics_seconds(text: str) -> float:
    return max(1.0, words(text) / SUNG_WORDS_PER_SECOND)


def speech_seconds(parts: Iterable[Element]) -> float:
    """A speech's time: its words said, its lyrics sung, its directed pauses, a breath."""
    seconds = SPEECH_PAUSE
    for e in parts:
        if e.type is T.DIALOGUE:
            seconds += words(e.text) / WORDS_PER_SECOND
        elif e.type is T.LYRICS:
            seconds += lyrics_seconds(e.text)
        elif e.type is T.PARENTHETICAL and _PAUSE.search(e.text):
            seconds += DIRECTED_PAUSE
    return seconds
