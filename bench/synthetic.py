"""A deterministic synthetic screenplay generator, for load tests and benchmarks.

`feature(pages=120)` writes a feature-length Fountain screenplay; `season()` eight
50-page episodes. The same arguments always give the same text.
"""

from __future__ import annotations

import random

_CAST = ("NORA", "ELIAS", "PRIYA", "TOMAS", "JUNE", "OKONKWO", "BEA", "SANDOR", "LIOR",
         "MARGUERITE", "DEV", "HALVARD")
_PLACES = ("LIGHTHOUSE", "CANNERY", "FERRY TERMINAL", "HILLTOP CHAPEL", "NIGHT MARKET",
           "HARBOUR OFFICE", "BOATYARD", "TRAIN PLATFORM", "ROOFTOP GARDEN", "SALT FLATS",
           "ARCHIVE", "KITCHEN", "POLICE HUT", "OBSERVATORY", "COVERED BRIDGE")
_TIMES = ("DAY", "NIGHT", "DUSK", "DAWN", "CONTINUOUS", "LATER")
_PROPS = ("a brass compass", "a folded letter", "a ring of keys", "a cracked phone",
          "a paper lantern", "a tide chart", "a thermos", "a red umbrella")
_VERBS = ("crosses to the window", "sets down the bag", "studies the map", "runs for the door",
          "walks in from the rain", "looks at the harbour", "sits on the stairs",
          "picks up the phone")
_HANDLING = ("picks up", "looks at", "turns over", "hands over", "pockets", "opens")
_WORDS = ("the", "tide", "is", "turning", "we", "never", "said", "that", "you", "knew",
          "about", "light", "boats", "again", "tomorrow", "listen", "nobody", "waits",
          "for", "weather", "like", "this", "promise", "me", "one", "thing", "already",
          "gone", "harbour", "north", "still", "here", "why", "now")


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice(".?!.")


def _scene(rng: random.Random, number: int) -> list[str]:
    inside = rng.random() < 0.55
    heading = (f"{'INT' if inside else 'EXT'}. {rng.choice(_PLACES)} - "
               f"{rng.choice(_TIMES)}")
    out = [heading, ""]
    cast = rng.sample(_CAST, rng.choice((2, 3, 3, 4)))
    if number % 17 == 0:
        out += ["Hundreds of people crowd the quay as fireworks burst over the water.", ""]
    out += [f"{cast[0]} {rng.choice(_VERBS)}. {rng.choice(_PROPS).capitalize()} on the "
            "table catches the light.", ""]
    if rng.random() < 0.5:
        out += [f"{cast[-1]} picks up {rng.choice(_PROPS)}.", ""]
    for _ in range(rng.randint(3, 7)):
        if len(cast) > 1 and rng.random() < 0.65:
            speaker = rng.choice(cast)
            out.append(speaker)
            if rng.random() < 0.2:
                out.append("(quietly)")
            out.append(" ".join(_sentence(rng, 4, 12) for _ in range(rng.randint(1, 2))))
        elif rng.random() < 0.5:
            out.append(f"{rng.choice(cast).capitalize()} {rng.choice(_VERBS)}. "
                       + _sentence(rng, 6, 16))
        else:  # business with a prop: the kind of beat that earns an insert
            out.append(f"{rng.choice(cast).capitalize()} {rng.choice(_HANDLING)} "
                       f"{rng.choice(_PROPS)}.")
        out.append("")
    return out


def feature(pages: int = 120, seed: int = 7, title: str = "Synthetic Feature") -> str:
    """About `pages` pages of Fountain, about two scenes a page and 13 shots a page."""
    rng = random.Random(seed)
    lines = [f"Title: {title}", "Credit: Written by", "Author: The Generator", ""]
    scenes = max(1, round(pages * 2.12))
    for number in range(1, scenes + 1):
        lines += _scene(rng, number)
        if number % 9 == 0:
            lines += ["CUT TO:", ""]
    return "\n".join(lines)


def season(episodes: int = 8, pages: int = 50) -> list[str]:
    return [feature(pages, seed=100 + k, title=f"Episode {k + 1}") for k in range(episodes)]
