"""The project's overrides file: shots the director adds, changes, locks or drops.

```toml
[[shot]]
id = "12C"
action = "change"      # add | change | lock | drop
size = "CU"
lens_mm = 85
```

The file is checked when it is read (a bad file is an InputError naming the line);
an entry that names a scene or shot the script does not have is a warning when the
plan is made, because the script may have changed since the file was written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from shotline.errors import InputError
from shotline.model.shots import Angle, Framing, Movement, ShotSize
from shotline.planning.ids import scene_of

E = TypeVar("E", bound=StrEnum)

ACTIONS = ("add", "change", "lock", "drop")
FIELDS = ("size", "framing", "angle", "movement", "lens_mm", "subjects", "covers", "lines",
          "description")
KEYS = ("id", "scene", "action", *FIELDS)
_MAX_LENS_MM = 2000.0
_TABLE = re.compile(r"^\s*\[\[\s*shot\s*\]\]")
_TOML_LINE = re.compile(r"\s*\(at line (\d+)(?:, column \d+)?\)\s*$")


@dataclass(frozen=True)
class ShotOverride:
    """One [[shot]] table: an action on a shot and the fields it sets."""

    action: str
    id: str | None  # upper case; None for an add that lets the planner letter it
    scene: str
    line: int | None = None  # where its [[shot]] table starts in the file
    size: ShotSize | None = None
    framing: Framing | None = None
    angle: Angle | None = None
    movement: Movement | None = None
    lens_mm: float | None = None
    subjects: tuple[str, ...] | None = None
    covers: tuple[int, ...] | None = None
    lines: tuple[int, ...] | None = None
    description: str | None = None

    def given(self) -> tuple[str, ...]:
        """The fields this entry sets."""
        return tuple(f for f in FIELDS if getattr(self, f) is not None)


@dataclass(frozen=True)
class Overrides:
    shots: tuple[ShotOverride, ...] = ()
    source: str | None = None  # the file, for messages

    def for_scene(self, number: str) -> tuple[ShotOverride, ...]:
        wanted = number.strip().upper()
        return tuple(s for s in self.shots if s.scene == wanted)

    def where(self, entry: ShotOverride) -> str:
        """'overrides.toml:12', the way warnings and errors name a place in the file."""
        name = self.source or "overrides"
        return f"{name}:{entry.line}" if entry.line is not None else name

    def unknown_scenes(self, numbers: Iterable[str]) -> list[str]:
        """Warnings for entries whose scene is not in the script."""
        known = {n.strip().upper() for n in numbers}
        return [f"{self.where(s)}: scene {s.scene} is not in the script; "
                f"{s.action} {s.id or 'shot'} ignored"
                for s in self.shots if s.scene not in known]


def _member(kind: type[E], value: object, name: str, fail: _Fail) -> E:
    options = ", ".join(m.value for m in kind)
    if not isinstance(value, str):
        raise fail(f"{name} must be a string, one of {options}", name)
    wanted = " ".join(value.replace("_", " ").replace("-", " ").lower().split())
    for member in kind:
        if " ".join(member.value.replace("-", " ").lower().split()) == wanted:
            return member
    raise fail(f"{name} '{value}' is not one of {options}", name)


def _ints(value: object, name: str, least: int, fail: _Fail) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= least for v in value):
        raise fail(f"{name} must be a list of whole numbers of at least {least}", name)
    return tuple(value)


class _Fail:
    """Builds InputErrors that point at the entry's line, or the line of one of its keys."""

    def __init__(self, source: str | None, rows: Sequence[str], start: int | None,
                 end: int | None) -> None:
        self.source = source
        self.rows = rows
        self.start = start
        self.end = end

    def line_of(self, name: str | None) -> int | None:
        if name is not None and self.start is not None:
            pattern = re.compile(rf"^\s*{re.escape(name)}\s*=")
            for n in range(self.start, (self.end or len(self.rows)) + 1):
                if n - 1 < len(self.rows) and pattern.match(self.rows[n - 1]):
                    return n
        return self.start

    def __call__(self, message: str, name: str | None = None) -> InputError:
        return InputError(message, source=self.source, line=self.line_of(name))


def _entry(table: object, fail: _Fail) -> ShotOverride:
    if not isinstance(table, dict):
        raise fail("each [[shot]] must be a table of keys")
    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise fail(f"unknown key '{unknown[0]}'; expected {', '.join(KEYS)}", unknown[0])
    action = table.get("action")
    if action not in ACTIONS:
        shown = f"'{action}'" if isinstance(action, str) else "missing"
        raise fail(f"action {shown}; expected one of {', '.join(ACTIONS)}", "action")
    raw_id = table.get("id")
    shot: str | None = None
    if raw_id is not None:
        shot = raw_id.strip().upper() if isinstance(raw_id, str) else None
        if shot is None or scene_of(shot) is None:
            raise fail(f"id {raw_id!r} is not a shot id; expected the scene number and "
                       "letters, e.g. 12C (12A-C for scene 12A)", "id")
    raw_scene = table.get("scene")
    scene: str | None = None
    if raw_scene is not None:
        if isinstance(raw_scene, bool) or not isinstance(raw_scene, (str, int)) or not str(
                raw_scene).strip():
            raise fail("scene must be a scene number, e.g. \"12\" or 12", "scene")
        scene = str(raw_scene).strip().upper()
    if shot is not None:
        owner = scene_of(shot)
        if scene is not None and owner != scene:
            raise fail(f"id {shot} belongs to scene {owner}, not scene {scene}", "scene")
        scene = owner
    if scene is None:
        raise fail(f"{action} needs an id" + (" or a scene" if action == "add" else ""), "id")
    if shot is None and action != "add":
        raise fail(f"{action} needs the id of the shot", "id")

    values: dict[str, Any] = {}
    if "size" in table:
        values["size"] = _member(ShotSize, table["size"], "size", fail)
    if "framing" in table:
        values["framing"] = _member(Framing, table["framing"], "framing", fail)
    if "angle" in table:
        values["angle"] = _member(Angle, table["angle"], "angle", fail)
    if "movement" in table:
        values["movement"] = _member(Movement, table["movement"], "movement", fail)
    if "lens_mm" in table:
        lens = table["lens_mm"]
        if (isinstance(lens, bool) or not isinstance(lens, (int, float))
                or not 0 < lens <= _MAX_LENS_MM):
            raise fail(f"lens_mm must be a focal length in millimetres (0 to {_MAX_LENS_MM:g})",
                       "lens_mm")
        values["lens_mm"] = float(lens)
    if "subjects" in table:
        subjects = table["subjects"]
        if not isinstance(subjects, list) or not all(
                isinstance(s, str) and s.strip() for s in subjects):
            raise fail("subjects must be a list of names, e.g. [\"MARA\", \"TEO\"]", "subjects")
        values["subjects"] = tuple(" ".join(s.split()) for s in subjects)
    if "covers" in table:
        values["covers"] = _ints(table["covers"], "covers", 0, fail)
    if "lines" in table:
        values["lines"] = _ints(table["lines"], "lines", 1, fail)
    if "description" in table:
        if not isinstance(table["description"], str):
            raise fail("description must be a string", "description")
        values["description"] = table["description"]

    if action == "drop" and values:
        raise fail(f"drop takes only the id, not {', '.join(values)}", next(iter(values)))
    if action == "change" and not values:
        raise fail(f"change {shot} sets nothing; give at least one of {', '.join(FIELDS)}")
    if action == "add" and "size" not in values:
        raise fail("add needs a size, e.g. size = \"CU\"")
    return ShotOverride(action=action, id=shot, scene=scene, line=fail.start, **values)


def parse_overrides(text: str, source: str | None = None) -> Overrides:
    """Overrides from TOML text; raises InputError (with the line) for a bad file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE.search(message)
        line = int(found.group(1)) if found else None
        message = message[:found.start()] if found else message
        raise InputError(f"not a valid overrides TOML file: {message}", source=source,
                         line=line) from None
    rows = text.splitlines()
    for name in data:
        if name != "shot":
            raise InputError(f"unknown table or key '{name}'; expected [[shot]] tables",
                             source=source, line=_Fail(source, rows, 1, None).line_of(name))
    tables = data.get("shot", [])
    if not isinstance(tables, list):
        raise InputError("shot must be [[shot]] tables, one per shot", source=source)
    starts = [n + 1 for n, row in enumerate(rows) if _TABLE.match(row)]
    entries: list[ShotOverride] = []
    seen: dict[str, int | None] = {}
    for k, table in enumerate(tables):
        start = starts[k] if k < len(starts) and len(starts) == len(tables) else None
        end = starts[k + 1] - 1 if start is not None and k + 1 < len(starts) else None
        fail = _Fail(source, rows, start, end)
        entry = _entry(table, fail)
        if entry.id is not None:
            if entry.id in seen:
                first = seen[entry.id]
                at = f" (first at line {first})" if first is not None else ""
                raise fail(f"shot {entry.id} is named twice{at}; give one entry per shot", "id")
            seen[entry.id] = entry.line
        entries.append(entry)
    return Overrides(tuple(entries), source)


def load_overrides(path: Path) -> Overrides:
    """Read a project's overrides file; raises InputError for a file that cannot be used."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read overrides: {exc.strerror or exc}",
                         source=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"overrides file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                         source=str(path), line=line) from None
    return parse_overrides(text, source=str(path))

