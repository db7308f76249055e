"""The scene's USD stage: metadata, set, figures, props and shot cameras that see what
the previs renderer draws, checked by re-opening the written .usda."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pxr import Gf, Kind, Sdf, Usd, UsdGeom  # type: ignore[import-untyped]

from shotline.editorial.usd_stage import PrimNames, check_compliance, identifier, scene_stage
from shotline.model.stage import ActorMark, Camera, PropMark, SetPiece, Stage
from shotline.render.projection import camera_basis, project_points
from tests.blocking.helpers import staged
from tests.conftest import SCRIPT

WIDTH = 1600  # the renderer reads the sensor at the image's shape: 16:9 here
ROOM = SetPiece("interior", "OKAFOR HOUSE - KITCHEN", 5.0, 6.0, 2.7, True, "DAY")
HEADINGS = {"1": "INT. KITCHEN - DAY", "2": "EXT. HARBOUR - NIGHT", "3": "INT. VAN - DUSK"}


@pytest.fixture(scope="module")
def scenes() -> dict[str, tuple[Stage, ...]]:
    """The two-room screenplay staged by the real blocking: an interior, an exterior
    with a crane shot, and a van with everyone seated."""
    return {plan.scene: stages for plan, stages in staged(SCRIPT)}


def written(tmp_path: Path, scene: str, stages: Sequence[Stage], fps: int = 24,
            frames: dict[str, int] | None = None) -> tuple[Usd.Stage, Path]:
    path = tmp_path / f"scene_{scene}.usda"
    path.write_bytes(scene_stage(scene, HEADINGS.get(scene, "INT. ROOM - DAY"), stages, fps,
                                 frames or {}))
    stage = Usd.Stage.Open(str(path))
    assert stage
    return stage, path


def shot(shot_id: str, camera: Camera, end: Camera | None = None,
         actors: Sequence[ActorMark] = (), props: Sequence[PropMark] = ()) -> Stage:
    return Stage(shot_id, "12A", ROOM, tuple(actors), tuple(props), camera, end, ("MARA",),
                 "MS", "by hand")


def usd_camera(stage: Usd.Stage, shot_id: str) -> UsdGeom.Camera:
    root = stage.GetDefaultPrim().GetPath()
    camera = UsdGeom.Camera.Get(stage, root.AppendPath(f"Cameras/{identifier('Shot ' + shot_id)}"))
    assert camera
    return camera


def view(camera: UsdGeom.Camera, frame: float = 0) -> tuple[np.ndarray, np.ndarray]:
    """World position and rows right, up, forward of a USD camera (it looks down -z)."""
    m = np.array(camera.ComputeLocalToWorldTransform(Usd.TimeCode(frame)))
    return m[3, :3], np.stack([m[0, :3], m[1, :3], -m[2, :3]])


def bounds(prim: Usd.Prim) -> Gf.Range3d:
    """World-space box of a prim and everything under it."""
    return UsdGeom.Imageable(prim).ComputeWorldBound(
        0, UsdGeom.Tokens.default_).ComputeAlignedRange()


def usd_pixels(camera: UsdGeom.Camera, points: np.ndarray, frame: float = 0) -> np.ndarray:
    """Where the USD camera's frustum puts world points, in the renderer's pixels."""
    gf = camera.GetCamera(Usd.TimeCode(frame))
    height = WIDTH * gf.verticalAperture / gf.horizontalAperture
    matrix = np.array(gf.frustum.ComputeViewMatrix() * gf.frustum.ComputeProjectionMatrix())
    clip = np.hstack([points, np.ones((len(points), 1))]) @ matrix
    ndc = clip[:, :2] / clip[:, 3:]
    return np.stack([(ndc[:, 0] + 1) / 2 * WIDTH, (1 - ndc[:, 1]) / 2 * height], axis=1)


def assert_sees_as_renderer(camera: UsdGeom.Camera, cam: Camera, frame: float = 0) -> None:
    position, rows = view(camera, frame)
    basis = camera_basis(cam)  # rows: right, down, forward
    assert position == pytest.approx([cam.x, cam.y, cam.z], abs=1e-9)
    assert rows[0] == pytest.approx(basis[0], abs=1e-6)
    assert rows[1] == pytest.approx(-basis[1], abs=1e-6)
    assert rows[2] == pytest.approx(basis[2], abs=1e-6)
    # Points ahead land on the same pixels as in the previs frame.
    rng = np.random.default_rng(7)
    points = (np.array([cam.x, cam.y, cam.z]) + basis[2] * rng.uniform(1, 8, (40, 1))
              + rng.uniform(-2, 2, (40, 3)))
    height = round(WIDTH * cam.sensor_height_mm / cam.sensor_width_mm)
    expected = project_points(cam, points, WIDTH, height)
    ahead = ~np.isnan(expected[:, 0])
    assert ahead.sum() > 20
    pixels = usd_pixels(camera, points[ahead], frame)
    assert pixels == pytest.approx(expected[ahead], rel=1e-6, abs=1e-3)


def test_stage_metadata(tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    stages = scenes["1"]
    stage, _ = written(tmp_path, "1", stages, fps=25, frames={stages[0].shot_id: 100})
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    assert stage.GetDefaultPrim().GetPath() == Sdf.Path("/Scene_1")
    assert Usd.ModelAPI(stage.GetDefaultPrim()).GetKind() == Kind.Tokens.assembly
    assert stage.GetTimeCodesPerSecond() == stage.GetFramesPerSecond() == 25
    assert (stage.GetStartTimeCode(), stage.GetEndTimeCode()) == (0, 99)
    layer = stage.GetRootLayer()
    assert layer.documentation == HEADINGS["1"]
    assert stage.GetDefaultPrim().GetDocumentation() == HEADINGS["1"]
    assert layer.customLayerData["shotline"] == {"scene": "1", "heading": HEADINGS["1"]}


def test_set_is_a_floor_and_three_walls_inside_a_model_hierarchy(
        tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    stage, _ = written(tmp_path, "1", scenes["1"])
    root = stage.GetDefaultPrim().GetPath()
    piece = stage.GetPrimAtPath(root.AppendChild("Set"))
    assert piece.IsModel() and Usd.ModelAPI(piece).GetKind() == Kind.Tokens.component
    assert [c.GetName() for c in piece.GetChildren()] == [
        "Floor", "BackWall", "LeftWall", "RightWall"]
    floor = UsdGeom.Cube(piece.GetChild("Floor"))
    box = bounds(floor.GetPrim())
    room = scenes["1"][0].set
    assert box.GetMax()[2] == pytest.approx(0.0, abs=1e-6)  # the floor's top is z = 0
    assert box.GetSize()[0] >= room.width and box.GetSize()[1] >= room.depth
    assert floor.GetDisplayColorAttr().Get()
    wall = bounds(piece.GetChild("BackWall"))
    assert wall.GetMax()[2] == pytest.approx(room.height)

    exterior, _ = written(tmp_path, "2", scenes["2"])
    ground = exterior.GetDefaultPrim().GetChild("Set")
    assert [c.GetName() for c in ground.GetChildren()] == ["Floor"]


def test_one_camera_per_shot_with_the_real_lens(
        tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    stages = scenes["1"]
    stage, _ = written(tmp_path, "1", stages)
    cameras = stage.GetDefaultPrim().GetChild("Cameras").GetChildren()
    assert [c.GetName() for c in cameras] == [f"Shot_{s.shot_id}" for s in stages]
    for s in stages:
        camera, cam = usd_camera(stage, s.shot_id), s.camera
        # USD's lens units are tenths of a scene unit: 100 mm at a metre a unit.
        assert camera.GetFocalLengthAttr().Get() == pytest.approx(cam.focal_mm / 100)
        assert camera.GetHorizontalApertureAttr().Get() == pytest.approx(cam.sensor_width_mm / 100)
        assert camera.GetVerticalApertureAttr().Get() == pytest.approx(cam.sensor_height_mm / 100)
        assert tuple(camera.GetClippingRangeAttr().Get()) == pytest.approx((cam.near, cam.far))
        gf = camera.GetCamera(Usd.TimeCode(0))
        hfov = math.degrees(2 * math.atan(cam.sensor_width_mm / (2 * cam.focal_mm)))
        assert gf.GetFieldOfView(Gf.Camera.FOVHorizontal) == pytest.approx(hfov, rel=1e-5)
        data = camera.GetPrim().GetCustomDataByKey("shotline")
        assert (data["shot"], data["size"], data["description"]) == (
            s.shot_id, s.size, s.description)
        assert list(data["subjects"]) == list(s.subjects)
        assert data["focal_mm"] == cam.focal_mm and data["frames"] == 24  # a second by default
        assert_sees_as_renderer(camera, cam)


def test_view_direction_follows_pan_tilt_and_roll(tmp_path: Path) -> None:
    cases = {
        "P0": Camera(0, -2, 1.6, 0, 0, 0, 35),      # along +y
        "P90": Camera(0, -2, 1.6, 90, 0, 0, 35),    # counter-clockwise from above: -x
        "PM90": Camera(0, -2, 1.6, -90, 0, 0, 35),  # +x
        "T30": Camera(1, 0, 1.2, 0, 30, 0, 50),
        "R10": Camera(1, 0, 1.2, 45, -10, 10, 50),
        "TOP": Camera(0, 3, 6, 30, -90, 0, 24),     # straight down, screen up along the pan
    }
    stages = [shot(name, cam) for name, cam in cases.items()]
    stage, _ = written(tmp_path, "12A", stages)
    forward = {name: view(usd_camera(stage, name))[1][2] for name in cases}
    assert forward["P0"] == pytest.approx([0, 1, 0], abs=1e-6)
    assert forward["P90"] == pytest.approx([-1, 0, 0], abs=1e-6)
    assert forward["PM90"] == pytest.approx([1, 0, 0], abs=1e-6)
    s30 = math.sin(math.radians(30))
    assert forward["T30"] == pytest.approx([0, math.cos(math.radians(30)), s30], abs=1e-6)
    assert forward["TOP"] == pytest.approx([0, 0, -1], abs=1e-6)
    right = view(usd_camera(stage, "R10"))[1][0]
    assert right[2] < 0  # rolled clockwise as the camera sees: its right edge dips
    for name, cam in cases.items():
        assert_sees_as_renderer(usd_camera(stage, name), cam)


def test_a_moving_camera_runs_from_the_first_to_the_last_frame(
        tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    moving = [s for s in scenes["2"] if s.camera_end is not None]
    assert moving  # the establishing crane
    s = moving[0]
    stage, _ = written(tmp_path, "2", scenes["2"], frames={s.shot_id: 72})
    camera = usd_camera(stage, s.shot_id)
    for op in camera.GetOrderedXformOps():
        assert op.GetTimeSamples() == [0, 71]
    assert camera.GetFocalLengthAttr().GetTimeSamples() == []  # a crane keeps its lens
    assert_sees_as_renderer(camera, s.camera, 0)
    assert s.camera_end is not None
    assert_sees_as_renderer(camera, s.camera_end, 71)
    assert stage.GetEndTimeCode() == 71
    still = next(x for x in scenes["2"] if x.camera_end is None)
    assert all(not op.GetTimeSamples()
               for op in usd_camera(stage, still.shot_id).GetOrderedXformOps())


def test_a_pan_across_the_back_goes_the_short_way_and_a_zoom_animates_the_lens(
        tmp_path: Path) -> None:
    start = Camera(0, 0, 1.6, 170, 0, 0, 25)
    end = replace(start, pan=-170, focal_mm=50)
    stage, _ = written(tmp_path, "12A", [shot("12A", start, end)], frames={"12A": 48})
    camera = usd_camera(stage, "12A")
    pan = next(op for op in camera.GetOrderedXformOps() if op.GetOpName().endswith(":pan"))
    assert pan.Get(0) == pytest.approx(170) and pan.Get(47) == pytest.approx(190)
    assert pan.Get(23.5) == pytest.approx(180)
    lens = camera.GetFocalLengthAttr()
    assert lens.GetTimeSamples() == [0, 47]
    assert (lens.Get(0), lens.Get(47)) == pytest.approx((0.25, 0.5))
    assert_sees_as_renderer(camera, end, 47)


def test_characters_stand_on_their_first_marks(
        tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    stages = scenes["1"]
    stage, _ = written(tmp_path, "1", stages)
    group = stage.GetDefaultPrim().GetChild("Characters")
    assert Usd.ModelAPI(group).GetKind() == Kind.Tokens.group
    names = {a.name for s in stages for a in s.actors}
    assert {c.GetName() for c in group.GetChildren()} == names
    for name in names:
        mark = next(a for s in stages for a in s.actors if a.name == name)
        figure = group.GetChild(name)
        assert figure.IsModel()
        data = figure.GetCustomDataByKey("shotline")
        assert data["character"] == name
        assert set(data["marks"]) == {s.shot_id for s in stages if mark in s.actors}
        body = UsdGeom.Capsule(figure.GetChild("Body"))
        box = bounds(body.GetPrim())
        centre = box.GetMidpoint()
        assert (centre[0], centre[1]) == pytest.approx((mark.x, mark.y), abs=1e-6)
        assert box.GetMin()[2] == pytest.approx(0, abs=1e-6)
        assert box.GetMax()[2] == pytest.approx(mark.height, abs=1e-6)
        assert body.GetDisplayColorAttr().Get()
        matrix = UsdGeom.Xformable(figure).ComputeLocalToWorldTransform(0)
        ahead = matrix.TransformDir(Gf.Vec3d(0, 1, 0))
        facing = math.radians(mark.facing)
        assert tuple(ahead) == pytest.approx((-math.sin(facing), math.cos(facing), 0), abs=1e-6)


def test_seated_and_lying_figures_are_lower(
        tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    stage, _ = written(tmp_path, "3", scenes["3"])
    for figure in stage.GetDefaultPrim().GetChild("Characters").GetChildren():
        height = figure.GetCustomDataByKey("shotline")["height"]
        top = bounds(figure).GetMax()[2]
        assert figure.GetCustomDataByKey("shotline")["posture"] == "sitting"
        assert 0.45 < top < height

    lying = ActorMark("MARA O'NEIL", 0.5, 3.0, 90, 1.7, "lying")
    stage, _ = written(tmp_path, "12A", [shot("12A", Camera(0, -2, 1.6, 0, 0, 0, 35),
                                              actors=[lying])])
    figure = stage.GetDefaultPrim().GetChild("Characters").GetChild("MARA_O_NEIL")
    box = bounds(figure)
    assert box.GetMax()[2] < 0.5  # on the floor
    assert box.GetSize()[0] == pytest.approx(1.7)  # lengthwise along its facing: -x
    assert figure.GetCustomDataByKey("shotline")["character"] == "MARA O'NEIL"


def test_props_sit_on_their_marks(tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    stages = scenes["1"]
    stage, _ = written(tmp_path, "1", stages)
    group = stage.GetDefaultPrim().GetChild("Props")
    props = {p.name: p for s in reversed(stages) for p in s.props}
    assert props
    assert {c.GetCustomDataByKey("shotline")["prop"] for c in group.GetChildren()} == set(props)
    for child in group.GetChildren():
        prop = props[child.GetCustomDataByKey("shotline")["prop"]]
        box = bounds(child)
        assert tuple(box.GetMidpoint()) == pytest.approx((prop.x, prop.y, prop.z), abs=1e-6)
        assert box.GetSize()[0] == pytest.approx(prop.size)


def test_odd_names_and_ids_become_distinct_prim_names(tmp_path: Path) -> None:
    cam = Camera(0, -2, 1.6, 0, 0, 0, 35)
    actors = [ActorMark("MARA O'NEIL", -1, 3, 0, 1.7), ActorMark("MARA O NEIL", 1, 3, 0, 1.7),
              ActorMark("JOSÉ", 0, 4, 0, 1.8), ActorMark("2ND COP", 2, 4, 0, 1.8)]
    props = [PropMark("mug", 0, 3, 0.9, 0.1), PropMark("MUG", 1, 3, 0.9, 0.1)]
    stages = [shot("12A-A", cam, actors=actors, props=props), shot("12A A", cam)]
    stage, path = written(tmp_path, "12A", stages, frames={"12A-A": 12})
    root = stage.GetDefaultPrim()
    assert root.GetName() == "Scene_12A"
    assert [c.GetName() for c in root.GetChild("Characters").GetChildren()] == [
        "MARA_O_NEIL", "MARA_O_NEIL_2", "JOSE", "_2ND_COP"]
    assert [c.GetName() for c in root.GetChild("Props").GetChildren()] == ["mug", "MUG"]
    assert [c.GetName() for c in root.GetChild("Cameras").GetChildren()] == [
        "Shot_12A_A", "Shot_12A_A_2"]
    assert stage.GetEndTimeCode() == 23  # the second shot gets the default second
    assert check_compliance(path) == []


def test_every_scene_is_compliant(tmp_path: Path, scenes: dict[str, tuple[Stage, ...]]) -> None:
    for scene, stages in scenes.items():
        _, path = written(tmp_path, scene, stages, frames={stages[0].shot_id: 48})
        assert check_compliance(path) == []
    _, path = written(tmp_path, "9", [])
    assert check_compliance(path) == []


def test_the_checker_finds_problems(tmp_path: Path) -> None:
    bare = Usd.Stage.CreateInMemory()
    UsdGeom.Xform.Define(bare, "/World")
    path = tmp_path / "bare.usda"
    bare.GetRootLayer().Export(str(path))
    problems = check_compliance(path)
    assert any("upAxis" in p for p in problems) and any("defaultPrim" in p for p in problems)

    broken = Usd.Stage.CreateInMemory()
    UsdGeom.SetStageUpAxis(broken, UsdGeom.Tokens.z)
    UsdGeom.SetStageMetersPerUnit(broken, 1.0)
    broken.SetDefaultPrim(UsdGeom.Xform.Define(broken, "/World").GetPrim())
    Usd.ModelAPI(UsdGeom.Xform.Define(broken, "/World/Prop").GetPrim()).SetKind(
        Kind.Tokens.component)  # under a prim with no kind
    path = tmp_path / "broken.usda"
    broken.GetRootLayer().Export(str(path))
    assert check_compliance(path) == ["/World/Prop: kind component breaks the model hierarchy"]


@given(st.text())
def test_any_text_is_a_valid_identifier(text: str) -> None:
    assert Sdf.Path.IsValidIdentifier(identifier(text))


@given(st.lists(st.text(max_size=12), unique=True, max_size=30))
def test_distinct_texts_get_distinct_names(texts: list[str]) -> None:
    names = PrimNames()
    given_names = [names(t) for t in texts]
    assert all(Sdf.Path.IsValidIdentifier(n) for n in given_names)
    assert len(set(given_names)) == len(texts)
    assert [names(t) for t in texts] == given_names  # the same text keeps its name
