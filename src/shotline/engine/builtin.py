"""The built-in steps: parse, breakdown, split into scenes, plan each scene, export.

Each is a pure function of its input objects and parameters. Bump a step's version
when its output for the same inputs changes: that is what invalidates old caches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from enum import StrEnum
from typing import Any

import orjson

from shotline.breakdown import build_breakdown
from shotline.breakdown.tables import SHEETS, sheet_rows, to_csv
from shotline.engine.steps import Blob, Resources, Step, register
from shotline.files import to_json
from shotline.model.breakdown import Breakdown, SceneBreakdown
from shotline.model.script import Element, ElementType, Script
from shotline.model.shots import Angle, Framing, Movement, ScenePlan, ShotPlan, ShotSize
from shotline.planning import Overrides, ShotOverride
from shotline.script import parse_fdx, parse_fountain, to_fountain
from shotline.script.loader import decode_text

JSON = "application/json"
T = ElementType


def _json(value: Any) -> Blob:
    """Exports: the same bytes `shotline parse --json` and `breakdown --json` print."""
    return Blob(to_json(value).encode("utf-8"), JSON)


def _compact(value: Any) -> Blob:
    """Objects only steps read: compact and quick to write and hash. Keys keep their
    order (a title page's order is part of the script); the steps build every dict in
    a fixed order, so the same content always gives the same bytes."""
    return Blob(orjson.dumps(value), JSON)


def _load(data: bytes) -> Any:
    return orjson.loads(data)


def parse_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    name = str(params.get("name", "screenplay"))
    if params.get("format") == "fdx":
        script = parse_fdx(inputs["screenplay"], source=name)
    else:
        script = parse_fountain(decode_text(inputs["screenplay"], source=name), source=name)
    return {"script": _compact(script.to_dict())}


def breakdown_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    script = Script.from_dict(_load(inputs["script"]))
    return {"breakdown": _compact(build_breakdown(script).to_dict())}


def scene_content(heading: Element | None, elements: list[Element],
                  breakdown: SceneBreakdown) -> dict[str, Any]:
    """What a scene is, independent of where it sits: lines count from its heading and
    page positions are left out, so an edit elsewhere leaves its hash alone."""
    base = heading.line if heading is not None else (elements[0].line if elements else 0)
    sheet = breakdown.to_dict()
    for moving in ("number", "line", "page", "eighths", "length", "screen_seconds"):
        sheet.pop(moving, None)
    return {
        "heading": heading.to_dict() | {"line": 0} if heading is not None else None,
        "elements": [e.to_dict() | {"line": e.line - base} for e in elements],
        "breakdown": sheet,
    }


def split_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """One object per scene, and an index of them in script order."""
    from shotline.breakdown.sheet import split_scenes

    script = Script.from_dict(_load(inputs["script"]))
    breakdown = Breakdown.from_dict(_load(inputs["breakdown"]))
    out: dict[str, Blob] = {}
    index: list[dict[str, Any]] = []
    for k, (scene, sheet) in enumerate(zip(split_scenes(script), breakdown.scenes,
                                           strict=True)):
        content = scene_content(scene.heading, scene.elements, sheet)
        name = f"scene-{k + 1:04d}"
        blob = _compact(content)
        out[name] = blob
        index.append({
            "output": name,
            "heading": sheet.heading,
            "script_number": scene.heading.scene_number if scene.heading else None,
            "line": scene.heading.line if scene.heading else 1,
            "text": "\n".join(e.text for e in scene.elements
                              if e.type in (T.ACTION, T.DIALOGUE, T.CHARACTER)),
            "location": sheet.location, "int_ext": sheet.int_ext,
            "time_of_day": sheet.time_of_day, "characters": list(sheet.characters),
        })
    out["index"] = _compact(index)
    return out


_ENUMS: dict[str, type[StrEnum]] = {
    "size": ShotSize, "framing": Framing, "angle": Angle, "movement": Movement}


def override_params(entry: ShotOverride) -> dict[str, Any]:
    """An override as plain JSON, for a plan task's parameters (and so its cache key)."""
    out: dict[str, Any] = {}
    for key, value in asdict(entry).items():
        if value is None:
            continue
        out[key] = list(value) if isinstance(value, tuple) else (
            value.value if isinstance(value, StrEnum) else value)
    return out


def lock_params(shot: dict[str, Any]) -> dict[str, Any]:
    """A shot as it was locked, as the override that keeps it exactly."""
    keep = ("size", "framing", "angle", "movement", "lens_mm", "subjects", "covers",
            "description")
    return {"action": "lock", "id": shot["id"], "scene": shot["scene"],
            **{k: shot[k] for k in keep if k in shot}}


def _override(d: dict[str, Any]) -> ShotOverride:
    fields: dict[str, Any] = {}
    for key, value in d.items():
        if key in _ENUMS:
            fields[key] = _ENUMS[key](value)
        elif isinstance(value, list):
            fields[key] = tuple(value)
        else:
            fields[key] = value
    return ShotOverride(**fields)


def plan_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    from shotline.planning import plan_scene

    content = _load(inputs["scene"])
    number = str(params["number"])
    sheet = SceneBreakdown.from_dict(
        content["breakdown"] | {"number": number, "line": 0, "page": 0, "eighths": 0,
                                "screen_seconds": 0.0})
    elements = [Element.from_dict(e) for e in content["elements"]]
    previous_data = params.get("previous")
    previous = None
    if previous_data:
        previous = SceneBreakdown.from_dict({
            "number": "", "heading": "", "characters": [], "speaking": [], "line": 0,
            "page": 0, "eighths": 0, "screen_seconds": 0.0, **previous_data})
    entries = tuple(_override(d) for d in params.get("overrides", ()))
    overrides = Overrides(entries, params.get("overrides_source")) if entries else None
    plan = plan_scene(sheet, elements, previous, overrides)
    return {"plan": _compact(plan.to_dict())}


def export_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """The files people open: script, breakdown sheets, shot plan and shot list."""
    from shotline.planning import plan_rows

    script = Script.from_dict(_load(inputs["script"]))
    numbers = [str(n) for n in params["numbers"]]
    breakdown = Breakdown.from_dict(_load(inputs["breakdown"])).renumbered(numbers)
    plans = ShotPlan(tuple(ScenePlan.from_dict(_load(inputs[f"plan:{n}"])) for n in numbers))
    out = {
        "script.json": _json(script.to_dict()),
        "script.fountain": Blob(to_fountain(script).encode("utf-8"), "text/plain"),
        "breakdown.json": _json(breakdown.to_dict()),
        "plan.json": _json(plans.to_dict()),
        "shots.csv": Blob(to_csv(*plan_rows(plans)).encode("utf-8"), "text/csv"),
    }
    for sheet in SHEETS:
        out[f"breakdown-{sheet}.csv"] = Blob(
            to_csv(*sheet_rows(breakdown, sheet)).encode("utf-8"), "text/csv")
    from shotline.editorial.trackers import tracker_files  # shot lists for trackers

    for name, text in tracker_files(plans, breakdown, int(params["fps"]),
                                    str(params["title"])).items():
        out[f"trackers/{name}"] = Blob(text.encode("utf-8"), "text/csv")
    return out


PARSE = register(Step("parse", "1", parse_step))
BREAKDOWN = register(Step("breakdown", "1", breakdown_step))
SPLIT = register(Step("split", "2", split_step))
PLAN = register(Step("plan", "1", plan_step, Resources(cpu=1, memory_mb=256)))
EXPORT = register(Step("export", "2", export_step))
