"""Who is in a scene: speaking cues, and characters named in capitals in action."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of upper-case words (two letters or more each), as scripts write a
# character's name in action: "MARA OKAFOR", "MR. HALLORAN", "O'NEILL".
_CAPS_RUN = re.compile(
    r"(?<![\w'])([A-Z][A-Z0-9'\u2019\-]+\.?(?:[ ]+[A-Z][A-Z0-9'\u2019\-]+\.?)*)(?![a-z])"
)
# A character's first appearance: the name, then an age in parentheses.
_AGE = re.compile(r"\s*\(\s*(?:early|mid|late|mid-)?\s*-?\s*\d{1,3}\s*'?s?\s*\)", re.IGNORECASE)
_ARTICLES = frozenset({"A", "AN", "THE"})
_MAX_NAME_WORDS = 4


def _words(run: str) -> list[str]:
    words = run.split()
    if words and words[-1].endswith(("'S", "\u2019S")):
        words[-1] = words[-1][:-2]
    while words and words[0] in _ARTICLES:
        words = words[1:]
    return words


def cue_name(name: str | None) -> str:
    """A cue's name as the breakdown lists it: upper case, single spaces."""
    return " ".join((name or "").upper().split())


def introductions(action_texts: Iterable[str]) -> list[str]:
    """Names introduced with an age, "MEI (8)", in order of first appearance."""
    found: dict[str, None] = {}
    for text in action_texts:
        for m in _CAPS_RUN.finditer(text):
            if _AGE.match(text, m.end()) is not None:
                words = _words(m.group(1))
                if words:
                    found.setdefault(" ".join(words), None)
    return list(found)


def aliases(speaking: Iterable[str], introduced: Iterable[str]) -> dict[str, str]:
    """Every name a character goes by -> the name the breakdown lists.

    An introduction that holds a speaking cue, "MARA OKAFOR (30s)" for the cue
    MARA, is that character; other introductions are characters of their own.
    """
    names = {name: name for name in speaking}
    for intro in introduced:
        if intro not in names:
            inside = named_in(intro, names)
            names[intro] = inside[0] if inside else intro
    return names


def named_in(text: str, known: dict[str, str]) -> list[str]:
    """Known names written in capitals in text (as their listed names), longest
    name first at each word."""
    found: list[str] = []
    for m in _CAPS_RUN.finditer(text):
        words = _words(m.group(1))
        i = 0
        while i < len(words):
            for size in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
                listed = known.get(" ".join(words[i:i + size]))
                if listed is not None:
                    if listed not in found:
                        found.append(listed)
                    i += size
                    break
            else:
                i += 1
    return found
