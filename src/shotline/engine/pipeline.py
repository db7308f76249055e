"""The main job on a project: screenplay → breakdown → shot plan → exports, through
the engine, so that a run with nothing changed does no work and a revision redoes
only the scenes it touched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from sqlalchemy import select

from shotline.animatic import speech_available, voice_for
from shotline.editorial.conform import conform
from shotline.editorial.cut import EditorsCut
from shotline.editorial.formats import RUN_FORMATS, read_timeline
from shotline.engine.builtin import (
    BREAKDOWN,
    EXPORT,
    PARSE,
    PLAN,
    SPLIT,
    lock_params,
    override_params,
)
from shotline.engine.edit_state import Layout, following, latest_cut, layout, record_cut
from shotline.engine.editorial_steps import TIMELINE, USD
from shotline.engine.executors import Executor
from shotline.engine.generation import (
    GenerationRequest,
    Made,
    consent_review,
    dailies,
    generate_takes,
    pictures,
)
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
from shotline.engine.signing import sign_exports
from shotline.engine.steps import Blob, Task
from shotline.errors import InputError
from shotline.files import to_json, write_atomic
from shotline.governance import audit
from shotline.model.appearance import appearance_for
from shotline.planning import load_overrides
from shotline.review.decisions import locked_shots, shot_basis, states
from shotline.script.loader import looks_like_fdx, read_bytes
from shotline.store import characters as bible
from shotline.store.project import Project, now
from shotline.store.schema import Revision, Run, SceneRecord

MANIFEST = "exports.json"
CONFORM_REPORT = "conform-report.json"  # the last conform's change report
OVERRIDES = "overrides.toml"  # the director's shot overrides, in the project folder


@dataclass
class RunSummary:
    run_id: int
    counts: Counts
    seconds: float
    revision: dict[str, Any] | None  # the revision report, when the screenplay changed
    exports: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    conform: dict[str, Any] | None = None  # the change report, when a cut was conformed
    generated: Made | None = None  # the takes asked for with --provider, and their cost


@dataclass(frozen=True)
class ConformRequest:
    """An edited timeline to conform before the previs is cut (or, with `dry_run`,
    only to report on); `reset` sets the planner's edit back instead."""

    path: Path | None
    dry_run: bool = False
    reset: bool = False


def run_project(project: Project, executor: Executor, console: Console | None = None,
                wait: float = 0.0, conform: ConformRequest | None = None,
                formats: tuple[str, ...] = (),
                generation: GenerationRequest | None = None) -> RunSummary:
    """One run, holding the project's lock; a failed or killed run leaves every
    finished step recorded, so the next run goes on from there. `formats` are timeline
    formats made on request only, beyond the usual ones (AAF)."""
    started = time.perf_counter()
    with project.lock(wait):
        project.objects.sweep_incoming()
        run_id = _open_run(project, executor.name)
        engine = Engine(project, executor, run_id, console)
        try:
            with engine.showing_progress():
                summary = _pipeline(project, engine, run_id, conform, formats, generation)
        except BaseException as exc:
            status = "failed" if isinstance(exc, Exception) else "interrupted"
            _close_run(project, run_id, engine.counts, status, str(exc) or type(exc).__name__)
            with suppress(Exception):  # the log must not hide the run's own error
                audit.record(project, "run", executor.name, f"run {run_id}", {
                    "status": status, "tasks_run": engine.counts.run,
                    "error": (str(exc) or type(exc).__name__)[:500]})
            raise
        _close_run(project, run_id, engine.counts, "done", None)
        audit.record(project, "run", executor.name, f"run {run_id}", {
            "status": "done", "tasks_run": engine.counts.run, "tasks_cached": engine.counts.cached,
            "exports": len(summary.exports), "warnings": len(summary.warnings),
            "cost_usd": summary.generated.cost_usd if summary.generated else 0.0})
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
    generated: Made | None = None


def _previs(project: Project, engine: Engine, index: list[dict[str, Any]], numbers: list[str],
            split: Outputs, plan_of: dict[str, str], edit: Layout,
            extra_formats: tuple[str, ...] = (), run_id: int = 0,
            generation: GenerationRequest | None = None) -> Previs:
    """Boards, contact sheet, animatic, timeline and USD: staged per scene, rendered per
    shot, cut per stretch of the cut, joined; nothing is read back here, so an
    unchanged run stays cheap."""
    settings = project.settings
    names = sorted({name for entry in index for name in entry.get("characters", [])})
    overrides = bible.appearance_overrides(project)  # shotline.toml, then the bible
    looks = {name: appearance_for(name, overrides.get(name.upper())) for name in names}
    scene_of = {n: split[e["output"]] for e, n in zip(index, numbers, strict=True)}
    cast_of = {n: e.get("characters", []) for e, n in zip(index, numbers, strict=True)}
    staged = dict(zip(numbers, engine.run([
        Task(STAGE, f"scene {n}", {"scene": scene_of[n], "plan": plan_of[n]},
             {"aspect": settings.width / settings.height,
              "heights": {c: looks[c].height for c in cast_of[n]}})
        for n in numbers], "stage"), strict=True))
    drawn = {name: look.to_dict() for name, look in looks.items()}  # once, not per shot
    shots_of: dict[str, list[str]] = {}
    tasks: list[Task] = []
    for number, stages in staged.items():
        for name, digest in stages.items():
            shot = name.split(":", 1)[1]
            shots_of.setdefault(number, []).append(shot)
            tasks.append(Task(BOARD, f"shot {shot}", {"stage": digest}, {
                "width": settings.width, "height": settings.height,
                "appearances": {c: drawn[c] for c in cast_of[number]}}))
    boards = dict(zip((t.scope.split(" ", 1)[1] for t in tasks),
                      engine.run(tasks, "boards"), strict=True))
    headings = {n: e["heading"] for e, n in zip(index, numbers, strict=True)}
    made = None
    if generation is not None:
        made = generate_takes(project, engine, run_id, generation, plan_of, staged, headings,
                              looks)
    consent_notes = consent_review(project)
    shown = pictures(project, boards, staged, project.exports.resolve().as_uri())
    speech = "espeak-ng" if speech_available() else ""
    # Batches that do not wait on one another go out together, so that one batch's last
    # task does not leave the other workers idle: the USD stages need only the staging;
    # the contact sheet only the boards; the timelines the cuts' lines, not the joined
    # film. The join goes first in its submission: it is the longest, and what the
    # credentials wait for.
    cuts, usd = engine.run_together([
        (_cut_tasks(project, edit, scene_of, cast_of, shots_of, shown.asset, speech),
         "animatic"),
        (_usd_tasks(project, numbers, headings, edit, staged), "usd")])
    [joined], [sheet], timelines = engine.run_together([
        ([_join_task(cuts)], "join"),
        ([_contact_task(project, numbers, edit, scene_of, boards)], "contact sheet"),
        (_timeline_tasks(project, numbers, headings, plan_of, edit, shown.source, cuts,
                         extra_formats), "timeline")])
    files = {**joined, **sheet}
    for shot, out in boards.items():
        files[f"boards/{shot}.png"] = out["image.png"]
        for name in ("depth.png", "pose.png", "camera.json"):
            files[f"previs/{shot}/{name}"] = out[name]
    files.update(shown.files)
    files.update(dailies(project, engine, plan_of, headings))
    files.update(sign_exports(project, engine, files, set(shown.asset.values())))
    for made_by_format in timelines:
        files.update({f"editorial/{name}": digest for name, digest in made_by_format.items()})
    files.update({f"usd/scene-{n}.usda": out["scene.usda"]
                  for n, out in zip(numbers, usd, strict=True)})
    warnings = [] if speech else [
        "espeak-ng is not installed: the animatic is silent (apt-get install espeak-ng)"]
    return Previs(files, warnings + consent_notes + shown.warnings, made)


def _contact_task(project: Project, numbers: list[str], edit: Layout,
                  scene_of: dict[str, str], boards: dict[str, Outputs]) -> Task:
    inputs = {f"plan:{n}": edit.scene_plans[n] for n in numbers}
    inputs.update({f"scene:{n}": scene_of[n] for n in numbers})
    inputs.update({f"thumb:{shot}": out["thumb.jpg"] for shot, out in boards.items()})
    return Task(CONTACT, "script", inputs, {"title": project.settings.name, "scenes": numbers})


def _cut_tasks(project: Project, edit: Layout, scene_of: dict[str, str],
               cast_of: dict[str, list[str]], shots_of: dict[str, list[str]],
               shown: dict[str, str], speech: str) -> list[Task]:
    """The animatic cut per stretch of the edit, each with the pictures its shots show."""
    seen: dict[str, int] = {}
    tasks: list[Task] = []
    for scene, plan in edit.runs:
        seen[scene] = seen.get(scene, 0) + 1
        scope = f"scene {scene}" + (f" part {seen[scene]}" if seen[scene] > 1 else "")
        tasks.append(Task(SCENE_CUT, scope, {
            "scene": scene_of[scene], "plan": plan,
            **{f"board:{shot}": shown[shot] for shot in shots_of.get(scene, [])}},
            {"fps": project.settings.fps, "speech": speech,
             "voices": {c: voice_for(c) for c in cast_of[scene]}}))
    return tasks


def _join_task(cuts: list[Outputs]) -> Task:
    """The animatic, and its subtitles, from the cuts in order."""
    keys = [str(k) for k in range(len(cuts))]
    inputs = {f"scene:{k}": c["scene.mp4"] for k, c in zip(keys, cuts, strict=True)}
    inputs.update({f"lines:{k}": c["lines.json"] for k, c in zip(keys, cuts, strict=True)})
    return Task(JOIN, "script", inputs, {"scenes": keys})


def _timeline_tasks(project: Project, numbers: list[str], headings: dict[str, str],
                    plan_of: dict[str, str], edit: Layout, sources: dict[str, dict[str, Any]],
                    cuts: list[Outputs], extra_formats: tuple[str, ...] = ()) -> list[Task]:
    """The timeline in every editing format. Media paths are the project's exports, as
    absolute file URLs that editing systems relink."""
    settings = project.settings
    inputs = {f"plan:{n}": plan_of[n] for n in numbers}
    inputs.update({f"lines:{k}": c["lines.json"] for k, c in enumerate(cuts)})
    if edit.cut_blob is not None:
        inputs["cut"] = edit.cut_blob
    params = {"title": settings.name, "fps": settings.fps, "numbers": numbers,
              "headings": headings, "sources": sources,
              "animatic_url": (project.exports.resolve() / "animatic.mp4").as_uri()}
    return [Task(TIMELINE, fmt, inputs, params | {"format": fmt})
            for fmt in (*RUN_FORMATS, *extra_formats)]


def _usd_tasks(project: Project, numbers: list[str], headings: dict[str, str], edit: Layout,
               staged: dict[str, Outputs]) -> list[Task]:
    """A USD stage per scene."""
    return [Task(USD, f"scene {n}", {"plan": edit.scene_plans[n], **staged[n]},
                 {"fps": project.settings.fps, "heading": headings[n]}) for n in numbers]


def _pipeline(project: Project, engine: Engine, run_id: int,
              request: ConformRequest | None = None, formats: tuple[str, ...] = (),
              generation: GenerationRequest | None = None) -> RunSummary:
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
    plan_hashes = {n: p["plan"] for n, p in zip(numbers, plans, strict=True)}
    cut = latest_cut(project)
    conformed = None
    if request is not None:
        conformed, cut = _conform(project, run_id, request, numbers, plan_hashes, cut)
        if request.dry_run:
            return RunSummary(run_id, engine.counts, 0.0, None, conform=conformed)
    edit = layout(project, numbers, plan_hashes, project.settings.fps, cut)

    previs = _previs(project, engine, index, numbers, split, plan_hashes, edit,
                     formats, run_id, generation)

    export_inputs = {"script": parsed["script"], "breakdown": broken["breakdown"]}
    export_inputs.update({f"plan:{n}": edit.scene_plans[n] for n in numbers})
    [exported] = engine.run([Task(EXPORT, "script", export_inputs, {
        "numbers": numbers, "fps": project.settings.fps, "title": project.settings.name})],
        "export")
    written = materialize(project, {**exported, **previs.files})

    report = None
    warnings: list[str] = []
    if changed:
        # Only the plans that changed are read; the rest are as the last revision saw them.
        prior_plans, prior_basis = _prior(last)
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
    warnings += [f"scene {n} changed since the editor's cut: it follows its new plan"
                 for n in edit.stale]
    return RunSummary(run_id, engine.counts, 0.0, report, written, warnings, conformed,
                      previs.generated)


def _conform(project: Project, run_id: int, request: ConformRequest, numbers: list[str],
             hashes: dict[str, str], cut: EditorsCut | None
             ) -> tuple[dict[str, Any], EditorsCut | None]:
    """The editor's timeline against the cut as it stands; recorded unless a dry run."""
    fps = project.settings.fps
    if request.reset or request.path is None:
        report: dict[str, Any] = {"source": "", "reset": True}
        if not request.dry_run:
            record_cut(project, run_id, "", None, None, report)
        return report, None
    timeline = read_timeline(request.path, fps)
    found, plans = following(project, numbers, hashes, fps, cut)
    try:
        result = conform(timeline, plans, hashes, found.entries, fps, request.path.name)
    except ValueError as exc:
        raise InputError(f"{request.path}: {exc}") from exc
    if not request.dry_run:
        stored = store_blob(project, Blob(request.path.read_bytes(), "application/octet-stream"))
        record_cut(project, run_id, request.path.name, stored, result.cut, result.report)
        write_atomic(project.exports / CONFORM_REPORT, to_json(result.report))
    return result.report, result.cut


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
    changed: list[str] = []
    inside = folder.resolve()
    for name, digest in sorted(outputs.items()):
        target = folder / name
        if manifest.get(name) != digest or not target.is_file():
            # Checked where a file is written (resolving every export's path each run,
            # thousands of them, was most of a run with nothing to do).
            if not (inside / name).resolve().is_relative_to(inside):
                raise InputError(f"refusing to write {name!r} outside the exports folder",
                                 source=str(folder))
            # What this run wrote goes out through the kernel, unhashed (ObjectStore.wrote
            # says why); an older object is checked on its way out.
            project.objects.copy_to(digest, target, verify=not project.objects.wrote(digest))
            changed.append(name)
        written.append(target)
    for name in set(manifest) - set(outputs):  # files an older run made that no longer exist
        if not (inside / name).resolve().is_relative_to(inside):
            continue
        (folder / name).unlink(missing_ok=True)
        parent = (folder / name).parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()  # a folder it emptied (a quarantined take's) goes too
            parent = parent.parent
    manifest_text = to_json(dict(sorted(outputs.items())))
    if changed:  # what left the project, and which version of everything it was; logged
        # before the manifest, so a crash between the two logs it twice, never not at all
        audit.record(project, "export", "shotline", str(folder.name), {
            "changed": changed[:50], "count": len(changed),
            "manifest": hashlib.sha256(manifest_text.encode()).hexdigest()})
    write_atomic(manifest_path, manifest_text)
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
