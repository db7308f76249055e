"""Actor marks: the principals across the line, everyone else around them."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.blocking.actors import place_actors
from shotline.blocking.geometry import LINE_Y, heading
from shotline.blocking.sets import Place, place_of
from shotline.blocking.sides import LEFT, RIGHT, Sides, read_sides
from shotline.model.stage import ActorMark
from tests.blocking.helpers import scene

ROOM = place_of(scene(), scale=False)
CAR = place_of(scene(location="CAR"), scale=False)


def marks(names: list[str], sides: Sides | None = None, place: Place = ROOM
          ) -> tuple[ActorMark, ...]:
    sides = sides or read_sides([], names, names[:2])
    return place_actors(names, sides, place, dict.fromkeys(names, 1.7))


def closest(found: tuple[ActorMark, ...]) -> float:
    return min((math.hypot(a.x - b.x, a.y - b.y)
                for a, b in itertools.combinations(found, 2)), default=math.inf)


def test_principals_face_each_other_across_the_line() -> None:
    a, b = marks(["MARA", "TEO"])
    assert (a.name, b.name) == ("MARA", "TEO")
    assert a.x < 0 < b.x and a.y == b.y == LINE_Y
    assert 1.2 <= b.x - a.x <= 2.0
    assert heading(a.facing) == pytest.approx((1.0, 0.0))  # looking screen right
    assert heading(b.facing) == pytest.approx((-1.0, 0.0))


def test_nobody_and_one_person() -> None:
    assert marks([]) == ()
    (alone,) = marks(["MARA"])
    assert (alone.x, alone.y) == (0.0, LINE_Y)
    assert heading(alone.facing) == pytest.approx((0.0, -1.0))  # towards the camera side


def test_others_stand_upstage_in_an_arc_facing_the_principals() -> None:
    found = marks(["MARA", "TEO", "JUN", "MEI", "HALLORAN"])
    for m in found[2:]:
        assert m.y > LINE_Y + 0.2  # behind the line, not in the cameras' way
        to_centre = (-m.x, LINE_Y - m.y)
        look = heading(m.facing)
        assert look[0] * to_centre[0] + look[1] * to_centre[1] > 0.99 * math.hypot(*to_centre)
    assert closest(found) >= 0.85


def test_sides_from_the_plan_are_kept() -> None:
    sides = Sides(("JUN", "TEO"), {"JUN": LEFT, "MARA": LEFT, "TEO": RIGHT})
    found = {m.name: m for m in marks(["JUN", "MARA", "TEO", "MEI"], sides)}
    assert found["JUN"].x < 0 and found["MARA"].x < 0 and found["TEO"].x > 0
    assert found["MEI"].x > 0  # the emptier side


def test_a_two_shot_of_two_others_keeps_its_order() -> None:
    sides = Sides(("MARA", "TEO"), {"MARA": LEFT, "TEO": RIGHT, "JUN": RIGHT, "MEI": RIGHT},
                  pairs=(("JUN", "MEI"),))
    found = {m.name: m for m in marks(["MARA", "TEO", "JUN", "MEI"], sides)}
    assert found["JUN"].x < found["MEI"].x


def test_a_hundred_characters_all_have_room() -> None:
    names = [f"EXTRA {i}" for i in range(100)]
    found = marks(names)
    assert len(found) == 100 and len({m.name for m in found}) == 100
    assert closest(found) >= 0.4


def test_a_car_seats_everyone_closer() -> None:
    found = marks(["MARA", "TEO", "JUN"], place=CAR)
    assert all(m.posture == "sitting" for m in found)
    assert 1.2 <= found[1].x - found[0].x < 1.5
    assert closest(found) >= 0.4


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 60), st.booleans())
def test_never_two_on_one_spot(count: int, cramped: bool) -> None:
    names = [f"P{i}" for i in range(count)]
    found = marks(names, place=CAR if cramped else ROOM)
    assert len(found) == count
    assert closest(found) >= 0.4
