"""Who stands on which side of the line, read from the shot plan so that the stage
agrees with the screen directions the planner wrote.

The planner puts the first principal to speak on screen at screen left, looking right,
and the other at screen right, looking left; with three or more speakers the first
half of them look right and the rest left. It records this in each single's and
over-the-shoulder's description ("looking screen right") and in each two-shot's
("MARA screen left, TEO screen right"). Those are read back here as votes: someone who
looks screen right stands screen left (-1). Where the plan says nothing, the order of
speaking decides, as the planner would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shotline.model.shots import Framing, Shot

LEFT = -1  # screen left: negative x, looking towards +x
RIGHT = 1
_EYELINE = re.compile(r"looking screen (left|right)")
_EYELINE_VOTE = 2  # a look is the planner's own record; a two-shot's order may be an override's


@dataclass(frozen=True, slots=True)
class Sides:
    principals: tuple[str, ...]  # screen left first; one name for a lone character
    side: dict[str, int]  # LEFT or RIGHT, for everyone the plan or the speaking order places
    pairs: tuple[tuple[str, str], ...] = ()  # two-shots' order: (screen left, screen right)


def two_shot_pairs(shots: Sequence[Shot]) -> tuple[tuple[str, str], ...]:
    """Each two-shot's people as its description orders them: (screen left, screen right)."""
    pairs: dict[tuple[str, str], None] = {}
    for shot in shots:
        if shot.framing is Framing.TWO_SHOT and len(shot.subjects) == 2:
            a, b = shot.subjects
            if f"{a} screen left, {b} screen right" in shot.description:
                pairs[a, b] = None
            elif f"{b} screen left, {a} screen right" in shot.description:
                pairs[b, a] = None
    return tuple(pairs)


def _votes(shots: Sequence[Shot], present: set[str]) -> dict[str, int]:
    votes: dict[str, int] = {}
    for a, b in two_shot_pairs(shots):
        votes[a] = votes.get(a, 0) + LEFT
        votes[b] = votes.get(b, 0) + RIGHT
    for shot in shots:
        subjects = shot.subjects
        if subjects and shot.framing in (Framing.SINGLE, Framing.OTS):
            found = _EYELINE.search(shot.description)
            if found is not None:
                stands = LEFT if found.group(1) == "right" else RIGHT
                votes[subjects[0]] = votes.get(subjects[0], 0) + _EYELINE_VOTE * stands
    return {name: (LEFT if v < 0 else RIGHT) for name, v in votes.items()
            if v and name in present}


def read_sides(shots: Sequence[Shot], present: Sequence[str],
               speaking: Sequence[str]) -> Sides:
    """The principals (the first speaker who stands screen left, and the first who stands
    screen right) and the side of everyone the plan or the speaking order places."""
    order = tuple(dict.fromkeys((*(n for n in speaking if n in present), *present)))
    if len(order) < 2:
        return Sides(order, {})
    pairs = two_shot_pairs(shots)
    side = _votes(shots, set(order))
    speakers = [n for n in order if n in speaking]
    if not side and len(speakers) >= 2:
        # As the planner does: the first half of the speakers look right.
        side = {n: (LEFT if i < len(speakers) / 2 else RIGHT) for i, n in enumerate(speakers)}
    left = next((n for n in order if side.get(n) == LEFT), None)
    right = next((n for n in order if side.get(n) == RIGHT and n != left), None)
    # Missing one: the first nobody placed on the other side, else anyone left.
    if left is None:
        left = next((n for n in order if n != right and side.get(n) != RIGHT),
                    next(n for n in order if n != right))
    if right is None:
        right = next((n for n in order if n != left and side.get(n) != LEFT),
                     next(n for n in order if n != left))
    side[left], side[right] = LEFT, RIGHT
    return Sides((left, right), side, pairs)
