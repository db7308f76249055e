"""The cut a run follows: the planner's edit, or the editor's cut where it still holds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shotline.editorial.cut import (
    CutEntry,
    EditorsCut,
    follow,
    frames_of,
    planned_entries,
    runs,
    with_edit,
)
from shotline.model.shots import Angle, Cut, Framing, Movement, ScenePlan, Shot, ShotSize

FPS = 24


def _plan(scene: str, cuts: list[tuple[str, float]]) -> ScenePlan:
    ids = sorted({shot for shot, _ in cuts})
    shots = tuple(Shot(i, scene, ShotSize.MS, Framing.SINGLE, Angle.EYE_LEVEL,
                       Movement.STATIC, 35.0, (), (), 2.0, f"shot {i}") for i in ids)
    return ScenePlan(scene, shots, tuple(Cut(s, (k,), d) for k, (s, d) in enumerate(cuts)))


PLANS = [_plan("1", [("1A", 2.0), ("1B", 1.5), ("1A", 3.0)]), _plan("2", [("2A", 4.0)]),
         _plan("3", [("3A", 1.0), ("3B", 2.0)])]
HASHES = {"1": "h1", "2": "h2", "3": "h3"}


def test_without_a_cut_the_edit_is_the_plans_in_script_order() -> None:
    entries = follow(PLANS, HASHES, FPS, None).entries
    assert [(e.scene, e.shot, e.index, e.frames) for e in entries] == [
        ("1", "1A", 0, 48), ("1", "1B", 1, 36), ("1", "1A", 2, 72), ("2", "2A", 0, 96),
        ("3", "3A", 0, 24), ("3", "3B", 1, 48)]


def test_the_editors_cut_holds_where_the_plans_are_unchanged() -> None:
    cut = EditorsCut((CutEntry("3", "3B", 1, (1,), 30), CutEntry("1", "1A", 2, (2,), 60),
                      CutEntry("2", "2A", 0, (0,), 90)), HASHES, FPS)
    found = follow(PLANS, HASHES, FPS, cut)
    assert [(e.shot, e.frames) for e in found.entries] == [("3B", 30), ("1A", 60), ("2A", 90)]
    assert found.stale == []


def test_a_scene_changed_since_the_cut_falls_back_to_its_new_plan_in_place() -> None:
    cut = EditorsCut((CutEntry("1", "1B", 1, (1,), 30), CutEntry("2", "2A", 0, (0,), 90),
                      CutEntry("3", "3A", 0, (0,), 20)), HASHES, FPS)
    found = follow(PLANS, HASHES | {"2": "changed"}, FPS, cut)
    assert found.stale == ["2"]
    assert [(e.shot, e.frames) for e in found.entries] == [("1B", 30), ("2A", 96), ("3A", 20)]


def test_a_new_scene_goes_after_the_scene_before_it_in_the_script() -> None:
    cut = EditorsCut((CutEntry("3", "3A", 0, (0,), 20), CutEntry("1", "1A", 0, (0,), 40)),
                     {"1": "h1", "3": "h3"}, FPS)
    found = follow(PLANS, HASHES, FPS, cut)
    assert [e.shot for e in found.entries] == ["3A", "1A", "2A"]
    assert found.stale == []


def test_an_omitted_scene_leaves_the_cut() -> None:
    cut = EditorsCut((CutEntry("1", "1A", 0, (0,), 40), CutEntry("9", "9A", 0, (0,), 20)),
                     HASHES | {"9": "h9"}, FPS)
    assert [e.shot for e in follow(PLANS, HASHES, FPS, cut).entries] == ["1A"]


def test_runs_split_where_the_scene_changes_and_with_edit_keeps_frames() -> None:
    entries = [CutEntry("1", "1A", 0, (0,), 47), CutEntry("2", "2A", 0, (0,), 10),
               CutEntry("1", "1B", 1, (1,), 13)]
    assert [(s, [e.shot for e in r]) for s, r in runs(entries)] == [
        ("1", ["1A"]), ("2", ["2A"]), ("1", ["1B"])]
    edited = with_edit(PLANS[0], [entries[2], entries[0]], FPS)
    again = ScenePlan.from_dict(edited.to_dict())  # through its JSON, rounded
    assert [(c.shot, frames_of(c.duration, FPS)) for c in again.edit] == [("1B", 13),
                                                                           ("1A", 47)]


@given(st.integers(min_value=1, max_value=100_000), st.sampled_from([24, 25, 30, 48, 60]))
def test_frames_survive_the_plans_rounding(frames: int, fps: int) -> None:
    entry = CutEntry("1", "1A", 0, (), frames)
    plan = ScenePlan.from_dict(with_edit(PLANS[0], [entry], fps).to_dict())
    assert frames_of(plan.edit[0].duration, fps) == frames


def test_entries_round_trip_through_json() -> None:
    cut = EditorsCut(tuple(planned_entries(PLANS[0], FPS)), HASHES, FPS, "cut.edl")
    assert EditorsCut.from_dict(cut.to_dict()) == cut


def test_a_changed_scene_keeps_the_place_the_editor_gave_it() -> None:
    cut = EditorsCut((CutEntry("3", "3B", 1, (1,), 30), CutEntry("1", "1A", 0, (0,), 40),
                      CutEntry("2", "2A", 0, (0,), 90)), HASHES, FPS)
    found = follow(PLANS, HASHES | {"3": "changed"}, FPS, cut)
    assert [(e.shot, e.frames) for e in found.entries] == [
        ("3A", 24), ("3B", 48), ("1A", 40), ("2A", 90)]
    assert found.stale == ["3"]
