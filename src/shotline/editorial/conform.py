"""Conform: the editor's timeline read back, its clips matched to the plan's cuts, and
what changed (trims, order, dropped and foreign clips) turned into an editor's cut.

A clip is matched by its ``shotline`` metadata, then by its name, then by its reel,
then by its media file's name. Which use of a shot it is (a master may be cut in
three times) follows from its source range: each exported clip took its own stretch
of frames, and a trim keeps most of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from shotline.editorial.cut import CutEntry, EditorsCut, planned_entries
from shotline.editorial.timeline import clip_metadata, reel_name, source_starts
from shotline.model.shots import ScenePlan

_NTSC = 0.002  # 23.976 against 24: the same frames, played a thousandth slower


@dataclass
class Conformed:
    cut: EditorsCut
    report: dict[str, Any]  # unknown clips are its notes: report["unknown"]


@dataclass(frozen=True)
class _Clip:
    name: str
    reel: str
    media: str
    meta: Mapping[str, Any]
    source_in: int  # in the timeline's frames, for telling uses of one shot apart
    frames: int  # at the project's rate
    record_in: int


def _timecode(frames: int, fps: int) -> str:
    return str(otio.opentime.to_timecode(otio.opentime.RationalTime(frames, fps), fps))


def _rate_of(track: otio.schema.Track, fallback: int) -> float:
    for item in track:
        if item.source_range is not None:
            return float(item.source_range.duration.rate)
    return float(fallback)


def _clips(track: otio.schema.Track, fps: int, rate: float) -> tuple[list[_Clip], list[str]]:
    """The track's clips at the project's rate, and notes on what was not a clip."""
    same_frames = abs(rate - fps) / fps < _NTSC
    notes: list[str] = []
    clips: list[_Clip] = []
    record = 0
    for item in track:
        duration = item.duration()
        frames = round(duration.value * duration.rate / rate) if same_frames \
            else round(duration.to_seconds() * fps)
        if isinstance(item, otio.schema.Clip) and isinstance(
                item.media_reference, otio.schema.GeneratorReference):
            notes.append(f"{frames} frames of {item.media_reference.generator_kind or 'filler'}"
                         f" at {_timecode(record, fps)} were closed, like a gap")
        elif isinstance(item, otio.schema.Clip):
            reference = item.media_reference
            url = getattr(reference, "target_url", "") or ""
            reel = (item.metadata.get("cmx_3600") or {}).get("reel") or \
                (getattr(reference, "name", "") or "")
            start = item.source_range.start_time if item.source_range else \
                otio.opentime.RationalTime(0, rate)
            clips.append(_Clip(item.name or "", str(reel), str(url), clip_metadata(item),
                               round(start.value * start.rate / rate), frames, record))
        elif isinstance(item, otio.schema.Gap):
            if frames:
                notes.append(f"a gap of {frames} frames at {_timecode(record, fps)} was closed")
        else:
            notes.append(f"a {type(item).__name__} at {_timecode(record, fps)} was ignored")
        record += frames if not isinstance(item, otio.schema.Transition) else 0
    return clips, notes


_SUFFIX = re.compile(r"\.(png|jpe?g|tiff?|exr|dpx|mov|mp4|mxf)$", re.IGNORECASE)


def _key(text: str) -> str:
    return _SUFFIX.sub("", text.strip()).upper()


def _stem(url: str) -> str:
    path = unquote(urlparse(url).path or url)
    return _key(PurePosixPath(path).name) if path else ""


def conform(timeline: otio.schema.Timeline, plans: Sequence[ScenePlan],
            hashes: Mapping[str, str], current: Sequence[CutEntry], fps: int,
            source: str) -> Conformed:
    """The editor's cut of `timeline`, against the plans and the cut it was exported from."""
    tracks = [t for t in timeline.video_tracks() if t.enabled]
    if not tracks:
        raise ValueError("the timeline has no video track")
    track = tracks[0]
    rate = _rate_of(track, fps)
    clips, notes = _clips(track, fps, rate)
    if abs(rate - fps) / fps >= _NTSC:
        notes.insert(0, f"the timeline runs at {rate:g} fps; its durations were converted "
                        f"to the project's {fps} fps, to the nearest frame")
    elif rate != fps:
        notes.insert(0, f"the timeline runs at {rate:g} fps; its frames were taken one for "
                        f"one at the project's {fps} fps")
    extra = sum(len(list(t.find_clips())) for t in tracks[1:])
    if extra:
        notes.append(f"{extra} clips on video tracks above the first were not conformed")

    shots = {s.id: plan.scene for plan in plans for s in plan.shots}
    reels: dict[str, list[str]] = {}
    for shot in shots:
        reels.setdefault(reel_name(shot), []).append(shot)
    planned = {plan.scene: planned_entries(plan, fps) for plan in plans}
    starts = source_starts(current)

    used: set[tuple[str, int]] = set()
    entries: list[CutEntry] = []
    unknown: list[dict[str, Any]] = []
    how: dict[str, int] = {}
    for clip in clips:
        found, by = _shot_of(clip, shots, reels)
        if found is None:
            unknown.append({"name": clip.name, "reel": clip.reel, "media": clip.media,
                            "record_in": _timecode(clip.record_in, fps),
                            "frames": clip.frames})
            continue
        how[by] = how.get(by, 0) + 1
        shot = found
        scene = shots[shot]
        chosen = _which_cut(clip, shot, scene, planned[scene], starts, used)
        used.add((scene, chosen.index))
        entries.append(CutEntry(scene, shot, chosen.index, chosen.covers, clip.frames))
    cut = EditorsCut(tuple(entries), dict(hashes), fps, source)
    report = _report(current, entries, unknown, notes, how, fps, rate, source, len(clips))
    return Conformed(cut, report)


def _shot_of(clip: _Clip, shots: Mapping[str, str], reels: Mapping[str, list[str]]
             ) -> tuple[str | None, str]:
    meta = clip.meta.get("shot_id")
    if isinstance(meta, str) and meta in shots:
        return meta, "metadata"
    upper = {s.upper(): s for s in shots}
    if _key(clip.name) in upper:
        return upper[_key(clip.name)], "name"
    found = reels.get(clip.reel.upper(), [])
    if len(found) == 1:
        return found[0], "reel"
    stem = _stem(clip.media)
    if stem in upper:
        return upper[stem], "media"
    return None, ""


def _which_cut(clip: _Clip, shot: str, scene: str, planned: Sequence[CutEntry],
               starts: Mapping[tuple[str, int], int], used: set[tuple[str, int]]
               ) -> CutEntry:
    """The planned cut of `shot` this clip is: its metadata says, or its source range
    overlaps the one exported for that cut, or the first not yet used."""
    options = [e for e in planned if e.shot == shot]
    if not options:  # a shot the edit never used (coverage only): its own stretch
        return CutEntry(scene, shot, -1, (), clip.frames)
    index = clip.meta.get("cut")
    if isinstance(index, int) and any(e.index == index for e in options):
        return next(e for e in options if e.index == index)

    def overlap(entry: CutEntry) -> int:
        start = starts.get((scene, entry.index))
        if start is None:
            return 0
        return max(0, min(start + entry.frames, clip.source_in + clip.frames)
                   - max(start, clip.source_in))

    fresh = [e for e in options if (scene, e.index) not in used] or options
    best = max(fresh, key=overlap)
    return best if overlap(best) > 0 else fresh[0]


def _report(before: Sequence[CutEntry], after: Sequence[CutEntry],
            unknown: list[dict[str, Any]], notes: list[str], how: Mapping[str, int],
            fps: int, rate: float, source: str, clips: int) -> dict[str, Any]:
    def key(e: CutEntry) -> tuple[str, int]:
        return (e.scene, e.index)

    old = {key(e): e for e in before}
    new_keys = [key(e) for e in after]
    kept = [k for k in new_keys if k in old]
    position = {key(e): n for n, e in enumerate(before)}
    stay = _longest_increasing([position[k] for k in kept])
    moved = [old[k] for n, k in enumerate(kept) if n not in stay]
    trimmed = [{"shot": e.shot, "scene": e.scene, "cut": e.index, "before": old[key(e)].frames,
                "after": e.frames, "change": e.frames - old[key(e)].frames}
               for e in after if key(e) in old and e.frames != old[key(e)].frames]
    removed = [e for e in before if key(e) not in set(new_keys)]
    restored = [e for e in after if key(e) not in old]

    def scene_order(entries: Sequence[CutEntry]) -> list[str]:
        return list(dict.fromkeys(e.scene for e in entries))

    return {
        "source": source, "fps": fps, "timeline_fps": rate, "clips": clips,
        "matched": sum(how.values()), "matched_by": dict(how),
        "frames": {"before": sum(e.frames for e in before),
                   "after": sum(e.frames for e in after)},
        "trimmed": trimmed,
        "moved": [{"shot": e.shot, "scene": e.scene, "cut": e.index} for e in moved],
        "removed": [{"shot": e.shot, "scene": e.scene, "cut": e.index, "frames": e.frames}
                    for e in removed],
        "restored": [{"shot": e.shot, "scene": e.scene, "cut": e.index, "frames": e.frames}
                     for e in restored],
        "unknown": unknown,
        "scene_order": {"before": scene_order(before), "after": scene_order(after)},
        "notes": notes,
    }


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Indexes of one longest increasing subsequence: the clips that kept their order
    (everything else is what the editor moved)."""
    import bisect

    tails: list[int] = []
    tail_at: list[int] = []
    parent = [-1] * len(values)
    for n, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(n)
        else:
            tails[k], tail_at[k] = value, n
        parent[n] = tail_at[k - 1] if k else -1
    out: set[int] = set()
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.add(n)
        n = parent[n]
    return out


def report_text(report: Mapping[str, Any]) -> list[str]:
    """The change report, a line each, for the terminal."""
    fps = int(report["fps"])
    lines = [f"{report['source']}: {report['clips']} clips, {report['matched']} matched to "
             f"shots ({', '.join(f'{n} by {k}' for k, n in report['matched_by'].items())})"]
    before, after = report["frames"]["before"], report["frames"]["after"]
    lines.append(f"running time {_timecode(before, fps)} -> {_timecode(after, fps)} "
                 f"({after - before:+d} frames)")
    order = report["scene_order"]
    if [s for s in order["before"] if s in order["after"]] != order["after"]:
        lines.append("scenes reordered: " + " ".join(order["after"]))
    for t in report["trimmed"]:
        lines.append(f"  trimmed  {t['shot']:<8} {t['before']} -> {t['after']} frames "
                     f"({t['change']:+d})")
    lines += [f"  moved    {m['shot']:<8} (scene {m['scene']})" for m in report["moved"]]
    lines += [f"  removed  {r['shot']:<8} ({r['frames']} frames)" for r in report["removed"]]
    lines += [f"  restored {r['shot']:<8} ({r['frames']} frames)" for r in report["restored"]]
    lines += [f"  unknown  {u['name'] or u['reel'] or '(unnamed)':<8} at {u['record_in']}, "
              f"{u['frames']} frames: kept as a note" for u in report["unknown"]]
    lines += [f"  note: {n}" for n in report["notes"]]
    if len(lines) == 2:
        lines.append("  no changes")
    return lines
