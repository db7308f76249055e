"""The main job end to end on the project's own sample screenplay, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shotline.cli.app import app
from shotline.script import parse_fountain

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path("examples") / "night-market.fountain"
SHOTLINE = Path(sys.executable).parent / "shotline"
SHEETS = ("scenes", "cast", "locations", "dood")
EXPECTED_FILES = sorted(["script.json", "script.fountain", "breakdown.json", "plan.json",
                         "shots.csv", *(f"breakdown-{s}.csv" for s in SHEETS),
                         "contact-sheet.pdf", "animatic.mp4", "animatic.srt", "animatic.vtt"])


def shotline(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "SHOTLINE_DEBUG")}
    return subprocess.run([str(SHOTLINE), *map(str, args)], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120, check=False)


def in_process(*args: str | Path) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def without_lines(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "line"} for e in elements]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The exports folder of a project made by the main job, and how the run went."""
    folder = tmp_path_factory.mktemp("night-market") / "out"
    return folder / "exports", shotline("run", SAMPLE, "-o", folder)


@pytest.fixture(scope="module")
def breakdown(made: tuple[Path, subprocess.CompletedProcess[str]]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((made[0] / "breakdown.json").read_text(encoding="utf-8"))
    return result


def test_run_writes_every_file(made: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, result = made
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == EXPECTED_FILES
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    shots = sorted(shot["id"] for scene in plan["scenes"] for shot in scene["shots"])
    assert sorted(p.stem for p in (folder / "boards").iterdir()) == shots
    for shot in shots:
        assert sorted(p.name for p in (folder / "previs" / shot).iterdir()) == [
            "camera.json", "depth.png", "pose.png"]
    summary = " ".join(result.stdout.split())
    assert "The Night Market: run 1" in summary
    assert all(name in summary for name in EXPECTED_FILES)
    assert "Traceback" not in result.stderr
    project = folder.parent
    assert (project / "shotline.toml").is_file()
    assert (project / "night-market.fountain").read_bytes() == (ROOT / SAMPLE).read_bytes()


def test_second_run_does_no_work(made: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    again = shotline("run", "-o", made[0].parent, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["steps_run"] == 0


def test_script_json_is_what_parse_prints(
        made: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    parsed = shotline("parse", SAMPLE, "--json")
    assert parsed.returncode == 0
    assert (made[0] / "script.json").read_text(encoding="utf-8") == parsed.stdout
    doc = json.loads(parsed.stdout)
    assert doc["title_page"]["title"] == "The Night Market"
    assert {"credit", "author", "draft date", "contact"} <= set(doc["title_page"])


def test_script_fountain_reads_back_to_the_same_script(
        made: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    original = json.loads((made[0] / "script.json").read_text(encoding="utf-8"))
    back = parse_fountain((made[0] / "script.fountain").read_text(encoding="utf-8")).to_dict()
    assert back["title_page"] == original["title_page"]
    assert without_lines(back["elements"]) == without_lines(original["elements"])
    # The sample exercises most of Fountain; the round trip must keep all of it.
    kinds = {e["type"] for e in original["elements"]}
    assert {"section", "synopsis", "note", "lyrics", "page_break", "centered",
            "transition"} <= kinds


def test_breakdown_files_match_the_breakdown_command(
        made: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder = made[0]
    assert (folder / "breakdown.json").read_text(encoding="utf-8") == in_process(
        "breakdown", ROOT / SAMPLE, "--json")
    for sheet in SHEETS:
        written = (folder / f"breakdown-{sheet}.csv").read_text(encoding="utf-8")
        assert written == in_process("breakdown", ROOT / SAMPLE, "--csv", "--sheet", sheet)
        rows = list(csv.reader(io.StringIO(written)))
        assert all(len(row) == len(rows[0]) for row in rows)


def test_sample_length_and_scenes(breakdown: dict[str, Any]) -> None:
    assert breakdown["title"] == "The Night Market"
    assert 8 <= breakdown["pages"] <= 12  # "about ten pages"
    assert 8 * 60 <= breakdown["runtime_seconds"] <= 12 * 60  # a page a minute
    scenes = breakdown["scenes"]
    assert [s["number"] for s in scenes] == [str(n) for n in range(1, 12)]
    assert breakdown["scene_count"] == 11
    assert all(s["eighths"] >= 1 for s in scenes)
    assert {s["int_ext"] for s in scenes} == {"INT", "EXT", "INT/EXT"}
    assert {s["time_of_day"] for s in scenes} == {"DAY", "DUSK", "NIGHT", "DAWN"}
    assert scenes[0]["heading"] == "EXT. SALTREACH HARBOUR MOUTH - DAY"
    assert scenes[-1]["heading"] == "INT. OKAFOR HOUSE - KITCHEN - DAY"


def test_sample_cast(breakdown: dict[str, Any]) -> None:
    cast = {c["name"]: c for c in breakdown["cast"]}
    speaking = {name for s in breakdown["scenes"] for name in s["speaking"]}
    assert speaking == {"MARA", "TEO", "HALLORAN", "JUN"}
    assert breakdown["cast"][0]["name"] == "MARA"  # the lead is cast number 1
    assert breakdown["cast"][0]["id"] == 1
    assert len(cast["MARA"]["scenes"]) >= 9
    assert cast["MEI"]["speaking_scene_count"] == 0  # Mei never says a word
    assert set(cast) >= speaking | {"MEI"}
    for scene in breakdown["scenes"]:
        assert set(scene["speaking"]) <= set(scene["characters"])


def test_sample_locations(breakdown: dict[str, Any]) -> None:
    places = {loc["name"]: loc["scenes"] for loc in breakdown["locations"]}
    assert places["OKAFOR HOUSE - KITCHEN"] == ["2", "11"]
    assert places["THE RAFT - NIGHT MARKET"] == ["5", "7"]
    assert sum(len(scenes) for scenes in places.values()) == 11


def test_run_with_bad_input_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "broken.fountain").write_bytes(b"INT. ROOM - DAY\n\x00\x01")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "script.json").write_text('{"from": "yesterday"}\n', encoding="utf-8")
    # A bad screenplay starts no project, in a folder that exists or one that does not.
    missing = tmp_path / "never-made"
    for target in (folder, missing):
        result = shotline("run", tmp_path / "broken.fountain", "-o", target)
        assert result.returncode == 2
        message = " ".join(result.stderr.split())
        assert message.startswith("shotline: error: ")
        assert "broken.fountain:2: binary data" in message
    assert [p.name for p in folder.iterdir()] == ["script.json"]
    assert (folder / "script.json").read_text(encoding="utf-8") == '{"from": "yesterday"}\n'
    assert not missing.exists()
