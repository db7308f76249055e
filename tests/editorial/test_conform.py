"""Conform: an editor's recut, in every format OTIO reads, comes back as the cut."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from shotline.editorial.conform import conform, report_text
from shotline.editorial.formats import FORMATS, read_timeline, timeline_bytes
from tests.editorial.timelines import ENTRIES, FPS, HASHES, PLANS, recut, timeline

READABLE = ("otio", "edl", "fcp7", "fcpxml", "aaf")


def _through(fmt: str, edited: otio.schema.Timeline, tmp_path: Path) -> otio.schema.Timeline:
    path = tmp_path / f"recut{FORMATS[fmt].suffix}"
    path.write_bytes(timeline_bytes(edited, fmt, FPS))
    return read_timeline(path, FPS)


@pytest.mark.parametrize("fmt", READABLE)
def test_an_unchanged_timeline_changes_nothing(fmt: str, tmp_path: Path) -> None:
    result = conform(_through(fmt, timeline(), tmp_path), PLANS, HASHES, ENTRIES, FPS, "x")
    assert list(result.cut.entries) == ENTRIES
    report = result.report
    assert (report["trimmed"], report["moved"], report["removed"], report["unknown"]) == (
        [], [], [], [])
    assert report["matched"] == len(ENTRIES)


@pytest.mark.parametrize("fmt", READABLE)
def test_reorder_trim_drop_and_foreign_clip(fmt: str, tmp_path: Path) -> None:
    result = conform(_through(fmt, recut(timeline()), tmp_path), PLANS, HASHES, ENTRIES,
                     FPS, f"recut.{fmt}")
    cut = [(e.scene, e.shot, e.index, e.frames) for e in result.cut.entries]
    assert cut == [("3", "3A", 0, 30), ("3", "3B", 1, 41), ("1", "1A", 0, 48),
                   ("1", "1B", 1, 25), ("2", "2A", 0, 105)]
    report = result.report
    assert {(t["shot"], t["before"], t["after"]) for t in report["trimmed"]} == {
        ("1B", 37, 25), ("2A", 100, 105)}
    assert [(r["shot"], r["cut"]) for r in report["removed"]] == [("1A", 2)]
    assert report["scene_order"]["after"] == ["3", "1", "2"]
    assert {m["shot"] for m in report["moved"]} == {"3A", "3B"}
    [foreign] = report["unknown"]
    assert foreign["frames"] == 36 and foreign["record_in"] == "00:00:06:00"
    assert "GULLS" in (foreign["name"] + foreign["reel"]).upper()
    text = "\n".join(report_text(report))
    assert "removed  1A" in text and "trimmed  1B" in text and "kept as a note" in text
    assert "scenes reordered: 3 1 2" in text
    assert result.cut.basis == HASHES


def test_which_use_of_a_shot_a_clip_is_follows_its_source_range(tmp_path: Path) -> None:
    """An EDL keeps no metadata: the second use of 1A, moved first and trimmed, is
    still the second use (its dialogue goes with it)."""
    edited = timeline().deepcopy()
    track = edited.video_tracks()[0]
    clips = list(track)
    second = clips[2].deepcopy()
    second.source_range = otio.opentime.TimeRange(
        second.source_range.start_time + otio.opentime.RationalTime(4, FPS),
        otio.opentime.RationalTime(10, FPS))
    track[:] = []
    for clip in [second, clips[0].deepcopy(), clips[1].deepcopy(), *[c.deepcopy()
                                                                     for c in clips[3:]]]:
        track.append(clip)
    back = _through("edl", edited, tmp_path)
    entries = conform(back, PLANS, HASHES, ENTRIES, FPS, "x").cut.entries
    assert [(e.shot, e.index, e.covers, e.frames) for e in entries[:3]] == [
        ("1A", 2, (2,), 10), ("1A", 0, (0,), 48), ("1B", 1, (1,), 37)]


def test_match_by_reel_when_names_are_lost(tmp_path: Path) -> None:
    text = timeline_bytes(timeline(), "edl", FPS).decode()
    kept = [line for line in text.splitlines() if not line.startswith("*")]
    path = tmp_path / "bare.edl"
    path.write_text("\n".join(kept) + "\n")
    result = conform(read_timeline(path, FPS), PLANS, HASHES, ENTRIES, FPS, "bare.edl")
    assert result.report["matched_by"] == {"reel": len(ENTRIES)}
    assert list(result.cut.entries) == ENTRIES


def test_an_editors_own_edl_starting_at_one_hour(tmp_path: Path) -> None:
    """An EDL as an edit suite writes it: record from 01:00:00:00, its own reels."""
    path = tmp_path / "suite.edl"
    path.write_text(
        "TITLE: TWO ROOMS V2\nFCM: NON-DROP FRAME\n\n"
        "001  3A       V     C        00:00:00:00 00:00:01:06 01:00:00:00 01:00:01:06\n"
        "002  1A       V     C        00:00:00:00 00:00:01:00 01:00:01:06 01:00:02:06\n"
        "003  BL       V     C        00:00:00:00 00:00:00:12 01:00:02:06 01:00:02:18\n"
        "004  2A       V     C        00:00:00:00 00:00:04:04 01:00:02:18 01:00:06:22\n")
    result = conform(read_timeline(path, FPS), PLANS, HASHES, ENTRIES, FPS, "suite.edl")
    assert [(e.shot, e.frames) for e in result.cut.entries] == [("3A", 30), ("1A", 24),
                                                                ("2A", 100)]
    assert any(n.startswith("12 frames of black") for n in result.report["notes"])


@pytest.mark.parametrize(("rate", "frames_1a"), [(25, 46), (23.976, 48)])
def test_a_timeline_at_another_rate_is_converted_and_said(rate: float, frames_1a: int,
                                                          tmp_path: Path) -> None:
    edited = timeline().deepcopy()
    for clip in edited.video_tracks()[0].find_clips():
        r = clip.source_range
        clip.source_range = otio.opentime.TimeRange(
            otio.opentime.RationalTime(r.start_time.value, rate),
            otio.opentime.RationalTime(r.duration.value, rate))
    result = conform(_through("otio", edited, tmp_path), PLANS, HASHES, ENTRIES, FPS, "x")
    assert result.cut.entries[0].frames == frames_1a
    assert result.report["timeline_fps"] == pytest.approx(rate)
    assert any(f"{rate:g} fps" in n for n in result.report["notes"])


def test_a_timeline_with_no_video_is_an_error() -> None:
    empty = otio.schema.Timeline(name="audio only")
    empty.tracks.append(otio.schema.Track(kind=otio.schema.TrackKind.Audio))
    with pytest.raises(ValueError, match="no video track"):
        conform(empty, PLANS, HASHES, ENTRIES, FPS, "x")
