"""Actor marks: where everyone in the scene stands, once for the whole scene.

The two principals face each other across the line (y = LINE_Y): the screen-left one at
x = -d/2 looking towards +x, the other at x = +d/2, d the conversational distance.
Everyone else stands upstage of the line in a shallow amphitheatre around them: rings
centred between the principals, one shoulder width apart along each ring, the first
ring a shoulder width outside the principals. Each side of the line fills its own half
of the rings, nearest the line first, so people stay close to the principals and face
the camera side; everyone faces the point between the principals. Two on one side that
the plan shows in a two-shot trade places if that keeps the two-shot's screen order. A
crowd simply takes more rings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from shotline.blocking.geometry import LINE_Y, bearing
from shotline.blocking.sets import Place
from shotline.blocking.sides import LEFT, RIGHT, Sides
from shotline.model.stage import ActorMark, Posture

_LOWEST = math.radians(10.0)  # nobody stands closer to the line than this, seen from its centre
_DEPTH_WEIGHT = 2.0  # how much further from the line weighs against further from the centre
_SPARE = 4  # slots generated beyond the need, so the best-ordered ones are among them

Slot = tuple[float, float]


def _ring_slots(radius: float, spacing: float) -> list[Slot]:
    """Slots on the right half of a ring (x > 0): one spacing apart along the arc, the
    first half a spacing from the upstage centre so the two halves stay a spacing apart."""
    slots: list[Slot] = []
    arc = spacing / 2
    while arc / radius <= math.pi / 2 - _LOWEST:
        angle = math.pi / 2 - arc / radius  # from the line, counter-clockwise
        slots.append((radius * math.cos(angle), radius * math.sin(angle)))
        arc += spacing
    return slots


def _slots(count: int, inner: float, spacing: float) -> list[Slot]:
    """At least `count` slots on the right half, best first (near the line, then near
    the centre); the left half is their mirror image."""
    found: list[Slot] = []
    radius = inner
    while len(found) < count + _SPARE:
        found += _ring_slots(radius, spacing)
        radius += spacing
    found.sort(key=lambda s: (math.hypot(*s) + _DEPTH_WEIGHT * s[1], s[1], s[0]))
    return found[:count]


def _keep_order(pair: tuple[str, str], spots: dict[str, Slot], fixed: dict[str, Slot],
                slots: Sequence[Slot]) -> None:
    """Put a two-shot's screen-left one left of its screen-right one: two others on one
    side trade places; else one that is not a principal moves to the best free slot on
    its own side that keeps the order. Across the line, the eyelines have the last word."""
    first, second = pair
    a = spots.get(first, fixed.get(first))
    b = spots.get(second, fixed.get(second))
    if a is None or b is None or a[0] < b[0]:
        return
    if first in spots and second in spots and a[0] * b[0] > 0:
        spots[first], spots[second] = b, a
        return
    used = set(spots.values())
    for name, low, high in ((second, a[0], math.inf), (first, -math.inf, b[0])):
        if name not in spots:
            continue
        side = LEFT if spots[name][0] < 0 else RIGHT
        for sx, sy in slots:
            spot = (side * sx, sy)
            if spot not in used and low < spot[0] < high:
                spots[name] = spot
                return


def place_actors(order: Sequence[str], sides: Sides, place: Place,
                 heights: Mapping[str, float]) -> tuple[ActorMark, ...]:
    """Marks for everyone in `order` (the speakers, then the others present)."""
    posture: Posture = "sitting" if place.seated else "standing"

    def mark(name: str, x: float, y: float, facing: float) -> ActorMark:
        return ActorMark(name=name, x=round(x, 4), y=round(y, 4), facing=round(facing, 3),
                         height=heights[name], posture=posture)

    if not order:
        return ()
    if len(order) == 1:
        return (mark(order[0], 0.0, LINE_Y, 180.0),)  # alone: facing the audience
    half = place.conversation / 2
    left, right = (sides.principals if len(sides.principals) == 2
                   and set(sides.principals) <= set(order) else (order[0], order[1]))
    marks = {left: mark(left, -half, LINE_Y, -90.0), right: mark(right, half, LINE_Y, 90.0)}
    others = [n for n in order if n not in marks]
    # Who goes where: the plan's sides first, then the emptier side, left on a tie.
    groups: dict[int, list[str]] = {LEFT: [], RIGHT: []}
    for name in others:
        if name in sides.side:
            groups[sides.side[name]].append(name)
    for name in others:
        if name not in sides.side:
            groups[LEFT if len(groups[LEFT]) <= len(groups[RIGHT]) else RIGHT].append(name)
    need = max(len(groups[LEFT]), len(groups[RIGHT]))
    # Spare slots, for two-shots that need someone moved.
    slots = _slots(need + _SPARE * (1 + len(sides.pairs)), half + place.spacing, place.spacing)
    spots: dict[str, Slot] = {}
    for side, names in groups.items():
        for name, (sx, sy) in zip(names, slots, strict=False):
            spots[name] = (side * sx, sy)
    fixed = {left: (-half, 0.0), right: (half, 0.0)}  # slots are measured from the line
    for pair in sides.pairs:
        _keep_order(pair, spots, fixed, slots)
    for name, (x, y) in spots.items():
        marks[name] = mark(name, x, LINE_Y + y, bearing(-x, -y))
    return tuple(marks[n] for n in order)
