"""The edit as an OpenTimelineIO timeline: boards on V1, temp dialogue on A1, a marker
at the head of every scene, and a ``shotline`` metadata namespace on every clip.

A board is a still, so its source range is free to choose: each clip takes the
stretch of the scene it covers (frames from the scene's first frame). Two uses of
one shot then never share source frames, and an EDL that keeps nothing but reel and
source timecode still says which cut a clip was.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import opentimelineio as otio
import orjson
from aaf2.mobid import MobID

from shotline.editorial.cut import CutEntry, runs

NAMESPACE = "shotline"
_REEL_CHARS = re.compile(r"[^A-Z0-9_]")
REEL_LENGTH = 8  # CMX 3600 reel names


@dataclass(frozen=True)
class ClipSource:
    """Where a shot's picture came from, for the clip's metadata."""

    asset: str  # hash of the board (or the selected take's image)
    url: str  # where the receiving tool finds it
    take: int = 1
    provider: str = "previs"
    model: str = "shotline-previs"
    seed: int | None = None
    ai_generated: bool = False


@dataclass(frozen=True)
class Line:
    """A line of temp dialogue, in seconds from the start of its run of the cut."""

    speaker: str
    text: str
    start: float
    end: float


def reel_name(shot: str) -> str:
    """A CMX 3600 reel: at most eight of A-Z, 0-9 and underscore."""
    return (_REEL_CHARS.sub("_", shot.upper()) or "AX")[:REEL_LENGTH]


def source_starts(entries: Sequence[CutEntry]) -> dict[tuple[str, int], int]:
    """(scene, cut index) -> the clip's source in-frame: its offset in the scene, with
    the scene's cuts taken in planned order."""
    by_scene: dict[str, list[CutEntry]] = {}
    for entry in entries:
        by_scene.setdefault(entry.scene, []).append(entry)
    out: dict[tuple[str, int], int] = {}
    for scene, found in by_scene.items():
        clock = 0
        for entry in sorted(found, key=lambda e: e.index):
            out[(scene, entry.index)] = clock
            clock += entry.frames
    return out


def build_timeline(title: str, entries: Sequence[CutEntry], fps: int,
                   headings: Mapping[str, str], sources: Mapping[str, ClipSource],
                   animatic_url: str | None,
                   lines: Sequence[Sequence[Line]] = ()) -> otio.schema.Timeline:
    """The timeline of the cut. `lines` holds, per run of the cut (consecutive entries
    of one scene), its dialogue; `animatic_url` is the movie the dialogue is cut from.

    It is written as OTIO's own JSON and read back by OTIO's C++ reader: setting every
    clip's metadata through the Python bindings, which convert each value one by one,
    took most of a feature's build (0.45 s; this way a third of that)."""
    starts = source_starts(entries)
    extent: dict[str, int] = {}  # shot -> the end of its furthest source range
    for entry in entries:
        end = starts[(entry.scene, entry.index)] + entry.frames
        extent[entry.shot] = max(extent.get(entry.shot, 0), end)
    total = sum(e.frames for e in entries)
    video: list[dict[str, Any]] = []
    audio: list[dict[str, Any]] = []
    record = 0
    audio_at = 0
    for k, (scene, run) in enumerate(runs(entries)):
        run_start = record
        for n, entry in enumerate(run):
            video.append(_clip(entry, starts[(scene, entry.index)], fps, sources[entry.shot],
                               extent[entry.shot], headings.get(scene, "") if n == 0 else None))
            record += entry.frames
        if animatic_url is None or k >= len(lines):
            continue
        for line in lines[k]:
            start = run_start + round(line.start * fps)
            end = min(record, max(start + 1, run_start + round(line.end * fps)))
            if start < audio_at or start >= record:
                continue  # lines never overlap on one track
            if start > audio_at:
                audio.append(_item("Gap.1", "", {}, _range(0, start - audio_at, fps)))
            audio.append(_dialogue(line, scene, start, end - start, fps, animatic_url, total))
            audio_at = end
    tracks = _item("Stack.1", "tracks", {}, None, children=[
        _item("Track.1", "V1 boards", {}, None, children=video, kind="Video"),
        _item("Track.1", "A1 temp dialogue", {}, None, children=audio, kind="Audio")])
    document = {"OTIO_SCHEMA": "Timeline.1", "name": title, "global_start_time": None,
                "metadata": {NAMESPACE: {"fps": fps, "clips": len(entries)}},
                "tracks": tracks}
    timeline = otio.core.deserialize_json_from_string(orjson.dumps(document).decode())
    assert isinstance(timeline, otio.schema.Timeline)
    return timeline


# OTIO's JSON, by schema (the versions its readers upgrade from, should they move on).


def _rt(frames: int, fps: int) -> dict[str, Any]:
    return {"OTIO_SCHEMA": "RationalTime.1", "rate": float(fps), "value": float(frames)}


def _range(start: int, frames: int, fps: int) -> dict[str, Any]:
    return {"OTIO_SCHEMA": "TimeRange.1", "duration": _rt(frames, fps),
            "start_time": _rt(start, fps)}


def _item(schema: str, name: str, metadata: dict[str, Any], source_range: Any,
          **fields: Any) -> dict[str, Any]:
    """A clip, gap, track or stack: what every item has, and its own ``fields``."""
    return {"OTIO_SCHEMA": schema, "metadata": metadata, "name": name,
            "source_range": source_range, "effects": [], "markers": fields.pop("markers", []),
            "enabled": True, "color": None, **fields}


def _clip_of(name: str, metadata: dict[str, Any], source_range: dict[str, Any],
             reel: str, url: str, available: dict[str, Any],
             markers: list[dict[str, Any]]) -> dict[str, Any]:
    reference = {"OTIO_SCHEMA": "ExternalReference.1", "metadata": {}, "name": reel,
                 "available_range": available, "available_image_bounds": None,
                 "target_url": url}
    return _item("Clip.2", name, metadata, source_range, markers=markers,
                 media_references={"DEFAULT_MEDIA": reference},
                 active_media_reference_key="DEFAULT_MEDIA")


def _clip(entry: CutEntry, source_in: int, fps: int, source: ClipSource, extent: int,
          heading: str | None) -> dict[str, Any]:
    reel = reel_name(entry.shot)
    metadata = {
        NAMESPACE: {
            "shot_id": entry.shot, "scene": entry.scene, "cut": entry.index,
            "covers": list(entry.covers), "take": source.take, "asset": source.asset,
            "provider": source.provider, "model": source.model, "seed": source.seed,
            "ai_generated": source.ai_generated,
        },
        "cmx_3600": {"reel": reel},
        "AAF": {"SourceID": mob_id(source.asset)},
    }
    markers = []
    if heading is not None:
        markers.append({
            "OTIO_SCHEMA": "Marker.2", "metadata": {NAMESPACE: {"scene": entry.scene}},
            "name": f"Scene {entry.scene}: {heading}" if heading else f"Scene {entry.scene}",
            "color": otio.schema.MarkerColor.RED, "marked_range": _range(source_in, 1, fps),
            "comment": ""})
    return _clip_of(entry.shot, metadata, _range(source_in, entry.frames, fps), reel,
                    source.url, _range(0, extent, fps), markers)


def _dialogue(line: Line, scene: str, record_in: int, frames: int, fps: int, url: str,
              total: int) -> dict[str, Any]:
    metadata = {
        NAMESPACE: {"scene": scene, "speaker": line.speaker, "text": line.text,
                    "temp": True, "ai_generated": False},
        "cmx_3600": {"reel": "ANIMATIC"},
        "AAF": {"SourceID": mob_id("animatic:" + url)},
    }
    return _clip_of(f"{line.speaker}: {line.text}"[:60], metadata,
                    _range(record_in, frames, fps), "ANIMATIC", url, _range(0, total, fps), [])


@functools.lru_cache(maxsize=4096)
def mob_id(key: str) -> str:
    """A stable SMPTE UMID for a source, so every export names one source the same way
    (Avid links clips by it). Cached: a timeline asks again for every use of a shot and
    every line of dialogue."""
    mob = MobID.new()
    mob.material = uuid.UUID(bytes=hashlib.sha256(key.encode("utf-8")).digest()[:16])
    urn: str = mob.urn
    return urn


def clip_metadata(clip: otio.schema.Clip) -> dict[str, Any]:
    found = clip.metadata.get(NAMESPACE)
    return dict(found) if isinstance(found, Mapping) else {}
