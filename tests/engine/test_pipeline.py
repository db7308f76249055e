"""The main job through the engine: nothing changed does nothing; a revision redoes only
what it touched and keeps decisions, marking the ones it invalidates."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from shotline.engine.executors import InlineExecutor, ProcessExecutor
from shotline.engine.pipeline import RunSummary, current_plan, run_project
from shotline.review.decisions import Role, record
from shotline.review.status import project_status
from shotline.store.objects import CorruptObjectError
from shotline.store.project import Project
from tests.engine.steps_for_tests import Recording


def run(project: Project) -> RunSummary:
    return run_project(project, InlineExecutor())


def plan_steps(summary: RunSummary) -> tuple[int, int]:
    return summary.counts.by_step["plan"]


def shots(project: Project) -> dict[str, dict[str, Any]]:
    plan = current_plan(project)
    assert plan is not None
    return {s["id"]: s for scene in plan["scenes"] for s in scene["shots"]}


def edit(project: Project, old: str, new: str) -> None:
    text = project.script_path.read_text(encoding="utf-8")
    assert old in text
    project.script_path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_run_writes_exports_and_second_does_nothing(
        make_project: Callable[..., Project], database_url: str) -> None:
    project = make_project(database_url=database_url)
    first = run(project)
    steps = first.counts.by_step
    for step in ("parse", "breakdown", "split", "export", "contact-sheet", "animatic"):
        assert steps[step] == (1, 0)
    for step in ("plan", "stage", "scene-cut"):
        assert steps[step] == (3, 0)  # one per scene
    shots = len(list((project.exports / "boards").iterdir()))
    assert steps["board"] == (shots, 0) and shots >= 6
    names = sorted(p.name for p in project.exports.iterdir())
    assert names == sorted(["script.json", "script.fountain", "breakdown.json", "plan.json",
                            "shots.csv", "breakdown-scenes.csv", "breakdown-cast.csv",
                            "breakdown-locations.csv", "breakdown-dood.csv", "boards",
                            "previs", "contact-sheet.pdf", "animatic.mp4", "animatic.srt",
                            "animatic.vtt", "editorial", "usd", "trackers"])
    assert steps["timeline"] == (4, 0)  # one per format a run writes
    assert steps["usd"] == (3, 0)
    assert first.revision is not None and first.revision["first"]
    second = run(project)
    assert second.counts.run == 0
    assert second.revision is None


def test_one_scene_edit_replans_only_that_scene(
        make_project: Callable[..., Project], database_url: str) -> None:
    project = make_project(database_url=database_url)
    run(project)
    before = shots(project)
    edit(project, "Then I'll drive you.", "Then I'll drive you there myself.")
    summary = run(project)
    assert plan_steps(summary) == (1, 2)
    report = summary.revision
    assert report is not None
    assert [c["number"] for c in report["scenes"]["changed"]] == ["1"]
    assert report["scenes"]["unchanged"] == 2
    after = shots(project)
    assert {k: v for k, v in after.items() if v["scene"] != "1"} == {
        k: v for k, v in before.items() if v["scene"] != "1"}


def test_inserted_and_omitted_scenes_keep_the_numbering(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    run(project)
    text = project.script_path.read_text(encoding="utf-8")
    text = text.replace("INT. VAN - DUSK", "EXT. QUAY - NIGHT\n\nFog rolls in.\n\nINT. VAN - DUSK")
    start = text.index("EXT. HARBOUR - NIGHT")
    end = text.index("EXT. QUAY - NIGHT")
    project.script_path.write_text(text[:start] + text[end:], encoding="utf-8")
    summary = run(project)
    report = summary.revision
    assert report is not None
    assert [s["number"] for s in report["scenes"]["omitted"]] == ["2"]
    assert [(s["number"], s["heading"]) for s in report["scenes"]["added"]] == [
        ("1A", "EXT. QUAY - NIGHT")]
    breakdown = json.loads((project.exports / "breakdown.json").read_text(encoding="utf-8"))
    assert [s["number"] for s in breakdown["scenes"]] == ["1", "1A", "3"]
    assert {s["scene"] for s in shots(project).values()} == {"1", "1A", "3"}
    assert report["shots"]["removed"] and all(i.startswith("2") for i in
                                              report["shots"]["removed"])


def test_decisions_survive_and_go_stale_only_where_the_shot_changed(
        make_project: Callable[..., Project], database_url: str) -> None:
    project = make_project(database_url=database_url)
    run(project)
    plan = shots(project)
    in_scene_1 = next(s for s in plan.values() if s["scene"] == "1")
    in_scene_3 = next(s for s in plan.values() if s["scene"] == "3")
    record(project, in_scene_1, "approve", Role.DIRECTOR, note="lovely")
    record(project, in_scene_3, "approve", Role.PRODUCER, take=2)
    # Rewrite scene 1 entirely, so its shots change.
    edit(project, "MARA (30s), a harbour pilot, packs a suitcase. TEO (20s) watches from the "
                  "door.", "MARA (30s) and TEO (20s) argue across the table, shouting.")
    edit(project, "You're really going.", "You said you'd stay. You promised me, Mara.")
    status = project_status(project)
    assert any(item["what"] == "screenplay" for item in status["stale"])
    assert any(item["what"] == "scene 1" for item in status["stale"])
    run(project)
    review = {(r["shot"], r["role"]): r for r in project_status(project)["review"]}
    assert review[(in_scene_3["id"], "producer")]["stale"] is False
    assert review[(in_scene_3["id"], "producer")]["take"] == 2
    changed = shots(project).get(in_scene_1["id"])
    assert review[(in_scene_1["id"], "director")]["stale"] is (changed != in_scene_1)


def test_a_locked_shot_is_kept_exactly(make_project: Callable[..., Project]) -> None:
    project = make_project()
    run(project)
    target = next(s for s in shots(project).values() if s["scene"] == "1")
    record(project, target, "lock", Role.DIRECTOR)
    edit(project, "The ferry leaves at six.", "The ferry leaves at six. Sharp. Don't be late.")
    run(project)
    kept = shots(project)[target["id"]]
    assert {k: v for k, v in kept.items() if k not in ("locked", "source", "duration")} == {
        k: v for k, v in target.items() if k not in ("locked", "source", "duration")}
    assert kept["locked"] is True


def test_executors_agree(make_project: Callable[..., Project]) -> None:
    inline = make_project(folder="a")
    pooled = make_project(folder="b")
    run_project(inline, InlineExecutor())
    executor = ProcessExecutor(workers=2)
    try:
        run_project(pooled, executor)
    finally:
        executor.close()
    for name in ("plan.json", "breakdown.json", "shots.csv"):
        assert (inline.exports / name).read_bytes() == (pooled.exports / name).read_bytes()


@pytest.mark.parametrize("text", ["INT. EMPTY ROOM - NIGHT\n", "Just one line of action.\n"])
def test_scripts_with_little_in_them_still_run(make_project: Callable[..., Project],
                                               text: str) -> None:
    project = make_project(text=text)
    summary = run(project)
    assert summary.counts.by_step["plan"] == (1, 0)
    assert (project.exports / "plan.json").is_file()


def test_ray_executor_agrees(make_project: Callable[..., Project]) -> None:
    pytest.importorskip("ray")
    from shotline.engine.executors import RayExecutor

    inline = make_project(folder="a")
    on_ray = make_project(folder="b")
    run_project(inline, InlineExecutor())
    executor = RayExecutor()
    try:
        summary = run_project(on_ray, executor)
    finally:
        executor.close()
    assert summary.counts.by_step["plan"] == (3, 0)
    for name in ("plan.json", "breakdown.json", "shots.csv"):
        assert (inline.exports / name).read_bytes() == (on_ray.exports / name).read_bytes()


def test_independent_batches_go_out_together_and_the_key_stays_here(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    executor = Recording()
    summary = run_project(project, executor)
    steps = [{job.step for job in jobs} for jobs in executor.submissions]
    assert {"scene-cut", "usd"} in steps
    assert {"animatic", "contact-sheet", "timeline"} in steps  # the join, the sheet, the edit
    assert not any("sign" in submission for submission in steps)  # signed in this process
    assert summary.counts.by_step["sign"][0] > 0
    for label in ("animatic", "usd", "join", "contact sheet", "timeline", "credentials"):
        assert label in summary.counts.seconds


def test_exports_are_ordinary_files_that_keep_their_mode(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    run(project)
    umask = os.umask(0)
    os.umask(umask)
    assert (project.exports / "animatic.mp4").stat().st_mode & 0o777 == 0o666 & ~umask
    plan = project.exports / "plan.json"
    plan.chmod(0o600)
    before = plan.read_bytes()
    edit(project, "Then I'll drive you.", "Then I'll drive you there myself.")
    run(project)
    assert plan.read_bytes() != before
    assert plan.stat().st_mode & 0o777 == 0o600


def test_a_damaged_object_is_not_exported(make_project: Callable[..., Project]) -> None:
    first = make_project()
    run(first)
    manifest = json.loads((first.state / "exports.json").read_text(encoding="utf-8"))
    first.close()
    project = Project.open(first.root)  # a later process: it wrote none of the objects
    try:
        damaged = project.objects.path(manifest["shots.csv"])
        damaged.chmod(0o644)
        damaged.write_bytes(damaged.read_bytes() + b"\n")
        (project.exports / "shots.csv").unlink()
        with pytest.raises(CorruptObjectError):
            run(project)
        assert not (project.exports / "shots.csv").exists()
    finally:
        project.close()


def test_exports_are_never_written_outside_their_folder(
        make_project: Callable[..., Project], tmp_path_factory: pytest.TempPathFactory) -> None:
    from shotline.engine.pipeline import materialize
    from shotline.errors import InputError

    project = make_project()
    digest = project.objects.put(b"hello")
    with pytest.raises(InputError, match="outside the exports folder"):
        materialize(project, {"../escaped.txt": digest})
    assert not (project.exports.parent / "escaped.txt").exists()
    # A folder inside exports that leads elsewhere is refused too.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    project.exports.mkdir(parents=True, exist_ok=True)
    (project.exports / "boards").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="outside the exports folder"):
        materialize(project, {"boards/1A.png": digest})
    assert not any(elsewhere.iterdir())
    # Within the folder, the file goes out, and a second time nothing is checked again.
    assert materialize(project, {"notes/hello.txt": digest}) == [
        project.exports / "notes" / "hello.txt"]
    assert (project.exports / "notes" / "hello.txt").read_bytes() == b"hello"
