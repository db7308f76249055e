"""Shot ids: scene number and letters in order of creation."""

from __future__ import annotations

import pytest

from shotline.planning.ids import letters, scene_of, shot_id
from tests.planning.screenplays import KITCHEN, scene_plan


@pytest.mark.parametrize(("k", "expected"), [
    (1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (28, "AB"), (52, "AZ"), (53, "BA"), (702, "ZZ"),
    (703, "AAA"),
])
def test_letters_run_a_to_z_then_aa(k: int, expected: str) -> None:
    assert letters(k) == expected


def test_shot_id_is_scene_number_and_letters() -> None:
    assert [shot_id("12", k) for k in (1, 2, 26, 27)] == ["12A", "12B", "12Z", "12AA"]


def test_scene_number_ending_in_a_letter_takes_a_hyphen() -> None:
    assert shot_id("12A", 1) == "12A-A"
    assert shot_id("A1", 3) == "A1C"


@pytest.mark.parametrize(("shot", "scene"), [
    ("12C", "12"), ("12AA", "12"), ("12A-B", "12A"), ("A1C", "A1"), ("7a", "7"),
])
def test_scene_of_reads_the_scene_back(shot: str, scene: str) -> None:
    assert scene_of(shot) == scene


@pytest.mark.parametrize("bad", ["12", "C", "12-C", "", "12C!", "A-"])
def test_scene_of_refuses_what_is_not_a_shot_id(bad: str) -> None:
    assert scene_of(bad) is None


def test_plan_letters_shots_in_order_of_creation() -> None:
    plan = scene_plan(KITCHEN)
    assert [s.id for s in plan.shots] == [f"1{letters(k)}" for k in range(1, len(plan.shots) + 1)]
    # The establishing shot is made first, the master second.
    assert plan.shots[0].description.startswith("WS establishing")
    assert "master" in plan.shots[1].description


def test_a_scene_with_more_than_26_shots_goes_on_to_aa() -> None:
    notes = "\n\n".join(f"[[shot: insert cup {k}]]\n\nA beat, number {k}." for k in range(30))
    plan = scene_plan(f"INT. CAFE - DAY #4#\n\n{notes}\n")
    ids = [s.id for s in plan.shots]
    assert ids[:3] == ["4A", "4B", "4C"]
    assert "4Z" in ids and "4AA" in ids and "4AF" in ids
    assert len(set(ids)) == len(ids)
