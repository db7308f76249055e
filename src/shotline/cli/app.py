"""The `shotline` command: screenplay in; breakdown and, later, the whole pipeline out."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from shotline import __version__
from shotline.breakdown import build_breakdown, default_lexicon, load_lexicon
from shotline.breakdown.tables import SHEETS, sheet_rows, to_csv
from shotline.cli import (
    audit_commands,
    character_commands,
    consent_commands,
    editorial_commands,
    project_commands,
    provider_commands,
    render,
    report_commands,
    review_commands,
    trust_commands,
)
from shotline.cli.common import JsonFlag, ScriptPath, app, out, say
from shotline.errors import InputError
from shotline.files import to_json, write_atomic
from shotline.planning import load_overrides, plan_rows, plan_script
from shotline.script import load, to_fountain

EXIT_INPUT = 2
EXIT_INTERNAL = 1
# they add their commands to app
COMMAND_MODULES = (project_commands, review_commands, editorial_commands, provider_commands,
                   trust_commands, character_commands, consent_commands,
                   report_commands, audit_commands)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shotline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.",
    )] = False,
) -> None:
    """Shotline: screenplay to breakdown, shot plan, boards and animatic."""


@app.command()
def parse(
    file: ScriptPath,
    as_json: JsonFlag = False,
    show_all: Annotated[bool, typer.Option("--all", help="List every element.")] = False,
) -> None:
    """Read a screenplay and list its elements (with --json: the documented JSON object)."""
    script = load(file)
    if as_json:
        sys.stdout.write(to_json(script.to_dict()))
    else:
        render.script_table(out, script, None if show_all else 60)


@app.command()
def breakdown(
    file: ScriptPath,
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print one sheet as CSV.")] = False,
    sheet: Annotated[str, typer.Option(
        help=f"Which sheet for --csv and tables: {', '.join(SHEETS)}, or all.",
    )] = "all",
    lexicon: Annotated[Path | None, typer.Option(
        help="A TOML lexicon whose terms extend the built-in one.", show_default=False,
    )] = None,
    assist: Annotated[str | None, typer.Option(
        "--assist", metavar="PROVIDER:MODEL", show_default=False,
        help="Ask a text model for the elements the lexicon missed (marked AI-suggested); "
        "the project's policy and budget apply. See docs/assist.md.",
    )] = None,
) -> None:
    """A first AD's breakdown: scenes in eighths, cast, locations, elements, day out of days."""
    if as_json and as_csv:
        raise InputError("choose one of --json and --csv")
    if sheet not in (*SHEETS, "all"):
        raise InputError(f"unknown sheet {sheet!r}; expected one of {', '.join(SHEETS)}, all")
    words = load_lexicon(lexicon) if lexicon else default_lexicon()
    script = load(file)
    result = build_breakdown(script, words)
    report = None
    if assist:  # imported here: the model machinery costs a plain run nothing
        import uuid

        from shotline.breakdown.assist import assist_breakdown, assistant

        with assistant(assist, file, Path.cwd()) as model:
            result, report = assist_breakdown(script, result, model.provider, model.route,
                                              model.budget, call_id=uuid.uuid4().hex)
        for line in report.summary():
            say(line)
    if as_json:
        extra = {"assist": report.to_dict()} if report is not None else {}
        sys.stdout.write(to_json({**result.to_dict(), **extra}))
    elif as_csv:
        sys.stdout.write(to_csv(*sheet_rows(result, "scenes" if sheet == "all" else sheet)))
    else:
        render.summary(out, result)
        for name in SHEETS if sheet == "all" else (sheet,):
            if name == "dood" and sheet == "all" and len(result.scenes) > 24:
                out.print("[dim]day out of days: --sheet dood, or --csv --sheet dood[/]")
                continue
            render.SHEET_TABLES[name](out, result)


@app.command()
def plan(
    file: ScriptPath,
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the shot list as CSV.")] = False,
    overrides: Annotated[Path | None, typer.Option(
        help="A TOML file of shots to add, change, lock or drop.", show_default=False,
    )] = None,
    assist: Annotated[str | None, typer.Option(
        "--assist", metavar="PROVIDER:MODEL", show_default=False,
        help="Ask a text model for shots the coverage lacks (marked AI-suggested, not cut "
        "in); the project's policy and budget apply. See docs/assist.md.",
    )] = None,
) -> None:
    """Coverage and the edit for every scene: shots with real camera data, and durations."""
    if as_json and as_csv:
        raise InputError("choose one of --json and --csv")
    script = load(file)
    sheet = build_breakdown(script)
    entries = load_overrides(overrides) if overrides else None
    shot_plan = plan_script(script, sheet, entries)
    for scene in shot_plan.scenes:
        for warning in scene.warnings:
            say(f"warning: scene {scene.scene}: {warning}")
    report = None
    if assist:  # imported here: the model machinery costs a plain run nothing
        import uuid

        from shotline.breakdown.assist import assistant
        from shotline.planning.assist import assist_plan

        with assistant(assist, file, Path.cwd()) as model:
            shot_plan, report = assist_plan(script, sheet, shot_plan, model.provider,
                                            model.route, model.budget, overrides=entries,
                                            call_id=uuid.uuid4().hex)
        for line in report.summary():
            say(line)
    if as_json:
        extra = {"assist": report.to_dict()} if report is not None else {}
        sys.stdout.write(to_json({**shot_plan.to_dict(), **extra}))
    elif as_csv:
        sys.stdout.write(to_csv(*plan_rows(shot_plan)))
    else:
        render.shots_table(out, shot_plan)


@app.command()
def convert(
    file: ScriptPath,
    output: Annotated[Path, typer.Option("-o", "--output", help="The Fountain file to write.",
                                         show_default=False)],
) -> None:
    """Convert a screenplay (Final Draft or Fountain) to Fountain."""
    script = load(file)
    write_atomic(output, to_fountain(script))
    say(f"wrote {output} ({len(script.elements)} elements)")


def main() -> None:
    """Entry point: errors become one line and an exit code, never a traceback."""
    try:
        app()
    except InputError as exc:
        say(f"shotline: error: {exc}")
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        say("shotline: interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly; tracebacks on request
        if os.environ.get("SHOTLINE_DEBUG"):
            raise
        say(f"shotline: internal error: {type(exc).__name__}: {exc} "
            "(set SHOTLINE_DEBUG=1 for a traceback)")
        sys.exit(EXIT_INTERNAL)
