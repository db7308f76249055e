"""Project commands: init, run, status, diff, log, show."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from shotline.cli.common import JsonFlag, ProjectOption, app, err, open_project, out, say
from shotline.engine.executors import EXECUTORS, make_executor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import RunSummary, latest_revision, run_project
from shotline.errors import InputError
from shotline.files import to_json
from shotline.review.status import project_status
from shotline.store.project import Project
from shotline.store.schema import Asset, Revision, Run, StepOutput, StepRun

ExecutorOption = Annotated[str, typer.Option(
    "--executor", "-e", help=f"Where steps run: {', '.join(EXECUTORS)}.")]


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The project folder to make.",
                                           show_default=False)],
    script: Annotated[Path, typer.Option("--script", "-s", help="The screenplay to start from.",
                                         show_default=False)],
    name: Annotated[str | None, typer.Option(help="The project's name (default: the title).",
                                             show_default=False)] = None,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Keep the metadata in this database (e.g. PostgreSQL).",
        show_default=False)] = None,
) -> None:
    """Make a project folder: settings, the screenplay, the database and object store."""
    project = Project.init(folder, script, name=name, database_url=database_url)
    say(f"made project {project.settings.name!r} in {folder}")
    project.close()


def _prepare(script: Path | None, output: Path | None, project_dir: Path | None) -> Project:
    """The project a run works on; a screenplay given on the command line becomes the
    project's new revision (or starts the project)."""
    root = project_dir or output or (Project.find(Path.cwd()) if script is None else None)
    if root is None:
        if script is None:
            raise InputError("not inside a Shotline project; give a SCRIPT and -o FOLDER, "
                             "or --project DIR")
        root = Path("out")
    if Project.find(root) != root:
        if script is None:
            raise InputError("not a Shotline project; give the SCRIPT to start one",
                             source=str(root))
        return Project.init(root, script)
    project = Project.open(root)
    if script is not None and script.resolve() != project.script_path.resolve():
        from shotline.script import load

        load(script)  # a bad screenplay must not replace a good one
        shutil.copyfile(script, project.script_path)
    return project


@app.command()
def run(
    script: Annotated[Path | None, typer.Argument(
        help="A screenplay: starts the project, or becomes its next revision.",
        show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The project folder (made if needed).", show_default=False)] = None,
    project_dir: ProjectOption = None,
    executor: ExecutorOption = "process",
    address: Annotated[str | None, typer.Option(
        help="Ray cluster address (with --executor ray); default: a local Ray.",
        show_default=False)] = None,
    wait: Annotated[float, typer.Option(
        help="Seconds to wait for another run on the project to finish.")] = 0.0,
    provider: Annotated[list[str] | None, typer.Option(
        "--provider", help="Make takes with this image provider (PROVIDER or "
        "PROVIDER:MODEL; repeat for several side by side). See `shotline providers`.",
        show_default=False)] = None,
    takes: Annotated[int, typer.Option(
        help="Takes per shot from each provider (take k always has the same seed: "
        "raise it to make more).")] = 1,
    shots: Annotated[list[str] | None, typer.Option(
        "--shot", help="Only this shot (12A) or scene (12); repeat for more.",
        show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """The main job: screenplay → breakdown → shot plan → exports, redoing only what changed."""
    if (takes != 1 or shots) and not provider:
        raise InputError("--takes and --shot go with --provider")
    generation = (GenerationRequest(tuple(provider), takes, tuple(shots or ()))
                  if provider else None)
    project = _prepare(script, output, project_dir)
    runner = make_executor(executor, address)
    try:
        summary = run_project(project, runner, console=None if as_json else err, wait=wait,
                              generation=generation)
    finally:
        runner.close()
        project.close()
    if as_json:
        sys.stdout.write(to_json(_summary_dict(summary, project)))
    else:
        _print_summary(summary, project)


def _summary_dict(summary: RunSummary, project: Project) -> dict[str, Any]:
    return {
        "run": summary.run_id, "project": str(project.root), "seconds": round(summary.seconds, 3),
        "steps_run": summary.counts.run, "steps_cached": summary.counts.cached,
        "by_step": {k: {"run": r, "cached": c} for k, (r, c) in summary.counts.by_step.items()},
        "revision": {k: v for k, v in (summary.revision or {}).items() if k != "shot_basis"}
        or None,
        "exports": [str(p) for p in summary.exports], "warnings": summary.warnings,
        "takes": summary.generated.takes if summary.generated else [],
        "cost_usd": summary.generated.cost_usd if summary.generated else 0.0,
    }


def _print_summary(summary: RunSummary, project: Project) -> None:
    steps = ", ".join(f"{name} {r} run/{c} cached"
                      for name, (r, c) in summary.counts.by_step.items())
    out.print(f"[bold]{project.settings.name}[/]: run {summary.run_id} in "
              f"{summary.seconds:.2f} s ({steps})")
    if summary.counts.run == 0:
        out.print("nothing changed: no step ran")
    if summary.revision is not None and not summary.revision.get("first"):
        _print_revision(summary.revision)
    for warning in summary.warnings:
        out.print(f"[yellow]warning[/] {warning}", markup=True, highlight=False)
    if summary.generated is not None:
        made = summary.generated.takes
        new = sum(1 for t in made if t["new"])
        out.print(f"takes: {new} made, {len(made) - new} already there; this run cost "
                  f"${summary.generated.cost_usd:.4f} (see `shotline takes`, "
                  "exports/dailies.pdf)", highlight=False)
    files: list[str] = []
    folders: dict[str, int] = {}
    for path in summary.exports:
        part = path.relative_to(project.exports).parts
        if len(part) == 1:
            files.append(part[0])
        else:
            folders[part[0]] = folders.get(part[0], 0) + 1
    listed = files + [f"{name}/ ({count} files)" for name, count in sorted(folders.items())]
    out.print(f"exports in {project.exports}/: " + ", ".join(listed), highlight=False)


def _print_revision(report: dict[str, Any]) -> None:
    scenes = report["scenes"]
    out.print(f"revision {report.get('revision', '')}: "
              f"{len(scenes['added'])} scenes added, {len(scenes['omitted'])} omitted, "
              f"{len(scenes['changed'])} changed, {scenes['unchanged']} unchanged")
    for kind in ("added", "omitted", "changed", "moved"):
        for scene in scenes.get(kind, []):
            what = f" ({'; '.join(scene['what'])})" if scene.get("what") else ""
            out.print(f"  {kind.upper():8} {scene['number']:>5}  {scene['heading']}{what}",
                      highlight=False, markup=False)
    shots = report["shots"]
    if any(shots.values()):
        out.print("shots: " + "; ".join(f"{k} {' '.join(v)}" for k, v in shots.items() if v),
                  highlight=False, markup=False)
    for stale in report.get("stale_decisions", []):
        out.print(f"  stale: {stale['kind']} of {stale['shot']} by the {stale['role']}",
                  highlight=False, markup=False)


@app.command()
def status(project_dir: ProjectOption = None, as_json: JsonFlag = False) -> None:
    """What is stale and why, and the review state of every shot decided on."""
    project = open_project(project_dir)
    try:
        report = project_status(project)
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json(report))
        return
    last = report["last_run"]
    out.print(f"[bold]{report['project']}[/] ({report['script']})")
    if last:
        out.print(f"last run {last['id']}: {last['status']} at {last['finished_at'] or '-'}"
                  f" ({last['tasks_run']} steps run, {last['tasks_cached']} cached)")
    for item in report["stale"]:
        out.print(f"[yellow]stale[/] {item['what']}: {item['why']}", highlight=False)
    if not report["stale"]:
        out.print("up to date: nothing is stale")
    if report["review"]:
        table = Table(title="Review", header_style="bold")
        for column in ("shot", "decision", "role", "by", "when", "take", "state", "note"):
            table.add_column(column)
        for row in report["review"]:
            table.add_row(row["shot"], row["kind"], row["role"], row["person"],
                          row["when"], str(row["take"] or ""),
                          "[yellow]stale[/]" if row["stale"] else "current", row["note"] or "")
        out.print(table)


@app.command()
def diff(
    project_dir: ProjectOption = None,
    revision: Annotated[int | None, typer.Option(
        help="Which revision (default: the latest).", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """The revision report: scenes added, omitted, changed; shots affected."""
    project = open_project(project_dir)
    try:
        if revision is None:
            found = latest_revision(project)
        else:
            with project.sessions() as s:
                found = s.get(Revision, revision)
    finally:
        project.close()
    if found is None:
        raise InputError("no such revision" if revision else "no revision yet: run first")
    report = {k: v for k, v in found.report.items() if k != "shot_basis"}
    report["revision"] = found.id
    if as_json:
        sys.stdout.write(to_json(report))
    elif report.get("first"):
        out.print(f"revision {found.id}: the first version of the screenplay")
    else:
        _print_revision(report)


@app.command()
def log(
    project_dir: ProjectOption = None,
    run_id: Annotated[int | None, typer.Option(
        "--run", help="List the steps one run executed.", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """The runs of the project, or the steps one run executed."""
    project = open_project(project_dir)
    try:
        with project.sessions() as s:
            if run_id is None:
                runs = list(s.scalars(select(Run).order_by(Run.id)))
                rows = [{"run": r.id, "started": r.started_at.isoformat(timespec="seconds"),
                         "status": r.status, "executor": r.executor, "steps_run": r.tasks_run,
                         "steps_cached": r.tasks_cached,
                         "seconds": round((r.finished_at - r.started_at).total_seconds(), 2)
                         if r.finished_at else None, "message": r.message} for r in runs]
            else:
                steps = list(s.scalars(select(StepRun).where(StepRun.run_id == run_id)
                                       .order_by(StepRun.id)))
                rows = [{"step": r.step, "version": r.version, "scope": r.scope,
                         "key": r.cache_key[:12], "provider": r.provider, "model": r.model,
                         "seconds": round((r.finished_at - r.started_at).total_seconds(), 3)}
                        for r in steps]
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json(rows))
        return
    table = Table(title="Runs" if run_id is None else f"Steps of run {run_id}",
                  header_style="bold")
    for column in (rows[0] if rows else {"(none)": ""}):
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    out.print(table)


def _resolve_asset(project: Project, ref: str) -> str:
    """A hash, a unique prefix of one, or a file whose content is in the store."""
    path = Path(ref)
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    ref = ref.lower()
    if len(ref) < 6 or any(c not in "0123456789abcdef" for c in ref):
        raise InputError(f"{ref!r} is neither a file nor an asset hash (6+ hex digits)")
    with project.sessions() as s:
        found = list(s.scalars(select(Asset.hash).where(Asset.hash.startswith(ref)).limit(2)))
    if not found:
        raise InputError(f"no asset {ref}")
    if len(found) > 1:
        raise InputError(f"{ref} is ambiguous; give more digits")
    return found[0]


def provenance(project: Project, digest: str) -> dict[str, Any]:
    with project.sessions() as s:
        asset = s.get(Asset, digest)
        if asset is None:
            raise InputError(f"no asset {digest[:12]} in this project")
        made = list(s.execute(select(StepRun, StepOutput.name)
                              .join(StepOutput, StepOutput.step_run_id == StepRun.id)
                              .where(StepOutput.asset_hash == digest).order_by(StepRun.id)))
        return {
            "asset": digest, "size": asset.size, "media_type": asset.media_type,
            "created_at": asset.created_at.isoformat(timespec="seconds"),
            "made_by": [{
                "output": name, "step": r.step, "version": r.version, "scope": r.scope,
                "inputs": r.inputs, "params": r.params, "provider": r.provider,
                "model": r.model, "seed": r.seed, "tool_version": r.tool_version,
                "run": r.run_id, "finished_at": r.finished_at.isoformat(timespec="seconds"),
                "cache_key": r.cache_key,
            } for r, name in made],
        }


@app.command()
def show(
    asset: Annotated[str, typer.Argument(help="An asset hash (or prefix), or an exported file.",
                                         show_default=False)],
    project_dir: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Where an output came from: the step, its version, inputs, parameters, provider."""
    project = open_project(project_dir)
    try:
        record = provenance(project, _resolve_asset(project, asset))
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json(record))
        return
    out.print(f"[bold]{record['asset']}[/] {record['media_type']}, {record['size']:,} bytes")
    if not record["made_by"]:
        out.print("an input: no step made it (the screenplay as read)")
    for made in record["made_by"]:
        out.print(f"  {made['output']} of step [bold]{made['step']}[/] v{made['version']} "
                  f"for {made['scope']}, run {made['run']} at {made['finished_at']}")
        out.print(f"    provider {made['provider']}, model {made['model']}, seed "
                  f"{made['seed']}, shotline {made['tool_version']}", highlight=False)
        for name, digest in made["inputs"].items():
            out.print(f"    input {name}: {digest[:16]}", highlight=False)
        if made["params"]:
            out.print(f"    params: {to_json(made['params']).strip()[:300]}", highlight=False,
                      markup=False, soft_wrap=True)
