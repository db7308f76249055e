"""Who "he" and "she" are in a scene, read from how its action refers to people.

A sentence that starts with a character and then says "his" or "she" before anyone
else is named tells us that character's pronoun ("Mara comes in and fills the
kettle herself"). With those votes, a paragraph that says "She doesn't touch it"
is about the most recent character whose pronoun is "she". Where the votes do not
settle it, or the pronoun is "they", nobody is assumed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from shotline.planning.cues import Token

_HE = frozenset({"he", "him", "his", "himself"})
_SHE = frozenset({"she", "her", "hers", "herself"})
_THEY = frozenset({"they", "them", "their", "theirs", "themselves"})


def pronoun(words: Iterable[str]) -> str | None:
    """The first third-person pronoun among words: 'he', 'she', 'they', or None."""
    for w in words:
        if w in _HE:
            return "he"
        if w in _SHE:
            return "she"
        if w in _THEY:
            return "they"
    return None


class People:
    """The scene's characters and the pronouns their action uses for them."""

    def __init__(self, known: Mapping[str, str]) -> None:
        # A name's last word finds it in prose: "RUTH HALLORAN", "Halloran's".
        self._names = {k.split()[-1].lower(): name for k, name in known.items() if k}
        self._votes: dict[str, dict[str, int]] = {}

    def name_of(self, word: str) -> str | None:
        """The character a lower-case word of prose names, if any."""
        return self._names.get(word.removesuffix("'s"))

    def learn(self, tokens: Sequence[Token]) -> None:
        subject: str | None = None
        sentence = -1
        done = False
        for t in tokens:
            if t.sentence != sentence:
                sentence, subject, done = t.sentence, None, False
            if done:
                continue
            name = self.name_of(t.word)
            if name is not None:
                if subject is None:
                    subject = name
                elif name != subject:
                    done = True  # a second person: the pronoun could be theirs
                continue
            said = pronoun((t.word,))
            if subject is not None and said in ("he", "she"):
                votes = self._votes.setdefault(subject, {})
                votes[said] = votes.get(said, 0) + 1
                done = True

    def pronoun_of(self, name: str) -> str | None:
        votes = self._votes.get(name, {})
        he, she = votes.get("he", 0), votes.get("she", 0)
        return "he" if he > she else "she" if she > he else None

    def resolve(self, said: str | None, recent: Sequence[str]) -> str | None:
        """The most recent character the pronoun can mean, if the scene tells us."""
        if said not in ("he", "she"):
            return None
        return next((n for n in reversed(recent) if self.pronoun_of(n) == said), None)
