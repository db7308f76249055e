"""The main job on one screenplay: every result the pipeline makes so far, in a folder."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from shotline.breakdown import build_breakdown
from shotline.breakdown.tables import SHEETS, sheet_rows, to_csv
from shotline.cli.files import to_json, write_atomic
from shotline.script import load, to_fountain


def run_main_job(script_path: Path, folder: Path, progress: Console | None = None) -> list[Path]:
    """Parse and break down the screenplay; write JSON, Fountain and CSV sheets."""
    steps = 3 + len(SHEETS)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                   "{task.total}"), TimeRemainingColumn(), console=progress,
                   disable=progress is None or not progress.is_terminal, transient=True)
    written: list[Path] = []
    with bar:
        task = bar.add_task("parse", total=steps)
        script = load(script_path)
        bar.update(task, advance=1, description="break down")
        result = build_breakdown(script)
        # Everything is computed before the first file is written: a bad script
        # leaves the folder as it was.
        files: list[tuple[str, str]] = [
            ("script.json", to_json(script.to_dict())),
            ("script.fountain", to_fountain(script)),
            ("breakdown.json", to_json(result.to_dict())),
        ]
        files += [(f"breakdown-{name}.csv", to_csv(*sheet_rows(result, name)))
                  for name in SHEETS]
        bar.update(task, advance=1, description="write")
        for name, text in files:
            path = folder / name
            write_atomic(path, text)
            written.append(path)
            bar.update(task, advance=1 if name != files[0][0] else 0)
    if progress is not None:
        progress.print(
            f"[bold]{result.title or script_path.name}[/]: {result.pages} pages, "
            f"{len(result.scenes)} scenes, {len(result.cast)} characters → {folder}/")
    return written
