"""Editorial commands: export the cut for editing systems, 3D tools and trackers; conform
the editor's cut back into the project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from shotline.cli.common import JsonFlag, ProjectOption, app, open_project, out
from shotline.cli.project_commands import ExecutorOption
from shotline.editorial.conform import report_text
from shotline.editorial.formats import FORMATS
from shotline.engine.executors import make_executor
from shotline.engine.pipeline import ConformRequest, RunSummary, run_project
from shotline.errors import InputError
from shotline.files import to_json, write_atomic
from shotline.governance import audit
from shotline.store.project import Project, current_user

EXPORTS = {**{name: spec.label for name, spec in FORMATS.items()},
           "usd": "USD stages, one per scene (usd-core)",
           "csv": "shot lists and assets for Kitsu and ShotGrid"}


def _run(project: Project, executor: str, request: ConformRequest | None = None,
         quiet: bool = False, formats: tuple[str, ...] = ()) -> RunSummary:
    from shotline.cli.common import err

    runner = make_executor(executor)
    try:
        return run_project(project, runner, console=None if quiet else err, conform=request,
                           formats=formats)
    finally:
        runner.close()


@app.command()
def export(
    fmt: Annotated[str, typer.Argument(
        metavar="FORMAT", help="One of: " + ", ".join(EXPORTS) + ".", show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Also copy it here (a file, or a folder for usd and csv).",
        show_default=False)] = None,
    project_dir: ProjectOption = None,
    executor: ExecutorOption = "process",
) -> None:
    """Bring the project up to date and write the cut in FORMAT."""
    fmt = fmt.lower()
    if fmt not in EXPORTS:
        raise InputError(f"unknown export format {fmt!r}; expected one of: "
                         + ", ".join(EXPORTS))
    project = open_project(project_dir)
    try:
        _run(project, executor, formats=(fmt,) if fmt == "aaf" else ())
        made = _made(project, fmt)
        if output is not None:
            made = _copy(made, output, project.exports, folder=fmt in ("usd", "csv"))
            audit.record(project, "export", current_user(), fmt, {
                "to": [p.name for p in made][:50], "count": len(made)})
        if fmt == "usd":
            _check_usd(made)
    finally:
        project.close()
    for path in made:
        out.print(str(path), highlight=False, soft_wrap=True)


def _made(project: Project, fmt: str) -> list[Path]:
    exports = project.exports
    if fmt == "usd":
        return sorted((exports / "usd").glob("scene-*.usda"))
    if fmt == "csv":
        return sorted((exports / "trackers").glob("*.csv"))
    if fmt == "otioz":
        return [_bundle(exports)]
    return [exports / "editorial" / f"timeline{FORMATS[fmt].suffix}"]


def _bundle(exports: Path) -> Path:
    """The .otioz: the timeline with its boards and the animatic inside, paths relative."""
    import tempfile

    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(exports / "editorial" / "timeline.otio"))
    target = exports / "editorial" / "timeline.otioz"
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".bundle-") as folder:
        part = Path(folder) / target.name
        otio.adapters.write_to_file(timeline, str(part), adapter_name="otioz")
        part.replace(target)
    return target


def _copy(made: list[Path], output: Path, root: Path, folder: bool) -> list[Path]:
    if folder:
        output.mkdir(parents=True, exist_ok=True)
        copied = []
        for path in made:
            write_atomic(output / path.name, path.read_bytes())
            copied.append(output / path.name)
        return copied
    if output.is_dir():
        output = output / made[0].name
    write_atomic(output, made[0].read_bytes())
    return [output]


def _check_usd(stages: list[Path]) -> None:
    from shotline.editorial.usd_stage import check_compliance

    for path in stages:
        problems = check_compliance(path)
        if problems:
            raise InputError(f"{path}: fails the USD compliance check: {problems[0]}")


@app.command(name="conform")
def conform_command(
    timeline: Annotated[Path | None, typer.Argument(
        help="The editor's timeline: .otio, .otioz, .edl, .xml (FCP 7), .fcpxml or .aaf.",
        show_default=False)] = None,
    project_dir: ProjectOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Report what would change; change nothing.")] = False,
    reset: Annotated[bool, typer.Option(
        "--reset", help="Drop the editor's cut: back to the planner's edit.")] = False,
    executor: ExecutorOption = "process",
    as_json: JsonFlag = False,
) -> None:
    """Apply the editor's cut: trims, order, dropped shots; unknown clips become notes."""
    if (timeline is None) == (not reset):
        raise InputError("give the edited TIMELINE, or --reset (not both)")
    if timeline is not None and not timeline.is_file():
        raise InputError(f"{timeline}: no such file")
    project = open_project(project_dir)
    try:
        summary = _run(project, executor, ConformRequest(timeline, dry_run, reset),
                       quiet=as_json)
    finally:
        project.close()
    report = summary.conform or {}
    if as_json:
        sys.stdout.write(to_json(report))
        return
    if report.get("reset"):
        out.print("the editor's cut is dropped: the planner's edit is back")
        return
    for line in report_text(report):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    if dry_run:
        out.print("dry run: nothing changed")
    else:
        out.print(f"the plan, the animatic and the exports follow the cut; report in "
                  f"{project.exports / 'conform-report.json'}", highlight=False)

