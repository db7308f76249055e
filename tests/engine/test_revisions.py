"""Matching the scenes of a revision to the old ones, and numbering them."""

from __future__ import annotations

from shotline.engine.revisions import (
    KnownScene,
    NewScene,
    assign_numbers,
    match_scenes,
    scene_report,
)


def old(number: str, heading: str, text: str, position: int) -> KnownScene:
    return KnownScene(number, heading, f"h-{text}", text, position)


def new(heading: str, text: str, number: str | None = None) -> NewScene:
    return NewScene(heading, number, f"h-{text}", text)


OLD = [
    old("1", "INT. KITCHEN - DAY", "Mara makes tea. She waits for the kettle.", 0),
    old("2", "EXT. HARBOUR - NIGHT", "Boats knock together in the dark water.", 1),
    old("3", "INT. VAN - DUSK", "Teo drives. The radio crackles with the forecast.", 2),
]


def test_unchanged_script_matches_everything_unchanged() -> None:
    scenes = [new(o.heading, o.text) for o in OLD]
    matching = match_scenes(OLD, scenes)
    assert [m.status for m in matching.matches] == ["unchanged"] * 3
    assert assign_numbers(scenes, matching, set()) == ["1", "2", "3"]


def test_inserted_scene_gets_the_previous_number_and_a_letter() -> None:
    scenes = [new(OLD[0].heading, OLD[0].text), new("EXT. ROAD - DAY", "A lorry passes."),
              new(OLD[1].heading, OLD[1].text), new(OLD[2].heading, OLD[2].text)]
    matching = match_scenes(OLD, scenes)
    assert [m.status for m in matching.matches] == ["unchanged", "added", "unchanged",
                                                    "unchanged"]
    assert assign_numbers(scenes, matching, set()) == ["1", "1A", "2", "3"]


def test_omitted_scene_retires_its_number() -> None:
    scenes = [new(OLD[0].heading, OLD[0].text), new(OLD[2].heading, OLD[2].text),
              new("EXT. PIER - NIGHT", "Gulls.")]
    matching = match_scenes(OLD, scenes)
    assert [o.number for o in matching.omitted] == ["2"]
    # "3A" follows 3; 2 is retired and never reused.
    assert assign_numbers(scenes, matching, {"2"}) == ["1", "3", "3A"]


def test_edited_scene_matches_by_heading_and_similar_text() -> None:
    scenes = [new(OLD[0].heading, "Mara makes tea. She waits for the kettle to boil."),
              new(OLD[1].heading, OLD[1].text), new(OLD[2].heading, OLD[2].text)]
    matching = match_scenes(OLD, scenes)
    assert [m.status for m in matching.matches] == ["changed", "unchanged", "unchanged"]
    report = scene_report(scenes, matching, assign_numbers(scenes, matching, set()))
    assert report["changed"][0]["number"] == "1"
    assert report["changed"][0]["what"] == ["1 line added, 1 removed"]


def test_moved_scene_keeps_its_number() -> None:
    scenes = [new(OLD[2].heading, OLD[2].text), new(OLD[0].heading, OLD[0].text),
              new(OLD[1].heading, OLD[1].text)]
    matching = match_scenes(OLD, scenes)
    numbers = assign_numbers(scenes, matching, set())
    assert numbers == ["3", "1", "2"]
    # One scene moved to the front explains the new order.
    assert [m["number"] for m in scene_report(scenes, matching, numbers)["moved"]] == ["3"]


def test_heading_rewritten_but_text_kept_still_matches() -> None:
    scenes = [new("INT. KITCHEN - NIGHT", OLD[0].text), new(OLD[1].heading, OLD[1].text),
              new(OLD[2].heading, OLD[2].text)]
    matching = match_scenes(OLD, scenes)
    assert matching.matches[0].old == OLD[0]


def test_script_numbers_win() -> None:
    scenes = [new("INT. A - DAY", "x", "10"), new("INT. B - DAY", "y", "11")]
    matching = match_scenes([], scenes)
    assert assign_numbers(scenes, matching, set()) == ["10", "11"]


def test_first_revision_numbers_from_one() -> None:
    scenes = [new("INT. A - DAY", "x"), new("INT. B - DAY", "y")]
    assert assign_numbers(scenes, match_scenes([], scenes), set()) == ["1", "2"]


def test_scene_added_before_the_first() -> None:
    scenes = [new("EXT. PROLOGUE - DAY", "Fog."), *(new(o.heading, o.text) for o in OLD)]
    matching = match_scenes(OLD, scenes)
    assert assign_numbers(scenes, matching, set()) == ["A1", "1", "2", "3"]
