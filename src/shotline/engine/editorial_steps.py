"""The editorial steps: the timeline of the cut in every editing format, and a USD
stage per scene. Both are cached like every other step: a trim re-exports the
timeline, and re-stages no scene."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from shotline.engine.keys import canonical_json
from shotline.engine.steps import Blob, Resources, Step, register
from shotline.model.shots import ScenePlan

_MEDIA_TYPES = {"otio": "application/json", "edl": "text/plain", "fcp7": "application/xml",
                "fcpxml": "application/xml", "aaf": "application/octet-stream"}


def cut_of(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> list[Any]:
    """The entries of the cut, as the pipeline computed them (the same function over
    the same plans and editor's cut)."""
    from shotline.editorial.cut import EditorsCut, follow

    numbers = [str(n) for n in params["numbers"]]
    plans = [ScenePlan.from_dict(orjson.loads(inputs[f"plan:{n}"])) for n in numbers]
    # objects are named by their sha256: the plans' hashes are their bytes' hashes
    hashes = {n: hashlib.sha256(inputs[f"plan:{n}"]).hexdigest() for n in numbers}
    cut = EditorsCut.from_dict(orjson.loads(inputs["cut"])) if "cut" in inputs else None
    return follow(plans, hashes, int(params["fps"]), cut).entries


def timeline_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """The cut in one editing format. FCPXML carries picture and markers only: its
    adapter places each connected audio clip by searching the whole spine, minutes for
    a feature's dialogue; the temp dialogue is on the animatic beside it."""
    from shotline.editorial.formats import FORMATS, timeline_bytes

    fmt = str(params["format"])
    data = timeline_bytes(_timeline(inputs, params), fmt, int(params["fps"]),
                          picture_only=fmt == "fcpxml")
    return {f"timeline{FORMATS[fmt].suffix}": Blob(data, _MEDIA_TYPES[fmt])}


# The last timeline this process built, by a digest of what it was built from.
_BUILT: dict[bytes, Any] = {}


def _timeline(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> Any:
    """The timeline of the cut, dialogue and all. A run's format tasks share their
    inputs and differ only in the format, and building is much of a fast format's
    time, so a process keeps the last timeline it built: a worker that writes two
    formats builds once. The writers only read it (formats copies before changing)."""
    from shotline.editorial.cut import runs
    from shotline.editorial.timeline import ClipSource, Line, build_timeline

    made = hashlib.sha256(canonical_json({k: v for k, v in params.items() if k != "format"}))
    for name in sorted(inputs):
        made.update(name.encode("utf-8") + b"\0" + hashlib.sha256(inputs[name]).digest())
    key = made.digest()
    if key in _BUILT:
        return _BUILT[key]
    fps = int(params["fps"])
    entries = cut_of(inputs, params)
    sources = {shot: ClipSource(**d)
               for shot, d in dict(params["sources"]).items()}
    lines = []
    for k in range(len(runs(entries))):
        timing = orjson.loads(inputs[f"lines:{k}"]) if f"lines:{k}" in inputs else {}
        lines.append([Line(d["speaker"], d["text"], float(d["start"]), float(d["end"]))
                      for d in timing.get("lines", [])])
    timeline = build_timeline(str(params["title"]), entries, fps, dict(params["headings"]),
                              sources, params.get("animatic_url"), lines)
    _BUILT.clear()
    _BUILT[key] = timeline
    return timeline


def usd_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    from shotline.editorial.cut import frames_of
    from shotline.editorial.usd_stage import scene_stage
    from shotline.model.stage import Stage

    fps = int(params["fps"])
    plan = ScenePlan.from_dict(orjson.loads(inputs["plan"]))
    frames: dict[str, int] = {}
    for cut in plan.edit:
        frames[cut.shot] = frames.get(cut.shot, 0) + frames_of(cut.duration, fps)
    stages = [Stage.from_dict(orjson.loads(inputs[f"stage:{shot.id}"]))
              for shot in plan.shots if f"stage:{shot.id}" in inputs]
    usda = scene_stage(plan.scene, str(params["heading"]), stages, fps, frames)
    return {"scene.usda": Blob(usda, "model/vnd.usda")}


TIMELINE = register(Step("timeline", "4", timeline_step, Resources(cpu=1, memory_mb=512)))
USD = register(Step("usd", "1", usd_step, Resources(cpu=1, memory_mb=256)))
