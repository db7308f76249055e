"""The set: rooms and vehicles inside, open ground outside, lit for the time of day."""

from __future__ import annotations

import pytest

from shotline.blocking.sets import (
    CROWD,
    GROUND,
    MAX_GROUND,
    ROOM,
    build_set,
    daylight,
    is_scale,
    place_of,
)
from shotline.model.stage import ActorMark
from tests.blocking.helpers import scene


@pytest.mark.parametrize("time", ["DAY", "MORNING", "AFTERNOON", "NOON", "DAWN", "SUNRISE",
                                  "SUNSET", "GOLDEN HOUR", "MAGIC HOUR", "LATE AFTERNOON",
                                  "EARLY MORNING", "DAY 2"])
def test_day(time: str) -> None:
    assert daylight(time)


@pytest.mark.parametrize("time", ["NIGHT", "MIDNIGHT", "DUSK", "TWILIGHT", "EVENING",
                                  "NIGHTFALL", "PRE-DAWN", "LATE NIGHT", "EARLY EVENING"])
def test_night(time: str) -> None:
    assert not daylight(time)


@pytest.mark.parametrize("time", [None, "", "CONTINUOUS", "LATER", "SAME", "1962", "???"])
def test_a_time_that_says_neither_is_day(time: str | None) -> None:
    assert daylight(time)


def interior(location: str, int_ext: str | None = "INT") -> tuple[float, float, float]:
    place = place_of(scene(location=location, int_ext=int_ext), scale=False)
    assert place.kind == "interior"
    return place.width, place.depth, place.height


def test_rooms_are_room_sized() -> None:
    for location in ("OKAFOR HOUSE - KITCHEN", "OFFICE", "BEDROOM", "SOMEWHERE ODD"):
        width, depth, height = interior(location)
        assert 4 <= width <= 12 and 4 <= depth <= 12
        assert 2.7 <= height <= 4
    assert interior("SOMEWHERE ODD") == ROOM


@pytest.mark.parametrize("location", ["TOWN HALL", "WAREHOUSE", "ST MARY'S CHURCH",
                                      "COVERED MARKET"])
def test_big_interiors(location: str) -> None:
    width, depth, height = interior(location)
    assert width >= 15 and depth >= 20 and height > 4


@pytest.mark.parametrize("location", ["MARA'S CAR", "TEO'S VAN - MOVING", "BATHROOM",
                                      "HALL CLOSET"])
def test_small_interiors(location: str) -> None:
    width, depth, height = interior(location)
    assert width <= 3 and depth <= 4 and height <= 2.7


def test_the_most_specific_part_of_the_location_decides() -> None:
    assert interior("OKAFOR HOUSE - KITCHEN") == interior("KITCHEN")
    assert interior("HALLWAY") != interior("HALL")  # whole words only


def test_vehicles_seat_everyone() -> None:
    assert place_of(scene(location="TAXI - MOVING"), scale=False).seated
    assert not place_of(scene(location="KITCHEN"), scale=False).seated


def test_int_ext_is_staged_as_the_interior() -> None:
    place = place_of(scene(location="TEO'S VAN - MOVING", int_ext="INT/EXT"), scale=False)
    assert place.kind == "interior" and place.seated


def test_exteriors_are_open_ground() -> None:
    place = place_of(scene(location="HARBOUR ROAD", int_ext="EXT"), scale=False)
    assert place.kind == "exterior" and place.height == 0
    assert 40 <= place.width <= MAX_GROUND
    assert place_of(scene(location="NOWHERE", int_ext="EXT"), scale=False).width == GROUND


def test_scale_makes_an_exterior_larger() -> None:
    sheet = scene(location="NIGHT MARKET", int_ext="EXT")
    plain = place_of(sheet, scale=False).width
    assert plain < place_of(sheet, scale=True).width <= MAX_GROUND


def test_what_makes_a_scene_one_of_scale() -> None:
    assert is_scale(scene(extras=("crowd",)), 2)
    assert is_scale(scene(special_effects=("storm surge",)), 2)
    assert is_scale(scene(), CROWD)
    assert not is_scale(scene(extras=("passenger",)), 2)


def test_no_int_or_ext_reads_the_location() -> None:
    assert place_of(scene(location="KITCHEN", int_ext=None), scale=False).kind == "interior"
    assert place_of(scene(location="BEACH", int_ext=None), scale=False).kind == "exterior"
    assert place_of(scene(location="", int_ext=None), scale=False).kind == "interior"


def test_the_set_grows_to_hold_its_marks() -> None:
    sheet = scene(location="CLOSET")
    place = place_of(sheet, scale=False)
    far = [ActorMark("A", -5.0, 1.0, 0, 1.7), ActorMark("B", 5.0, 7.0, 0, 1.7)]
    piece = build_set(sheet, place, far, ())
    assert piece.width >= 10 and piece.depth >= 7.5
    assert build_set(sheet, place, (), ()).width == place.width


def test_the_set_records_the_scene() -> None:
    sheet = scene(location="KITCHEN", time_of_day="NIGHT")
    piece = build_set(sheet, place_of(sheet, scale=False), (), ())
    assert (piece.location, piece.time_of_day, piece.daylight) == ("KITCHEN", "NIGHT", False)
