"""Reports for people outside the production: the AI-disclosure report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from shotline.cli.common import JsonFlag, ProjectOption, app, open_project, say
from shotline.files import to_json, write_atomic
from shotline.governance.disclosure import build

report_app = typer.Typer(help="Reports: the AI-disclosure report.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("disclosure")
def disclosure(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Folder for ai-disclosure.md and .json (default: exports/).",
        show_default=False)] = None,
    project_dir: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Which shots and seconds of the cut are AI-generated and by which provider and
    model, whose likeness they use under which consent, and which text was AI-suggested:
    Markdown and JSON, for a guild or a distributor."""
    project = open_project(project_dir)
    try:
        report = build(project)
        folder = output if output is not None else project.exports
    finally:
        project.close()
    write_atomic(folder / "ai-disclosure.md", report.markdown())
    write_atomic(folder / "ai-disclosure.json", to_json(report.data))
    if as_json:
        sys.stdout.write(to_json(report.data))
    cut = report.data["cut"]
    say(f"{cut['ai_generated_shots']} of {cut['shots']} shots "
        f"({cut['ai_generated_seconds']:.1f} of {cut['seconds']:.1f} s) are AI-generated; "
        f"wrote {folder / 'ai-disclosure.md'} and .json")
