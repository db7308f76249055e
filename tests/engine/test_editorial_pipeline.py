"""The edit through the engine: every run exports the timeline and USD stages; an
editor's recut, conformed, is what the plan, the animatic and the exports follow,
until a revision changes a scene under it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import av
import opentimelineio as otio
import pytest

from shotline.editorial.formats import read_timeline
from shotline.engine.executors import InlineExecutor
from shotline.engine.pipeline import ConformRequest, RunSummary, current_plan, run_project
from shotline.errors import InputError
from shotline.store.project import Project


def run(project: Project, request: ConformRequest | None = None) -> RunSummary:
    return run_project(project, InlineExecutor(), conform=request)


def frames_of_animatic(project: Project) -> int:
    with av.open(str(project.exports / "animatic.mp4")) as movie:
        return sum(1 for _ in movie.demux(movie.streams.video[0]) if _.size)


def cut_of(project: Project) -> list[tuple[str, int]]:
    timeline = read_timeline(project.exports / "editorial" / "timeline.otio",
                             project.settings.fps)
    return [(c.name, c.source_range.duration.value)
            for c in timeline.video_tracks()[0].find_clips()]


def recut_edl(project: Project, folder: Path) -> Path:
    """The exported EDL as an editor leaves it: the last scene first, the first clip
    trimmed by 8 frames, the second clip dropped."""
    fps = project.settings.fps
    timeline = read_timeline(project.exports / "editorial" / "timeline.edl", fps)
    track = timeline.video_tracks()[0]
    clips = [c.deepcopy() for c in track]
    first = clips[0]
    first.source_range = otio.opentime.TimeRange(
        first.source_range.start_time,
        first.source_range.duration - otio.opentime.RationalTime(8, fps))
    last_scene = [c for c in clips if c.name.startswith("3")]
    rest = [c for c in clips if not c.name.startswith("3")]
    order = [*last_scene, rest[0], *rest[2:]]
    track[:] = []
    for clip in order:
        track.append(clip)
    path = folder / "recut.edl"
    otio.adapters.write_to_file(timeline, str(path), adapter_name="cmx_3600")
    return path


def test_a_run_writes_every_editorial_export(make_project: Callable[..., Project]) -> None:
    project = make_project()
    summary = run(project)
    names = {p.relative_to(project.exports).as_posix() for p in summary.exports}
    assert {f"editorial/timeline{s}" for s in (".otio", ".edl", ".xml", ".fcpxml")} \
        <= names
    assert {"usd/scene-1.usda", "usd/scene-2.usda", "usd/scene-3.usda"} <= names
    plan = current_plan(project)
    assert plan is not None
    planned = [(c["shot"], max(1, round(c["duration"] * project.settings.fps)))
               for scene in plan["scenes"] for c in scene["edit"]]
    assert cut_of(project) == planned
    assert frames_of_animatic(project) == sum(f for _, f in planned)
    media = next(iter(read_timeline(project.exports / "editorial" / "timeline.xml",
                                    project.settings.fps).video_tracks()[0].find_clips()))
    url = media.media_reference.target_url
    assert url.startswith("file://") and Path(url.removeprefix("file://")).is_file()


def test_conform_makes_the_plan_and_the_animatic_follow_the_cut(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    project = make_project()
    run(project)
    before = cut_of(project)
    edl = recut_edl(project, tmp_path)
    dry = run(project, ConformRequest(edl, dry_run=True))
    assert dry.conform is not None and dry.conform["removed"]
    assert cut_of(project) == before  # a dry run changes nothing

    summary = run(project, ConformRequest(edl))
    report = summary.conform
    assert report is not None
    assert [r["shot"] for r in report["removed"]] == [before[1][0]]
    assert report["trimmed"][0]["change"] == -8
    assert report["scene_order"]["after"][0] == "3"
    after = cut_of(project)
    assert after[0][0].startswith("3")
    assert sum(f for _, f in after) == sum(f for _, f in before) - 8 - before[1][1]
    assert frames_of_animatic(project) == sum(f for _, f in after)
    saved = json.loads((project.exports / "conform-report.json").read_text())
    assert saved["removed"] == report["removed"]
    plan = current_plan(project)
    assert plan is not None
    first = plan["scenes"][0]
    assert first["edit"][0]["duration"] == pytest.approx((before[0][1] - 8) / 24, abs=1e-3)

    again = run(project)  # the cut is kept: nothing to redo
    assert again.counts.run == 0
    assert cut_of(project) == after

    run(project, ConformRequest(None, reset=True))
    assert cut_of(project) == before


def test_a_revision_under_the_cut_falls_back_for_that_scene_only(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    project = make_project()
    run(project)
    run(project, ConformRequest(recut_edl(project, tmp_path)))
    cut = cut_of(project)
    text = project.script_path.read_text(encoding="utf-8")
    project.script_path.write_text(text.replace("Left at the chapel.",
                                                "Left at the chapel. Then right."),
                                   encoding="utf-8")
    summary = run(project)
    assert any("scene 3 changed since the editor's cut" in w for w in summary.warnings)
    revised = cut_of(project)
    # scene 1's trim and drop still hold; scene 3 is back to its new plan, in its place
    assert [c for c in revised if not c[0].startswith("3")] == \
        [c for c in cut if not c[0].startswith("3")]
    assert revised[0][0].startswith("3")


def test_conform_of_a_broken_file_changes_nothing(make_project: Callable[..., Project],
                                                  tmp_path: Path) -> None:
    project = make_project()
    run(project)
    before = cut_of(project)
    broken = tmp_path / "broken.xml"
    broken.write_text("<xmeml><sequence>")
    with pytest.raises(InputError, match=r"broken\.xml"):
        run(project, ConformRequest(broken))
    assert cut_of(project) == before
    assert not (project.exports / "conform-report.json").exists()


def test_the_formats_of_a_run_share_one_build(make_project: Callable[..., Project],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import select

    from shotline.editorial import timeline as timeline_module
    from shotline.engine import editorial_steps
    from shotline.store.schema import StepRun

    project = make_project()
    run(project)
    with project.sessions() as s:
        made = list(s.scalars(select(StepRun).where(StepRun.step == "timeline")))
    assert sorted(r.params["format"] for r in made) == ["edl", "fcp7", "fcpxml", "otio"]
    builds: list[str] = []
    real = timeline_module.build_timeline

    def counted(title: str, *args: object, **kwargs: object) -> object:
        builds.append(title)
        return real(title, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(timeline_module, "build_timeline", counted)
    editorial_steps._BUILT.clear()
    for record in made:
        inputs = {name: project.objects.get(digest) for name, digest in record.inputs.items()}
        out = editorial_steps.timeline_step(inputs, record.params)
        [(name, blob)] = out.items()
        # The same bytes as the run exported.
        assert blob.data == (project.exports / "editorial" / name).read_bytes()
    assert len(builds) == 1
    editorial_steps.timeline_step(inputs, {**record.params, "title": "Another"})
    assert len(builds) == 2
