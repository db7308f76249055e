"""The breakdown's sheets as rows: one source for CSV files and on-screen tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from shotline.model.breakdown import CATEGORIES, Breakdown, format_eighths

SHEETS: tuple[str, ...] = ("scenes", "cast", "locations", "dood")

Rows = tuple[list[str], list[list[str]]]


def scene_rows(b: Breakdown) -> Rows:
    cast_id = {c.name: c.id for c in b.cast}
    header = ["number", "heading", "int_ext", "location", "time_of_day", "eighths", "length",
              "screen_seconds", "page", "line", "cast_ids", "characters", "speaking",
              *CATEGORIES]
    rows = [
        [s.number, s.heading, s.int_ext or "", s.location, s.time_of_day or "",
         str(s.eighths), format_eighths(s.eighths), f"{s.screen_seconds:.1f}", str(s.page),
         str(s.line), " ".join(str(cast_id[n]) for n in s.characters),
         "; ".join(s.characters), "; ".join(s.speaking),
         *("; ".join(s.elements.get(c, ())) for c in CATEGORIES)]
        for s in b.scenes
    ]
    if b.suggested:  # only then, so sheets made without --assist keep their columns
        header += ["ai_suggested", "suggested_by"]
        for row, s in zip(rows, b.scenes, strict=True):
            row += ["; ".join(f"{e.category}: {e.name}" for e in s.suggested),
                    "; ".join(dict.fromkeys(e.suggested_by for e in s.suggested))]
    return header, rows


def cast_rows(b: Breakdown) -> Rows:
    header = ["id", "name", "scene_count", "speaking_scene_count", "eighths", "length",
              "first_scene", "scenes"]
    rows = [
        [str(c.id), c.name, str(len(c.scenes)), str(len(c.speaking_scenes)), str(c.eighths),
         format_eighths(c.eighths), c.scenes[0] if c.scenes else "", " ".join(c.scenes)]
        for c in b.cast
    ]
    return header, rows


def location_rows(b: Breakdown) -> Rows:
    header = ["location", "int_ext", "scene_count", "eighths", "length", "scenes"]
    rows = [
        [loc.name, loc.int_ext or "", str(len(loc.scenes)), str(loc.eighths),
         format_eighths(loc.eighths), " ".join(loc.scenes)]
        for loc in b.locations
    ]
    return header, rows


def dood_rows(b: Breakdown) -> Rows:
    """Day-out-of-days style: a row per cast member, a column per scene."""
    header = ["id", "name", *(s.number for s in b.scenes), "total"]
    rows = []
    for row in b.day_out_of_days():
        marks: dict[str, str] = row["marks"]
        rows.append([str(row["id"]), row["name"], *(marks.get(s.number, "") for s in b.scenes),
                     str(len(marks))])
    return header, rows


def sheet_rows(b: Breakdown, sheet: str) -> Rows:
    return {"scenes": scene_rows, "cast": cast_rows, "locations": location_rows,
            "dood": dood_rows}[sheet](b)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets take for a formula


def safe_cell(value: object) -> object:
    """A cell as a spreadsheet may open it: text that it would run as a formula (CSV
    injection, from a screenplay's own words) gets a ' in front; a lone carriage return,
    which readers take for the end of a row, becomes a newline. Numbers pass."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(_FORMULA):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return out.getvalue()
