"""Rich tables for people (programs get --json or --csv)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shotline.model.breakdown import DETERMINISTIC, Breakdown, SceneBreakdown, format_eighths
from shotline.model.script import Script
from shotline.model.shots import ShotPlan

_PREVIEW = 70
AI_MARK = "*"  # after an AI-suggested element or shot in tables


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


_SHORT = {
    "props": "props", "vehicles": "veh", "animals": "anim", "wardrobe": "ward",
    "special_effects": "sfx", "visual_effects": "vfx", "stunts": "stunt", "extras": "extras",
}


def scenes_table(console: Console, b: Breakdown) -> None:
    """The stripboard view: a line per scene; every detail is in --json and --csv."""
    cast_id = {c.name: c.id for c in b.cast}
    table = Table(title="Scenes", header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("I/E")
    table.add_column("location", max_width=30)
    table.add_column("time")
    table.add_column("pgs", justify="right")
    table.add_column("cast", max_width=14)
    table.add_column("elements", max_width=40)
    for s in b.scenes:
        found = " · ".join(
            f"{_SHORT[k]} {', '.join(_element(s, k, n) for n in v[:3])}"
            f"{'…' if len(v) > 3 else ''}"
            for k, v in s.elements.items())
        table.add_row(s.number, s.int_ext or "", s.location, s.time_of_day or "",
                      format_eighths(s.eighths), " ".join(str(cast_id[n]) for n in s.characters),
                      found)
    console.print(table)
    by = ", ".join(dict.fromkeys(e.suggested_by for e in b.suggested))
    if by:
        console.print(f"[dim]{AI_MARK} suggested by {escape(by)}, not found by the lexicon[/]")


def _element(scene: SceneBreakdown, category: str, name: str) -> str:
    # A model's words are not rich markup: escape them.
    if scene.origin(category, name) == DETERMINISTIC:
        return name
    return f"[italic]{escape(name)}{AI_MARK}[/]"


def cast_table(console: Console, b: Breakdown) -> None:
    table = Table(title="Cast", header_style="bold")
    for name, justify in (("id", "right"), ("name", "left"), ("scenes", "right"),
                          ("speaking", "right"), ("pgs", "right"), ("first", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in b.cast:
        table.add_row(str(c.id), c.name, str(len(c.scenes)), str(len(c.speaking_scenes)),
                      format_eighths(c.eighths), c.scenes[0] if c.scenes else "")
    console.print(table)


def locations_table(console: Console, b: Breakdown) -> None:
    table = Table(title="Locations", header_style="bold")
    table.add_column("location", max_width=36)
    table.add_column("I/E")
    table.add_column("pgs", justify="right")
    table.add_column("scenes", max_width=30)
    for loc in b.locations:
        table.add_row(loc.name, loc.int_ext or "", format_eighths(loc.eighths),
                      " ".join(loc.scenes))
    console.print(table)


def dood_table(console: Console, b: Breakdown) -> None:
    """Cast by scene: S speaks, X is there without a line."""
    table = Table(title="Day out of days (S speaks, X present)", header_style="bold")
    table.add_column("cast")
    for s in b.scenes:
        table.add_column(s.number, justify="center")
    for row in b.day_out_of_days():
        marks: dict[str, str] = row["marks"]
        table.add_row(f"{row['id']} {row['name']}", *(marks.get(s.number, "") for s in b.scenes))
    console.print(table)


def shots_table(console: Console, plan: ShotPlan) -> None:
    """The shot list: scene by scene, with the camera data a crew reads."""
    minutes, seconds = divmod(round(plan.duration), 60)
    suggested = len(plan.suggested)
    more = f" (and {suggested} suggested)" if suggested else ""
    console.print(f"{len(plan.shots) - suggested} shots{more} in {len(plan.scenes)} scenes, "
                  f"about {minutes}:{seconds:02d} cut together")
    # The description already reads "MCU MARA over TEO's shoulder, eye level, 65 mm";
    # the separate camera fields are in --json and --csv.
    table = Table(header_style="bold")
    table.add_column("shot")
    table.add_column("secs", justify="right")
    table.add_column("description")
    for scene in plan.scenes:
        for shot in scene.shots:
            if shot.suggested_by is None:
                table.add_row(shot.id, f"{shot.duration:.1f}", shot.description)
            else:
                table.add_row(f"{shot.id}{AI_MARK}", "-",
                              f"[italic]{escape(shot.description)}[/]")
        table.add_section()
    console.print(table)
    by = ", ".join(dict.fromkeys(s.suggested_by for s in plan.suggested if s.suggested_by))
    if by:
        console.print(f"[dim]{AI_MARK} suggested by {escape(by)}; not in the edit (add one "
                      "to the overrides file to cut it in)[/]")


SHEET_TABLES = {
    "scenes": scenes_table, "cast": cast_table, "locations": locations_table,
    "dood": dood_table,
}
