"""The breakdown lexicon: which words in action put an element on the sheet."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from shotline.errors import InputError
from shotline.model.breakdown import CATEGORIES

_WORD = re.compile(r"[a-z]+(?:['\-][a-z]+)*'?")
_MAX_PHRASE = 3


@lru_cache(maxsize=1 << 16)  # a script uses a few thousand distinct words, thousands of times
def base(word: str) -> str:
    """A crude stem that maps plural and verb forms of a word onto one key.

    It only has to be consistent (terms and text go through it alike), not
    linguistic: 'lanterns' and 'lantern' -> 'lantern'; 'jumping', 'jumps' ->
    'jump'; 'parties', 'party' -> 'parti'; 'hoodies', 'hoodie' -> 'hoodi'.
    """
    w = word.removesuffix("'s").removesuffix("'")
    # Plural first, then verb endings: 'paintings' -> 'painting' -> 'paint'.
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us")):
        w = w[:-2] if w.endswith(("sses", "shes", "ches", "xes")) else w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 2 and w.endswith("y"):
        w = w[:-1] + "i"
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


@dataclass(frozen=True)
class Lexicon:
    """Phrase keys (tuples of word bases) to (category, term) entries."""

    entries: dict[tuple[str, ...], tuple[tuple[str, str], ...]]

    @classmethod
    def from_terms(cls, terms: Mapping[str, Iterable[str]]) -> Lexicon:
        entries: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for category, words in terms.items():
            for term in words:
                key = tuple(base(w) for w in _WORD.findall(term.lower()))
                known = entries.setdefault(key, []) if key else []
                # One entry per category and key: 'crowd' and 'crowds' are one term.
                if key and all(c != category for c, _ in known):
                    known.append((category, term))
        return cls({k: tuple(v) for k, v in entries.items()})

    def merged(self, other: Lexicon) -> Lexicon:
        entries = dict(self.entries)
        for key, found in other.entries.items():
            have = entries.get(key, ())
            categories = {c for c, _ in have}
            entries[key] = have + tuple(e for e in found if e[0] not in categories)
        return Lexicon(entries)

    def find(self, text: str) -> dict[str, set[str]]:
        """Category -> terms found in text, longest phrase first at each word."""
        found: dict[str, set[str]] = {}
        words = [base(w) for w in _WORD.findall(text.lower())]
        entries = self.entries
        i = 0
        while i < len(words):
            for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
                hit = entries.get(tuple(words[i:i + size]))
                if hit is not None:
                    for category, term in hit:
                        found.setdefault(category, set()).add(term)
                    i += size
                    break
            else:
                i += 1
        return found


def _read(data: bytes, source: str) -> dict[str, list[str]]:
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"not a valid lexicon TOML file: {exc}", source=source) from None
    terms: dict[str, list[str]] = {}
    for category, body in table.items():
        if category not in CATEGORIES:
            raise InputError(
                f"unknown category [{category}]; expected one of {', '.join(CATEGORIES)}",
                source=source)
        words = body.get("terms") if isinstance(body, dict) else None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise InputError(f"[{category}] needs terms = [\"...\", ...]", source=source)
        terms[category] = words
    return terms


def default_lexicon() -> Lexicon:
    data = files("shotline.breakdown").joinpath("lexicon.toml").read_bytes()
    return Lexicon.from_terms(_read(data, "lexicon.toml"))


def load_lexicon(path: Path) -> Lexicon:
    """The default lexicon extended with a project's own terms."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read lexicon: {exc.strerror}", source=str(path)) from None
    return default_lexicon().merged(Lexicon.from_terms(_read(data, str(path))))
