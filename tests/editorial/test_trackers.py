"""Shot lists, assets and casting in the import layouts of Kitsu and ShotGrid."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.animatic import frame_count
from shotline.breakdown import build_breakdown
from shotline.editorial.trackers import (
    TRACKER_FILES,
    cell_text,
    kitsu_assets,
    kitsu_casting,
    kitsu_shots,
    neutralise,
    sequence_name,
    shot_description,
    shotgrid_assets,
    shotgrid_sequences,
    shotgrid_shots,
    tracker_files,
)
from shotline.model.breakdown import Breakdown
from shotline.model.shots import ShotPlan
from shotline.planning import plan_script
from shotline.script import parse_fountain

# Two scenes: a dialogue scene whose edit cuts back to a shot (1C plays twice), props,
# an animal and a coat; then a vehicle, rain and a jump.
SCRIPT = """\
INT. OKAFOR HOUSE - KITCHEN - DAY

MARA (30s) stands at the sink. TEO (20s) leans in the doorway, keys in hand. A DOG \
sleeps under the table.

MARA
You're late again.

TEO
The ferry was late.

MARA
The ferry is never late.

TEO
Then I was.

Mara sets down a chipped MUG in front of him. Teo takes off his coat.

MARA
Sit down.

EXT. HARBOUR - NIGHT

Rain. Teo runs along the quay and jumps onto the FERRY.

TEO
Wait!
"""

FPS = 24
KITSU_SHOTS = ["Sequence", "Name", "Description", "Nb Frames", "Frame In", "Frame Out", "FPS"]
KITSU_ASSETS = ["Type", "Name", "Description"]
KITSU_CASTING = ["Parent", "Name", "Asset Type", "Asset", "Occurences", "Label"]
SG_SEQUENCES = ["Sequence Code", "Description", "Project"]
SG_SHOTS = ["Shot Code", "Sequence", "Cut Order", "Description", "Status", "Head In", "Cut In",
            "Cut Out", "Tail Out", "Cut Duration", "Assets", "Project"]
SG_ASSETS = ["Asset Name", "Type", "Description", "Project"]


@pytest.fixture(scope="module")
def made() -> tuple[ShotPlan, Breakdown]:
    script = parse_fountain(SCRIPT)
    breakdown = build_breakdown(script)
    return plan_script(script, breakdown), breakdown


def table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    return header, [dict(zip(header, row, strict=True)) for row in body]


def edit_order(plan: ShotPlan) -> list[str]:
    """Shot ids by first appearance in each scene's edit, scene by scene."""
    out: list[str] = []
    for scene in plan.scenes:
        for cut in scene.edit:
            if cut.shot not in out:
                out.append(cut.shot)
    return out


def frames_in_cut(plan: ShotPlan, fps: int) -> dict[str, int]:
    frames: dict[str, int] = {}
    for scene in plan.scenes:
        for cut in scene.edit:
            frames[cut.shot] = frames.get(cut.shot, 0) + max(1, round(cut.duration * fps))
    return frames


def test_the_sample_has_what_the_tests_are_about(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    first = [cut.shot for cut in plan.scenes[0].edit]
    assert len(first) > len(set(first))  # a shot the edit cuts back to
    assert set(edit_order(plan)) < {shot.id for shot in plan.shots}  # and unused shots
    elements = {k for scene in breakdown.scenes for k in scene.elements}
    assert {"props", "vehicles", "animals", "wardrobe", "special_effects",
            "stunts"} <= elements


def test_kitsu_shots_are_in_edit_order_with_their_frames_in_the_cut(
        made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    header, rows = table(kitsu_shots(plan, breakdown, FPS, "Two Rooms"))
    assert header == KITSU_SHOTS
    assert sorted(r["Name"] for r in rows) == sorted(s.id for s in plan.shots)
    used = edit_order(plan)
    assert [r["Name"] for r in rows[:len(used)]] == used
    frames = frames_in_cut(plan, FPS)
    for row in rows[:len(used)]:
        assert int(row["Nb Frames"]) == frames[row["Name"]]
        assert row["Frame In"] == "1001"
        assert int(row["Frame Out"]) - int(row["Frame In"]) + 1 == int(row["Nb Frames"])
        assert row["FPS"] == "24"
    for row in rows[len(used):]:  # coverage the edit leaves out
        assert row["Nb Frames"] == row["Frame In"] == row["Frame Out"] == ""
        assert row["Description"].startswith("Not in the edit. ")
    shots = {s.id: s for s in plan.shots}
    for row in rows:
        shot = shots[row["Name"]]
        assert row["Sequence"] == sequence_name(shot.scene)
        assert row["Description"].endswith(shot.description)
        assert shot.size.value in row["Description"]
        assert f"{shot.lens_mm:g} mm" in row["Description"]


def test_frames_follow_the_animatic_rule_at_any_rate(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    for fps in (1, 23, 25, 30, 60, 120):
        _, rows = table(kitsu_shots(plan, breakdown, fps, "x"))
        expected = {scene_shot: 0 for scene_shot in edit_order(plan)}
        for scene in plan.scenes:
            for cut in scene.edit:
                expected[cut.shot] += frame_count(cut.duration, fps)
        assert {r["Name"]: int(r["Nb Frames"]) for r in rows if r["Nb Frames"]} == expected


def test_a_shot_cut_to_twice_counts_both_cuts(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    scene = plan.scenes[0]
    twice = next(c.shot for c in scene.edit if [x.shot for x in scene.edit].count(c.shot) > 1)
    _, rows = table(kitsu_shots(plan, breakdown, FPS, "x"))
    row = next(r for r in rows if r["Name"] == twice)
    assert int(row["Nb Frames"]) == sum(max(1, round(c.duration * FPS))
                                        for c in scene.edit if c.shot == twice)


def test_start_frame_and_episode(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    header, rows = table(kitsu_shots(plan, breakdown, FPS, "x", "E01", start_frame=101))
    assert header == ["Episode", *KITSU_SHOTS]
    assert {r["Episode"] for r in rows} == {"E01"}
    assert {r["Frame In"] for r in rows if r["Nb Frames"]} == {"101"}
    header, rows = table(kitsu_assets(breakdown, "E01"))
    assert header == ["Episode", *KITSU_ASSETS] and {r["Episode"] for r in rows} == {"E01"}
    header, _ = table(kitsu_casting(plan, breakdown, "E01"))
    assert header == ["Episode", *KITSU_CASTING]
    with pytest.raises(ValueError, match="episode"):
        kitsu_shots(plan, breakdown, FPS, "x", " ")
    with pytest.raises(ValueError, match="start_frame"):
        kitsu_shots(plan, breakdown, FPS, "x", start_frame=-1)
    with pytest.raises(ValueError, match="handles"):
        shotgrid_shots(plan, breakdown, FPS, "x", start_frame=4, handles=8)
    with pytest.raises(ValueError, match="fps"):
        kitsu_shots(plan, breakdown, 0, "x")


def test_assets_hold_the_cast_sets_and_things_to_build(made: tuple[ShotPlan, Breakdown]) -> None:
    _, breakdown = made
    header, rows = table(kitsu_assets(breakdown))
    assert header == KITSU_ASSETS
    types = {r["Name"]: r["Type"] for r in rows}
    assert len(types) == len(rows)  # a name once
    for member in breakdown.cast:
        assert types[member.name] == "Character"
    for location in breakdown.locations:
        assert types[location.name] == "Environment"
    expected = {"props": "Prop", "vehicles": "Vehicle", "animals": "Character",
                "special_effects": "FX"}
    for scene in breakdown.scenes:
        for category, kind in expected.items():
            for term in scene.elements.get(category, ()):
                assert types[term] == kind
        for category in ("wardrobe", "stunts"):  # how someone looks, what they do
            for term in scene.elements.get(category, ()):
                assert term not in types
    sg_header, sg_rows = table(shotgrid_assets(breakdown, "Two Rooms"))
    assert sg_header == SG_ASSETS
    assert [(r["Asset Name"], r["Type"], r["Description"]) for r in sg_rows] == \
        [(r["Name"], r["Type"], r["Description"]) for r in rows]
    assert {r["Project"] for r in sg_rows} == {"Two Rooms"}


def test_kitsu_casting_links_each_shot_to_its_scenes_assets(
        made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    _, assets = table(kitsu_assets(breakdown))
    kinds = {r["Name"]: r["Type"] for r in assets}
    header, rows = table(kitsu_casting(plan, breakdown))
    assert header == KITSU_CASTING
    sheets = {s.number: s for s in breakdown.scenes}
    for shot in plan.shots:
        cast = {r["Asset"] for r in rows if r["Name"] == shot.id}
        sheet = sheets[shot.scene]
        assert set(sheet.characters) | {sheet.location} | set(sheet.elements.get("props", ())) \
            <= cast
        assert cast <= set(kinds)
    scene_of = {shot.id: shot.scene for shot in plan.shots}
    for row in rows:
        assert row["Parent"] == sequence_name(scene_of[row["Name"]])
        assert row["Asset Type"] == kinds[row["Asset"]]
        assert row["Occurences"] == "1"
        assert row["Label"] == ("animate" if row["Asset Type"] == "Character" else "fixed")


def test_shotgrid_shots(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    header, rows = table(shotgrid_shots(plan, breakdown, FPS, "Two Rooms"))
    assert header == SG_SHOTS
    used = edit_order(plan)
    assert [r["Shot Code"] for r in rows[:len(used)]] == used
    assert [r["Cut Order"] for r in rows[:len(used)]] == [str(k + 1) for k in range(len(used))]
    frames = frames_in_cut(plan, FPS)
    for row in rows[:len(used)]:
        cut_in, cut_out = int(row["Cut In"]), int(row["Cut Out"])
        assert cut_in == 1001 and int(row["Head In"]) == cut_in - 8
        assert cut_out - cut_in + 1 == int(row["Cut Duration"]) == frames[row["Shot Code"]]
        assert int(row["Tail Out"]) == cut_out + 8
        assert row["Status"] == "wtg"
    for row in rows[len(used):]:
        assert row["Status"] == "omt"
        assert row["Cut Order"] == row["Cut In"] == row["Cut Out"] == row["Cut Duration"] == ""
    _, assets = table(shotgrid_assets(breakdown, "Two Rooms"))
    names = {r["Asset Name"] for r in assets}
    sheets = {s.number: s for s in breakdown.scenes}
    shots = {s.id: s for s in plan.shots}
    for row in rows:
        linked = row["Assets"].split(", ")
        sheet = sheets[shots[row["Shot Code"]].scene]
        assert set(sheet.characters) | set(sheet.elements.get("props", ())) <= set(linked)
        assert set(linked) <= names
        assert row["Sequence"] == sequence_name(sheet.number)
        assert row["Project"] == "Two Rooms"
    _, rows = table(shotgrid_shots(plan, breakdown, FPS, "x", handles=0))
    assert all(r["Head In"] == r["Cut In"] for r in rows if r["Cut In"])


def test_shotgrid_sequences_come_before_the_shots_that_link_to_them(
        made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    header, rows = table(shotgrid_sequences(plan, breakdown, "Two Rooms"))
    assert header == SG_SEQUENCES
    assert [r["Sequence Code"] for r in rows] == ["SC001", "SC002"]
    assert rows[0]["Description"] == "INT. OKAFOR HOUSE - KITCHEN - DAY"
    _, shots = table(shotgrid_shots(plan, breakdown, FPS, "Two Rooms"))
    assert {r["Sequence"] for r in shots} <= {r["Sequence Code"] for r in rows}


@pytest.mark.parametrize(("scene", "name"), [
    ("1", "SC001"), ("12", "SC012"), ("12A", "SC012A"), ("A1", "SCA1"), ("1234", "SC1234"),
    ("007", "SC007"),
])
def test_sequence_names(scene: str, name: str) -> None:
    assert sequence_name(scene) == name


def test_tracker_files(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    files = tracker_files(plan, breakdown, FPS, "Two Rooms")
    assert tuple(files) == TRACKER_FILES
    assert files["kitsu-shots.csv"] == kitsu_shots(plan, breakdown, FPS, "Two Rooms")
    assert files["shotgrid-shots.csv"] == shotgrid_shots(plan, breakdown, FPS, "Two Rooms")
    for name, text in files.items():
        assert text.endswith("\n") and "\r" not in text, name
        if name.startswith("kitsu"):  # Kitsu's importer sniffs the dialect
            assert csv.Sniffer().sniff(text).delimiter == ",", name


EVIL = '=HYPERLINK("http://example.com/x","click")'


def test_formulas_do_not_reach_the_files(made: tuple[ShotPlan, Breakdown]) -> None:
    plan, breakdown = made
    first = plan.scenes[0]
    shots = tuple(replace(s, description=EVIL) for s in first.shots)
    plan = replace(plan, scenes=(replace(first, shots=shots), *plan.scenes[1:]))
    sheet = breakdown.scenes[0]
    props = {**sheet.elements, "props": ("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "+mug")}
    breakdown = replace(breakdown, scenes=(replace(sheet, elements=props),
                                           *breakdown.scenes[1:]))
    files = tracker_files(plan, breakdown, FPS, "=cmd()", episode="+E01")
    for name, text in files.items():
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    _, assets = table(files["shotgrid-assets.csv"])
    names = {r["Asset Name"] for r in assets}
    assert {"'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "'+mug"} <= names
    assert {r["Project"] for r in assets} == {"'=cmd()"}
    _, sg_rows = table(files["shotgrid-shots.csv"])
    linked = set(sg_rows[0]["Assets"].split(", "))
    assert {"'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "'+mug"} <= linked  # as named
    _, kitsu = table(files["kitsu-shots.csv"])
    assert {r["Episode"] for r in kitsu} == {"'+E01"}
    assert all(EVIL in r["Description"] for r in kitsu if r["Sequence"] == "SC001")


def test_neutralise() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("1001") == "1001"
    assert neutralise("") == ""
    assert neutralise("a=b") == "a=b"


def test_line_breaks_in_a_cell() -> None:
    assert cell_text("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert cell_text("\r=1") == "\n=1"
    assert cell_text("plain") == "plain"


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_any_text_comes_back_from_the_csv(made: tuple[ShotPlan, Breakdown], text: str) -> None:
    """What csv.reader gives back is the text, with line breaks as \\n and the formula
    guard: exactly the text for anything without a carriage return or a formula start."""
    plan, breakdown = made
    scene = plan.scenes[1]
    shot = replace(scene.shots[0], description=text)
    plan = ShotPlan((replace(scene, shots=(shot, *scene.shots[1:])),))
    assert shot_description(shot).endswith(text)
    for layout in (kitsu_shots, shotgrid_shots):
        _, rows = table(layout(plan, breakdown, FPS, "Two Rooms"))
        assert rows[0]["Description"] == cell_text(shot_description(shot))
    _, rows = table(shotgrid_shots(plan, breakdown, FPS, text))
    assert {r["Project"] for r in rows} == {cell_text(text)}
    if "\r" not in text and not text.startswith(("=", "+", "-", "@", "\t")):
        assert cell_text(text) == text
