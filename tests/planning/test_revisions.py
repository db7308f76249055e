"""Overrides applied: shots added, changed, locked and dropped."""

from __future__ import annotations

import pytest

from shotline.model.shots import Angle, Framing, Movement, ScenePlan, ShotSize, ShotSource
from shotline.planning import Overrides, parse_overrides
from tests.planning.screenplays import KITCHEN, beat_indexes, plan, scene_plan, script_of, shot

# The kitchen as planned without overrides (see test_coverage for why):
# 1A establishing, 1B master, 1C OTS MARA, 1D OTS TEO, 1E CU TEO, 1F INSERT mug, 1G CU MARA.


def planned(toml: str) -> ScenePlan:
    return scene_plan(KITCHEN, parse_overrides(toml, "o.toml"))


def every_beat_once(result: ScenePlan, text: str = KITCHEN) -> None:
    seen = [i for c in result.edit for i in c.covers]
    assert len(seen) == len(set(seen))
    assert beat_indexes(script_of(text)) <= set(seen)


def test_the_plan_these_tests_start_from() -> None:
    base = scene_plan(KITCHEN)
    assert [(s.id, s.size, s.framing) for s in base.shots] == [
        ("1A", ShotSize.WS, Framing.GROUP), ("1B", ShotSize.FS, Framing.TWO_SHOT),
        ("1C", ShotSize.MCU, Framing.OTS), ("1D", ShotSize.MCU, Framing.OTS),
        ("1E", ShotSize.CU, Framing.SINGLE), ("1F", ShotSize.INSERT, Framing.SINGLE),
        ("1G", ShotSize.CU, Framing.SINGLE)]


def test_drop_reroutes_the_beats_to_the_shots_that_remain() -> None:
    base = scene_plan(KITCHEN)
    result = planned('[[shot]]\nid = "1E"\naction = "drop"\n')
    assert "1E" not in [s.id for s in result.shots]
    assert [s.id for s in result.shots] == ["1A", "1B", "1C", "1D", "1F", "1G"]
    # TEO's close lines fall back to his over-the-shoulder.
    for covers in [c.covers for c in base.edit if c.shot == "1E"]:
        assert next(c.shot for c in result.edit if covers[0] in c.covers) == "1D"
    every_beat_once(result)
    assert result.duration == pytest.approx(base.duration)
    assert result.warnings == ()


def test_dropping_an_insert_sends_its_beat_to_the_master() -> None:
    result = planned('[[shot]]\nid = "1F"\naction = "drop"\n')
    assert next(c.shot for c in result.edit if 14 in c.covers) == "1B"
    every_beat_once(result)


def test_dropping_every_shot_but_one_plays_the_rest_on_it_with_warnings() -> None:
    toml = "".join(f'[[shot]]\nid = "1{x}"\naction = "drop"\n\n' for x in "ABCDEG")
    result = planned(toml)
    assert [s.id for s in result.shots] == ["1F"]
    assert {c.shot for c in result.edit} == {"1F"}
    every_beat_once(result)
    assert any("no shot covers it any more; it plays on 1F" in w for w in result.warnings)


def test_change_sets_fields_and_keeps_the_rest() -> None:
    result = planned('[[shot]]\nid = "1C"\naction = "change"\nsize = "CU"\nangle = "low"\n')
    changed = shot(result, "1C")
    assert (changed.size, changed.angle, changed.lens_mm) == (ShotSize.CU, Angle.LOW, 75.0)
    assert (changed.framing, changed.subjects, changed.source) == (
        Framing.OTS, ("MARA",), ShotSource.OVERRIDE)
    assert changed.description == (
        "CU MARA over TEO's shoulder, looking screen right, low angle, 75 mm")
    assert changed.covers == shot(scene_plan(KITCHEN), "1C").covers
    assert not changed.locked


def test_a_stated_lens_wins_over_the_size_table() -> None:
    result = planned('[[shot]]\nid = "1C"\naction = "change"\nsize = "CU"\nlens_mm = 90\n')
    assert shot(result, "1C").lens_mm == 90.0


def test_lock_freezes_a_planned_shot() -> None:
    base = shot(scene_plan(KITCHEN), "1D")
    result = planned('[[shot]]\nid = "1D"\naction = "lock"\n')
    locked = shot(result, "1D")
    assert locked.locked
    assert locked == type(base)(**{**base.__dict__, "locked": True})


LOCK_ALL = """\
[[shot]]
id = "1D"
action = "lock"
size = "MS"
framing = "single"
angle = "high"
movement = "handheld"
lens_mm = 40
subjects = ["TEO"]
covers = [7, 8, 9, 3, 4]
description = "TEO, nervy, handheld"
"""


def test_a_locked_shot_is_exactly_as_the_override_states_it() -> None:
    locked = shot(planned(LOCK_ALL), "1D")
    assert (locked.size, locked.framing, locked.angle, locked.movement, locked.lens_mm) == (
        ShotSize.MS, Framing.SINGLE, Angle.HIGH, Movement.HANDHELD, 40.0)
    assert (locked.subjects, locked.covers, locked.description, locked.locked) == (
        ("TEO",), (7, 8, 9, 3, 4), "TEO, nervy, handheld", True)
    assert locked.source is ShotSource.OVERRIDE


def test_the_planner_never_alters_a_locked_shot_when_the_script_changes() -> None:
    overrides = parse_overrides(LOCK_ALL)
    before = shot(scene_plan(KITCHEN, overrides), "1D")
    revised = KITCHEN.replace("MARA\nSit down.", "MARA\nSit down. Please. I made tea.")
    after = shot(scene_plan(revised, overrides), "1D")
    assert after == before
    assert after.id == "1D" and [s.id for s in scene_plan(revised, overrides).shots].count(
        "1D") == 1


def test_the_fallback_never_extends_a_locked_shot() -> None:
    toml = "".join(f'[[shot]]\nid = "1{x}"\naction = "drop"\n\n' for x in "ABCDEG")
    result = planned(toml + '[[shot]]\nid = "1F"\naction = "lock"\n')
    assert shot(result, "1F").covers == (14,)
    every_beat_once(result)


def test_locking_an_id_the_plan_does_not_have_adds_it_locked() -> None:
    result = planned('[[shot]]\nid = "1Q"\naction = "lock"\nsize = "ECU"\n'
                     'subjects = ["TEO"]\ncovers = [18]\n')
    added = shot(result, "1Q")
    assert (added.locked, added.size, added.covers) == (True, ShotSize.ECU, (18,))
    assert next(c.shot for c in result.edit if 18 in c.covers) == "1Q"
    assert [s.id for s in result.shots].count("1Q") == 1


def test_add_takes_its_beats_and_the_next_free_letter() -> None:
    result = planned('[[shot]]\nscene = "1"\naction = "add"\nsize = "ECU"\n'
                     'subjects = ["MARA"]\nlines = [19]\n')
    added = result.shots[-1]
    assert (added.id, added.source, added.size, added.lens_mm) == (
        "1H", ShotSource.OVERRIDE, ShotSize.ECU, 100.0)
    assert added.covers == (10, 11)  # the whole speech at line 19: cue and dialogue
    assert added.description == "ECU MARA, looking screen right, eye level, 100 mm"
    assert next(c.shot for c in result.edit if 11 in c.covers) == "1H"
    every_beat_once(result)


def test_an_added_id_is_reserved_and_the_planner_letters_around_it() -> None:
    result = planned('[[shot]]\nid = "1C"\naction = "add"\nsize = "INSERT"\n'
                     'subjects = ["keys"]\ncovers = [0]\n')
    ids = [s.id for s in result.shots]
    assert ids[:4] == ["1A", "1B", "1D", "1E"]  # the OTS of MARA is now 1D
    assert shot(result, "1C").subjects == ("keys",)
    assert result.edit[0].shot == "1C"


def test_a_dropped_id_is_not_given_to_an_added_shot() -> None:
    result = planned('[[shot]]\nid = "1G"\naction = "drop"\n\n'
                     '[[shot]]\nscene = "1"\naction = "add"\nsize = "CU"\n')
    assert [s.id for s in result.shots][-1] == "1H"


def test_unknown_shots_and_scenes_are_warnings() -> None:
    overrides = parse_overrides('[[shot]]\nid = "1Z"\naction = "drop"\n\n'
                                '[[shot]]\nid = "9A"\naction = "change"\nsize = "CU"\n\n'
                                '[[shot]]\nid = "1X"\naction = "lock"\n', "o.toml")
    result = plan(KITCHEN, overrides).scenes[0]
    assert result.warnings == (
        "o.toml:5: scene 9 is not in the script; change 9A ignored",
        "o.toml:1: no shot 1Z in scene 1 to drop",
        "o.toml:10: no shot 1X in scene 1 to lock; give its size to add it as a locked shot",
    )
    assert [s.id for s in result.shots] == [s.id for s in scene_plan(KITCHEN).shots]


def test_covers_that_are_not_beats_warn() -> None:
    result = planned('[[shot]]\nscene = "1"\naction = "add"\nsize = "CU"\ncovers = [2, 99]\n')
    assert result.shots[-1].covers == (1, 2)
    assert result.warnings == ("o.toml:1: covers 99: not a line or action of scene 1; ignored",)


def test_overrides_are_deterministic() -> None:
    overrides = parse_overrides(LOCK_ALL + '\n[[shot]]\nid = "1F"\naction = "drop"\n')
    assert scene_plan(KITCHEN, overrides) == scene_plan(KITCHEN, overrides)
    assert scene_plan(KITCHEN, Overrides()) == scene_plan(KITCHEN)
