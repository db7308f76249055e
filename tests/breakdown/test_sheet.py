"""The whole-script breakdown: scenes, numbers, eighths, cast and locations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.breakdown import Lexicon, build_breakdown, default_lexicon
from shotline.breakdown.pagination import LINES_PER_PAGE
from shotline.breakdown.sheet import scene_numbers
from shotline.model.breakdown import CATEGORIES, Breakdown, format_eighths
from shotline.script import load, parse_fountain

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "night-market.fountain"


def breakdown(text: str) -> Breakdown:
    return build_breakdown(parse_fountain(text))


def rows(n: int) -> str:
    """One action paragraph of n short rows."""
    return "\n".join(f"The tide creeps up, step {k}." for k in range(n))


# Scenes


def test_each_heading_starts_a_scene() -> None:
    b = breakdown(
        "INT. BAKERY - DAWN\n\nFlour.\n\nEXT. BAKERY - DAY\n\nQueue.\n\n"
        "INT. OVEN ROOM - NIGHT\n\nEmbers.\n")
    assert [s.heading for s in b.scenes] == [
        "INT. BAKERY - DAWN", "EXT. BAKERY - DAY", "INT. OVEN ROOM - NIGHT"]


def test_scene_carries_its_parsed_heading() -> None:
    sheet = breakdown("INT./EXT. DELIVERY VAN - MOVING - DUSK\n\nBumps.\n").scenes[0]
    assert (sheet.int_ext, sheet.location, sheet.time_of_day) == (
        "INT/EXT", "DELIVERY VAN - MOVING", "DUSK")


def test_scene_line_is_its_heading_source_line() -> None:
    b = breakdown("Title: Crumbs\n\nINT. BAKERY - DAWN\n\nFlour.\n\nEXT. LANE - DAY\n\nRain.\n")
    assert [s.line for s in b.scenes] == [3, 7]


def test_scene_page_is_where_its_heading_prints() -> None:
    b = breakdown(f"INT. BAKERY - DAWN\n\n{rows(60)}\n\nEXT. LANE - DAY\n\nRain.\n")
    assert [s.page for s in b.scenes] == [1, 2]


def test_action_before_the_first_heading_is_not_a_scene() -> None:
    b = breakdown("Black screen. A bell.\n\nINT. BELFRY - NIGHT\n\nBats.\n")
    assert [s.heading for s in b.scenes] == ["INT. BELFRY - NIGHT"]


def test_script_without_headings_is_one_scene() -> None:
    b = breakdown("The kettle sings.\n\nMARA\nI'll get it.\n")
    assert len(b.scenes) == 1
    sheet = b.scenes[0]
    assert (sheet.number, sheet.heading, sheet.int_ext, sheet.location) == ("1", "", None, "")
    assert sheet.speaking == ("MARA",)
    assert b.locations == ()


def test_empty_script_has_no_scenes_and_no_pages() -> None:
    b = breakdown("")
    assert (b.scenes, b.pages, b.eighths, b.runtime_seconds) == ((), 0, 0, 0.0)


def test_title_page_alone_has_no_scenes_and_no_pages() -> None:
    b = breakdown("Title: Salt Lines\nAuthor: Nobody\n")
    assert (b.title, b.scenes, b.pages) == ("Salt Lines", (), 0)


def test_title_is_the_first_line_of_the_title_page_title() -> None:
    b = breakdown("Title:\n    SALT\n    LINES\n\nEXT. SEA - DAY\n\nWaves.\n")
    assert b.title == "SALT"


def test_script_without_title_has_none() -> None:
    assert breakdown("EXT. SEA - DAY\n\nWaves.\n").title is None


def test_synopsis_of_a_scene_is_its_first_synopsis() -> None:
    b = breakdown("EXT. SEA - DAY\n\n= The storm arrives.\n\n= Later notes.\n\nWaves.\n")
    assert b.scenes[0].synopsis == "The storm arrives."


def test_elements_come_from_action_only() -> None:
    text = "INT. ARMOURY - NIGHT\n\nA rifle on the rack.\n\nTEO\nWhere's the pistol?\n"
    assert breakdown(text).scenes[0].elements == {"props": ("rifle",)}


def test_elements_are_sorted_and_in_category_order() -> None:
    text = "EXT. QUAY - DAY\n\nA dog sniffs a rope and a bucket by the boat and an anchor.\n"
    elements = breakdown(text).scenes[0].elements
    assert list(elements) == [c for c in CATEGORIES if c in elements]
    assert elements["props"] == ("anchor", "rope")


def test_project_lexicon_can_be_passed_in() -> None:
    lexicon = default_lexicon().merged(Lexicon.from_terms({"props": ["bucket"]}))
    b = build_breakdown(parse_fountain("EXT. QUAY - DAY\n\nA bucket.\n"), lexicon)
    assert b.scenes[0].elements == {"props": ("bucket",)}


# Scene numbers


def test_script_scene_numbers_are_kept() -> None:
    b = breakdown("EXT. A - DAY #4#\n\nOne.\n\nEXT. B - DAY #4A#\n\nTwo.\n\nEXT. C - DAY #9#\n")
    assert [s.number for s in b.scenes] == ["4", "4A", "9"]


def test_unnumbered_script_is_numbered_from_one() -> None:
    b = breakdown("EXT. A - DAY\n\nOne.\n\nEXT. B - DAY\n\nTwo.\n\nEXT. C - DAY\n\nThree.\n")
    assert [s.number for s in b.scenes] == ["1", "2", "3"]


def test_unnumbered_scene_after_a_numbered_one_gets_a_letter() -> None:
    b = breakdown("EXT. A - DAY #12#\n\nOne.\n\nEXT. B - DAY\n\nTwo.\n\nEXT. C - DAY #13#\n\n3.\n")
    assert [s.number for s in b.scenes] == ["12", "12A", "13"]


def test_scene_numbers_none_gives_one_two_three() -> None:
    assert scene_numbers([None, None, None]) == ["1", "2", "3"]


def test_scene_numbers_letters_run_on_after_one_number() -> None:
    assert scene_numbers(["12", None, None, "13"]) == ["12", "12A", "12B", "13"]


def test_scene_numbers_skip_a_letter_the_script_already_uses() -> None:
    assert scene_numbers(["12", None, "12A"]) == ["12", "12B", "12A"]


def test_scene_numbers_letters_restart_after_each_number() -> None:
    assert scene_numbers(["1", None, "2", None]) == ["1", "1A", "2", "2A"]


# Eighths


@pytest.mark.parametrize(
    ("eighths", "text"), [(0, "0"), (3, "3/8"), (8, "1"), (12, "1 4/8"), (16, "2"), (9, "1 1/8")]
)
def test_format_eighths(eighths: int, text: str) -> None:
    assert format_eighths(eighths) == text


def test_short_scene_is_at_least_one_eighth() -> None:
    assert breakdown("INT. CUPBOARD - DAY\n\nDark.\n").scenes[0].eighths == 1


@pytest.mark.parametrize("length", [LINES_PER_PAGE // 2, LINES_PER_PAGE // 2 + 1])
def test_half_page_scene_is_four_eighths(length: int) -> None:
    # Heading, blank line, then the action: the scene is `length` lines long.
    sheet = breakdown(f"INT. CELLAR - NIGHT\n\n{rows(length - 2)}\n").scenes[0]
    assert (sheet.eighths, format_eighths(sheet.eighths)) == (4, "4/8")


def test_full_page_scene_is_eight_eighths() -> None:
    sheet = breakdown(f"INT. CELLAR - NIGHT\n\n{rows(LINES_PER_PAGE - 2)}\n").scenes[0]
    assert format_eighths(sheet.eighths) == "1"


def test_scene_runs_to_the_next_heading() -> None:
    # Heading, blank, 22 rows and the blank before the next heading: 25 lines, 3.6
    # eighths, so 4; measured to the end of its own text (24 lines) it would be 3.
    b = breakdown(f"INT. CELLAR - NIGHT\n\n{rows(22)}\n\nEXT. YARD - NIGHT\n\nFog.\n")
    assert b.scenes[0].eighths == 4


def test_scene_eighths_add_up_to_the_script_length() -> None:
    text = "\n\n".join(
        f"EXT. FIELD {k} - DAY\n\n{rows(length)}"
        for k, length in enumerate([1, 4, 9, 17, 30, 45, 60, 2, 12]))
    b = breakdown(text + "\n")
    assert abs(sum(s.eighths for s in b.scenes) - b.eighths) <= len(b.scenes)


def test_screen_time_is_a_page_a_minute() -> None:
    sheet = breakdown(f"INT. CELLAR - NIGHT\n\n{rows(LINES_PER_PAGE // 2)}\n").scenes[0]
    assert sheet.screen_seconds == sheet.eighths * 60 / 8


def test_script_length_and_runtime() -> None:
    b = breakdown(f"INT. CELLAR - NIGHT\n\n{rows(LINES_PER_PAGE - 2)}\n\nFog.\n")
    # A full page, then one line at the top of page 2: 56 lines, 8.1 eighths.
    assert (b.pages, b.eighths, b.runtime_seconds) == (2, 8, 60.0)


# Cast

CAST_SCRIPT = (
    "INT. BOATHOUSE - DAY\n\nANNA\nOars.\n\n"
    "EXT. RIVER - DAY\n\nANNA rows. The river is high.\n\nBEN\nSlow down!\n\n"
    "INT. BOATHOUSE - NIGHT\n\nBEN\nShe's late.\n\nCARL\nShe's always late.\n\n"
    "EXT. RIVER - NIGHT\n\nBEN runs along the bank.\n\nCARL\nOver there!\n"
)


@pytest.fixture(scope="module")
def cast_breakdown() -> Breakdown:
    return breakdown(CAST_SCRIPT)


def test_cast_ids_rank_by_scene_count_then_first_appearance(cast_breakdown: Breakdown) -> None:
    # BEN is in three scenes; ANNA and CARL in two each, ANNA first.
    assert [(c.id, c.name) for c in cast_breakdown.cast] == [(1, "BEN"), (2, "ANNA"), (3, "CARL")]


def test_cast_scenes_and_speaking_scenes(cast_breakdown: Breakdown) -> None:
    ben = cast_breakdown.cast[0]
    assert (ben.scenes, ben.speaking_scenes) == (("2", "3", "4"), ("2", "3"))


def test_cast_counts_in_the_record(cast_breakdown: Breakdown) -> None:
    record = cast_breakdown.to_dict()["cast"][1]
    assert (record["name"], record["scene_count"], record["speaking_scene_count"],
            record["first_scene"]) == ("ANNA", 2, 1, "1")


def test_cast_eighths_are_the_sum_of_their_scenes(cast_breakdown: Breakdown) -> None:
    by_number = {s.number: s.eighths for s in cast_breakdown.scenes}
    for member in cast_breakdown.cast:
        assert member.eighths == sum(by_number[n] for n in member.scenes)


def test_day_out_of_days_marks_speaking_and_present(cast_breakdown: Breakdown) -> None:
    marks = {row["name"]: row["marks"] for row in cast_breakdown.day_out_of_days()}
    assert marks == {
        "BEN": {"2": "S", "3": "S", "4": "X"},
        "ANNA": {"1": "S", "2": "X"},
        "CARL": {"3": "S", "4": "S"},
    }


# Locations

LOCATION_SCRIPT = (
    "INT. MILL - DAY\n\nDust.\n\nINT. BAKERY - DAY\n\nBread.\n\n"
    "EXT. MILL - NIGHT\n\nSails.\n\nint. bakery - night\n\nCrumbs.\n\n.MONTAGE\n\nSeasons.\n"
)


@pytest.fixture(scope="module")
def location_breakdown() -> Breakdown:
    return breakdown(LOCATION_SCRIPT)


def test_locations_group_scenes_in_order_of_first_use(location_breakdown: Breakdown) -> None:
    assert [(loc.name, loc.scenes) for loc in location_breakdown.locations] == [
        ("MILL", ("1", "3")), ("BAKERY", ("2", "4")), ("MONTAGE", ("5",))]


def test_location_used_inside_and_outside_is_int_ext(location_breakdown: Breakdown) -> None:
    assert location_breakdown.locations[0].int_ext == "INT/EXT"


def test_location_used_one_way_keeps_it(location_breakdown: Breakdown) -> None:
    assert location_breakdown.locations[1].int_ext == "INT"


def test_location_without_prefix_has_no_int_ext(location_breakdown: Breakdown) -> None:
    assert location_breakdown.locations[2].int_ext is None


def test_location_eighths_are_the_sum_of_its_scenes(location_breakdown: Breakdown) -> None:
    by_number = {s.number: s.eighths for s in location_breakdown.scenes}
    for location in location_breakdown.locations:
        assert location.eighths == sum(by_number[n] for n in location.scenes)


# The sample screenplay


@pytest.fixture(scope="module")
def sample() -> Breakdown:
    return build_breakdown(load(SAMPLE))


def test_sample_has_eleven_numbered_scenes(sample: Breakdown) -> None:
    assert [s.number for s in sample.scenes] == [str(k) for k in range(1, 12)]


def test_sample_cast_speaking_and_silent(sample: Breakdown) -> None:
    cast = {c.name: c for c in sample.cast}
    assert all(cast[name].speaking_scenes for name in ("MARA", "TEO", "HALLORAN", "JUN"))
    assert cast["MEI"].scenes and not cast["MEI"].speaking_scenes


def test_sample_scene_eighths_add_up_to_its_length(sample: Breakdown) -> None:
    assert abs(sum(s.eighths for s in sample.scenes) - sample.eighths) <= len(sample.scenes)


# Property: any Fountain text breaks down

_LINES = st.one_of(
    st.sampled_from([
        "", "", "INT. ROOM - DAY", "EXT. YARD - NIGHT #3#", ".MONTAGE", "MARA", "TEO (V.O.)",
        "@kit", "(beat)", "Hello there.", "MEI (8) runs with a lantern.", "BANG!", "===",
        "[[note]]", "# Act", "= synopsis", "> CUT TO:", "> END <", "~la la", "  ",
        "A police car and a crowd.", "MARA'S coat.", "JUN ^",
    ]),
    st.text(alphabet="AIEXTN.#-() /abc\n^@!=~>[]*_'", max_size=20),
)
_LEXICON = default_lexicon()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, max_size=30))
def test_build_breakdown_never_raises(lines: list[str]) -> None:
    b = build_breakdown(parse_fountain("\n".join(lines)), _LEXICON)
    assert all(s.eighths >= 1 for s in b.scenes)
    assert all(set(s.speaking) <= set(s.characters) for s in b.scenes)
    assert [c.id for c in b.cast] == list(range(1, len(b.cast) + 1))
    b.to_dict()
