"""The breakdown's sheets as rows and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from shotline.breakdown import build_breakdown
from shotline.breakdown.tables import SHEETS, sheet_rows, to_csv
from shotline.model.breakdown import CATEGORIES, Breakdown
from shotline.script import parse_fountain

# A heading with a comma and quotes, and a scene number with a letter, to exercise
# CSV quoting and the dood columns.
SCRIPT = (
    'INT. PUB, "THE ANCHOR" - NIGHT #1#\n\nA dog under the bar. A crowd of drinkers.\n\n'
    "MARA\nSame again.\n\n"
    "EXT. HARBOUR - NIGHT #2#\n\nMARA walks. The gulls cry.\n\nTEO\nWait up!\n\n"
    "EXT. HARBOUR - DAWN\n\nMEI (8) throws a ball for a dog.\n\n"
    'INT. PUB, "THE ANCHOR" - DAY #3#\n\nTEO\nClosed.\n'
)


@pytest.fixture(scope="module")
def b() -> Breakdown:
    return build_breakdown(parse_fountain(SCRIPT))


def parsed(b: Breakdown, sheet: str) -> list[list[str]]:
    header, rows = sheet_rows(b, sheet)
    return list(csv.reader(io.StringIO(to_csv(header, rows))))


@pytest.mark.parametrize("sheet", SHEETS)
def test_csv_parses_back_to_the_rows(b: Breakdown, sheet: str) -> None:
    header, rows = sheet_rows(b, sheet)
    assert parsed(b, sheet) == [header, *rows]


def test_csv_lines_end_with_a_newline_only() -> None:
    assert to_csv(["a", "b"], [["1", "2"]]) == "a,b\n1,2\n"


def test_csv_quotes_commas_and_quotes(b: Breakdown) -> None:
    text = to_csv(*sheet_rows(b, "scenes"))
    assert '"INT. PUB, ""THE ANCHOR"" - NIGHT"' in text


def test_scenes_header(b: Breakdown) -> None:
    assert parsed(b, "scenes")[0] == [
        "number", "heading", "int_ext", "location", "time_of_day", "eighths", "length",
        "screen_seconds", "page", "line", "cast_ids", "characters", "speaking", *CATEGORIES]


def test_scenes_one_row_per_scene(b: Breakdown) -> None:
    assert [row[0] for row in parsed(b, "scenes")[1:]] == ["1", "2", "2A", "3"]


def test_scene_row_values(b: Breakdown) -> None:
    header, *rows = parsed(b, "scenes")
    row = dict(zip(header, rows[0], strict=True))
    assert row["location"] == 'PUB, "THE ANCHOR"'
    assert (row["int_ext"], row["time_of_day"]) == ("INT", "NIGHT")
    assert (row["page"], row["line"]) == ("1", "1")
    assert (row["animals"], row["extras"], row["props"]) == ("dog", "crowd", "")


def test_scene_row_length_matches_eighths(b: Breakdown) -> None:
    header, *rows = parsed(b, "scenes")
    for values, scene in zip(rows, b.scenes, strict=True):
        row = dict(zip(header, values, strict=True))
        assert int(row["eighths"]) == scene.eighths
        assert float(row["screen_seconds"]) == pytest.approx(scene.screen_seconds, abs=0.05)


def test_scene_row_cast_ids_match_characters(b: Breakdown) -> None:
    header, *rows = parsed(b, "scenes")
    ids = {c.name: str(c.id) for c in b.cast}
    for values in rows:
        row = dict(zip(header, values, strict=True))
        names = row["characters"].split("; ") if row["characters"] else []
        assert row["cast_ids"].split() == [ids[n] for n in names]


def test_cast_header(b: Breakdown) -> None:
    assert parsed(b, "cast")[0] == [
        "id", "name", "scene_count", "speaking_scene_count", "eighths", "length",
        "first_scene", "scenes"]


def test_cast_one_row_per_member(b: Breakdown) -> None:
    rows = parsed(b, "cast")[1:]
    # MARA and TEO are in two scenes each, MARA first; MEI in one.
    assert [(r[0], r[1], r[2], r[3], r[6], r[7]) for r in rows] == [
        ("1", "MARA", "2", "1", "1", "1 2"),
        ("2", "TEO", "2", "2", "2", "2 3"),
        ("3", "MEI", "1", "0", "2A", "2A"),
    ]


def test_locations_header(b: Breakdown) -> None:
    assert parsed(b, "locations")[0] == [
        "location", "int_ext", "scene_count", "eighths", "length", "scenes"]


def test_locations_one_row_per_location(b: Breakdown) -> None:
    rows = parsed(b, "locations")[1:]
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ('PUB, "THE ANCHOR"', "INT", "2", "1 3"),
        ("HARBOUR", "EXT", "2", "2 2A"),
    ]


def test_dood_columns_are_the_scene_numbers(b: Breakdown) -> None:
    assert parsed(b, "dood")[0] == ["id", "name", "1", "2", "2A", "3", "total"]


def test_dood_marks_speaking_present_and_absent(b: Breakdown) -> None:
    rows = parsed(b, "dood")[1:]
    assert rows == [
        ["1", "MARA", "S", "X", "", "", "2"],
        ["2", "TEO", "", "S", "", "S", "2"],
        ["3", "MEI", "", "", "X", "", "1"],
    ]


@pytest.mark.parametrize("sheet", SHEETS)
def test_empty_script_gives_a_header_only(sheet: str) -> None:
    empty = build_breakdown(parse_fountain(""))
    assert len(parsed(empty, sheet)) == 1


def test_csv_cells_never_reach_a_spreadsheet_as_formulas() -> None:
    import csv
    import io

    from shotline.breakdown.tables import to_csv

    text = to_csv(["a", "b", "c", "d"],
                  [["=HYPERLINK(\"http://x\")", "-3.5", "@SUM(A1)", "line\ronly"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "-3.5", "'@SUM(A1)", "line\nonly"]
