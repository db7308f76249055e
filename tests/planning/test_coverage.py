"""The coverage grammar: what a director plans for each scene."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.model.shots import Angle, Framing, Movement, ScenePlan, Shot, ShotSize
from shotline.planning.coverage import needs_establishing, time_jumps
from tests.planning.screenplays import (
    KITCHEN,
    MARKET,
    breakdown_of,
    masters,
    plan,
    scene_plan,
    script_of,
    shot,
)

S = ShotSize


def on(plan: ScenePlan, index: int) -> Shot:
    """The shot the edit shows element `index` on."""
    cut = next(c for c in plan.edit if index in c.covers)
    return shot(plan, cut.shot)


def establishing(plan: ScenePlan) -> Shot | None:
    return next((s for s in plan.shots if "establishing" in s.description), None)


# Establishing shots

PLACES = """\
EXT. HARBOUR - DAY

Gulls.

INT. HARBOUR - DAY

Mara sits.

INT. HARBOUR - NIGHT

Dark.

INT. HARBOUR - CONTINUOUS

Still dark.

INT. OKAFOR HOUSE - KITCHEN - NIGHT

A kettle.

INT. OKAFOR HOUSE - HALLWAY - NIGHT

Coats.

INT. OKAFOR HOUSE - HALLWAY - MORNING

Light.

INT. OKAFOR HOUSE - HALLWAY

Boots.
"""


def test_establishing_shots_for_a_new_place_or_a_jump_in_time() -> None:
    result = plan(PLACES)
    found = [establishing(s) is not None for s in result.scenes]
    # First scene; same place inside; night falls; continuous; a new house; another room
    # of it; morning; a heading without a time of day.
    assert found == [True, False, True, False, True, False, True, False]


def test_an_exterior_is_established_wide_an_interior_from_outside() -> None:
    result = plan(PLACES)
    outside = establishing(result.scenes[0])
    inside = establishing(result.scenes[4])
    assert outside is not None and inside is not None
    assert (outside.size, outside.lens_mm) == (S.EWS, 18.0)
    assert outside.description == "EWS establishing HARBOUR, day, eye level, 18 mm"
    assert inside.size is S.WS
    assert inside.description == "WS establishing exterior of OKAFOR HOUSE, night, eye level, 25 mm"


def test_the_establishing_shot_opens_the_scene() -> None:
    for scene in plan(PLACES).scenes:
        first = shot(scene, scene.edit[0].shot)
        assert ("establishing" in first.description) == (establishing(scene) is not None)


def test_time_jumps() -> None:
    assert time_jumps("DAY", "NIGHT")
    assert not time_jumps("DAY", "DAY")
    assert not time_jumps("NIGHT", "CONTINUOUS") and not time_jumps("LATER", "NIGHT")
    assert not time_jumps(None, "NIGHT") and not time_jumps("DAY", None)


def test_a_scene_without_a_place_is_not_established() -> None:
    sheet = breakdown_of(script_of("Rain on glass.\n")).scenes[0]
    assert not needs_establishing(sheet, None)


# The master


def test_every_scene_has_a_master() -> None:
    for text in (KITCHEN, MARKET, PLACES):
        for k, scene in enumerate(plan(text).scenes):
            assert len(masters(scene, text, k)) == 1


def test_the_master_frames_those_present() -> None:
    kitchen = masters(scene_plan(KITCHEN), KITCHEN)[0]
    assert (kitchen.size, kitchen.framing, kitchen.subjects) == (
        S.FS, Framing.TWO_SHOT, ("MARA", "TEO"))
    market = masters(scene_plan(MARKET), MARKET)[0]
    assert (market.size, market.framing) == (S.WS, Framing.GROUP)
    assert set(market.subjects) == {"JUN", "MEI", "HALLORAN"}
    empty = masters(scene_plan("EXT. MOOR - DAY\n\nWind.\n"), "EXT. MOOR - DAY\n\nWind.\n")[0]
    assert (empty.size, empty.subjects) == (S.WS, ())


def test_the_master_follows_the_establishing_shot_into_the_scene() -> None:
    market = scene_plan(MARKET)
    assert [shot(market, c.shot).description.split()[1] for c in market.edit[:2]] == [
        "establishing", "master,"]


# Two people talking: the 180-degree line


def test_two_principals_get_over_the_shoulders_and_singles() -> None:
    kitchen = scene_plan(KITCHEN)
    ots = {s.subjects[0]: s for s in kitchen.shots if s.framing is Framing.OTS}
    assert set(ots) == {"MARA", "TEO"}
    assert ots["MARA"].description == (
        "MCU MARA over TEO's shoulder, looking screen right, eye level, 65 mm")
    assert ots["TEO"].description == (
        "MCU TEO over MARA's shoulder, looking screen left, eye level, 65 mm")
    singles = {s.subjects[0] for s in kitchen.shots
               if s.framing is Framing.SINGLE and s.size is S.CU}
    assert singles == {"MARA", "TEO"}


def test_the_edit_cuts_with_the_speaker_from_ots_to_singles() -> None:
    kitchen = scene_plan(KITCHEN)
    speakers = {2: "MARA", 4: "TEO", 6: "MARA", 9: "TEO", 11: "MARA", 13: "TEO", 18: "TEO"}
    for index, speaker in speakers.items():
        assert on(kitchen, index).subjects == (speaker,)
    assert on(kitchen, 2).framing is Framing.OTS  # early in the scene
    assert on(kitchen, 18).framing is Framing.SINGLE and on(kitchen, 18).size is S.CU  # later


def eyelines(plan: ScenePlan) -> dict[str, set[str]]:
    """Who looks which way, over every single and OTS of the scene."""
    out: dict[str, set[str]] = {}
    for s in plan.shots:
        if s.framing in (Framing.SINGLE, Framing.OTS) and "looking screen" in s.description:
            side = "right" if "looking screen right" in s.description else "left"
            out.setdefault(s.subjects[0], set()).add(side)
    return out


def test_every_camera_stays_on_one_side_of_the_line() -> None:
    kitchen = scene_plan(KITCHEN)
    assert eyelines(kitchen) == {"MARA": {"right"}, "TEO": {"left"}}
    for s in kitchen.shots:
        if s.framing is Framing.TWO_SHOT:
            assert "MARA screen left, TEO screen right" in s.description


TALK = st.lists(st.tuples(st.sampled_from(["ANA", "BEN"]), st.sampled_from([
    "Yes.", "No!", "Why would you say that to me, after all these years?", "Fine.",
    "I *mean* it.",
])), min_size=2, max_size=14)
BUSINESS = st.sampled_from([
    "Ana looks at the clock.", "Ben sits.", "She stands on the table.", "He walks in.",
    "Ben grabs the KNIFE.", "Ana and Ben stare at each other.", "Silence.",
])


@settings(max_examples=30, deadline=None)
@given(TALK, st.lists(BUSINESS, max_size=5), st.integers(0, 20))
def test_any_two_hander_keeps_one_side_of_the_line(
        lines: list[tuple[str, str]], business: list[str], seed: int) -> None:
    parts = [f"{name}\n{text}" for name, text in lines]
    for k, action in enumerate(business):
        parts.insert((seed + 3 * k) % (len(parts) + 1), action)
    text = "INT. ROOM - DAY\n\nANA (40s) and BEN (40s) face each other.\n\n" + "\n\n".join(
        parts) + "\n"
    result = scene_plan(text)
    first = lines[0][0]
    second = "BEN" if first == "ANA" else "ANA"
    looks = eyelines(result)
    assert looks.get(first, {"right"}) == {"right"}
    assert looks.get(second, {"left"}) == {"left"}
    for s in result.shots:
        if s.framing is Framing.OTS:
            assert s.subjects[0] != s.description.split(" over ")[1].split("'")[0]


# Three or more speakers


def test_three_speakers_get_a_single_each_and_a_group_shot() -> None:
    market = scene_plan(MARKET)
    singles = {s.subjects[0] for s in market.shots
               if s.framing is Framing.SINGLE and s.size is S.MCU}
    assert singles == {"HALLORAN", "JUN", "MEI"}
    group = [s for s in market.shots if s.framing is Framing.GROUP and s.size is S.MWS]
    assert len(group) == 1
    assert any(c.shot == group[0].id for c in market.edit)


# Action


def test_a_prop_written_in_capitals_gets_an_insert_covering_its_beat() -> None:
    market = scene_plan(MARKET)
    insert = on(market, 12)  # "Halloran lifts a LOUDHAILER."
    assert (insert.size, insert.subjects, insert.lens_mm) == (S.INSERT, ("loudhailer",), 100.0)
    assert insert.covers == (12,)
    kitchen = scene_plan(KITCHEN)
    assert on(kitchen, 14).subjects == ("mug",)


def test_a_prop_in_hand_in_a_short_beat_gets_an_insert_and_one_in_passing_does_not() -> None:
    text = ("INT. HALL - DAY\n\nMARA (30s) waits.\n\nRain.\n\nMara checks the compass.\n\n"
            "The compass hangs by the door, where it always has, among the coats and scarves "
            "and a hundred other things nobody has looked at in years.\n")
    result = scene_plan(text)
    assert on(result, 2).size is S.INSERT
    assert on(result, 3).size is not S.INSERT


def test_a_listener_reacts_to_a_line_that_lands() -> None:
    kitchen = scene_plan(KITCHEN)
    reaction = on(kitchen, 19)  # after TEO's "Fine!": "He sits. Mara looks out..."
    assert (reaction.size, reaction.framing, reaction.subjects) == (
        S.CU, Framing.SINGLE, ("MARA",))


MOVES = """\
INT. BAR - NIGHT

MARA (30s) and TEO (20s) close up for the night.

Mara counts the till.

Teo walks in from the cellar.

Mara sprints to the back door.

They struggle with the bolt.

Mara looks at the clock.

Teo looks out of the window.

Mara stands on the bar, towering over him.

Teo cowers behind the bar.
"""


def test_entrances_travel_and_struggle_move_the_camera() -> None:
    result = scene_plan(MOVES)
    walk, sprint, struggle = on(result, 2), on(result, 3), on(result, 4)
    assert (walk.movement, walk.size, walk.subjects) == (Movement.DOLLY_IN, S.MWS, ("TEO",))
    assert (sprint.movement, sprint.size, sprint.subjects) == (
        Movement.TRACKING, S.FS, ("MARA",))
    assert (struggle.movement, struggle.size, struggle.subjects) == (Movement.HANDHELD, S.WS, ())
    assert sprint.description == "FS MARA (sprints), eye level, tracking, 32 mm"


def test_looking_at_something_gives_a_pov() -> None:
    result = scene_plan(MOVES)
    clock, window = on(result, 5), on(result, 6)
    assert (clock.framing, clock.size, clock.subjects) == (Framing.POV, S.CU, ("MARA",))
    assert clock.description == "CU POV MARA looking at the clock, eye level, 75 mm"
    assert (window.framing, window.size) == (Framing.POV, S.WS)


def test_power_is_shot_from_below_and_vulnerability_from_above() -> None:
    result = scene_plan(MOVES)
    assert (on(result, 7).angle, on(result, 7).subjects) == (Angle.LOW, ("MARA",))
    assert (on(result, 8).angle, on(result, 8).subjects) == (Angle.HIGH, ("TEO",))


def test_scale_is_shot_from_a_crane_high() -> None:
    market = scene_plan(MARKET)
    opening = establishing(market)
    assert opening is not None
    assert (opening.size, opening.movement, opening.angle) == (S.EWS, Movement.CRANE, Angle.HIGH)


def test_scale_in_a_scene_that_needs_no_establishing_gets_its_own_crane_shot() -> None:
    text = ("EXT. SQUARE - DAY\n\nPigeons.\n\nEXT. SQUARE - DAY\n\nA bell rings.\n\n"
            "Pigeons scatter.\n\nA crowd of thousands floods the square.\n")
    second = plan(text).scenes[1]
    assert establishing(second) is None
    crane = on(second, 2)
    assert (crane.size, crane.movement, crane.angle) == (S.EWS, Movement.CRANE, Angle.HIGH)
    assert crane.description == "EWS over SQUARE, for scale, high angle, crane, 18 mm"


def test_a_pronoun_is_whoever_the_scene_says_it_is() -> None:
    text = ("INT. HALL - DAY\n\nMARA (30s) fills the kettle herself. TEO (20s) wipes his hands."
            "\n\nTEO\nTea?\n\nMARA\nPlease.\n\nShe sits.\n\nHe pours.\n")
    result = scene_plan(text)
    assert on(result, 5).subjects == ("MARA",)
    assert on(result, 6).subjects == ("TEO",)


def test_a_voice_over_plays_over_the_picture_already_on_screen() -> None:
    text = ("INT. HALL - DAY\n\nMARA (30s) waits.\n\nTEO (20s) hangs up his coat.\n\n"
            "MARA (V.O.)\nHe always hung it there.\n")
    result = scene_plan(text)
    assert on(result, 3) == on(result, 1)


def test_dual_dialogue_plays_on_a_two_shot() -> None:
    text = "INT. VAN - DAY\n\nA fish crosses the road.\n\nTEO\nWatch it!\n\nMARA ^\nLook out!\n"
    two = on(scene_plan(text), 2)
    assert (two.framing, two.subjects) == (Framing.TWO_SHOT, ("TEO", "MARA"))
