"""build_timeline writes OTIO's JSON and has OTIO read it: the result must be the very
timeline OTIO's own API makes of the same cut."""

from __future__ import annotations

import opentimelineio as otio

from shotline.editorial.cut import CutEntry
from shotline.editorial.timeline import NAMESPACE, ClipSource, Line, build_timeline, mob_id


def _range(start: int, frames: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, 24),
                                   otio.opentime.RationalTime(frames, 24))


def test_the_timeline_is_what_the_otio_api_makes() -> None:
    entries = [CutEntry("4", "4A", 0, (0, 1), 30), CutEntry("4", "4B", 1, (2,), 18)]
    source = {shot: ClipSource(asset=shot.lower() * 16, url=f"file:///exports/{shot}.png",
                               take=2 if shot == "4B" else 1, seed=7 if shot == "4B" else None,
                               ai_generated=shot == "4B")
              for shot in ("4A", "4B")}
    url = "file:///exports/animatic.mp4"
    built = build_timeline("Café & co", entries, 24, {"4": "INT. ROOM - DAY"}, source, url,
                           [[Line("MARA", "Not yet.", 0.5, 1.0)]])

    expected = otio.schema.Timeline(name="Café & co")
    expected.metadata[NAMESPACE] = {"fps": 24, "clips": 2}
    video = otio.schema.Track(name="V1 boards", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1 temp dialogue", kind=otio.schema.TrackKind.Audio)
    expected.tracks.extend([video, audio])
    start = 0
    for entry in entries:
        found = source[entry.shot]
        reference = otio.schema.ExternalReference(target_url=found.url,
                                                  available_range=_range(0, start + entry.frames))
        reference.name = entry.shot
        clip = otio.schema.Clip(name=entry.shot, media_reference=reference,
                                source_range=_range(start, entry.frames))
        clip.metadata[NAMESPACE] = {
            "shot_id": entry.shot, "scene": "4", "cut": entry.index,
            "covers": list(entry.covers), "take": found.take, "asset": found.asset,
            "provider": "previs", "model": "shotline-previs", "seed": found.seed,
            "ai_generated": found.ai_generated}
        clip.metadata["cmx_3600"] = {"reel": entry.shot}
        clip.metadata["AAF"] = {"SourceID": mob_id(found.asset)}
        if entry.index == 0:
            clip.markers.append(otio.schema.Marker(
                name="Scene 4: INT. ROOM - DAY", marked_range=_range(0, 1),
                color=otio.schema.MarkerColor.RED, metadata={NAMESPACE: {"scene": "4"}}))
        video.append(clip)
        start += entry.frames
    audio.append(otio.schema.Gap(source_range=_range(0, 12)))
    reference = otio.schema.ExternalReference(target_url=url, available_range=_range(0, 48))
    reference.name = "ANIMATIC"
    line = otio.schema.Clip(name="MARA: Not yet.", media_reference=reference,
                            source_range=_range(12, 12))
    line.metadata[NAMESPACE] = {"scene": "4", "speaker": "MARA", "text": "Not yet.",
                                "temp": True, "ai_generated": False}
    line.metadata["cmx_3600"] = {"reel": "ANIMATIC"}
    line.metadata["AAF"] = {"SourceID": mob_id("animatic:" + url)}
    audio.append(line)

    assert otio.core.serialize_json_to_string(built) == \
        otio.core.serialize_json_to_string(expected)
