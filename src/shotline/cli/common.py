"""What every command shares: the Typer app, the consoles, option types."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shotline.errors import InputError
from shotline.store.project import Project

app = typer.Typer(
    name="shotline",
    help="Shotline: screenplay to breakdown, shot plan, boards and animatic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

ScriptPath = Annotated[Path, typer.Argument(help="A screenplay: .fountain or .fdx.",
                                            show_default=False)]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]
ProjectOption = Annotated[Path | None, typer.Option(
    "--project", "-p", help="The project folder (default: the one holding the current folder).",
    show_default=False)]


def say(message: str) -> None:
    """A plain line on stderr: not rich, so a message stays one line whatever the width."""
    sys.stderr.write(" ".join(message.split("\n")) + "\n")


def open_project(folder: Path | None) -> Project:
    root = folder if folder is not None else Project.find(Path.cwd())
    if root is None:
        raise InputError("not inside a Shotline project; use --project DIR or "
                         "`shotline init DIR --script FILE`")
    return Project.open(root)
