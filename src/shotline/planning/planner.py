"""plan_scene and plan_script: coverage, the director's notes and overrides, the edit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from shotline.breakdown.sheet import split_scenes
from shotline.model.breakdown import Breakdown, SceneBreakdown
from shotline.model.script import Element, Script
from shotline.model.shots import ScenePlan, ShotPlan
from shotline.planning.beats import split_beats
from shotline.planning.coverage import build_coverage
from shotline.planning.drafts import Draft
from shotline.planning.durations import heading_seconds
from shotline.planning.edit import cut_scene
from shotline.planning.ids import shot_id
from shotline.planning.overrides import Overrides
from shotline.planning.revisions import apply_overrides, reserved_ids


def _letter(drafts: Sequence[Draft], scene: str, reserved: set[str]) -> None:
    """Ids in order of creation, around the ids the overrides file adds under."""
    k = 0
    for draft in drafts:
        k += 1
        while shot_id(scene, k).upper() in reserved:
            k += 1
        draft.id = shot_id(scene, k)


def plan_scene(scene: SceneBreakdown, elements: Sequence[Element],
               previous: SceneBreakdown | None = None,
               overrides: Overrides | None = None) -> ScenePlan:
    """The shot plan of one scene.

    ``elements`` are the scene's elements after its heading; ``Shot.covers`` and
    ``Cut.covers`` are indexes into them. ``previous`` is the scene before it in the
    script, which decides whether this one needs an establishing shot. The result
    depends only on the arguments.
    """
    elements = tuple(elements)
    beats = split_beats(elements, heading_seconds(scene.heading))
    coverage = build_coverage(scene, elements, beats, previous)
    _letter(coverage.drafts, scene.number, reserved_ids(overrides, scene.number))
    warnings = list(coverage.warnings)
    if overrides is not None:
        warnings += apply_overrides(overrides, scene.number, beats, coverage)
    edit = cut_scene(beats, coverage.drafts, coverage.preferred)
    shots = tuple(d.to_shot(scene.number, edit.seconds.get(d.id, 0.0))
                  for d in coverage.drafts)
    return ScenePlan(scene.number, shots, edit.cuts, tuple(warnings + edit.warnings))


def plan_script(script: Script, breakdown: Breakdown,
                overrides: Overrides | None = None) -> ShotPlan:
    """The shot plan of every scene: scene k of the breakdown is the script's k-th scene,
    split the way build_breakdown splits it."""
    parts = split_scenes(script)
    plans: list[ScenePlan] = []
    previous: SceneBreakdown | None = None
    for k, sheet in enumerate(breakdown.scenes):
        elements = tuple(parts[k].elements) if k < len(parts) else ()
        plans.append(plan_scene(sheet, elements, previous, overrides))
        previous = sheet
    notes: list[str] = []
    if len(parts) != len(breakdown.scenes):
        notes.append(f"the breakdown has {len(breakdown.scenes)} scenes but the script "
                     f"{len(parts)}; was it made from another draft?")
    if overrides is not None:
        notes += overrides.unknown_scenes(s.number for s in breakdown.scenes)
    if notes and plans:
        plans[0] = replace(plans[0], warnings=(*notes, *plans[0].warnings))
    return ShotPlan(tuple(plans))
