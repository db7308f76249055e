"""Shot notes in the screenplay: [[shot: CU MARA, low angle]]."""

from __future__ import annotations

import pytest

from shotline.model.script import Element, ElementType
from shotline.model.shots import Angle, Framing, Movement, ShotSize, ShotSource
from shotline.planning.notes import ShotNoteError, is_shot_note, parse_shot_note
from tests.planning.screenplays import cut_shots, scene_plan, shot

NAMES = ("MARA", "TEO", "DR. BENNETT")


def test_only_notes_that_start_with_shot_are_shot_notes() -> None:
    assert is_shot_note(Element(ElementType.NOTE, " Shot: CU MARA", 1))
    assert not is_shot_note(Element(ElementType.NOTE, "VFX: crowd extension", 1))
    assert not is_shot_note(Element(ElementType.ACTION, "shot: CU MARA", 1))


def test_size_character_and_angle() -> None:
    spec = parse_shot_note("shot: CU MARA, low angle", 9, NAMES)
    assert (spec.size, spec.subjects, spec.angle) == (ShotSize.CU, ("MARA",), Angle.LOW)
    assert (spec.framing, spec.movement, spec.lens_mm, spec.line) == (None, None, None, 9)


def test_words_people_use() -> None:
    spec = parse_shot_note("shot: medium close-up on Teo, eye-level, push in", 1, NAMES)
    assert (spec.size, spec.subjects, spec.angle, spec.movement) == (
        ShotSize.MCU, ("TEO",), Angle.EYE_LEVEL, Movement.DOLLY_IN)
    assert parse_shot_note("shot: two shot Mara and Teo, handheld", 1, NAMES).framing is (
        Framing.TWO_SHOT)
    assert parse_shot_note("shot: WS, crane", 1, NAMES).movement is Movement.CRANE
    assert parse_shot_note("shot: CU dr. bennett", 1, NAMES).subjects == ("DR. BENNETT",)


def test_over_a_shoulder_and_a_lens() -> None:
    spec = parse_shot_note("shot: MCU MARA over TEO's shoulder, 85 mm", 1, NAMES)
    assert (spec.framing, spec.subjects, spec.shoulder, spec.lens_mm) == (
        Framing.OTS, ("MARA",), "TEO", 85.0)
    assert parse_shot_note("shot: CU TEO 135mm", 1, NAMES).lens_mm == 135.0


def test_an_insert_shows_whatever_it_names() -> None:
    assert parse_shot_note("shot: insert compass", 1, NAMES).thing == "compass"
    assert parse_shot_note("shot: INSERT the old brass compass", 1, NAMES).thing == (
        "old brass compass")
    assert parse_shot_note("shot: CU kettle", 1, NAMES, ("kettle",)).thing == "kettle"


@pytest.mark.parametrize(("text", "problem"), [
    ("shot:", "the note is empty"),
    ("shot: CU WS MARA", "two sizes (CU and WS); give one"),
    ("shot: low high", "two angles (low and high); give one"),
    ("shot: CU MARA 0mm", "lens 0mm is not a real focal length"),
    ("shot: CU MARA sideways", "unknown word 'sideways'"),
])
def test_notes_that_cannot_be_read(text: str, problem: str) -> None:
    with pytest.raises(ShotNoteError) as caught:
        parse_shot_note(text, 57, NAMES)
    assert str(caught.value).startswith(f"line 57: shot note '{text[5:].strip()}' - {problem}")


BANANA = """\
INT. TOY SHOP - DAY

MARA (30s) holds up a banana phone.

[[shot: CU banana phone sideways]]

MARA
It rings.

[[shot: CU MARA, low angle]]

TEO
Then answer it.

Teo laughs.
"""


def test_a_bad_note_warns_with_its_line_and_the_scene_still_plans() -> None:
    plan = scene_plan(BANANA, props=("banana phone",))
    assert plan.warnings == (
        "line 5: shot note 'CU banana phone sideways' - unknown word 'sideways'; expected size, "
        "framing, angle, movement, lens (e.g. 85mm) or character names",)
    note = next(s for s in plan.shots if s.source is ShotSource.NOTE)
    assert note.description == "CU MARA, looking screen right, low angle, 75 mm"
    assert len(plan.edit) >= 3


def test_a_note_shot_covers_the_next_beat_at_that_point_in_the_edit() -> None:
    plan = scene_plan(BANANA, props=("banana phone",))
    note = next(s for s in plan.shots if s.source is ShotSource.NOTE)
    # Elements: 0 action, 1 note, 2-3 MARA, 4 note, 5-6 TEO, 7 action.
    assert note.covers == (5, 6)
    assert (note.size, note.angle, note.subjects) == (ShotSize.CU, Angle.LOW, ("MARA",))
    cut = next(c for c in plan.edit if c.shot == note.id)
    assert cut.covers == (5, 6)
    assert plan.edit.index(cut) == 2


TWO_NOTES = """\
EXT. PIER - DAY

[[shot: insert compass]]
[[shot: WS, crane]]

Mara checks the compass.

The tide turns.

MARA
Now.

Gulls lift off the pier. [[shot: CU, dutch]]

[[shot: OTS]]
"""


def test_notes_in_a_row_take_the_beats_after_them_in_turn() -> None:
    plan = scene_plan(TWO_NOTES)
    notes = [s for s in plan.shots if s.source is ShotSource.NOTE]
    insert, crane = notes[0], notes[1]
    assert (insert.size, insert.subjects) == (ShotSize.INSERT, ("compass",))
    assert (crane.size, crane.movement) == (ShotSize.WS, Movement.CRANE)
    assert cut_shots(plan)[:2] == [insert.id, crane.id]


def test_a_note_inside_a_paragraph_covers_that_paragraph() -> None:
    plan = scene_plan(TWO_NOTES)
    dutch = next(s for s in plan.shots if s.angle is Angle.DUTCH)
    # Elements: 0-1 notes, 2-3 action, 4-5 MARA, 6 "Gulls lift off", 7 its note, 8 note.
    assert dutch.covers == (6,)
    assert [c.covers for c in plan.edit if c.shot == dutch.id] == [(6,)]
    assert dutch.size is ShotSize.CU


def test_a_note_with_nothing_after_it_warns() -> None:
    plan = scene_plan(TWO_NOTES)
    assert any("shot note 'OTS' - no line or action after it to cover" in w
               for w in plan.warnings)


def test_a_close_note_without_a_name_is_on_whoever_speaks_next() -> None:
    plan = scene_plan("INT. HALL - DAY\n\nMARA (30s) waits.\n\n[[shot: MCU]]\n\n"
                      "MARA\nWell?\n")
    note = next(s for s in plan.shots if s.source is ShotSource.NOTE)
    assert note.subjects == ("MARA",)


def test_notes_keep_the_side_of_the_line() -> None:
    text = ("INT. HALL - DAY\n\nMARA\nWell?\n\nTEO\nWell what?\n\n[[shot: CU MARA]]\n\n"
            "MARA\nYou know what.\n\n[[shot: OTS TEO]]\n\nTEO\nI don't.\n")
    plan = scene_plan(text)
    mara = next(s for s in plan.shots if s.source is ShotSource.NOTE and s.subjects == ("MARA",))
    teo = next(s for s in plan.shots if s.source is ShotSource.NOTE and s.subjects == ("TEO",))
    assert "looking screen right" in mara.description
    assert teo.description == "MCU TEO over MARA's shoulder, looking screen left, eye level, 65 mm"
    assert shot(plan, teo.id).framing is Framing.OTS


def test_an_insert_note_without_a_thing_takes_the_prop_of_its_beat() -> None:
    plan = scene_plan("INT. HALL - DAY\n\n[[shot: insert]]\n\nMara winds the clock.\n")
    note = next(s for s in plan.shots if s.source is ShotSource.NOTE)
    assert note.subjects == ("clock",)
    bare = scene_plan("INT. HALL - DAY\n\n[[shot: insert]]\n\nMara waits.\n")
    assert not any(s.source is ShotSource.NOTE for s in bare.shots)
    assert "an insert needs a thing to show" in bare.warnings[0]


def test_a_note_that_makes_no_shot_leaves_its_line_to_the_planner() -> None:
    text = ("INT. HALL - DAY\n\nRain.\n\nMARA\nHi.\n\nTEO\nHo.\n\n[[shot: insert]]\n\n"
            "MARA\nHey.\n")
    plan = scene_plan(text)
    assert plan.warnings == ("line 11: shot note 'insert' - an insert needs a thing to show, "
                             "e.g. 'insert compass'",)
    assert shot(plan, plan.edit[-1].shot).subjects == ("MARA",)
