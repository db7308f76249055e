"""Who is in a scene: speaking cues, and characters named in action.

Scripts introduce a character in capitals, usually with an age ("MEI (8)"), and
afterwards write the name in capitals or in title case ("Mara runs"). Names are
compared without full stops, so "MARA." ends a sentence and "DR. BENNETT" matches
"DR BENNETT".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of capitalised words: "MARA OKAFOR", "MR. HALLORAN", "O'NEILL", "Young Edward".
_NAME_WORD = r"[A-Z][A-Za-z0-9'\u2019\-]*\.?"
_RUN = re.compile(rf"(?<![\w'\u2019])({_NAME_WORD}(?:[ ]+{_NAME_WORD})*)")
# Upper-case runs only (two letters or more a word), for introductions.
_CAPS_RUN = re.compile(
    r"(?<![\w'\u2019])([A-Z][A-Z0-9'\u2019\-]+\.?(?:[ ]+[A-Z][A-Z0-9'\u2019\-]+\.?)*)(?![a-z])"
)
# A character's first appearance: the name, then an age in parentheses.
_AGE = re.compile(r"\s*\(\s*(?:early|mid|late|mid-)?\s*-?\s*\d{1,3}\s*'?s?\s*\)", re.IGNORECASE)
_ARTICLES = frozenset({"A", "AN", "THE"})
_MAX_NAME_WORDS = 4
# Role names that are also everyday nouns: counted only when written in capitals
# ("GUARD" is the character; "Guard dogs bark" is not).
_COMMON = frozenset({
    "MAN", "WOMAN", "BOY", "GIRL", "GUARD", "COP", "DOCTOR", "NURSE", "OFFICER", "VOICE",
    "ALL", "BOTH", "WAITER", "WAITRESS", "DRIVER", "MOTHER", "FATHER", "MOM", "DAD",
    "KID", "OLD MAN", "OLD WOMAN", "CROWD", "EVERYONE", "SOLDIER", "PRIEST", "CAPTAIN",
    "PILOT", "CLERK", "TEACHER", "STRANGER", "VOICES", "RADIO", "TV", "NARRATOR",
})


def key(name: str) -> str:
    """How names are compared: upper case, no full stops, single spaces."""
    return " ".join(name.upper().replace(".", " ").split())


def _words(run: str, keep_dots: bool = False) -> list[str]:
    words = [w.removesuffix("'S").removesuffix("\u2019S").removesuffix("'s")
             .removesuffix("\u2019s") for w in run.split()]
    words = [w if keep_dots else w.rstrip(".") for w in words]
    if words:
        words[-1] = words[-1].rstrip(".")  # a full stop after a name ends the sentence
    while words and words[0].upper() in _ARTICLES:
        words = words[1:]
    return [w for w in words if w]


def cue_name(name: str | None) -> str:
    """A cue's name as the breakdown lists it: upper case, single spaces."""
    return " ".join((name or "").upper().split())


def introductions(action_texts: Iterable[str]) -> list[str]:
    """Names introduced in capitals with an age, "MEI (8)", in order of appearance."""
    found: dict[str, None] = {}
    for text in action_texts:
        for m in _CAPS_RUN.finditer(text):
            if _AGE.match(text, m.end()) is not None:
                words = _words(m.group(1), keep_dots=True)
                if words:
                    found.setdefault(" ".join(words), None)
    return list(found)


def aliases(speaking: Iterable[str], introduced: Iterable[str]) -> dict[str, str]:
    """Every name a character goes by (as a comparison key) -> the name listed.

    An introduction that holds a speaking cue, "MARA OKAFOR (30s)" for the cue
    MARA, is that character; other introductions are characters of their own.
    """
    names = {key(name): name for name in speaking}
    for intro in introduced:
        if key(intro) not in names:
            inside = named_in(intro, names)
            names[key(intro)] = inside[0] if inside else intro
    return names


def named_in(text: str, known: dict[str, str]) -> list[str]:
    """Known names in text (as their listed names), longest name first at each word.

    Upper-case mentions always count; title-case ones ("Mara") count unless the
    name is also an everyday word.
    """
    found: list[str] = []
    for m in _RUN.finditer(text):
        words = _words(m.group(1))
        i = 0
        while i < len(words):
            for size in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
                written = " ".join(words[i:i + size])
                listed = known.get(key(written))
                if listed is not None and (written.isupper() or key(written) not in _COMMON):
                    if listed not in found:
                        found.append(listed)
                    i += size
                    break
            else:
                i += 1
    return found
