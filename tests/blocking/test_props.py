"""Prop marks beside the people who handle them."""

from __future__ import annotations

import itertools
import math

from shotline.blocking.body import hand_z
from shotline.blocking.geometry import LINE_Y
from shotline.blocking.props import (
    DEFAULT_SIZE,
    TABLE_Z,
    best_match,
    find_prop,
    place_props,
    prop_size,
)
from shotline.model.stage import ActorMark

A = ActorMark("MARA", -0.75, LINE_Y, -90.0, 1.7)
B = ActorMark("TEO", 0.75, LINE_Y, 90.0, 1.8)


def test_sizes_by_the_head_word() -> None:
    assert prop_size("brass compass") == prop_size("compass") < 0.1
    assert prop_size("ring of keys") == prop_size("keys")
    assert prop_size("paper lanterns") == prop_size("lantern")
    assert prop_size("thingamajig") == DEFAULT_SIZE
    assert prop_size("ladder") > 2


def test_small_props_are_in_hand_the_rest_set_down() -> None:
    jun = ActorMark("JUN", -1.7, LINE_Y + 0.4, -100.0, 1.6)
    compass, mug, suitcase, ladder = place_props(["compass", "mug", "suitcase", "ladder"],
                                                 [A, B], [A, B, jun])
    # Dealt in turn: the compass to Mara, the mug to Teo, both in hand.
    assert math.isclose(compass.z, hand_z(A)) and compass.x > A.x
    assert math.isclose(mug.z, hand_z(B)) and mug.x < B.x
    # The suitcase on a table between them, just behind the line.
    assert A.x < suitcase.x < B.x and LINE_Y < suitcase.y < LINE_Y + 1
    assert math.isclose(suitcase.z, TABLE_Z + suitcase.size / 2)
    # The ladder on the floor at an end of the line, clear of everyone.
    assert abs(ladder.x) - ladder.size / 2 > abs(jun.x) and ladder.z <= ladder.size / 2


def test_the_table_has_rows_that_do_not_overlap() -> None:
    names = ["box", "crate", "suitcase", "map", "chain", "mug", "bowl", "pencil"]
    row = place_props(names, [A, B])[2:]  # two are in hand
    for y in {p.y for p in row}:
        along = sorted((p for p in row if p.y == y), key=lambda p: p.x)
        for near, far in itertools.pairwise(along):
            assert far.x - near.x >= (near.size + far.size) / 2
    assert len({p.y for p in row}) > 1  # more than a table's width: another row behind


def test_with_nobody_props_go_on_a_table_in_the_middle() -> None:
    (cup,) = place_props(["cup"], [])
    assert abs(cup.x) < 1.0 and math.isclose(cup.z, TABLE_Z + cup.size / 2)


def test_a_lone_characters_table_is_beside_them() -> None:
    alone = ActorMark("MARA", 0.0, LINE_Y, 180.0, 1.7)
    _, box = place_props(["compass", "box"], [alone])
    assert box.x > 0.5 and box.y == alone.y


def test_the_same_props_the_same_marks() -> None:
    assert place_props(["compass", "mug"], [A, B]) == place_props(["compass", "mug"], [A, B])


def test_finding_a_prop_by_what_a_shot_calls_it() -> None:
    props = place_props(["compass", "envelope", "paper lantern"], [A, B])
    assert find_prop(props, "compass") is props[0]
    assert find_prop(props, "the brass compass") is props[0]
    assert find_prop(props, "lanterns") is props[2]
    assert find_prop(props, "her watch") is None
    assert find_prop(props, "") is None
    assert best_match(["red box", "box"], "box") == 1  # the same words win over a share
