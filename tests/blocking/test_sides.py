"""Sides of the line read back from the plan."""

from __future__ import annotations

from shotline.blocking.sides import LEFT, RIGHT, read_sides, two_shot_pairs
from shotline.model.shots import Framing, ShotSize
from tests.blocking.helpers import planned, shot

S = ShotSize


def test_the_plans_eyelines_decide() -> None:
    shots = [shot(S.CU, ("TEO",), description="CU TEO, looking screen right, eye level"),
             shot(S.CU, ("MARA",), description="CU MARA, looking screen left, eye level")]
    sides = read_sides(shots, ("MARA", "TEO"), ("MARA", "TEO"))
    assert sides.principals == ("TEO", "MARA")  # TEO looks right: he stands screen left
    assert sides.side == {"TEO": LEFT, "MARA": RIGHT}


def test_the_first_to_speak_on_screen_is_screen_left() -> None:
    # Mara's first line is off screen, so Teo is the first principal to speak on screen.
    _, plans = planned("INT. KITCHEN - DAY\n\nMARA (O.S.)\nKettle on?\n\nTEO\nYes.\n\n"
                       "MARA\nGood.\n\nTEO\nFine.\n")
    sides = read_sides(plans[0].shots, ("MARA", "TEO"), ("MARA", "TEO"))
    assert sides.principals == ("TEO", "MARA")


def test_without_eyelines_the_speaking_order_decides() -> None:
    sides = read_sides([], ("MARA", "TEO", "JUN"), ("TEO", "MARA"))
    assert sides.principals == ("TEO", "MARA")
    sides = read_sides([], ("MARA", "TEO", "JUN"), ("TEO", "MARA", "JUN", "MEI"))
    assert sides.principals == ("TEO", "JUN")  # first half look right, the rest left


def test_without_speakers_the_first_two_present() -> None:
    assert read_sides([], ("MARA", "TEO", "JUN"), ()).principals == ("MARA", "TEO")
    assert read_sides([], ("MARA",), ()).principals == ("MARA",)
    assert read_sides([], (), ()).principals == ()


def test_two_shot_order() -> None:
    two = shot(S.MS, ("JUN", "MEI"), Framing.TWO_SHOT,
               description="MS two-shot JUN and MEI, MEI screen left, JUN screen right")
    assert two_shot_pairs([two]) == (("MEI", "JUN"),)
    sides = read_sides([two], ("JUN", "MEI"), ())
    assert sides.principals == ("MEI", "JUN")


def test_eyelines_outweigh_a_two_shot() -> None:
    shots = [shot(S.MS, ("JUN", "MEI"), Framing.TWO_SHOT,
                  description="MS two-shot JUN and MEI, JUN screen left, MEI screen right"),
             shot(S.MCU, ("JUN",), description="MCU JUN, looking screen left")]
    assert read_sides(shots, ("JUN", "MEI", "TEO"), ()).side["JUN"] == RIGHT


def test_names_not_in_the_scene_are_ignored() -> None:
    shots = [shot(S.CU, ("ZED",), description="CU ZED, looking screen right")]
    assert read_sides(shots, ("MARA", "TEO"), ()).principals == ("MARA", "TEO")
