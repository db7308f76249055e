"""Who is in a scene: speaking cues, and names written in capitals in action."""

from __future__ import annotations

import pytest

from shotline.breakdown import build_breakdown
from shotline.breakdown.characters import aliases, cue_name, introductions, named_in
from shotline.model.breakdown import Breakdown, SceneBreakdown
from shotline.script import parse_fountain


def breakdown(text: str) -> Breakdown:
    return build_breakdown(parse_fountain(text))


def scene(text: str, k: int = 0) -> SceneBreakdown:
    return breakdown(text).scenes[k]


# Speaking cues


def test_speaking_name_drops_the_extension() -> None:
    text = "INT. RADIO BOOTH - NIGHT\n\nIVO (V.O.)\nGood evening.\n\nIVO (CONT'D)\nAnd goodnight.\n"
    assert scene(text).speaking == ("IVO",)


def test_speaking_name_is_upper_case() -> None:
    # '@' forces a cue that is not written in capitals.
    assert scene("INT. PUB - NIGHT\n\n@McKenna\nPint, please.\n").speaking == ("MCKENNA",)


def test_cue_name_upper_cases_and_collapses_spaces() -> None:
    assert cue_name("  young   edward ") == "YOUNG EDWARD"


def test_cue_name_of_nothing_is_empty() -> None:
    assert cue_name(None) == ""


def test_speakers_are_listed_in_cue_order_once_each() -> None:
    text = "EXT. DOCK - DAY\n\nTEO\nRope.\n\nMARA\nHere.\n\nTEO\nThanks.\n"
    assert scene(text).speaking == ("TEO", "MARA")


def test_dual_dialogue_cues_both_speak() -> None:
    text = "EXT. DOCK - DAY\n\nTEO\nLeft!\n\nMARA ^\nRight!\n"
    assert scene(text).speaking == ("TEO", "MARA")


# Introductions in action


@pytest.mark.parametrize(
    ("action", "name"),
    [
        ("MEI (8) hums.", "MEI"),
        ("RUTH HALLORAN (50s) waits.", "RUTH HALLORAN"),
        ("THE COOK (mid-40s) sweats.", "COOK"),  # articles are not part of a name
        ("AN OLD MAN (early 70s) dozes.", "OLD MAN"),
        ("LIZ (20's) texts.", "LIZ"),
        ("MR. PIKE ( 60 ) frowns.", "MR. PIKE"),
    ],
)
def test_name_followed_by_an_age_is_an_introduction(action: str, name: str) -> None:
    assert introductions([action]) == [name]


def test_capitals_without_an_age_are_not_an_introduction() -> None:
    assert introductions(["A DOOR slams. SIRENS wail. MEI watches."]) == []


def test_introductions_are_listed_once_in_order() -> None:
    found = introductions(["OSKAR (9) and MEI (8) play.", "Later MEI (8) sleeps."])
    assert found == ["OSKAR", "MEI"]


def test_introduced_character_is_present_but_not_speaking() -> None:
    text = "EXT. BEACH - DAY\n\nMEI (8) digs in the sand.\n\nJUN\nNot too deep.\n"
    sheet = scene(text)
    assert (sheet.characters, sheet.speaking) == (("JUN", "MEI"), ("JUN",))


def test_introduced_character_counts_where_later_named_in_capitals() -> None:
    text = (
        "EXT. BEACH - DAY\n\nMEI (8) digs.\n\n"
        "INT. CAR - DAY\n\nMEI sleeps on the back seat.\n"
    )
    assert scene(text, 1).characters == ("MEI",)


def test_introduction_holding_a_cue_name_is_that_character() -> None:
    text = "EXT. PIER - DAY\n\nMARA OKAFOR (30s) coils a rope.\n\nMARA\nTide's turning.\n"
    b = breakdown(text)
    assert b.scenes[0].characters == ("MARA",)
    assert [c.name for c in b.cast] == ["MARA"]


def test_introduction_holding_a_cue_name_counts_where_the_cue_does_not_speak() -> None:
    text = (
        "EXT. PIER - DAY\n\nMARA OKAFOR (30s) coils a rope.\n\n"
        "INT. SHED - DAY\n\nMARA\nWhere's the oar?\n"
    )
    assert scene(text, 0).characters == ("MARA",)


def test_aliases_map_introductions_onto_cue_names() -> None:
    assert aliases(["MARA"], ["MARA OKAFOR", "MEI"]) == {
        "MARA": "MARA", "MARA OKAFOR": "MARA", "MEI": "MEI"}


# Names in action


SPEAKS_FIRST = "INT. HALL - DAY\n\nMARA\nMorning.\n\nEXT. YARD - DAY\n\n"


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_possessive_name_is_presence_but_not_speaking(apostrophe: str) -> None:
    sheet = scene(SPEAKS_FIRST + f"The wind takes MARA{apostrophe}S hat.\n", 1)
    assert (sheet.characters, sheet.speaking) == (("MARA",), ())


def test_possessive_before_a_capitalised_prop_is_presence() -> None:
    assert scene(SPEAKS_FIRST + "The wind takes MARA'S HAT.\n", 1).characters == ("MARA",)


def test_name_at_the_end_of_a_sentence_is_presence() -> None:
    assert scene(SPEAKS_FIRST + "The gate swings shut behind MARA.\n", 1).characters == (
        "MARA",)


def test_name_followed_by_other_punctuation_is_presence() -> None:
    assert scene(SPEAKS_FIRST + "Behind MARA, the gate swings shut!\n", 1).characters == (
        "MARA",)


def test_capitalised_sound_effect_is_not_a_character() -> None:
    b = breakdown("INT. GARAGE - NIGHT\n\nBANG! The SHUTTER rattles.\n\nTEO\nWho's there?\n")
    assert b.scenes[0].characters == ("TEO",)
    assert [c.name for c in b.cast] == ["TEO"]


def test_name_in_dialogue_is_not_presence() -> None:
    text = SPEAKS_FIRST + "TEO\nHas anyone seen MARA?\n"
    assert scene(text, 1).characters == ("TEO",)


def test_name_in_title_case_is_presence() -> None:
    # After the introduction, scripts write names in ordinary case: "Mara runs".
    assert scene(SPEAKS_FIRST + "Mara hangs out the washing.\n", 1).characters == ("MARA",)


def test_everyday_word_name_in_title_case_is_not_presence() -> None:
    text = "INT. HALL - DAY\n\nGUARD\nHalt.\n\nINT. PORCH - NIGHT\n\nGuard dogs bark.\n"
    assert scene(text, 1).characters == ()


def test_longest_known_name_wins() -> None:
    text = (
        "EXT. PARK - DAY\n\nEDWARD\nAgain.\n\nYOUNG EDWARD\nAgain!\n\n"
        "INT. HALL - NIGHT\n\nYOUNG EDWARD hides behind the coats.\n"
    )
    assert scene(text, 1).characters == ("YOUNG EDWARD",)


def test_named_in_prefers_the_longest_name_at_each_word() -> None:
    known = {"EDWARD": "EDWARD", "YOUNG EDWARD": "YOUNG EDWARD"}
    assert named_in("YOUNG EDWARD waves at EDWARD", known) == ["YOUNG EDWARD", "EDWARD"]


def test_scene_lists_speakers_first_then_those_only_named() -> None:
    text = (
        SPEAKS_FIRST.replace("MARA", "JUN")
        + "MARA (30s) and TEO (20s) wait.\n\nTEO\nLate again.\n"
    )
    assert scene(text, 1).characters == ("TEO", "MARA")
