"""What is stale in a project and why, and the review state, without running anything."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shotline.engine.builtin import breakdown_step, parse_step, split_step
from shotline.engine.pipeline import (
    current_plan,
    known_scenes,
    latest_revision,
    new_scenes,
    retired_numbers,
)
from shotline.engine.revisions import assign_numbers, match_scenes
from shotline.engine.steps import Blob
from shotline.review.decisions import shot_basis, states
from shotline.script.loader import looks_like_fdx, read_bytes
from shotline.store.objects import sha256
from shotline.store.project import Project
from shotline.store.schema import Run


def _preview(project: Project, data: bytes) -> list[dict[str, str]]:
    """Parse and match the edited screenplay in memory: which scenes a run would redo."""
    path = project.script_path
    fmt = "fdx" if looks_like_fdx(path, data) else "fountain"
    parsed = parse_step({"screenplay": data}, {"format": fmt, "name": path.name})
    script = parsed["script"].data
    broken = breakdown_step({"script": script}, {})["breakdown"].data
    split: dict[str, Blob] = split_step({"script": script, "breakdown": broken}, {})
    import json

    index = json.loads(split["index"].data)
    hashes = {name: sha256(blob.data) for name, blob in split.items()}
    scenes = new_scenes(index, hashes)
    matching = match_scenes(known_scenes(project), scenes)
    numbers = assign_numbers(scenes, matching, retired_numbers(project))
    stale: list[dict[str, str]] = []
    for scene, match, number in zip(scenes, matching.matches, numbers, strict=True):
        if match.status == "added":
            stale.append({"what": f"scene {number}", "why": f"new in the screenplay "
                          f"({scene.heading})"})
        elif match.status == "changed":
            stale.append({"what": f"scene {number}", "why": "its text changed; its shots "
                          "will be re-planned"})
    for gone in matching.omitted:
        stale.append({"what": f"scene {gone.number}", "why": "omitted from the screenplay"})
    return stale


def project_status(project: Project) -> dict[str, Any]:
    with project.sessions() as s:
        last = s.scalars(select(Run).order_by(Run.id.desc()).limit(1)).first()
        last_run = None if last is None else {
            "id": last.id, "status": last.status, "tasks_run": last.tasks_run,
            "tasks_cached": last.tasks_cached,
            "finished_at": last.finished_at.isoformat(timespec="seconds")
            if last.finished_at else None,
        }
    stale: list[dict[str, str]] = []
    revision = latest_revision(project)
    try:
        data = read_bytes(project.script_path)
    except Exception as exc:  # a broken screenplay is itself what is wrong
        stale.append({"what": "screenplay", "why": str(exc)})
        data = None
    if last is None:
        stale.append({"what": "everything", "why": "the project has never run"})
    elif last.status != "done":
        stale.append({"what": f"run {last.id}", "why": f"it {last.status}; the next run "
                      "goes on from where it stopped"})
    if data is not None and revision is not None and sha256(data) != revision.script_hash:
        stale.append({"what": "screenplay", "why": "edited since the last run"})
        stale.extend(_preview(project, data))
    plan = current_plan(project)
    shots = {shot["id"]: shot for scene in (plan or {}).get("scenes", [])
             for shot in scene["shots"]}
    review: list[dict[str, Any]] = []
    for state in states(project, {k: shot_basis(v) for k, v in shots.items()}):
        for decision, is_stale in zip(state.decisions, state.stale, strict=True):
            review.append({
                "shot": state.shot_id, "kind": decision.kind, "role": decision.role,
                "person": decision.person, "note": decision.note, "take": decision.take,
                "when": decision.created_at.isoformat(timespec="seconds"), "stale": is_stale,
            })
            if is_stale:
                stale.append({"what": f"{decision.kind} of shot {state.shot_id}",
                              "why": f"by the {decision.role}; the shot "
                              + ("changed since" if state.shot_id in shots else
                                 "is no longer in the plan")})
        if state.locked is not None:
            review.append({
                "shot": state.shot_id, "kind": "lock", "role": state.locked.role,
                "person": state.locked.person, "note": state.locked.note,
                "take": state.locked.take,
                "when": state.locked.created_at.isoformat(timespec="seconds"), "stale": False,
            })
    return {"project": project.settings.name, "script": project.settings.script,
            "last_run": last_run, "stale": stale, "review": review,
            "shots": len(shots)}
