"""What a camera frames: the point it aims at, how far back it stands, and from which
direction, for each kind of shot. Angles (high, low, overhead, dutch) are applied
afterwards, by shotline.blocking.cameras.

Every direction chosen here points from the subject towards the audience's side of the
line (lower y): the cameras module keeps it there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from shotline.blocking.body import eye_z
from shotline.blocking.framing import INSERT_SCALE, frame_centre, framed_height
from shotline.blocking.geometry import LINE_Y, Vec2, Vec3, clamp, heading, rotate, unit
from shotline.blocking.lens import Lens
from shotline.model.shots import ShotSize
from shotline.model.stage import ActorMark, SetPiece

THREE_QUARTER = 30.0  # a single sits this far off the subject's eyeline, towards the camera side
# Further off or nearer the eyeline, in this order, when someone stands in the way.
_OFF_EYELINE = (THREE_QUARTER, 45.0, 20.0, 60.0, 12.0, 75.0)
HALF_BODY = 0.25  # half a person's width, for fitting people into a frame's width
EDGE_AIR = 0.95  # people fill at most this much of the frame's width, so a tilt keeps them in
_HEAD = 0.1  # half a head's width
_HEAD_IN_FRAME = 0.45  # how far into its half of the frame the near head reaches
_MAX_OTS_SIN = 0.7
_MIN_DETAIL = 0.02
AUDIENCE: Vec2 = (0.0, -1.0)  # from the set towards the audience


@dataclass(frozen=True, slots=True)
class Aim:
    target: Vec3  # the point on the optical axis: the frame's centre at the subject
    distance: float  # from the lens to the target, metres
    away: Vec2  # horizontal unit vector from the target towards the camera
    eye_z: float  # where an eye-level camera stands: the subject's eye height


def toward_audience(a: Vec2, b: Vec2) -> Vec2:
    """Of two directions, the one further towards the audience (the lower y)."""
    return a if a[1] <= b[1] else b


def _clearance(mark: ActorMark, away: Vec2, distance: float, spread: float,
               others: Sequence[ActorMark]) -> float:
    """How far the nearest person between the subject and the lens stays outside the
    frame's width (negative: inside it). `spread` is tan of half the horizontal view."""
    nearest = math.inf
    for other in others:
        wx, wy = other.x - mark.x, other.y - mark.y
        along = wx * away[0] + wy * away[1]
        if 0.0 < along < distance:
            edge = spread * (distance - along) + HALF_BODY  # half the frame there, and a body
            nearest = min(nearest, abs(wx * away[1] - wy * away[0]) - edge)
    return nearest


def three_quarter(mark: ActorMark, distance: float = 0.0, spread: float = 0.0,
                  others: Sequence[ActorMark] = ()) -> Vec2:
    """From the subject, where a single's camera stands: THREE_QUARTER degrees off their
    eyeline, clockwise for someone screen left (so they look past the lens to screen
    right, as the plan has them) and anticlockwise for someone screen right. If someone
    would stand in the frame, further off or nearer the eyeline, as long as the lens
    stays on the audience's side; if nowhere is clear, the clearest of those."""
    look = heading(mark.facing)
    turn = -1.0 if mark.x <= 0 else 1.0
    best: tuple[float, Vec2] | None = None
    for degrees in _OFF_EYELINE:
        away = rotate(look, turn * degrees)
        if mark.y + away[1] * distance > LINE_Y:
            continue  # across the line: not a place for this camera
        room = _clearance(mark, away, distance, spread, others)
        if room >= 0.0:
            return away
        if best is None or room > best[0]:
            best = (room, away)
    return best[1] if best is not None else rotate(look, turn * THREE_QUARTER)


def single(mark: ActorMark, size: ShotSize, lens: Lens,
           others: Sequence[ActorMark] = ()) -> Aim:
    height = framed_height(size, mark.height)
    eyes = eye_z(mark)
    target = (mark.x, mark.y, frame_centre(size, eyes, height))
    distance = lens.distance_for(height)
    away = three_quarter(mark, distance, lens.tan_half_width, others)
    return Aim(target, distance, away, eyes)


def over_shoulder(subject: ActorMark, shoulder: ActorMark, size: ShotSize,
                  lens: Lens) -> Aim:
    """The subject framed as a single, from behind the other's shoulder: the camera is
    turned off the line between them just enough that the back of the near head edges
    into its own side of the frame and the subject stays clear of it."""
    aim = single(subject, size, lens)
    apart = math.hypot(shoulder.x - subject.x, shoulder.y - subject.y)
    if apart < 1e-6:
        return aim
    towards = unit((shoulder.x - subject.x, shoulder.y - subject.y))
    behind = max(aim.distance - apart, 0.3)  # from the lens to the near head
    beside = _HEAD + _HEAD_IN_FRAME * behind * lens.tan_half_width
    turn = math.degrees(math.asin(clamp(beside / apart, 0.0, _MAX_OTS_SIN)))
    away = toward_audience(rotate(towards, turn), rotate(towards, -turn))
    # At the near one's eye height, so the back of their head, not their shoulders, is
    # what edges into the frame, however tall each of them is.
    return Aim(aim.target, aim.distance, away, eye_z(shoulder))


def people(marks: Sequence[ActorMark], size: ShotSize, lens: Lens) -> Aim:
    """Several people from the front, as the audience sees them: the size's framed height
    on the tallest, widened until everyone fits across the frame."""
    lo = min(m.x for m in marks)
    hi = max(m.x for m in marks)
    centre_x = (lo + hi) / 2
    front = min(m.y for m in marks)
    tallest = max(m.height for m in marks)
    eyes = max(eye_z(m) for m in marks)
    distance = lens.distance_for(framed_height(size, tallest))
    for m in marks:
        # Far enough that this person, and a body's width beside them, is in frame.
        fits = (abs(m.x - centre_x) + HALF_BODY) / (EDGE_AIR * lens.tan_half_width) - (
            m.y - front)
        distance = max(distance, fits)
    height = lens.framed_height(distance)
    target = (centre_x, front, frame_centre(size, eyes, height))
    return Aim(target, distance, AUDIENCE, eyes)


def whole_set(setpiece: SetPiece, centre_x: float, eyes: float, lens: Lens,
              at_least: float = 0.0) -> Aim:
    """The set from wall to wall (or the ground across its whole width), from the
    audience's side; and at least `at_least` metres tall."""
    distance = max((setpiece.width / 2) / lens.tan_half_width, lens.distance_for(at_least))
    return Aim((centre_x, LINE_Y, eyes), distance, AUDIENCE, eyes)


def detail(point: Vec3, across: float, eyes: float, lens: Lens) -> Aim:
    """An insert: the thing at `point` filling a third of the frame's height."""
    height = INSERT_SCALE * max(across, _MIN_DETAIL)
    return Aim(point, lens.distance_for(height), AUDIENCE, eyes)
