"""A small cut and its timeline, shared by the editorial tests, and the edits an
editor makes to it."""

from __future__ import annotations

import opentimelineio as otio

from shotline.editorial.cut import CutEntry
from shotline.editorial.timeline import ClipSource, Line, build_timeline, mob_id
from shotline.model.shots import Angle, Cut, Framing, Movement, ScenePlan, Shot, ShotSize

FPS = 24


def plan(scene: str, cuts: list[tuple[str, int]]) -> ScenePlan:
    ids = sorted({shot for shot, _ in cuts})
    shots = tuple(Shot(i, scene, ShotSize.MS, Framing.SINGLE, Angle.EYE_LEVEL,
                       Movement.STATIC, 35.0, (), (), 2.0, f"shot {i}") for i in ids)
    return ScenePlan(scene, shots, tuple(Cut(s, (k,), f / FPS) for k, (s, f) in enumerate(cuts)))


PLANS = [plan("1", [("1A", 48), ("1B", 37), ("1A", 20)]), plan("2", [("2A", 100)]),
         plan("3", [("3A", 30), ("3B", 41)])]
HASHES = {"1": "a" * 64, "2": "b" * 64, "3": "c" * 64}
HEADINGS = {"1": "INT. KITCHEN - DAY", "2": "EXT. HARBOUR - NIGHT", "3": "INT. VAN - DUSK"}
ENTRIES = [CutEntry(p.scene, c.shot, k, c.covers, round(c.duration * FPS))
           for p in PLANS for k, c in enumerate(p.edit)]


def sources(root: str = "/media/project/exports") -> dict[str, ClipSource]:
    return {s.id: ClipSource(asset=s.id.lower() * 8, url=f"file://{root}/boards/{s.id}.png")
            for p in PLANS for s in p.shots}


def timeline(entries: list[CutEntry] = ENTRIES) -> otio.schema.Timeline:
    lines = [[Line("MARA", "Not yet.", 0.5, 1.5), Line("TEO", "When, then?", 2.5, 3.2)],
             [Line("MARA", "Look at them.", 0.2, 1.0)], []]
    return build_timeline("Two Rooms", entries, FPS, HEADINGS, sources(),
                          "file:///media/project/exports/animatic.mp4", lines)


def recut(source: otio.schema.Timeline) -> otio.schema.Timeline:
    """What an editor does: scene 3 first, 1B trimmed by 12 frames, the second use of
    1A dropped, 2A extended by 5, and a clip from elsewhere cut in before 2A."""
    edited = source.deepcopy()
    track = edited.video_tracks()[0]
    clips = list(track)
    by_name: dict[str, list[otio.schema.Clip]] = {}
    for clip in clips:
        by_name.setdefault(clip.name, []).append(clip)
    first_a, second_a = by_name["1A"]
    b = by_name["1B"][0]
    b.source_range = otio.opentime.TimeRange(b.source_range.start_time + _rt(6),
                                             b.source_range.duration - _rt(12))
    two = by_name["2A"][0]
    two.source_range = otio.opentime.TimeRange(two.source_range.start_time,
                                               two.source_range.duration + _rt(5))
    foreign = otio.schema.Clip(
        name="STOCK_GULLS", source_range=otio.opentime.TimeRange(_rt(100), _rt(36)),
        media_reference=otio.schema.ExternalReference(
            target_url="file:///media/stock/gulls.mov",
            available_range=otio.opentime.TimeRange(_rt(0), _rt(500))))
    foreign.metadata["cmx_3600"] = {"reel": "GULLS"}
    foreign.metadata["AAF"] = {"SourceID": mob_id("stock gulls")}  # Avid names every source
    order = [*by_name["3A"], *by_name["3B"], first_a, b, foreign, two]
    del second_a
    track[:] = []
    for clip in order:
        track.append(clip.deepcopy())
    return edited


def _rt(frames: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, FPS)
