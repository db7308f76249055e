"""Rich tables for people (programs get --json or --csv)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from shotline.breakdown.tables import Rows
from shotline.model.breakdown import Breakdown, format_eighths
from shotline.model.script import Script

_PREVIEW = 70


def _one_line(text: str) -> str:
    flat = " / ".join(row.strip() for row in text.split("\n") if row.strip())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"


def script_table(console: Console, script: Script, limit: int | None) -> None:
    if script.title_page:
        page = Table(title="Title page", show_header=False, box=None)
        for key, value in script.title_page.items():
            page.add_row(f"[bold]{key}[/]", value)
        console.print(page)
    table = Table(title=f"{len(script.elements)} elements", header_style="bold")
    table.add_column("line", justify="right", style="dim")
    table.add_column("type")
    table.add_column("text")
    shown = script.elements if limit is None else script.elements[:limit]
    for e in shown:
        text = e.text
        if e.scene_number:
            text = f"{text}  #{e.scene_number}"
        if e.dual:
            text = f"{text}  (dual)"
        table.add_row(str(e.line), e.type.value, _one_line(text))
    console.print(table)
    if limit is not None and len(script.elements) > limit:
        console.print(f"[dim]… {len(script.elements) - limit} more (use --all)[/]")
    counts = Counter(e.type.value for e in script.elements)
    console.print(", ".join(f"{n} {kind}" for kind, n in counts.most_common()))


def summary(console: Console, b: Breakdown) -> None:
    minutes, seconds = divmod(round(b.runtime_seconds), 60)
    console.print(
        f"[bold]{b.title or 'Untitled'}[/]: {b.pages} pages (length "
        f"{format_eighths(b.eighths)}), {len(b.scenes)} scenes, {len(b.cast)} characters, "
        f"{len(b.locations)} locations, about {minutes}:{seconds:02d} of screen time")


def rows_table(console: Console, title: str, rows: Rows, wide: set[str] | None = None) -> None:
    header, body = rows
    table = Table(title=title, header_style="bold", show_lines=False)
    for name in header:
        table.add_column(name.replace("_", " "), overflow="fold",
                         max_width=40 if wide and name in wide else None)
    for row in body:
        table.add_row(*row)
    console.print(table)
