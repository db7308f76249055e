"""The editorial steps: the timeline of the cut in every editing format, and a USD
stage per scene. Both are cached like every other step: a trim re-exports the
timeline, and re-stages no scene."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

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
    from shotline.editorial.cut import runs
    from shotline.editorial.formats import FORMATS, timeline_bytes
    from shotline.editorial.timeline import ClipSource, Line, build_timeline

    fps = int(params["fps"])
    fmt = str(params["format"])
    entries = cut_of(inputs, params)
    sources = {shot: ClipSource(asset=d["asset"], url=d["url"])
               for shot, d in dict(params["sources"]).items()}
    lines = []
    for k in range(len(runs(entries))):
        timing = orjson.loads(inputs[f"lines:{k}"]) if f"lines:{k}" in inputs else {}
        lines.append([Line(d["speaker"], d["text"], float(d["start"]), float(d["end"]))
                      for d in timing.get("lines", [])])
    with_audio = fmt != "fcpxml"
    timeline = build_timeline(str(params["title"]), entries, fps, dict(params["headings"]),
                              sources, params.get("animatic_url") if with_audio else None,
                              lines if with_audio else [])
    return {f"timeline{FORMATS[fmt].suffix}": Blob(timeline_bytes(timeline, fmt, fps),
                                                   _MEDIA_TYPES[fmt])}


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


TIMELINE = register(Step("timeline", "3", timeline_step, Resources(cpu=1, memory_mb=512)))
USD = register(Step("usd", "1", usd_step, Resources(cpu=1, memory_mb=256)))
