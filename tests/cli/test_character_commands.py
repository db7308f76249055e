"""`shotline character`: list, show, set, add-ref and remove-ref, in-process; exit codes
and messages through `main()`, as the console script gives them."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rich.console import Console
from typer.testing import CliRunner

from shotline.cli import character_commands
from shotline.cli.app import main
from shotline.cli.common import app
from shotline.store.project import Project

runner = CliRunner()
PREFIX = "shotline: error: "


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(character_commands, "out", Console(width=200))


@pytest.fixture
def folder(make_project: Callable[..., Project]) -> Path:
    """A project of the two-room sample: MARA and TEO, three scenes each."""
    project = make_project()
    project.close()
    return project.root


def invoke(*args: str | Path) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result


def call_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
              *args: str | Path) -> tuple[int | str | None, str]:
    monkeypatch.setattr(sys, "argv", ["shotline", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr().err


def png_file(tmp_path: Path, name: str = "front.png") -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 120, 130)).save(buffer, "PNG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def test_help_lists_the_commands() -> None:
    result = invoke("character", "--help")
    for word in ("list", "show", "set", "add-ref", "remove-ref"):
        assert word in result.stdout
    assert "--hair-colour" in invoke("character", "set", "--help").stdout


def test_list_shows_the_script_characters(folder: Path) -> None:
    rows = json.loads(invoke("character", "list", "--json", "-p", folder).stdout)
    assert [(r["name"], r["scenes"], r["in_script"]) for r in rows] == \
        [("TEO", 3, True), ("MARA", 3, True)]
    table = invoke("character", "list", "-p", folder).stdout
    assert "TEO" in table and "MARA" in table


def test_list_flags_entries_the_script_lacks(folder: Path) -> None:
    invoke("character", "set", "ghost", "-d", "Cut from the draft.", "--force", "-p", folder)
    rows = {r["name"]: r for r in
            json.loads(invoke("character", "list", "--json", "-p", folder).stdout)}
    assert (rows["GHOST"]["in_script"], rows["GHOST"]["description"]) == \
        (False, "Cut from the draft.")
    assert "not in script" in invoke("character", "list", "-p", folder).stdout


def test_set_then_show(folder: Path) -> None:
    invoke("character", "set", "mara", "--description", "A harbour pilot.",
           "--alias", "Captain", "--alias", "Okafor", "--performer", "Ana Lee",
           "--height", "1.72", "--build", "slim", "--hair", "bun", "--hair-colour", "#1C1A17",
           "--top", "#1f7f86", "--set", "bottom=#2d2f36", "-p", folder)
    page = json.loads(invoke("character", "show", "MARA", "--json", "-p", folder).stdout)
    assert page["description"] == "A harbour pilot."
    assert page["aliases"] == ["Captain", "Okafor"]
    assert page["performer"] == "Ana Lee"
    assert page["appearance"] | {"skin": None} == {
        "height": 1.72, "build": "slim", "hair": "bun", "hair_colour": "#1c1a17",
        "top": "#1f7f86", "bottom": "#2d2f36", "skin": None}
    assert page["appearance"]["skin"].startswith("#")  # from the name: nobody set it
    assert page["prompt"].startswith("A harbour pilot. Average height, slim build, black hair")
    shown = invoke("character", "show", "mara", "-p", folder).stdout
    assert "Ana Lee" in shown and "(bible)" in shown and "Captain, Okafor" in shown


def test_set_drops_a_field_and_unlinks_the_performer(folder: Path) -> None:
    invoke("character", "set", "MARA", "--hair", "bun", "--performer", "Ana Lee", "-p", folder)
    invoke("character", "set", "MARA", "--set", "hair=", "--performer", "", "-p", folder)
    rows = {r["name"]: r for r in
            json.loads(invoke("character", "list", "--json", "-p", folder).stdout)}
    assert (rows["MARA"]["appearance"], rows["MARA"]["performer"]) == ({}, None)


def test_references_are_added_shown_and_removed(folder: Path, tmp_path: Path) -> None:
    path = png_file(tmp_path)
    digest = invoke("character", "add-ref", "mara", path, "--label", "Front", "-p",
                    folder).stdout.strip()
    assert invoke("character", "add-ref", "MARA", path, "-p", folder).stdout.strip() == digest
    page = json.loads(invoke("character", "show", "MARA", "--json", "-p", folder).stdout)
    assert page["references"] == [{"hash": digest, "label": "Front", "media_type": "image/png",
                                   "size": path.stat().st_size}]
    shown = invoke("character", "show", "MARA", "-p", folder).stdout
    assert digest[:12] in shown and "Front" in shown and " B " in shown
    invoke("character", "remove-ref", "MARA", digest[:10], "-p", folder)
    page = json.loads(invoke("character", "show", "MARA", "--json", "-p", folder).stdout)
    assert page["references"] == []


@pytest.mark.parametrize(("args", "message"), [
    (("set", "MARRA", "-d", "x"), "no character MARRA in the script; did you mean MARA?"),
    (("show", "nobody"), "no character NOBODY in the script"),
    (("set", "MARA", "--build", "huge"), "build must be one of slim, average, broad"),
    (("set", "MARA", "--height", "7"), "height must be metres between 0.5 and 2.5"),
    (("set", "MARA", "--top", "teal"), "top must be a colour like"),
    (("set", "MARA", "--set", "eyes=blue"), "unknown appearance field 'eyes'"),
    (("set", "MARA", "--set", "height=tall"), "height must be metres, like 1.72"),
    (("set", "MARA", "--set", "height"), "--set takes key=value"),
    (("set", "MARA"), "nothing to set"),
    (("remove-ref", "MARA", "abcdef"), "MARA has no reference abcdef"),
])
def test_bad_input_exits_2_with_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str],
                                         args: tuple[str, ...], message: str) -> None:
    code, err = call_main(monkeypatch, capsys, "character", *args, "-p", folder)
    assert code == 2
    assert err.startswith(PREFIX) and message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("data", "message"), [
    (b"not an image at all\n", "not a PNG or JPEG image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a readable PNG image"),
])
def test_hostile_files_exit_2(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str], data: bytes,
                              message: str) -> None:
    path = tmp_path / "looks-fine.png"
    path.write_bytes(data)
    code, err = call_main(monkeypatch, capsys, "character", "add-ref", "MARA", path,
                          "-p", folder)
    assert code == 2
    assert err.startswith(f"{PREFIX}{path}: ") and message in err


def test_force_adds_a_reference_for_a_character_not_yet_written(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = png_file(tmp_path)
    code, err = call_main(monkeypatch, capsys, "character", "add-ref", "ghost", path,
                          "-p", folder)
    assert code == 2 and "--force" in err
    invoke("character", "add-ref", "ghost", path, "--force", "-p", folder)
    page = json.loads(invoke("character", "show", "GHOST", "--json", "-p", folder).stdout)
    assert (page["in_script"], len(page["references"])) == (False, 1)
