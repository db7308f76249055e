"""A project's life from the command line: init, run, review, revise, diff, log, show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from shotline.cli.app import app
from tests.conftest import SCRIPT


def cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def as_json(*args: str | Path) -> Any:
    return json.loads(cli(*args, "--json").stdout)


def test_a_project_through_a_revision(tmp_path: Path) -> None:
    source = tmp_path / "two-rooms.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    project = tmp_path / "two-rooms"
    cli("init", project, "--script", source)
    assert (project / "shotline.toml").is_file()
    first = as_json("run", "--project", project, "--executor", "inline")
    assert first["revision"]["first"] is True

    plan = json.loads((project / "exports" / "plan.json").read_text(encoding="utf-8"))
    scene_one = [s["id"] for s in plan["scenes"][0]["shots"]]
    scene_three = [s["id"] for s in plan["scenes"][2]["shots"]]
    cli("approve", scene_one[0], "--role", "director", "--note", "keep the low angle",
        "--by", "Ada", "--project", project)
    cli("approve", scene_three[0], "--role", "character designer", "--take", "1",
        "--by", "Lin", "--project", project)
    cli("lock", scene_three[0], "--project", project, "--by", "Ada")

    status = as_json("status", "--project", project)
    assert status["stale"] == []
    # A lock is an input of its scene's plan: that scene alone is planned again.
    locked = as_json("run", "--project", project, "--executor", "inline")
    assert locked["by_step"]["plan"] == {"run": 1, "cached": 2}
    assert {(r["shot"], r["kind"], r["person"]) for r in status["review"]} == {
        (scene_one[0], "approve", "Ada"), (scene_three[0], "approve", "Lin"),
        (scene_three[0], "lock", "Ada")}

    # The writer rewrites scene 1.
    script_file = project / "two-rooms.fountain"
    text = script_file.read_text(encoding="utf-8")
    script_file.write_text(text.replace(
        "MARA (30s), a harbour pilot, packs a suitcase. TEO (20s) watches from the door.",
        "MARA (30s) and TEO (20s) face each other across an empty suitcase."), encoding="utf-8")
    before = as_json("status", "--project", project)
    assert {item["what"] for item in before["stale"]} >= {"screenplay", "scene 1"}

    second = as_json("run", "--project", project, "--executor", "inline")
    assert second["by_step"]["plan"] == {"run": 1, "cached": 2}
    report = as_json("diff", "--project", project)
    assert [c["number"] for c in report["scenes"]["changed"]] == ["1"]
    assert report["scenes"]["unchanged"] == 2

    after = {(r["shot"], r["kind"]): r for r in as_json("status", "--project", project)["review"]}
    assert after[(scene_three[0], "approve")]["stale"] is False  # untouched scene
    assert after[(scene_three[0], "lock")]["kind"] == "lock"

    runs = as_json("log", "--project", project)
    assert [r["status"] for r in runs] == ["done", "done", "done"]
    steps = as_json("log", "--project", project, "--run", "3")
    # The edit redoes the whole-script steps and scene 1's plan, staging and cut; boards
    # and the joined animatic run again only if their inputs came out different.
    ran = {s["step"] for s in steps}
    assert {"parse", "breakdown", "split", "plan", "stage", "scene-cut", "export"} <= ran
    assert all(s["scope"] in ("script", "scene 1") or s["step"] == "board" for s in steps)

    shown = as_json("show", project / "exports" / "plan.json", "--project", project)
    made_by = shown["made_by"][0]
    assert (made_by["step"], made_by["output"]) == ("export", "plan.json")
    assert made_by["tool_version"]
    assert set(made_by["inputs"]) >= {"script", "breakdown", "plan:1", "plan:2", "plan:3"}
    source_hash = as_json("show", made_by["inputs"]["script"][:10], "--project", project)
    assert source_hash["made_by"][0]["step"] == "parse"


def test_review_of_an_unknown_shot_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "s.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    cli("run", source, "-o", tmp_path / "p", "--executor", "inline")
    result = CliRunner().invoke(app, ["approve", "99Z", "--project", str(tmp_path / "p")])
    assert result.exit_code != 0
    assert "no shot 99Z" in str(result.exception)
    result = CliRunner().invoke(app, ["approve", "1A", "--role", "caterer", "--project",
                                      str(tmp_path / "p")])
    assert "unknown role 'caterer'" in str(result.exception)
