"""The cut a run follows: the planner's edit, or the editor's cut where it still holds.

The editor's cut is kept in the database; a run lays it out as the plans the
animatic, the exports and the USD stages are made from. With no editor's cut nothing
is read back: each scene is one stretch of the animatic, cut from its own plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select

from shotline.editorial.cut import EditorsCut, Following, follow, planned_entries, runs, with_edit
from shotline.engine.runner import store_blob
from shotline.engine.steps import Blob
from shotline.model.shots import ScenePlan
from shotline.store.project import Project, now
from shotline.store.schema import EditorsCutRecord


@dataclass
class Layout:
    """Per stretch of the cut, its scene and the plan it is cut from; per scene, the
    plan as edited (for exports and USD); the editor's cut blob, if any."""

    runs: list[tuple[str, str]]
    scene_plans: dict[str, str]
    cut_blob: str | None = None
    stale: list[str] = field(default_factory=list)


def latest_cut(project: Project) -> EditorsCut | None:
    with project.sessions() as s:
        record = s.scalars(select(EditorsCutRecord).order_by(EditorsCutRecord.id.desc())
                           .limit(1)).first()
        if record is None or record.cut is None:
            return None
        return EditorsCut.from_dict(record.cut)


def record_cut(project: Project, run_id: int | None, source: str, source_hash: str | None,
               cut: EditorsCut | None, report: dict[str, Any]) -> None:
    with project.sessions.begin() as s:
        s.add(EditorsCutRecord(run_id=run_id, source=source, source_hash=source_hash,
                               cut=cut.to_dict() if cut else None, report=report,
                               created_at=now()))


def load_plans(project: Project, numbers: list[str], hashes: dict[str, str]
               ) -> list[ScenePlan]:
    return [ScenePlan.from_dict(orjson.loads(project.objects.get(hashes[n]))) for n in numbers]


def following(project: Project, numbers: list[str], hashes: dict[str, str], fps: int,
              cut: EditorsCut | None) -> tuple[Following, list[ScenePlan]]:
    plans = load_plans(project, numbers, hashes)
    return follow(plans, hashes, fps, cut), plans


def layout(project: Project, numbers: list[str], hashes: dict[str, str], fps: int,
           cut: EditorsCut | None) -> Layout:
    if cut is None:
        return Layout([(n, hashes[n]) for n in numbers], dict(hashes))
    found, plans = following(project, numbers, hashes, fps, cut)
    by_number = {p.scene: p for p in plans}

    def plan_for(scene: str, entries: list[Any]) -> str:
        plan = by_number[scene]
        if entries == planned_entries(plan, fps):
            return hashes[scene]  # as planned: the plan's own object, its caches intact
        edited = with_edit(plan, entries, fps).to_dict()
        return store_blob(project, Blob(orjson.dumps(edited), "application/json"))

    stretches = [(scene, plan_for(scene, entries)) for scene, entries in runs(found.entries)]
    per_scene: dict[str, list[Any]] = {n: [] for n in numbers}
    for entry in found.entries:
        per_scene[entry.scene].append(entry)
    scene_plans = {n: plan_for(n, per_scene[n]) for n in numbers}
    blob = store_blob(project, Blob(orjson.dumps(cut.to_dict()), "application/json"))
    return Layout(stretches, scene_plans, blob, found.stale)
