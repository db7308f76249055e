"""The overrides file: its shape, and bad files refused with the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.errors import InputError
from shotline.model.shots import Angle, Framing, Movement, ShotSize
from shotline.planning import Overrides, load_overrides, parse_overrides

GOOD = """\
# Director's pass, scene 12.

[[shot]]
id = "12C"
action = "change"
size = "cu"
lens_mm = 85
angle = "low"

[[shot]]
id = "12D"
action = "lock"

[[shot]]
id = "12F"
action = "drop"

[[shot]]
scene = 12
action = "add"
size = "INSERT"
subjects = ["brass compass"]
lines = [57]
framing = "single"
movement = "dolly-in"
description = "The compass needle swings."

[[shot]]
id = "12A-B"
action = "change"
covers = [0, 1, 2]
"""


def test_a_good_file() -> None:
    overrides = parse_overrides(GOOD, "director.toml")
    change, lock, drop, add, inserted = overrides.shots
    assert (change.action, change.id, change.scene, change.line) == ("change", "12C", "12", 3)
    assert (change.size, change.lens_mm, change.angle) == (ShotSize.CU, 85.0, Angle.LOW)
    assert change.given() == ("size", "angle", "lens_mm")
    assert (lock.action, lock.given(), drop.action) == ("lock", (), "drop")
    assert (add.id, add.scene, add.size, add.subjects, add.lines) == (
        None, "12", ShotSize.INSERT, ("brass compass",), (57,))
    assert (add.framing, add.movement) == (Framing.SINGLE, Movement.DOLLY_IN)
    assert inserted.scene == "12A"
    assert len(overrides.for_scene("12")) == 4


def test_an_empty_file_overrides_nothing() -> None:
    assert parse_overrides("") == Overrides((), None)


def test_unknown_scenes_are_warnings() -> None:
    overrides = parse_overrides(GOOD, "director.toml")
    assert overrides.unknown_scenes(["12"]) == [
        "director.toml:28: scene 12A is not in the script; change 12A-B ignored"]


def bad(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_overrides(text, "director.toml")
    return caught.value


def test_toml_syntax_error_names_the_line() -> None:
    error = bad('[[shot]]\nid = "1A"\naction = \n')
    assert error.line == 3
    assert str(error).startswith("director.toml:3: not a valid overrides TOML file")


@pytest.mark.parametrize(("text", "line", "message"), [
    ('[[shot]]\nid = "1A"\naction = "remove"\n', 3,
     "action 'remove'; expected one of add, change, lock, drop"),
    ('[[shot]]\nid = "1A"\n', 1, "action missing; expected one of add, change, lock, drop"),
    ('[[shot]]\nid = "1A"\naction = "change"\ncolour = "red"\n', 4, "unknown key 'colour'"),
    ('[[shot]]\nid = "1A"\naction = "change"\nsize = "XXL"\n', 4,
     "size 'XXL' is not one of EWS, WS, FS, MWS, MS, MCU, CU, ECU, INSERT"),
    ('[[shot]]\nid = "1A"\naction = "change"\nlens_mm = -5\n', 4, "lens_mm must be"),
    ('[[shot]]\nid = "1A"\naction = "change"\ncovers = [1, "two"]\n', 4,
     "covers must be a list of whole numbers"),
    ('[[shot]]\nid = "1A"\naction = "change"\nsubjects = "MARA"\n', 4,
     "subjects must be a list of names"),
    ('[[shot]]\nid = "1A"\naction = "change"\n', 1, "change 1A sets nothing"),
    ('[[shot]]\naction = "drop"\nscene = "1"\n', 1, "drop needs the id of the shot"),
    ('[[shot]]\naction = "add"\nsize = "CU"\n', 1, "add needs an id or a scene"),
    ('[[shot]]\naction = "add"\nscene = "1"\n', 1, "add needs a size"),
    ('[[shot]]\nid = "1"\naction = "drop"\n', 2, "id '1' is not a shot id"),
    ('[[shot]]\nid = "1A"\nscene = "2"\naction = "drop"\n', 3,
     "id 1A belongs to scene 1, not scene 2"),
    ('[[shot]]\nid = "1A"\naction = "drop"\nsize = "CU"\n', 4, "drop takes only the id"),
    ('[[shot]]\nid = "1A"\naction = "drop"\n\n[[shot]]\nid = "1a"\naction = "lock"\n', 6,
     "shot 1A is named twice (first at line 1)"),
    ('title = "x"\n', 1, "unknown table or key 'title'; expected [[shot]] tables"),
])
def test_bad_entries_name_the_line_and_what_was_expected(
        text: str, line: int, message: str) -> None:
    error = bad(text)
    assert error.line == line
    assert message in error.message
    assert str(error).startswith(f"director.toml:{line}: ")


def test_shot_must_be_tables() -> None:
    assert "[[shot]] tables" in bad('shot = "1A"\n').message


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text(GOOD, encoding="utf-8")
    overrides = load_overrides(path)
    assert overrides.source == str(path)
    assert len(overrides.shots) == 5


def test_load_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read overrides"):
        load_overrides(tmp_path / "nope.toml")


def test_load_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_bytes(b'[[shot]]\nid = "1A"\naction = "drop"\n# caf\xe9\n')
    with pytest.raises(InputError) as caught:
        load_overrides(path)
    assert caught.value.line == 4
    assert "not UTF-8" in caught.value.message
