"""stage_scene end to end: one stage per shot, one set of marks per scene, the 180-degree
rule in every shot, and no odd input that makes it fail."""

from __future__ import annotations

import itertools
import math
import re
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.blocking import stage_scene
from shotline.blocking.body import eye_z
from shotline.blocking.geometry import LINE_Y
from shotline.breakdown import build_breakdown
from shotline.model.shots import Angle, Framing, Movement, ScenePlan, Shot, ShotSize
from shotline.model.stage import SUPER35_WIDTH_MM, Camera, Stage
from shotline.planning import plan_script
from shotline.script import parse_fountain
from tests.blocking.helpers import (
    KITCHEN,
    actor,
    cameras,
    eye_point,
    in_frame,
    plan_of,
    project,
    scene,
    shot,
    staged,
)
from tests.planning.screenplays import MARKET  # the crowd scene the planner is tested on

S = ShotSize

THREE_SCENES = """\
EXT. HARBOUR ROAD - DAY

MARA (30s) runs along the sea wall. HALLORAN (50s) steps out of a police car.

HALLORAN
You can't go out there.

MARA
Watch me.

INT./EXT. TEO'S VAN - MOVING - DUSK

TEO (20s) drives. Mara rides beside him. MEI (8) sleeps in the back.

TEO
Where to?

MARA
The outer barge.

TEO
(beat)
Of course.

The van lurches. Mei wakes and stares at Mara.

INT. HARBOUR POLICE HUT - NIGHT

Halloran picks up the PHONE. Mara bursts in.

MARA
Sound the siren.

HALLORAN
On whose word?

MARA
Mine!
"""
SCREENPLAYS = [KITCHEN, MARKET, THREE_SCENES]


def principals(stage: Stage) -> tuple[str, str] | None:
    """The two on the line: screen left first."""
    on_line = sorted((a for a in stage.actors if a.y == LINE_Y), key=lambda a: a.x)
    return (on_line[0].name, on_line[1].name) if len(on_line) == 2 else None


def screen_x(cam: Camera, stage: Stage, name: str) -> float | None:
    """Where someone's eyes land across the frame, if they are in it."""
    point = eye_point(stage, name)
    p = project(cam, point)
    return p[0] if p is not None and in_frame(cam, point) else None


def check_180(plan: ScenePlan, stages: tuple[Stage, ...]) -> None:
    for stage in stages:
        for cam in cameras(stage):
            assert cam.y < LINE_Y, f"{stage.shot_id}: camera across the line"
        pair = principals(stage)
        if pair is None:
            continue
        for cam in cameras(stage):
            left, right = (screen_x(cam, stage, n) for n in pair)
            if left is not None and right is not None:
                assert left < right, f"{stage.shot_id}: {pair[0]} is right of {pair[1]}"


def two_shot_order(stage: Stage) -> tuple[str, str] | None:
    """A two-shot's people as its description orders them: screen left, screen right."""
    if "two-shot" not in stage.description or len(stage.subjects) != 2:
        return None
    a, b = stage.subjects
    for left, right in ((a, b), (b, a)):
        if f"{left} screen left, {right} screen right" in stage.description:
            return left, right
    return None


def check_descriptions(stages: tuple[Stage, ...]) -> None:
    """Eyelines and two-shot orders land on screen as the plan's descriptions say (where
    the plan does not say both ways: with one speaker on screen, its two-shots keep the
    order their names came in)."""
    orders = {order for s in stages if (order := two_shot_order(s)) is not None}
    for stage in stages:
        cam = stage.camera
        marked = {a.name for a in stage.actors}  # names the breakdown does not list have none
        look = re.search(r"looking screen (left|right)", stage.description)
        if look and stage.subjects and stage.subjects[0] in marked and stage.size != "INSERT":
            mark = actor(stage, stage.subjects[0])
            ahead = (mark.x - 0.3 * math.sin(math.radians(mark.facing)),
                     mark.y + 0.3 * math.cos(math.radians(mark.facing)), eye_z(mark))
            here, there = project(cam, eye_point(stage, mark.name)), project(cam, ahead)
            assert here is not None and there is not None
            assert (there[0] > here[0]) == (look.group(1) == "right"), stage.description
        order = two_shot_order(stage)
        if order is not None and order[::-1] not in orders and set(order) <= marked:
            left, right = (screen_x(cam, stage, n) for n in order)
            assert left is not None and right is not None and left < right, stage.description


@pytest.mark.parametrize("text", SCREENPLAYS)
def test_one_stage_per_shot_in_order(text: str) -> None:
    for plan, stages in staged(text):
        assert [s.shot_id for s in stages] == [s.id for s in plan.shots]
        for stage, planned in zip(stages, plan.shots, strict=True):
            assert stage.scene == planned.scene and stage.size == planned.size.value
            assert stage.subjects == planned.subjects
            assert stage.description == planned.description


@pytest.mark.parametrize("text", SCREENPLAYS)
def test_the_marks_are_the_same_in_every_shot_of_a_scene(text: str) -> None:
    for _, stages in staged(text):
        first = stages[0]
        for stage in stages[1:]:
            assert (stage.set, stage.actors, stage.props) == (first.set, first.actors,
                                                              first.props)


@pytest.mark.parametrize("text", SCREENPLAYS)
def test_the_180_degree_rule(text: str) -> None:
    for plan, stages in staged(text):
        check_180(plan, stages)


@pytest.mark.parametrize("text", SCREENPLAYS)
def test_the_screen_directions_of_the_plan(text: str) -> None:
    for _, stages in staged(text):
        check_descriptions(stages)


def test_the_kitchen_two_hander() -> None:
    ((_, stages),) = staged(KITCHEN)
    assert principals(stages[0]) == ("MARA", "TEO")  # she speaks first: screen left
    assert stages[0].set.kind == "interior" and not stages[0].set.daylight
    names = {p.name for p in stages[0].props}
    assert "mug" in names
    both = [s for s in stages if s.description.startswith("FS master")]
    assert both and all(screen_x(s.camera, s, "MARA") is not None for s in both)


def test_everyone_present_is_in_the_master() -> None:
    ((_, stages),) = staged(MARKET)
    master = next(s for s in stages if "master" in s.description)
    assert {a.name for a in master.actors} == {"JUN", "MEI", "HALLORAN"}
    for a in master.actors:
        assert in_frame(master.camera, eye_point(master, a.name))
    assert master.set.kind == "exterior" and master.set.width > 100  # a crowd scene


@pytest.mark.parametrize("aspect", [16 / 9, 2.39, 1.85])
def test_lens_and_gate(aspect: float) -> None:
    for plan, stages in staged(THREE_SCENES, aspect=aspect):
        for stage, planned in zip(stages, plan.shots, strict=True):
            for cam in cameras(stage):
                assert cam.focal_mm == planned.lens_mm
                assert cam.sensor_width_mm == SUPER35_WIDTH_MM
                assert cam.sensor_height_mm == pytest.approx(SUPER35_WIDTH_MM / aspect)


def test_moving_shots_and_only_they_have_an_end() -> None:
    for plan, stages in staged(THREE_SCENES):
        for stage, planned in zip(stages, plan.shots, strict=True):
            assert (stage.camera_end is None) == (planned.movement is Movement.STATIC)


def test_seated_in_the_van() -> None:
    _, (_, van), _ = staged(THREE_SCENES)
    assert van[0].set.kind == "interior" and not van[0].set.daylight  # dusk plays as night
    assert all(a.posture == "sitting" for a in van[0].actors)


def test_deterministic() -> None:
    once = staged(THREE_SCENES)
    again = staged(THREE_SCENES)
    assert once == again
    for _, stages in once:
        for stage in stages:
            assert Stage.from_dict(stage.to_dict()) == stage


def test_heights_can_be_given() -> None:
    ((plan, _),) = staged(KITCHEN)
    script = parse_fountain(KITCHEN)
    sheet = build_breakdown(script).scenes[0]
    tall = stage_scene(plan, sheet, {"MARA": 2.1})
    assert actor(tall[0], "MARA").height == 2.1
    assert actor(tall[0], "TEO").height == actor(stage_scene(plan, sheet)[0], "TEO").height


def test_a_hundred_characters() -> None:
    names = [f"EXTRA {i}" for i in range(100)]
    sheet = scene(names, speaking=names[:3], location="TOWN SQUARE", int_ext="EXT")
    plan = plan_of(shot(S.WS, names, Framing.GROUP, description="WS master"),
                   shot(S.MCU, (names[0],)), shot(S.MCU, (names[99],)),
                   shot(S.MS, (names[0], names[1]), Framing.TWO_SHOT))
    stages = stage_scene(plan, sheet)
    marks = stages[0].actors
    assert len(marks) == 100
    gap = min(math.hypot(a.x - b.x, a.y - b.y) for a, b in itertools.combinations(marks, 2))
    assert gap >= 0.4
    for mark in marks:
        assert in_frame(stages[0].camera, eye_point(stages[0], mark.name))
    check_180(plan, stages)


def test_no_one_there() -> None:
    sheet = scene((), speaking=(), location="EMPTY HALL", time_of_day=None)
    plan = plan_of(shot(S.WS, (), Framing.GROUP, description="WS master of the place"),
                   shot(S.INSERT, ("clock",)), shot(S.CU, ("ZED",), angle=Angle.HIGH),
                   shot(S.MS, (), Framing.POV, movement=Movement.CRANE))
    stages = stage_scene(plan, sheet)
    assert len(stages) == 4 and stages[0].actors == () and stages[0].set.daylight
    assert [p.name for p in stages[0].props] == ["clock"]  # the insert's thing is on set
    clock = stages[0].props[0]
    assert in_frame(stages[1].camera, (clock.x, clock.y, clock.z))


def test_shots_of_props_and_unknown_names() -> None:
    sheet = scene(props=("compass", "envelope"))
    plan = plan_of(shot(S.INSERT, ("brass compass",)), shot(S.CU, ("envelope",)),
                   shot(S.MCU, ("ZED",)), shot(S.INSERT, ("MARA",)),
                   shot(S.INSERT, ("a thing nobody listed",)))
    stages = stage_scene(plan, sheet)
    compass = next(p for p in stages[0].props if p.name == "compass")
    p = project(stages[0].camera, (compass.x, compass.y, compass.z))
    assert p is not None and max(map(abs, p)) < 1e-6
    assert math.dist((stages[0].camera.x, stages[0].camera.y, stages[0].camera.z),
                     (compass.x, compass.y, compass.z)) == pytest.approx(
        3 * compass.size * 100 / stages[0].camera.sensor_height_mm)
    assert "a thing nobody listed" in {p.name for p in stages[0].props}
    check_180(plan, stages)


def test_odd_numbers_do_not_break_it() -> None:
    sheet = scene(time_of_day="WHENEVER")
    plan = plan_of(shot(S.CU, ("MARA",), lens_mm=0.0), shot(S.MS, ("TEO",), lens_mm=math.nan))
    for aspect in (0.0, -1.0, math.nan, math.inf):
        stages = stage_scene(plan, sheet, {"MARA": math.nan, "TEO": -3.0}, aspect)
        for stage in stages:
            for cam in cameras(stage):
                assert all(math.isfinite(v) for v in (cam.x, cam.y, cam.z, cam.pan, cam.tilt))
                assert cam.sensor_height_mm == pytest.approx(SUPER35_WIDTH_MM * 9 / 16)


def test_an_empty_plan_has_no_stages() -> None:
    assert stage_scene(ScenePlan("1", (), ()), scene()) == ()


def test_fast_on_a_feature_sized_plan() -> None:
    ((plan, _),) = staged(KITCHEN)
    shots = [replace(s, id=f"{i}") for i, s in enumerate(itertools.islice(
        itertools.cycle(plan.shots), 1500))]
    sheet = build_breakdown(parse_fountain(KITCHEN)).scenes[0]
    start = time.perf_counter()
    stages = stage_scene(ScenePlan("1", tuple(shots), ()), sheet)
    assert len(stages) == 1500
    assert time.perf_counter() - start < 1.0


# Generated screenplays -----------------------------------------------------------------

_NAMES = ["MARA", "TEO", "JUN", "MEI", "HALLORAN", "BISCUIT"]
_WORDS = ["looks at the sea", "sets down the MUG", "runs", "enters", "towers over",
          "kneels", "the compass", "sees Teo", "falls", "crowd", "hundreds", "from above",
          "[[shot: CU MARA, low]]", "[[shot: WS, crane]]", "[[shot: two-shot, dutch]]",
          "[[shot: MCU TEO over MARA's shoulder]]", "[[shot: insert compass]]",
          "[[shot: POV JUN, overhead]]", "[[shot: MS, dolly out]]", "walks in", "Teo", "Mara"]


@st.composite
def screenplay(draw: st.DrawFn) -> str:
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["heading", "action", "speech", "speech", "junk"]))
        name = draw(st.sampled_from(_NAMES))
        words = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5)))
        if kind == "heading":
            place = draw(st.sampled_from(["HOUSE - KITCHEN", "CAR", "PIER", "VAN - MOVING",
                                          "WAREHOUSE", "MARKET", ""]))
            when = draw(st.sampled_from(["DAY", "NIGHT", "DUSK", "CONTINUOUS", "", "1962"]))
            prefix = draw(st.sampled_from(["INT.", "EXT.", "INT./EXT.", "EST."]))
            blocks.append(f"{prefix} {place}" + (f" - {when}" if when else ""))
        elif kind == "action":
            blocks.append(f"{name.title()} {words}.")
        elif kind == "speech":
            extension = draw(st.sampled_from(["", " (V.O.)", " (O.S.)"]))
            blocks.append(f"{name}{extension}\n{words.capitalize()}!")
        else:
            blocks.append(draw(st.text(" \nAZaz.!()[]:^~#=@>", max_size=30)))
    return "\n\n".join(blocks) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(screenplay(), st.sampled_from([16 / 9, 2.39, 4 / 3]))
def test_any_screenplay_stages_and_keeps_the_line(text: str, aspect: float) -> None:
    script = parse_fountain(text)
    breakdown = build_breakdown(script)
    for plan, sheet in zip(plan_script(script, breakdown).scenes, breakdown.scenes,
                           strict=True):
        stages = stage_scene(plan, sheet, aspect=aspect)
        assert len(stages) == len(plan.shots)
        assert len({(s.set, s.actors, s.props) for s in stages}) <= 1
        check_180(plan, stages)
        check_descriptions(stages)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text("ABMRT ", min_size=1, max_size=4), max_size=12, unique=True),
       st.lists(st.tuples(st.sampled_from(list(ShotSize)), st.sampled_from(list(Framing)),
                          st.sampled_from(list(Angle)), st.sampled_from(list(Movement)),
                          st.floats(allow_nan=True, allow_infinity=True),
                          st.lists(st.text("ABMRTcx ", max_size=6), max_size=3)),
                max_size=8),
       st.sampled_from([None, "DAY", "NIGHT", "?", ""]))
def test_odd_plans_never_raise(names: list[str], shots: list[tuple[
        ShotSize, Framing, Angle, Movement, float, list[str]]], when: str | None) -> None:
    sheet = scene(names, speaking=names[::2], time_of_day=when)
    plan = plan_of(*(Shot("x", "1", size, framing, angle, movement, lens, tuple(subjects), (),
                          1.0, "")
                     for size, framing, angle, movement, lens, subjects in shots))
    stages = stage_scene(plan, sheet)
    assert len(stages) == len(shots)
    for stage in stages:
        for cam in cameras(stage):
            assert cam.y < LINE_Y
            assert all(math.isfinite(v) for v in (cam.x, cam.y, cam.z, cam.pan, cam.tilt,
                                                  cam.roll, cam.focal_mm))
