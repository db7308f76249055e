"""Where the parts of a body are: the heights a camera frames and aims at.

Proportions of an adult as a fraction of standing height (stature): the eyes at 0.93,
the shoulders at 0.82, the waist at 0.60, the knees at 0.28. Seated, the head top is
the seat height plus 0.52 of stature; the eyes and hands sit the same distance below it.
"""

from __future__ import annotations

from shotline.model.stage import ActorMark, Posture

EYES = 0.93
SEAT_HEIGHT = 0.45  # a chair or a car seat
SEATED_HEIGHT = 0.52  # seat to head top, as a fraction of stature
_BELOW_TOP_EYES = 1.0 - EYES
_BELOW_TOP_HANDS = 0.42  # hands held in front at the waist
_LYING_TOP = 0.3


def top_z(height: float, posture: Posture) -> float:
    """Height of the head top above the floor."""
    if posture == "sitting":
        return SEAT_HEIGHT + SEATED_HEIGHT * height
    if posture == "lying":
        return _LYING_TOP
    return height


def eye_z(mark: ActorMark) -> float:
    if mark.posture == "lying":
        return _LYING_TOP * 0.7
    return top_z(mark.height, mark.posture) - _BELOW_TOP_EYES * mark.height


def hand_z(mark: ActorMark) -> float:
    if mark.posture == "lying":
        return _LYING_TOP * 0.5
    return top_z(mark.height, mark.posture) - _BELOW_TOP_HANDS * mark.height
