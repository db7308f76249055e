"""Character commands: the bible's list, pages, changes and reference images."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from shotline.cli.common import JsonFlag, ProjectOption, app, open_project, out, say
from shotline.errors import InputError
from shotline.files import to_json
from shotline.store import characters as bible
from shotline.store.project import Project

character = typer.Typer(
    name="character",
    help="The character bible: descriptions, looks, reference images, performers.",
    no_args_is_help=True,
)
app.add_typer(character, name="character")

NameArgument = Annotated[str, typer.Argument(help="The character, as the script cues them.",
                                             show_default=False)]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Allow a character the script does not have (yet).")]


@contextmanager
def _project(folder: Path | None) -> Iterator[Project]:
    project = open_project(folder)
    try:
        yield project
    finally:
        project.close()


def _short(text: str, width: int = 48) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[:width - 1] + "…"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 2**20:.1f} MiB"


# -- list and show ------------------------------------------------------------------------


def _row_dict(row: bible.RosterRow) -> dict[str, Any]:
    entry = row.entry
    return {"name": row.name, "in_script": row.in_script, "scenes": row.scenes,
            "description": entry.description if entry else "",
            "aliases": list(entry.aliases) if entry else [],
            "performer": entry.performer if entry else None,
            "appearance": dict(entry.appearance) if entry else {},
            "references": row.references}


@character.command("list")
def list_(as_json: JsonFlag = False, project_dir: ProjectOption = None) -> None:
    """Every character of the script with their bible entry, and entries the script
    no longer has (flagged)."""
    with _project(project_dir) as project:
        rows = [_row_dict(r) for r in bible.roster(project)]
    if as_json:
        sys.stdout.write(to_json(rows))
        return
    table = Table(title="Characters", header_style="bold")
    for column in ("name", "scenes", "description", "performer", "looks", "refs"):
        table.add_column(column)
    for row in rows:
        scenes = str(row["scenes"]) if row["in_script"] else "[yellow]not in script[/]"
        table.add_row(escape(row["name"]), scenes, escape(_short(row["description"])),
                      escape(row["performer"] or ""), ", ".join(sorted(row["appearance"])),
                      str(row["references"] or ""))
    out.print(table)


def _print_page(page: dict[str, Any]) -> None:
    where = (f"{page['scenes']} scene{'s' * (page['scenes'] != 1)}" if page["in_script"]
             else "[yellow]not in the script[/]")
    out.print(f"[bold]{escape(page['name'])}[/] ({where})")
    if page["aliases"]:
        out.print("also " + escape(", ".join(page["aliases"])), highlight=False)
    out.print("performer: " + escape(page["performer"] or "-"), highlight=False)
    out.print(escape(page["description"]) if page["description"] else "[dim]no description[/]")
    out.print("appearance:")
    where_from = {"bible": " [dim](bible)[/]", "settings": " [dim](shotline.toml)[/]"}
    for field, value in page["appearance"].items():
        note = where_from.get(page["sources"][field], "")
        out.print(f"  {field:12} {value}{note}", highlight=False)
    out.print("references:" if page["references"] else "references: none")
    for ref in page["references"]:
        out.print(f"  {ref['hash'][:12]}  {_size(ref['size']):>9}  {ref['media_type']:10}  "
                  f"{escape(ref['label'])}", highlight=False)
    out.print("prompt: " + escape(page["prompt"]), highlight=False)


@character.command()
def show(name: NameArgument, as_json: JsonFlag = False,
         project_dir: ProjectOption = None) -> None:
    """A character's page: description, appearance as the boards draw it, aliases,
    performer and reference images."""
    with _project(project_dir) as project:
        page = bible.describe(project, name)
    if as_json:
        sys.stdout.write(to_json(page))
    else:
        _print_page(page)


# -- set ----------------------------------------------------------------------------------


def _parse_pair(pair: str) -> tuple[str, Any]:
    """`key=value` from --set: a height becomes a number, an empty value drops the field."""
    key, sep, value = pair.partition("=")
    key = key.strip().lower().replace("-", "_")
    if not sep or not key:
        raise InputError(f"--set takes key=value, got {pair!r}")
    if key not in bible.APPEARANCE_FIELDS:
        raise InputError(f"unknown appearance field {key!r}; expected "
                         f"{', '.join(bible.APPEARANCE_FIELDS)}")
    value = value.strip()
    if not value:
        return key, None
    if key == "height":
        try:
            return key, float(value)
        except ValueError:
            raise InputError(f"height must be metres, like 1.72, got {value!r}") from None
    return key, value


def _appearance(pairs: list[str] | None, named: dict[str, Any]) -> dict[str, Any] | None:
    changes = dict(_parse_pair(p) for p in pairs or [])
    changes.update({k: v for k, v in named.items() if v is not None})
    return changes or None


@character.command("set")
def set_(
    name: NameArgument,
    description: Annotated[str | None, typer.Option(
        "--description", "-d", help="Who they are, in a sentence or two.",
        show_default=False)] = None,
    alias: Annotated[list[str] | None, typer.Option(
        "--alias", help="Another name they go by (repeat it; replaces the list; '' clears).",
        show_default=False)] = None,
    performer: Annotated[str | None, typer.Option(
        "--performer", help="Who plays them ('' unlinks).", show_default=False)] = None,
    height: Annotated[float | None, typer.Option(
        "--height", help="Metres, 0.5 to 2.5.", show_default=False)] = None,
    build: Annotated[str | None, typer.Option(
        "--build", help="slim, average or broad.", show_default=False)] = None,
    hair: Annotated[str | None, typer.Option(
        "--hair", help="short, long, bald, curly, bun or ponytail.", show_default=False)] = None,
    hair_colour: Annotated[str | None, typer.Option(
        "--hair-colour", help="A colour like #3b2a1e.", show_default=False)] = None,
    top: Annotated[str | None, typer.Option(
        "--top", help="A colour like #c7a02c.", show_default=False)] = None,
    pairs: Annotated[list[str] | None, typer.Option(
        "--set", help="Any appearance field: key=value (an empty value drops it).",
        show_default=False)] = None,
    force: ForceOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Change a character's entry; what you do not give stays as it is."""
    appearance = _appearance(pairs, {"height": height, "build": build, "hair": hair,
                                     "hair_colour": hair_colour, "top": top})
    if description is None and alias is None and performer is None and appearance is None:
        raise InputError("nothing to set: give --description, --alias, --performer or an "
                         "appearance option (see --help)")
    with _project(project_dir) as project:
        entry = bible.set_entry(project, name, description=description, appearance=appearance,
                                aliases=alias, performer=performer, force=force)
    say(f"updated {entry.name}")


# -- reference images ---------------------------------------------------------------------


@character.command("add-ref")
def add_ref(
    name: NameArgument,
    file: Annotated[Path, typer.Argument(help="A PNG or JPEG image.", show_default=False)],
    label: Annotated[str, typer.Option(
        "--label", "-l", help="What it shows (default: the file's name).")] = "",
    force: ForceOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Keep a reference image of the character (PNG or JPEG, up to 32 MiB and 8192
    pixels a side) in the project's asset store."""
    with _project(project_dir) as project:
        digest = bible.add_reference(project, name, file, label, force=force)
    say(f"{bible.normalise_name(name)}: reference {digest[:12]}")
    sys.stdout.write(digest + "\n")


@character.command("remove-ref")
def remove_ref(
    name: NameArgument,
    digest: Annotated[str, typer.Argument(
        metavar="HASH", help="The reference's hash, or its first digits.", show_default=False)],
    project_dir: ProjectOption = None,
) -> None:
    """Drop a reference image from the character (the image stays in the asset store)."""
    with _project(project_dir) as project:
        removed = bible.remove_reference(project, name, digest)
    say(f"{bible.normalise_name(name)}: removed reference {removed[:12]}")
