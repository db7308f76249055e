"""The main job on a project: screenplay → breakdown → shot plan → exports, through
the engine, so that a run with nothing changed does no work and a revision redoes
only the scenes it touched."""

from __future__ import annotations

import json
import os
import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from sqlalchemy import select

from shotline.animatic import speech_available, voice_for
from shotline.engine.builtin import (
    BREAKDOWN,
    EXPORT,
    PARSE,
    PLAN,
    SPLIT,
    lock_params,
    override_params,
)
from shotline.engine.executors import Executor
from shotline.engine.previs_steps import BOARD, CONTACT, JOIN, SCENE_CUT, STAGE
from shotline.engine.revisions import (
    KnownScene,
    Matching,
    NewScene,
    assign_numbers,
    match_scenes,
    scene_report,
)
from shotline.engine.runner import Counts, Engine, Outputs, store_blob
from shotline.engine.steps import Blob, Task
from shotline.files import to_json, write_atomic
from shotline.model.appearance import appearance_for
from shotline.planning import load_overrides
from shotline.review.decisions import locked_shots, shot_basis, states
from shotline.script.loader import looks_like_fdx, read_bytes
from shotline.store.project import Project, now
from shotline.store.schema import Revision, Run, SceneRecord

MANIFEST = "exports.json"
OVERRIDES = "overrides.toml"  # the director's shot overrides, in the project folder


@dataclass
class RunSummary:
    run_id: int
    counts: Counts
    seconds: float
    revision: dict[str, Any] | None  # the revision report, when the screenplay changed
    exports: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run_project(project: Project, executor: Executor, console: Console | None = None,
                wait: float = 0.0) -> RunSummary:
    """One run, holding the project's lock; a failed or killed run leaves every
    finished step recorded, so the next run goes on from there."""
    started = time.perf_counter()
    with project.lock(wait):
        project.objects.sweep_incoming()
        run_id = _open_run(project, executor.name)
        engine = Engine(project, executor, run_id, console)
        try:
            with engine.showing_progress():
                summary = _pipeline(project, engine, run_id)
        except BaseException as exc:
            _close_run(project, run_id, engine.counts, "failed" if isinstance(exc, Exception)
                       else "interrupted", str(exc) or type(exc).__name__)
            raise
        _close_run(project, run_id, engine.counts, "done", None)
    summary.seconds = time.perf_counter() - started
    return summary


def _open_run(project: Project, executor: str) -> int:
    with project.sessions.begin() as s:
        # We hold the lock, so a run still marked running died without closing.
        for stale in s.scalars(select(Run).where(Run.status == "running")):
            stale.status, stale.message = "interrupted", "the process ended mid-run"
        run = Run(started_at=now(), status="running", executor=executor, tasks_run=0,
                  tasks_cached=0, pid=os.getpid(), host=socket.gethostname())
        s.add(run)
        s.flush()
        return run.id


def _close_run(project: Project, run_id: int, counts: Counts, status: str,
               message: str | None) -> None:
    with project.sessions.begin() as s:
        run = s.get(Run, run_id)
        if run is not None:
            run.status, run.message, run.finished_at = status, message, now()
            run.tasks_run, run.tasks_cached = counts.run, counts.cached


def _load_json(project: Project, digest: str) -> Any:
    return orjson.loads(project.objects.get(digest))


def known_scenes(project: Project) -> list[KnownScene]:
    with project.sessions() as s:
        rows = s.scalars(select(SceneRecord).where(SceneRecord.omitted.is_(False))
                         .order_by(SceneRecord.position))
        return [KnownScene(r.number, r.heading, r.content_hash, r.text, r.position)
                for r in rows]


def retired_numbers(project: Project) -> set[str]:
    with project.sessions() as s:
        return set(s.scalars(select(SceneRecord.number).where(SceneRecord.omitted.is_(True))))


def latest_revision(project: Project) -> Revision | None:
    with project.sessions() as s:
        return s.scalars(select(Revision).order_by(Revision.id.desc()).limit(1)).first()


def new_scenes(index: list[dict[str, Any]], split: Outputs) -> list[NewScene]:
    return [NewScene(e["heading"], e["script_number"], split[e["output"]], e["text"])
            for e in index]


def scene_overrides(project: Project) -> dict[str, list[dict[str, Any]]]:
    """Scene number -> its overrides: the project's overrides file, then the shots people
    locked (a lock wins over a file entry for the same shot). Only a scene's own entries
    go into its plan's cache key."""
    entries: dict[str, dict[str, dict[str, Any]]] = {}
    path = project.root / OVERRIDES
    if path.is_file():
        for k, entry in enumerate(load_overrides(path).shots):
            entries.setdefault(entry.scene, {})[entry.id or f"#{k}"] = override_params(entry)
    for shot_id, shot in locked_shots(project).items():
        entries.setdefault(str(shot["scene"]).upper(), {})[shot_id] = lock_params(shot)
    return {scene: list(found.values()) for scene, found in entries.items()}


@dataclass
class Previs:
    files: dict[str, str]  # export file name -> object hash
    warnings: list[str]


def _previs(project: Project, engine: Engine, index: list[dict[str, Any]], numbers: list[str],
            split: Outputs, plans: list[Outputs]) -> Previs:
    """Boards, contact sheet and animatic: staged per scene, rendered per shot, cut per
    scene, joined; nothing is read back here, so an unchanged run stays cheap."""
    settings = project.settings
    names = sorted({name for entry in index for name in entry.get("characters", [])})
    looks = {name: appearance_for(name, settings.characters.get(name.upper()))
             for name in names}
    scene_of = {n: split[e["output"]] for e, n in zip(index, numbers, strict=True)}
    plan_of = {n: p["plan"] for n, p in zip(numbers, plans, strict=True)}
    cast_of = {n: e.get("characters", []) for e, n in zip(index, numbers, strict=True)}
    staged = engine.run([
        Task(STAGE, f"scene {n}", {"scene": scene_of[n], "plan": plan_of[n]},
             {"aspect": settings.width / settings.height,
              "heights": {c: looks[c].height for c in cast_of[n]}})
        for n in numbers], "stage")
    shots_of: dict[str, list[str]] = {}
    tasks: list[Task] = []
    for number, stages in zip(numbers, staged, strict=True):
        for name, digest in stages.items():
            shot = name.split(":", 1)[1]
            shots_of.setdefault(number, []).append(shot)
            tasks.append(Task(BOARD, f"shot {shot}", {"stage": digest}, {
                "width": settings.width, "height": settings.height,
                "appearances": {c: looks[c].to_dict() for c in cast_of[number]}}))
    boards = dict(zip((t.scope.split(" ", 1)[1] for t in tasks),
                      engine.run(tasks, "boards"), strict=True))
    contact_inputs = {f"plan:{n}": plan_of[n] for n in numbers}
    contact_inputs.update({f"scene:{n}": scene_of[n] for n in numbers})
    contact_inputs.update({f"thumb:{shot}": out["thumb.jpg"] for shot, out in boards.items()})
    [contact] = engine.run([Task(CONTACT, "script", contact_inputs,
                                 {"title": settings.name, "scenes": numbers})], "contact sheet")
    speech = "espeak-ng" if speech_available() else ""
    cuts = engine.run([
        Task(SCENE_CUT, f"scene {n}", {
            "scene": scene_of[n], "plan": plan_of[n],
            **{f"board:{shot}": boards[shot]["image.png"] for shot in shots_of.get(n, [])}},
            {"fps": settings.fps, "speech": speech,
             "voices": {c: voice_for(c) for c in cast_of[n]}})
        for n in numbers], "animatic")
    join_inputs = {f"scene:{n}": c["scene.mp4"] for n, c in zip(numbers, cuts, strict=True)}
    join_inputs.update({f"lines:{n}": c["lines.json"] for n, c in zip(numbers, cuts,
                                                                        strict=True)})
    [joined] = engine.run([Task(JOIN, "script", join_inputs, {"scenes": numbers})], "join")
    files = {**joined, **contact}
    for shot, out in boards.items():
        files[f"boards/{shot}.png"] = out["image.png"]
        for name in ("depth.png", "pose.png", "camera.json"):
            files[f"previs/{shot}/{name}"] = out[name]
    warnings = [] if speech else [
        "espeak-ng is not installed: the animatic is silent (apt-get install espeak-ng)"]
    return Previs(files, warnings)


def _pipeline(project: Project, engine: Engine, run_id: int) -> RunSummary:
    path = project.script_path
    data = read_bytes(path)
    screenplay = store_blob(project, Blob(data, "text/plain"))
    fmt = "fdx" if looks_like_fdx(path, data) else "fountain"
    with project.sessions.begin() as s:
        run = s.get(Run, run_id)
        if run is not None:
            run.script_hash = screenplay

    [parsed] = engine.run([Task(PARSE, "script", {"screenplay": screenplay},
                                {"format": fmt, "name": path.name})], "parse")
    [broken] = engine.run([Task(BREAKDOWN, "script", {"script": parsed["script"]})],
                          "breakdown")
    [split] = engine.run([Task(SPLIT, "script", {"script": parsed["script"],
                                                 "breakdown": broken["breakdown"]})], "scenes")
    index: list[dict[str, Any]] = _load_json(project, split["index"])
    scenes = new_scenes(index, split)

    last = latest_revision(project)
    known = known_scenes(project)
    changed = last is None or last.script_hash != screenplay or len(known) != len(scenes)
    if changed:
        matching = match_scenes(known, scenes)
        numbers = assign_numbers(scenes, matching, retired_numbers(project))
    else:
        matching = Matching([])
        numbers = [k.number for k in known]

    overrides = scene_overrides(project)
    tasks: list[Task] = []
    for k, (entry, number) in enumerate(zip(index, numbers, strict=True)):
        previous = index[k - 1] if k else None
        params: dict[str, Any] = {
            "number": number,
            "previous": {key: previous[key] for key in ("location", "int_ext", "time_of_day")}
            if previous else None,
        }
        if overrides.get(number):
            # Plans see lines counted from their heading; so must an entry's `lines`.
            params["overrides"] = [
                d | {"lines": [line - entry["line"] for line in d["lines"]]}
                if d.get("lines") else d for d in overrides[number]]
            params["overrides_source"] = OVERRIDES
        tasks.append(Task(PLAN, f"scene {number}", {"scene": split[entry["output"]]}, params))
    plans = engine.run(tasks, "plan")

    previs = _previs(project, engine, index, numbers, split, plans)

    export_inputs = {"script": parsed["script"], "breakdown": broken["breakdown"]}
    export_inputs.update({f"plan:{n}": p["plan"] for n, p in zip(numbers, plans, strict=True)})
    [exported] = engine.run([Task(EXPORT, "script", export_inputs, {"numbers": numbers})],
                            "export")
    written = materialize(project, {**exported, **previs.files})

    report = None
    warnings: list[str] = []
    if changed:
        # Only the plans that changed are read; the rest are as the last revision saw them.
        prior_plans, prior_basis = _prior(last)
        plan_hashes = {n: p["plan"] for n, p in zip(numbers, plans, strict=True)}
        basis: dict[str, dict[str, str]] = {}
        for number, digest in plan_hashes.items():
            if prior_plans.get(number) == digest and number in prior_basis:
                basis[number] = prior_basis[number]
                continue
            plan = _load_json(project, digest)
            basis[number] = {shot["id"]: shot_basis(shot) for shot in plan["shots"]}
            heading_line = index[numbers.index(number)]["line"]
            warnings += [f"scene {number}: {_absolute_lines(w, heading_line)}"
                         for w in plan.get("warnings", [])]
        report = _record_revision(project, run_id, screenplay, last, scenes, matching,
                                  numbers, basis, plan_hashes)
    warnings += previs.warnings
    return RunSummary(run_id, engine.counts, 0.0, report, written, warnings)


_LINE = re.compile(r"\bline (\d+)")


def _absolute_lines(warning: str, heading_line: int) -> str:
    """Plans count lines from their scene's heading (so an edit elsewhere leaves them
    alone); people want the screenplay's own line numbers."""
    return _LINE.sub(lambda m: f"line {heading_line + int(m.group(1))}", warning)


def _prior(last: Revision | None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The last revision's plan hash and shot hashes, by scene number."""
    if last is None:
        return {}, {}
    plans = last.report.get("plans")
    basis = last.report.get("shot_basis")
    return (dict(plans) if isinstance(plans, dict) else {},
            dict(basis) if isinstance(basis, dict) else {})


def _record_revision(project: Project, run_id: int, screenplay: str, last: Revision | None,
                     scenes: list[NewScene], matching: Matching, numbers: list[str],
                     by_scene: dict[str, dict[str, str]], plans: dict[str, str]
                     ) -> dict[str, Any]:
    basis = {shot: h for shots in by_scene.values() for shot, h in shots.items()}
    before = {shot: h for shots in _prior(last)[1].values() for shot, h in shots.items()}
    report: dict[str, Any] = {
        "first": last is None,
        "scenes": scene_report(scenes, matching, numbers),
        "shots": {
            "added": sorted(set(basis) - set(before)),
            "removed": sorted(set(before) - set(basis)),
            "changed": sorted(k for k in set(basis) & set(before) if basis[k] != before[k]),
        },
        "stale_decisions": [
            {"shot": st.shot_id, "role": d.role, "kind": d.kind}
            for st in states(project, basis) for d, stale in zip(st.decisions, st.stale,
                                                                strict=True) if stale
        ],
        "plans": plans,
        "shot_basis": by_scene,
    }
    with project.sessions.begin() as s:
        revision = Revision(run_id=run_id, script_hash=screenplay, created_at=now(),
                            report=report)
        s.add(revision)
        s.flush()
        records = {r.number: r for r in s.scalars(select(SceneRecord))}
        for position, (scene, match, number) in enumerate(
                zip(scenes, matching.matches, numbers, strict=True)):
            record = records.get(match.old.number if match.old else number)
            if record is None:
                record = records.get(number)
            if record is None:
                record = SceneRecord(number=number, first_revision=revision.id)
                s.add(record)
            record.number, record.heading, record.content_hash = number, scene.heading, \
                scene.content_hash
            record.text, record.position, record.omitted = scene.text, position, False
            record.last_revision = revision.id
        for gone in matching.omitted:
            record = records.get(gone.number)
            if record is not None:
                record.omitted, record.position = True, -1
    report["revision"] = revision.id
    return report


def materialize(project: Project, outputs: Outputs) -> list[Path]:
    """Write the export objects as files, skipping those already there."""
    folder = project.exports
    manifest_path = project.state / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        manifest = {}
    written: list[Path] = []
    for name, digest in sorted(outputs.items()):
        target = folder / name
        if manifest.get(name) != digest or not target.is_file():
            write_atomic(target, project.objects.get(digest))
        written.append(target)
    for name in set(manifest) - set(outputs):  # files an older run made that no longer exist
        (folder / name).unlink(missing_ok=True)
    write_atomic(manifest_path, to_json(dict(sorted(outputs.items()))))
    return written


def current_plan(project: Project) -> dict[str, Any] | None:
    """The shot plan of the last finished run, if there is one."""
    try:
        manifest = json.loads((project.state / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    digest = manifest.get("plan.json")
    if not digest or not project.objects.has(digest):
        return None
    plan: dict[str, Any] = _load_json(project, digest)
    return plan
