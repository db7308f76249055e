"""The edit: every beat seen exactly once, on the shot that fits it."""

from __future__ import annotations

from itertools import pairwise

from shotline.model.script import ElementType
from shotline.model.shots import Angle, Framing, Movement, ShotSize, ShotSource
from shotline.planning.beats import split_beats
from shotline.planning.drafts import Draft, Rank
from shotline.planning.edit import cut_scene
from tests.planning.screenplays import (
    KITCHEN,
    MARKET,
    beat_indexes,
    elements_after_heading,
    scene_plan,
    script_of,
    shot,
)

T = ElementType

BUSY = """\
INT. STATION - NIGHT

= Mara waits for the last train.

# Part one

MARA (30s) paces the platform.

MARA
(to herself)
Come on.
(beat)
Come on.

[[The clock is five minutes fast.]]

TEO (20s) runs down the stairs.

TEO
Made it!

MARA ^
You didn't.

CUT TO:

> LATER <
"""


def test_every_dialogue_and_action_element_is_in_exactly_one_cut() -> None:
    for text in (KITCHEN, MARKET, BUSY):
        plan = scene_plan(text)
        seen = [i for c in plan.edit for i in c.covers]
        assert len(seen) == len(set(seen))
        assert beat_indexes(script_of(text)) <= set(seen)


def test_cues_and_parentheticals_travel_with_their_dialogue_and_the_rest_is_not_cut() -> None:
    plan = scene_plan(BUSY)
    elements = elements_after_heading(script_of(BUSY))
    for cut in plan.edit:
        for i in cut.covers:
            assert elements[i].type in (T.ACTION, T.CHARACTER, T.PARENTHETICAL, T.DIALOGUE)
    by_index = {i: c for c in plan.edit for i in c.covers}
    for i, e in enumerate(elements):
        if e.type in (T.CHARACTER, T.PARENTHETICAL):
            following = next(k for k in range(i + 1, len(elements))
                             if elements[k].type is T.DIALOGUE)
            assert by_index[i] is by_index[following]
        if e.type in (T.TRANSITION, T.NOTE, T.SECTION, T.SYNOPSIS, T.CENTERED):
            assert i not in by_index


def test_a_shot_never_follows_itself() -> None:
    for text in (KITCHEN, MARKET, BUSY):
        shots = [c.shot for c in scene_plan(text).edit]
        assert all(a != b for a, b in pairwise(shots))


def test_a_cut_shows_only_what_its_shot_covers() -> None:
    for text in (KITCHEN, MARKET, BUSY):
        plan = scene_plan(text)
        for cut in plan.edit:
            assert set(cut.covers) <= set(shot(plan, cut.shot).covers)


def draft(size: ShotSize, rank: Rank, covers: tuple[int, ...], name: str) -> Draft:
    d = Draft(size, Framing.SINGLE, Angle.EYE_LEVEL, Movement.STATIC, 50.0, (), rank,
              source=ShotSource.PLANNER, id=name)
    d.cover(covers)
    return d


def test_the_edit_takes_the_directors_shot_then_the_planners_pick_then_the_most_specific() -> None:
    elements = elements_after_heading(script_of("INT. A - DAY\n\nOne.\n\nTwo.\n\nThree.\n"))
    beats = split_beats(elements)
    master = draft(ShotSize.WS, Rank.MASTER, (0, 1, 2), "M")
    single = draft(ShotSize.MS, Rank.SPECIFIC, (1, 2), "S")
    ots = draft(ShotSize.MCU, Rank.OTS, (0, 1), "O")
    note = draft(ShotSize.CU, Rank.NOTE, (2,), "N")
    edit = cut_scene(beats, [master, single, ots, note], [None, ots, master])
    # 0: no pick, so the most specific (the OTS); 1: the pick; 2: the note wins.
    assert [(c.shot, c.covers) for c in edit.cuts] == [("O", (0, 1)), ("N", (2,))]
    assert edit.seconds == {"O": round(beats[0].seconds + beats[1].seconds, 3),
                            "N": round(beats[2].seconds, 3)}


def test_a_beat_no_shot_covers_plays_on_the_shot_before_it() -> None:
    elements = elements_after_heading(script_of("INT. A - DAY\n\nOne.\n\nTwo.\n"))
    beats = split_beats(elements)
    first = draft(ShotSize.MS, Rank.SPECIFIC, (0,), "X")
    edit = cut_scene(beats, [first], [first, None])
    assert [(c.shot, c.covers) for c in edit.cuts] == [("X", (0, 1))]
    assert edit.warnings == ["line 5: no shot covers it any more; it plays on X"]
    assert tuple(first.covers) == (0, 1)


def test_with_no_shots_at_all_nothing_is_cut_and_it_says_so() -> None:
    elements = elements_after_heading(script_of("INT. A - DAY\n\nOne.\n"))
    edit = cut_scene(split_beats(elements), [], [None])
    assert edit.cuts == ()
    assert edit.warnings == ["line 3: no shots left in the scene to show it"]
