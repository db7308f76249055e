"""Scene headings split into interior/exterior, location and time of day."""

from __future__ import annotations

import pytest

from shotline.breakdown import build_breakdown
from shotline.breakdown.headings import Heading, parse_heading
from shotline.script import parse_fountain


@pytest.mark.parametrize(
    ("heading", "int_ext"),
    [
        ("INT. LIGHTHOUSE - DAY", "INT"),
        ("EXT. LIGHTHOUSE - DAY", "EXT"),
        ("EST. LIGHTHOUSE - DAY", "EXT"),  # an establishing shot is an exterior
        ("INT./EXT. LIGHTHOUSE - DAY", "INT/EXT"),
        ("INT/EXT LIGHTHOUSE - DAY", "INT/EXT"),
        ("EXT./INT. LIGHTHOUSE - DAY", "INT/EXT"),
        ("EXT/INT LIGHTHOUSE - DAY", "INT/EXT"),
        ("I/E LIGHTHOUSE - DAY", "INT/EXT"),
        ("INT LIGHTHOUSE - DAY", "INT"),  # the full stop is optional
        ("int. lighthouse - day", "INT"),
    ],
)
def test_prefix_gives_int_ext(heading: str, int_ext: str) -> None:
    assert parse_heading(heading).int_ext == int_ext


@pytest.mark.parametrize(
    "heading",
    ["INT. LIGHTHOUSE - DAY", "I/E LIGHTHOUSE - DAY", "INT./EXT. LIGHTHOUSE - DAY",
     "EST LIGHTHOUSE - DAY"],
)
def test_prefix_is_not_part_of_location(heading: str) -> None:
    assert parse_heading(heading).location == "LIGHTHOUSE"


def test_whole_heading_is_split_into_three_parts() -> None:
    assert parse_heading("INT. SIGNAL BOX - NIGHT") == Heading("INT", "SIGNAL BOX", "NIGHT")


def test_inner_dash_parts_stay_in_location() -> None:
    heading = parse_heading("INT. GRAND HOTEL - LOBBY - REVOLVING DOOR - NIGHT")
    assert heading.location == "GRAND HOTEL - LOBBY - REVOLVING DOOR"


def test_location_is_upper_case() -> None:
    assert parse_heading("ext. allotment shed - dusk").location == "ALLOTMENT SHED"


def test_hyphen_inside_a_word_is_not_a_separator() -> None:
    # Only a dash with spaces round it (or a double dash) separates parts.
    assert parse_heading("EXT. A-1 SCRAPYARD - DAY").location == "A-1 SCRAPYARD"


@pytest.mark.parametrize(
    "time",
    ["DAY", "NIGHT", "CONTINUOUS", "MOMENTS LATER", "LATER", "DAWN", "DUSK", "SAME TIME",
     "MAGIC HOUR", "PRE-DAWN", "EARLY MORNING"],
)
def test_known_time_of_day_is_recognised(time: str) -> None:
    heading = parse_heading(f"EXT. RAILWAY BRIDGE - {time}")
    assert (heading.location, heading.time_of_day) == ("RAILWAY BRIDGE", time)


def test_time_of_day_is_case_insensitive_and_upper_cased() -> None:
    assert parse_heading("INT. PANTRY - moments later").time_of_day == "MOMENTS LATER"


def test_time_of_day_with_a_qualifier_keeps_the_time() -> None:
    heading = parse_heading("EXT. PIER - NIGHT (1962)")
    assert (heading.location, heading.time_of_day) == ("PIER", "NIGHT")


@pytest.mark.parametrize("separator", [" \u2013 ", " \u2014 ", "--", " -- "])
def test_dashes_and_double_hyphen_separate_time(separator: str) -> None:
    assert parse_heading(f"EXT. PIER{separator}DAWN") == Heading("EXT", "PIER", "DAWN")


def test_unknown_time_is_none_and_stays_in_location() -> None:
    heading = parse_heading("INT. CANTEEN - SUPPERTIME")
    assert (heading.location, heading.time_of_day) == ("CANTEEN - SUPPERTIME", None)


def test_word_that_only_begins_like_a_time_is_not_one() -> None:
    # 'DAYS LATER' is not 'DAY': the time must end at a word boundary.
    assert parse_heading("EXT. ORCHARD - DAYS LATER").time_of_day is None


def test_absent_time_is_none() -> None:
    assert parse_heading("EXT. QUARRY") == Heading("EXT", "QUARRY", None)


@pytest.mark.parametrize("heading", ["MONTAGE", "FLASHBACK - THE OLD MILL", "SPACE STATION"])
def test_forced_heading_without_prefix_has_no_int_ext(heading: str) -> None:
    assert parse_heading(heading).int_ext is None


def test_forced_heading_without_prefix_keeps_whole_location() -> None:
    assert parse_heading("flashback - the old mill").location == "FLASHBACK - THE OLD MILL"


def test_forced_fountain_heading_reaches_the_sheet_without_int_ext() -> None:
    scene = build_breakdown(parse_fountain(".SPACE STATION - NIGHT\n\nIt hums.\n")).scenes[0]
    assert (scene.int_ext, scene.location, scene.time_of_day) == (None, "SPACE STATION", "NIGHT")


@pytest.mark.parametrize(
    "heading", ["INTERCUT - PHONE CALL", "ESTATE OFFICE", "EXTRACTION ROOM"]
)
def test_word_that_only_begins_with_a_prefix_is_not_one(heading: str) -> None:
    assert parse_heading(heading) == Heading(None, heading, None)
