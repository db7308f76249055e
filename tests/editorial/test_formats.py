"""Every format round-trips: written through its adapter, read back with OTIO, the same
shots in the same order at frame-exact lengths; hostile files are refused clearly."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from shotline.editorial.formats import FORMATS, MAX_TIMELINE_BYTES, read_timeline, timeline_bytes
from shotline.errors import InputError
from tests.editorial.timelines import ENTRIES, FPS, timeline

WRITTEN = ("otio", "edl", "fcp7", "fcpxml", "aaf")


@pytest.mark.parametrize("fmt", WRITTEN)
def test_round_trip_keeps_shots_order_and_frames(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"cut{FORMATS[fmt].suffix}"
    path.write_bytes(timeline_bytes(timeline(), fmt, FPS))
    back = read_timeline(path, FPS)
    clips = list(back.video_tracks()[0].find_clips())
    assert [c.name for c in clips] == [e.shot for e in ENTRIES]
    assert [c.source_range.duration.rescaled_to(FPS).value for c in clips] == [
        e.frames for e in ENTRIES]
    # every cut lands on its frame: record in-points are the running sums
    track = back.video_tracks()[0]
    record = [track.range_of_child(c).start_time.rescaled_to(FPS).value for c in clips]
    running = [sum(e.frames for e in ENTRIES[:k]) for k in range(len(ENTRIES))]
    assert record == running


@pytest.mark.parametrize("fmt", ["otio", "fcp7", "fcpxml"])
def test_scene_markers_survive(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"cut{FORMATS[fmt].suffix}"
    path.write_bytes(timeline_bytes(timeline(), fmt, FPS))
    names = [m.name for c in read_timeline(path, FPS).video_tracks()[0].find_clips()
             for m in c.markers]
    assert names == ["Scene 1: INT. KITCHEN - DAY", "Scene 2: EXT. HARBOUR - NIGHT",
                     "Scene 3: INT. VAN - DUSK"]


def test_edl_reels_fit_cmx_3600_and_clip_names_ride_in_comments() -> None:
    text = timeline_bytes(timeline(), "edl", FPS).decode()
    events = [line.split() for line in text.splitlines() if line[:3].isdigit()]
    assert [e[1] for e in events] == [e.shot for e in ENTRIES]
    assert all(len(e[1]) <= 8 for e in events)
    assert "* FROM CLIP NAME:  1B" in text


def test_otio_keeps_the_shotline_namespace(tmp_path: Path) -> None:
    path = tmp_path / "cut.otio"
    path.write_bytes(timeline_bytes(timeline(), "otio", FPS))
    first = next(iter(read_timeline(path, FPS).video_tracks()[0].find_clips()))
    meta = dict(first.metadata["shotline"])
    assert meta["shot_id"] == "1A" and meta["scene"] == "1" and meta["take"] == 1
    assert meta["provider"] == "previs" and meta["ai_generated"] is False
    assert set(meta) >= {"asset", "model", "seed", "cut"}


def test_dialogue_is_on_the_audio_track_cut_from_the_animatic(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(timeline_bytes(timeline(), "fcp7", FPS))
    audio = read_timeline(path, FPS).audio_tracks()[0]
    clips = list(audio.find_clips())
    assert [c.name for c in clips] == ["MARA: Not yet.", "TEO: When, then?",
                                       "MARA: Look at them."]
    first = clips[0]
    assert audio.range_of_child(first).start_time.value == 12  # 0.5 s at 24 fps


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.mov"
    path.write_bytes(b"\0")
    with pytest.raises(InputError, match="expected one of"):
        read_timeline(path, FPS)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_timeline(tmp_path / "gone.edl", FPS)


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_text('<?xml version="1.0"?>\n<xmeml version="4">\n<sequence>\n</xmeml>\n')
    with pytest.raises(InputError, match=r"cut\.xml:4: not well-formed XML"):
        read_timeline(path, FPS)


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                    '<xmeml version="4"><sequence><name>&b;</name></sequence></xmeml>\n')
    with pytest.raises(InputError, match="entity"):
        read_timeline(path, FPS)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.fcpxml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM '
                    '"file:///etc/passwd">]>\n<fcpxml version="1.8">&e;</fcpxml>\n')
    with pytest.raises(InputError, match="refused"):
        read_timeline(path, FPS)


def test_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "cut.edl"
    with path.open("wb") as f:
        f.truncate(MAX_TIMELINE_BYTES + 1)
    with pytest.raises(InputError, match="limit"):
        read_timeline(path, FPS)


@pytest.mark.parametrize(("name", "data"), [
    ("cut.edl", b"TITLE: x\n001  AX V C 00:00:00:00 nonsense\n"),
    ("cut.otio", b'{"OTIO_SCHEMA": "Timeline.1", "tracks": 7}'),
    ("cut.aaf", b"not a compound file at all"),
    ("cut.otioz", b"PK not really a zip"),
])
def test_garbage_is_an_input_error_that_names_the_file(name: str, data: bytes,
                                                       tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=name.replace(".", r"\.")):
        read_timeline(path, FPS)


def test_an_empty_cut_still_writes_every_format(tmp_path: Path) -> None:
    empty = timeline([])
    for fmt in WRITTEN:
        path = tmp_path / f"empty{FORMATS[fmt].suffix}"
        path.write_bytes(timeline_bytes(empty, fmt, FPS))
        assert list(read_timeline(path, FPS).find_clips()) == []


def test_quotes_in_headings_and_dialogue_survive_fcpxml(tmp_path: Path) -> None:
    from shotline.editorial.timeline import Line, build_timeline
    from tests.editorial.timelines import HEADINGS, sources

    made = build_timeline("Mara's Cut", ENTRIES, FPS, HEADINGS | {"1": "INT. MARA'S FLAT"},
                          sources("/media/o'brien"), "file:///media/animatic.mp4",
                          [[Line("MARA", "It's late.", 0.1, 1.0)]])
    path = tmp_path / "cut.fcpxml"
    path.write_bytes(timeline_bytes(made, "fcpxml", FPS))
    back = read_timeline(path, FPS)
    markers = [m.name for c in back.video_tracks()[0].find_clips() for m in c.markers]
    assert markers[0] == "Scene 1: INT. MARA\u2019S FLAT"


def _many_uses() -> otio.schema.Timeline:
    """Forty cuts over six shots in two scenes: shots come back, so assets are shared."""
    from shotline.editorial.cut import CutEntry
    from shotline.editorial.timeline import ClipSource, build_timeline
    from tests.editorial.timelines import HEADINGS

    entries = [CutEntry(str(1 + k // 20), f"{1 + k // 20}{'ABC'[k % 3]}", k % 20, (k,),
                        10 + k % 7) for k in range(40)]
    sources = {e.shot: ClipSource(asset=e.shot * 4, url=f"file:///media/b/{e.shot}.png")
               for e in entries}
    return build_timeline("Many", entries, FPS, HEADINGS, sources, None)


def test_fcpxml_is_what_its_adapter_writes() -> None:
    # Media that is not on disk, so the adapter's own writer probes nothing either.
    made = _many_uses()
    ours = timeline_bytes(made, "fcpxml", FPS)
    theirs = str(otio.adapters.write_to_string(made, "fcpx_xml")).encode("utf-8")
    assert ours == theirs
    assert ours.count(b"<asset ") == 6  # one per shot, found again for each use


def test_fcpxml_never_probes_media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    board = tmp_path / "1A.png"
    board.write_bytes(b"\x89PNG")
    made = _many_uses()
    for clip in made.find_clips():
        clip.media_reference.target_url = board.as_uri()

    def no_processes(*args: object, **kwargs: object) -> None:
        raise AssertionError("the FCPXML writer started a process")

    monkeypatch.setattr("subprocess.check_output", no_processes)
    text = timeline_bytes(made, "fcpxml", FPS).decode()
    assert 'name=""' in text.split("<format ", 1)[1].split(">", 1)[0]


@pytest.mark.parametrize("fmt", WRITTEN)
def test_writing_leaves_the_timeline_as_it_was(fmt: str) -> None:
    made = timeline()
    before = made.to_json_string()
    timeline_bytes(made, fmt, FPS)
    timeline_bytes(made, fmt, FPS, picture_only=True)
    assert made.to_json_string() == before


@pytest.mark.parametrize("fmt", ["otio", "fcp7", "fcpxml"])
def test_picture_only_drops_the_dialogue(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"cut{FORMATS[fmt].suffix}"
    path.write_bytes(timeline_bytes(timeline(), fmt, FPS, picture_only=True))
    back = read_timeline(path, FPS)
    assert [c.name for c in back.video_tracks()[0].find_clips()] == [e.shot for e in ENTRIES]
    assert not [c for t in back.audio_tracks() for c in t.find_clips()]
