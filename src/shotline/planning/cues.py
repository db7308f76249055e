"""What an action paragraph tells the camera: movement, looks, scale, angle, props in hand.

Cues are plain word lists matched as whole words (verbs in all their forms), so the
planner stays predictable: a director can see why a beat got a tracking shot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from shotline.model.shots import Angle, Movement

V = TypeVar("V")

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|[.!?]")
# A word after one of these is a noun: "a look", "her watch", "the run".
_DETERMINERS = frozenset({
    "a", "an", "the", "her", "his", "their", "my", "your", "its", "our", "one", "this",
    "that", "no", "every", "each", "another",
})


class Token(NamedTuple):
    """A word of action text (a named tuple: a feature has a hundred thousand of them)."""

    word: str  # lower case, straight apostrophes
    start: int
    end: int
    sentence: int
    caps: bool  # written in capitals, the way scripts flag what matters


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    sentence = 0
    for m in _TOKEN.finditer(text):
        w = m.group()
        if w in ".!?":
            if out and out[-1].sentence == sentence:
                sentence += 1
            continue
        start, end = m.span()
        out.append(Token(w.lower().replace("\u2019", "'"), start, end, sentence,
                         len(w) > 1 and w.isupper()))
    return out


def _doubled(w: str) -> str | None:
    """'grab' -> 'grabb' for 'grabbed'; None where English does not double."""
    if (len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou"
            and w[-3] not in "aeiou"):
        return w + w[-1]
    return None


def verb_forms(verb: str) -> list[str]:
    """A verb phrase in its -s, -ing and -ed forms: 'come in' -> 'comes in', 'coming in'..."""
    head, _, rest = verb.partition(" ")
    tail = f" {rest}" if rest else ""
    heads = [head]
    if head.endswith(("s", "sh", "ch", "x", "z", "o")):
        heads.append(head + "es")
    elif head.endswith("y") and head[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        heads.append(head[:-1] + "ies")
        heads.append(head[:-1] + "ied")
    else:
        heads.append(head + "s")
    if head.endswith("ie"):
        heads.append(head[:-2] + "ying")
    elif head.endswith("e") and not head.endswith("ee"):
        heads += [head[:-1] + "ing", head + "d"]
    else:
        heads += [head + "ing", head + "ed"]
    double = _doubled(head)
    if double:
        heads += [double + "ing", double + "ed"]
    return [h + tail for h in dict.fromkeys(heads)]


@dataclass(frozen=True, slots=True)
class Match(Generic[V]):
    at: int  # index of the first token
    size: int
    value: V


class PhraseTable(Generic[V]):
    """Word sequences to values; at each word the longest phrase wins.

    Phrases marked as verbs do not match after a determiner, so 'her watch' and
    'a look' are not somebody watching or looking.
    """

    def __init__(self, entries: Iterable[tuple[str, V, bool]]) -> None:
        table: dict[str, list[tuple[tuple[str, ...], V, bool]]] = {}
        for phrase, value, verb in entries:
            words = tuple(t.word for t in tokenize(phrase))
            if words:
                table.setdefault(words[0], []).append((words, value, verb))
        self._table = {k: sorted(v, key=lambda e: -len(e[0])) for k, v in table.items()}

    def find(self, words: Sequence[str]) -> list[Match[V]]:
        found: list[Match[V]] = []
        i = 0
        n = len(words)
        while i < n:
            for phrase, value, verb in self._table.get(words[i], ()):
                size = len(phrase)
                if tuple(words[i:i + size]) != phrase:
                    continue
                if verb and i and words[i - 1] in _DETERMINERS:
                    continue
                found.append(Match(i, size, value))
                i += size
                break
            else:
                i += 1
        return found


def _verbs(value: V, verbs: Iterable[str], irregular: Iterable[str] = (),
           nouns: Iterable[str] = ()) -> list[tuple[str, V, bool]]:
    out = [(form, value, True) for verb in verbs for form in verb_forms(verb)]
    out += [(form, value, True) for form in irregular]
    out += [(noun, value, False) for noun in nouns]
    return out


# Entrances push in; travel is tracked; a struggle or a blast goes handheld.
_MOVEMENT: PhraseTable[Movement] = PhraseTable([
    *_verbs(Movement.DOLLY_IN, (
        "enter", "arrive", "come in", "walk in", "burst in", "bang in", "step in", "stride in",
        "storm in", "barge in", "hurry in", "rush in", "run in", "come through",
        "walk through", "burst through", "come down", "come back",
    ), ("came in", "strode in", "ran in", "came through", "came down", "came back")),
    *_verbs(Movement.TRACKING, (
        "run", "sprint", "race", "ride", "drive", "walk", "hurry", "rush", "flee", "chase",
        "pursue", "follow", "march", "swim", "gallop", "dash", "head for", "make for",
    ), ("ran", "rode", "drove", "fled", "swam", "sped", "strode")),
    *_verbs(Movement.HANDHELD, (
        "fight", "struggle", "scramble", "lunge", "stumble", "stagger", "fall", "dive", "leap",
        "jump", "plunge", "haul", "wrestle", "grapple", "tackle", "punch", "shove", "splash",
        "flail", "brawl", "explode", "skid", "tumble", "throw himself", "throw herself",
    ), ("fell", "dove", "leapt", "threw himself", "threw herself"),
        ("explosion", "stampede", "scuffle", "melee", "gunfire", "chaos", "panic")),
])

_LOOK: PhraseTable[bool] = PhraseTable(_verbs(True, (
    "look", "see", "watch", "stare", "gaze", "glance", "peer", "notice", "observe", "study",
    "scan", "spot", "catch sight",
), ("saw", "caught sight")))
_LOOK_PARTICLES = frozenset({
    "at", "out", "down", "up", "through", "over", "across", "into", "toward", "towards",
    "around", "back", "past", "along", "beyond", "under", "in",
})

# Scale: the wide, high view a crane or a drone gives.
_SCALE: PhraseTable[bool] = PhraseTable((w, True, False) for w in (
    "crowd", "crowds", "hundreds", "thousands", "army", "armies", "battle", "battles",
    "battlefield", "storm", "storms", "horde", "hordes", "fleet", "fleets", "mob", "mobs",
    "throng", "multitude", "stampede", "masses", "legions", "skyline", "panorama", "vast",
    "the whole", "entire city", "whole city", "whole town", "as far as the eye can see",
    "surge", "surges", "tidal wave", "tsunami", "flood", "floods",
))
_AERIAL: PhraseTable[bool] = PhraseTable((w, True, False) for w in (
    "aerial", "from above", "far below", "bird's eye", "birds eye", "from high above",
    "from the air",
))
# Scale terms of the breakdown sheet's extras, effects and visual effects.
SCALE_TERMS = frozenset({
    "crowd", "crowds", "mob", "throng", "masses", "army", "troops", "townspeople", "townsfolk",
    "congregation", "audience", "spectator", "protester", "soldier", "storm", "flood",
    "storm surge", "tidal wave", "tsunami", "swarm", "set extension", "crowd replication",
})

# Low for power and threat, high for vulnerability, dutch for a world off balance.
_ANGLE: PhraseTable[Angle] = PhraseTable([
    *_verbs(Angle.LOW, (
        "tower", "loom", "menace", "threaten", "glower", "dominate", "brandish", "stand over",
        "stand on", "climb onto", "climb on", "rise up", "loom over", "tower over",
    ), ("stood over", "stood on", "rose up"),
        ("on top of", "triumphant", "victorious", "towering", "menacing")),
    *_verbs(Angle.HIGH, (
        "cower", "tremble", "huddle", "curl up", "collapse", "kneel", "weep", "sob", "crumple",
        "shiver", "cringe", "lie on", "sink to",
    ), ("knelt", "wept", "lay on", "sank to"),
        ("helpless", "trapped", "cornered", "asleep", "defenceless", "defenseless",
         "vulnerable")),
    *_verbs(Angle.DUTCH, ("reel",), (),
            ("dizzy", "disoriented", "disorientated", "woozy", "drunk", "delirious")),
])

# Hands on a thing: the cue for an insert of it.
_HANDLING: PhraseTable[bool] = PhraseTable(_verbs(True, (
    "check", "open", "hold", "grab", "pick up", "take", "hand", "give", "pass", "read",
    "fold", "unfold", "pin", "set down", "put", "pull", "lift", "raise", "drop", "clutch",
    "clamp", "pocket", "tuck", "show", "point", "wave", "light", "write", "pour", "fill",
    "strap", "dial", "hang up", "unlock", "load", "aim", "flip", "toss", "throw", "push",
    "slide", "grip", "squeeze", "seize", "snatch", "examine", "inspect", "unwrap", "sign",
    "answer", "press", "tap", "turn over",
), ("held", "took", "gave", "wrote", "lit", "threw", "slid", "rang")))

# What a POV shows far away: a wide shot rather than a close one.
DISTANT = frozenset({
    "sea", "horizon", "sky", "window", "water", "bay", "harbour", "harbor", "city", "crowd",
    "street", "hill", "valley", "field", "distance", "ocean", "river", "lake", "road",
    "landscape", "town", "coast", "shore", "basin", "skyline",
})

_HANDLED_WORDS = 4  # "sets down an ENVELOPE", "checks the brass compass"
_OBJECT_END = re.compile(r"[.!?;:,]|--|\u2014")
_OBJECT_WORDS = 8


@dataclass(frozen=True, slots=True)
class Look:
    verb_start: int  # character offset of the looking verb
    sentence_start: int  # character offset of its sentence
    view: str  # what is looked at, with its particle: "out of the window"


@dataclass(frozen=True, slots=True)
class Verb:
    """Where a cue word stands, so the planner can find who does it."""

    word: str  # as written: "sprints"
    start: int  # character offset
    sentence_start: int  # character offset of its sentence


@dataclass(frozen=True, slots=True)
class ActionCues:
    tokens: tuple[Token, ...]
    movement: Movement | None
    mover: Verb | None  # the verb that set the movement
    look: Look | None
    scale: bool
    aerial: bool
    angle: Angle | None
    handled: frozenset[int]  # indexes of tokens a hand acts on: the few words after the verb


def _view(text: str, after: int) -> str:
    rest = text[after:]
    end = _OBJECT_END.search(rest)
    phrase = " ".join(rest[:end.start() if end else len(rest)].split()[:_OBJECT_WORDS])
    if phrase and phrase.split()[0].lower() not in _LOOK_PARTICLES:
        phrase = f"at {phrase}"
    return phrase


def _sentence_start(tokens: Sequence[Token], at: int) -> int:
    sentence = tokens[at].sentence
    while at > 0 and tokens[at - 1].sentence == sentence:
        at -= 1
    return tokens[at].start


def _handled(tokens: Sequence[Token], words: Sequence[str]) -> frozenset[int]:
    out: set[int] = set()
    for m in _HANDLING.find(words):
        end = m.at + m.size
        sentence = tokens[m.at].sentence
        out.update(i for i in range(end, min(end + _HANDLED_WORDS, len(tokens)))
                   if tokens[i].sentence == sentence)
    return frozenset(out)


def read_action(text: str) -> ActionCues:
    tokens = tokenize(text)
    words = [t.word for t in tokens]
    look: Look | None = None
    looks = _LOOK.find(words)
    # Only a look in the first two sentences is what the paragraph is about.
    if looks and tokens[looks[0].at].sentence <= 1:
        m = looks[0]
        look = Look(tokens[m.at].start, _sentence_start(tokens, m.at),
                    _view(text, tokens[m.at + m.size - 1].end))
    mover: Verb | None = None
    movement = _MOVEMENT.find(words)
    if movement:
        first = movement[0]
        mover = Verb(text[tokens[first.at].start:tokens[first.at + first.size - 1].end],
                     tokens[first.at].start, _sentence_start(tokens, first.at))
    angle = _ANGLE.find(words)
    return ActionCues(
        tokens=tuple(tokens),
        movement=movement[0].value if movement else None,
        mover=mover,
        look=look,
        scale=bool(_SCALE.find(words)),
        aerial=bool(_AERIAL.find(words)),
        angle=angle[0].value if angle else None,
        handled=_handled(tokens, words),
    )
