"""The previs steps: stage each scene in 3D, render a board per shot, lay out the
contact sheet, speak the temp dialogue, encode a segment per cut, join the animatic.

Every step is a pure function of its inputs and parameters, cached like the others:
a changed scene re-stages, re-renders and re-encodes only its own shots and cuts.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import orjson

from shotline.engine.steps import Blob, Resources, Step, register
from shotline.model.appearance import Appearance
from shotline.model.breakdown import SceneBreakdown
from shotline.model.shots import ScenePlan
from shotline.model.stage import Stage

JSON = "application/json"
PNG = "image/png"


def _load(data: bytes) -> Any:
    return orjson.loads(data)


def stage_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """One Stage per shot of the scene's plan, each its own object."""
    from shotline.blocking import stage_scene

    content = _load(inputs["scene"])
    plan = ScenePlan.from_dict(_load(inputs["plan"]))
    sheet = SceneBreakdown.from_dict(
        content["breakdown"] | {"number": plan.scene, "line": 0, "page": 0, "eighths": 0,
                                "screen_seconds": 0.0})
    stages = stage_scene(plan, sheet, dict(params.get("heights", {})),
                         float(params.get("aspect", 16 / 9)))
    return {f"stage:{s.shot_id}": Blob(orjson.dumps(s.to_dict()), JSON) for s in stages}


def board_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """The previs frame of one shot with its depth, pose, camera and a thumbnail."""
    from PIL import Image

    from shotline.render import render_stage

    stage = Stage.from_dict(_load(inputs["stage"]))
    appearances = {name: Appearance(**fields)
                   for name, fields in dict(params.get("appearances", {})).items()}
    frame = render_stage(stage, appearances, int(params["width"]), int(params["height"]))
    with Image.open(io.BytesIO(frame.image)) as image:
        thumb = image.convert("RGB")
        thumb.thumbnail((640, 640))
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=85)
    return {
        "image.png": Blob(frame.image, PNG),
        "depth.png": Blob(frame.depth, PNG),
        "pose.png": Blob(frame.pose, PNG),
        "camera.json": Blob(orjson.dumps(frame.camera, option=orjson.OPT_INDENT_2), JSON),
        "thumb.jpg": Blob(out.getvalue(), "image/jpeg"),
    }


def contact_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """The contact sheet of every scene, from the boards' thumbnails."""
    from shotline.boards import Panel, SheetScene, contact_sheet

    scenes: list[SheetScene] = []
    for number in (str(n) for n in params["scenes"]):
        plan = ScenePlan.from_dict(_load(inputs[f"plan:{number}"]))
        content = _load(inputs[f"scene:{number}"])
        heard: dict[str, list[str]] = {}
        for cut, lines in zip(plan.edit, scene_lines(content["elements"], plan), strict=True):
            heard.setdefault(cut.shot, []).extend(f"{d['speaker']}: {d['text']}" for d in lines)
        heading = (content.get("heading") or {}).get("text", "")
        panels = tuple(
            Panel(shot.id, inputs[f"thumb:{shot.id}"], shot.size.value, shot.lens_mm,
                  shot.description, "\n".join(heard.get(shot.id, [])), shot.duration)
            for shot in plan.shots if f"thumb:{shot.id}" in inputs)
        scenes.append(SheetScene(number, heading, panels))
    return {"contact-sheet.pdf": Blob(contact_sheet(str(params["title"]), scenes),
                                      "application/pdf")}


def scene_lines(elements: list[dict[str, Any]], plan: ScenePlan) -> list[list[dict[str, Any]]]:
    """Per cut of the edit, the dialogue heard in it: speaker, text, start and end in
    seconds from the cut's start (spread over the cut by their word counts)."""
    speaker_of: dict[int, str] = {}
    speaker = ""
    for k, element in enumerate(elements):
        if element["type"] == "character":
            speaker = str(element.get("name") or element["text"])
        elif element["type"] == "dialogue":
            speaker_of[k] = speaker
    out: list[list[dict[str, Any]]] = []
    for cut in plan.edit:
        said = [(speaker_of[k], " ".join(str(elements[k]["text"]).split()))
                for k in cut.covers if k in speaker_of]
        words = [max(1, len(text.split())) for _, text in said]
        total = sum(words) or 1
        usable = max(cut.duration - 0.3, 0.1)
        clock = 0.15
        lines: list[dict[str, Any]] = []
        for (who, text), n in zip(said, words, strict=True):
            length = usable * n / total
            lines.append({"speaker": who, "text": text, "start": round(clock, 3),
                          "end": round(min(cut.duration, clock + length), 3)})
            clock += length
        out.append(lines)
    return out


def scene_cut_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """The scene's stretch of the animatic: a segment per cut (its board held for the
    cut's length, burn-ins, temp dialogue in each character's voice), joined."""
    from shotline.animatic import (
        Line,
        SegmentSpec,
        encode_segment,
        join_segments,
        mix_speech,
        speak,
    )

    content = _load(inputs["scene"])
    plan = ScenePlan.from_dict(_load(inputs["plan"]))
    fps = int(params["fps"])
    voices: dict[str, str] = dict(params.get("voices", {}))
    speaking = bool(params.get("speech"))
    segments: list[bytes] = []
    subtitles: list[dict[str, Any]] = []
    frame = 0
    scene_start = 0.0
    for cut, lines in zip(plan.edit, scene_lines(content["elements"], plan), strict=True):
        audio = None
        if speaking and lines:
            audio = mix_speech([(d["start"], speak(d["text"], voices.get(d["speaker"], "en"))
                                 or b"") for d in lines], cut.duration)
        spec = SegmentSpec(
            board_png=inputs[f"board:{cut.shot}"], duration=cut.duration, fps=fps,
            scene=plan.scene, shot=cut.shot, start_frame=frame,
            lines=tuple(Line(d["start"], d["end"], d["speaker"], d["text"]) for d in lines),
            audio_wav=audio)
        segments.append(encode_segment(spec))
        subtitles += [d | {"start": scene_start + d["start"], "end": scene_start + d["end"]}
                      for d in lines]
        frames = max(1, round(cut.duration * fps))
        frame += frames
        scene_start += frames / fps
    video = join_segments(segments) if segments else b""
    return {"scene.mp4": Blob(video, "video/mp4"),
            "lines.json": Blob(orjson.dumps({"seconds": frame / fps, "lines": subtitles}),
                               JSON)}


def join_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """The whole animatic: scene stretches joined without re-encoding, and subtitles."""
    from shotline.animatic import Line, join_segments, to_srt, to_vtt

    scenes = [str(n) for n in params["scenes"]]
    videos = [inputs[f"scene:{n}"] for n in scenes if inputs[f"scene:{n}"]]
    lines: list[Line] = []
    offset = 0.0
    for number in scenes:
        timing = _load(inputs[f"lines:{number}"])
        lines += [Line(offset + d["start"], offset + d["end"], d["speaker"], d["text"])
                  for d in timing["lines"]]
        offset += float(timing["seconds"])
    out = {
        "animatic.srt": Blob(to_srt(lines).encode("utf-8"), "application/x-subrip"),
        "animatic.vtt": Blob(to_vtt(lines).encode("utf-8"), "text/vtt"),
    }
    if videos:  # a script whose scenes hold nothing to cut has no animatic
        out["animatic.mp4"] = Blob(join_segments(videos), "video/mp4")
    return out


STAGE = register(Step("stage", "1", stage_step, Resources(cpu=1, memory_mb=128)))
# "2": PNGs deflated by zlib, whose bytes depend on the pixels alone.
BOARD = register(Step("board", "2", board_step, Resources(cpu=1, memory_mb=256),
                      provider="previs", model="shotline-previs"))
CONTACT = register(Step("contact-sheet", "3", contact_step, Resources(cpu=1, memory_mb=512)))
SCENE_CUT = register(Step("scene-cut", "5", scene_cut_step, Resources(cpu=1, memory_mb=512),
                          provider="espeak-ng", model="temp dialogue"))
JOIN = register(Step("animatic", "2", join_step, Resources(cpu=1, memory_mb=1024)))
