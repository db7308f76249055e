"""USD for previs and virtual production: one stage per scene, from its 3D blocking.

The stage holds the set as simple geometry, a proxy figure per character and a box per
prop on their marks (as in the scene's first shot that has them), and one camera per
shot. Units and axes are the blocking's: metres, z up, the set centred on x with y
running from 0 at the front into the set.

Each shot's camera runs on its own clock, from frame 0 to the shot's last frame; a
moving camera has a time sample at each end. Its transform is translate, then pan about
z, tilt (plus the 90 degrees that turn a USD camera's -z view onto +y) about x, and roll
about the lens axis, so it looks exactly as the previs renderer's camera does.

USD measures the lens and the filmback in tenths of a scene unit: at one metre a unit,
a 35 mm lens is a focal length of 0.35. The real millimetres are in each camera's
``shotline`` custom data too.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pxr import Gf, Kind, Sdf, Usd, UsdGeom, Vt  # type: ignore[import-untyped]

from shotline.blocking.body import top_z
from shotline.model.stage import SUPER35_WIDTH_MM, ActorMark, Camera, PropMark, SetPiece, Stage

MM_PER_LENS_UNIT = 100.0  # a tenth of a metre
FIGURE_RADIUS = 0.2
ROOM_MARGIN = 0.6  # the previs room grows to hold every mark by this much
MIN_ROOM = 2.0
DEFAULT_WALL_HEIGHT = 2.7  # an interior with no usable height, as the previs draws it
WALL = 0.1
FLOOR = 0.02

Colour = tuple[float, float, float]
FLOOR_COLOUR: Colour = (0.42, 0.38, 0.34)
GROUND_COLOUR: Colour = (0.36, 0.40, 0.30)
WALL_COLOUR: Colour = (0.82, 0.78, 0.70)
PROP_COLOUR: Colour = (0.85, 0.55, 0.20)
FIGURE_COLOURS: tuple[Colour, ...] = (
    (0.80, 0.30, 0.30), (0.25, 0.45, 0.80), (0.30, 0.65, 0.35), (0.75, 0.55, 0.15),
    (0.55, 0.35, 0.70), (0.20, 0.60, 0.65), (0.85, 0.45, 0.60), (0.50, 0.50, 0.50),
)


def identifier(text: str) -> str:
    """A valid USD prim name for any text: ASCII letters, digits and underscores, not
    starting with a digit. ASCII keeps the names safe in every DCC."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_")
    return name if name[:1].isalpha() else f"_{name}"


class PrimNames:
    """Prim names for the children of one prim: valid, distinct for distinct texts,
    and the same for the same text."""

    def __init__(self) -> None:
        self._given: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, text: str) -> str:
        if text in self._given:
            return self._given[text]
        name = base = identifier(text)
        n = 2
        while name in self._taken:
            name, n = f"{base}_{n}", n + 1
        self._given[text] = name
        self._taken.add(name)
        return name


def scene_stage(scene: str, heading: str, stages: Sequence[Stage], fps: int,
                frames: Mapping[str, int]) -> bytes:
    """The scene's USD stage as .usda text. `frames` gives each shot's length in the
    cut, in frames; a shot missing from it lasts a second."""
    fps = max(fps, 1)
    lengths = {s.shot_id: max(frames.get(s.shot_id, fps), 1) for s in stages}
    last = {shot: max(n - 1, 1) for shot, n in lengths.items()}  # a move needs two frames
    stage = Usd.Stage.CreateInMemory()
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    UsdGeom.SetStageMetersPerUnit(stage, UsdGeom.LinearUnits.meters)
    stage.SetTimeCodesPerSecond(fps)
    stage.SetFramesPerSecond(fps)
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(max(last.values(), default=0))
    layer = stage.GetRootLayer()
    layer.documentation = heading
    layer.customLayerData = {"shotline": {"scene": scene, "heading": heading}}

    root = _model(stage, Sdf.Path.absoluteRootPath.AppendChild(identifier(f"Scene {scene}")),
                  Kind.Tokens.assembly)
    root.SetDocumentation(heading)
    stage.SetDefaultPrim(root)
    if stages:
        _add_set(stage, root.GetPath().AppendChild("Set"), stages)
        _add_characters(stage, root.GetPath().AppendChild("Characters"), stages)
        _add_props(stage, root.GetPath().AppendChild("Props"), stages)
        _add_cameras(stage, root.GetPath().AppendChild("Cameras"), stages, lengths, last)
    text: str = layer.ExportToString()
    return text.encode("utf-8")


def check_compliance(path: Path) -> list[str]:
    """What usdchecker's default (non-ARKit) rules and the model hierarchy find wrong
    with a USD file, errors and warnings alike; an empty list when it is compliant."""
    stage = Usd.Stage.Open(str(path))
    try:
        from pxr import UsdValidation
    except ImportError:  # USD before the validation framework: its compliance checker
        from pxr import UsdUtils
        checker = UsdUtils.ComplianceChecker(arkit=False, skipARKitRootLayerCheck=False,
                                             rootPackageOnly=False, skipVariants=False)
        checker.CheckCompliance(str(path))
        found = checker.GetErrors() + checker.GetFailedChecks() + checker.GetWarnings()
        return [str(p) for p in found] + _model_hierarchy(stage)
    registry = UsdValidation.ValidationRegistry()
    names = [m.name for m in registry.GetAllValidatorMetadata()
             if "UsdzValidators" not in m.GetKeywords()]  # as usdchecker without --arkit
    context = UsdValidation.ValidationContext(registry.GetOrLoadValidatorsByName(names))
    serious = (UsdValidation.ValidationErrorType.Error, UsdValidation.ValidationErrorType.Warn)
    found = [str(e.GetErrorAsString()) for e in context.Validate(stage)
             if e.GetType() in serious]
    return found + _model_hierarchy(stage)


def _model_hierarchy(stage: Any) -> list[str]:
    """A model kind only counts under an unbroken chain of group models."""
    problems = []
    for prim in stage.Traverse():
        kind = Usd.ModelAPI(prim).GetKind()
        if kind and Kind.Registry.IsA(kind, Kind.Tokens.model) and not prim.IsModel():
            problems.append(f"{prim.GetPath()}: kind {kind} breaks the model hierarchy")
    return problems


def _model(stage: Any, path: Any, kind: str) -> Any:
    prim = UsdGeom.Xform.Define(stage, path).GetPrim()
    Usd.ModelAPI(prim).SetKind(kind)
    return prim


def _finish(gprim: Any, colour: Colour) -> None:
    """Author the extent the schema computes and a flat colour."""
    gprim.CreateExtentAttr(UsdGeom.Boundable.ComputeExtentFromPlugins(
        gprim, Usd.TimeCode.Default()))
    gprim.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(*colour)]))


def _box(stage: Any, path: Any, centre: tuple[float, float, float],
         dims: tuple[float, float, float], colour: Colour) -> None:
    cube = UsdGeom.Cube.Define(stage, path)
    cube.CreateSizeAttr(1.0)
    cube.AddTranslateOp().Set(Gf.Vec3d(*centre))
    cube.AddScaleOp().Set(Gf.Vec3f(*dims))
    _finish(cube, colour)


def _room(piece: SetPiece, stages: Sequence[Stage]) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 of the floor: the set, grown to hold every mark of every shot as
    the previs room is."""
    w, d = max(piece.width, MIN_ROOM), max(piece.depth, MIN_ROOM)
    x0, x1, y0, y1 = -w / 2, w / 2, 0.0, d
    for s in stages:
        for x, y in [(a.x, a.y) for a in s.actors] + [(p.x, p.y) for p in s.props]:
            if math.isfinite(x) and math.isfinite(y):
                x0, x1 = min(x0, x - ROOM_MARGIN), max(x1, x + ROOM_MARGIN)
                y0, y1 = min(y0, y - ROOM_MARGIN), max(y1, y + ROOM_MARGIN)
    return x0, x1, y0, y1


def _add_set(stage: Any, path: Any, stages: Sequence[Stage]) -> None:
    piece = stages[0].set
    prim = _model(stage, path, Kind.Tokens.component)
    prim.SetCustomDataByKey("shotline", {
        "location": piece.location, "kind": piece.kind, "daylight": piece.daylight,
        "time_of_day": piece.time_of_day or ""})
    x0, x1, y0, y1 = _room(piece, stages)
    cx, cy, w, d = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    interior = piece.kind == "interior"
    _box(stage, path.AppendChild("Floor"), (cx, cy, -FLOOR / 2), (w, d, FLOOR),
         FLOOR_COLOUR if interior else GROUND_COLOUR)
    if not interior:
        return
    h = piece.height if piece.height >= MIN_ROOM else DEFAULT_WALL_HEIGHT
    # Back, left and right walls, outside the floor; the front stays open to the camera.
    _box(stage, path.AppendChild("BackWall"), (cx, y1 + WALL / 2, h / 2),
         (w + 2 * WALL, WALL, h), WALL_COLOUR)
    for name, x in (("LeftWall", x0 - WALL / 2), ("RightWall", x1 + WALL / 2)):
        _box(stage, path.AppendChild(name), (x, cy, h / 2), (WALL, d, h), WALL_COLOUR)


def _figure_colour(name: str) -> Colour:
    """A colour fixed by the name, so a character looks the same in every scene."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return FIGURE_COLOURS[digest[0] % len(FIGURE_COLOURS)]


def _add_characters(stage: Any, path: Any, stages: Sequence[Stage]) -> None:
    group = _model(stage, path, Kind.Tokens.group)
    group.SetDocumentation("One proxy figure per character, on its mark in the first shot "
                           "it is in; every shot's [x, y, facing] is in shotline:marks")
    marks: dict[str, dict[str, Any]] = {}
    first: dict[str, ActorMark] = {}
    for s in stages:
        for a in s.actors:
            first.setdefault(a.name, a)
            marks.setdefault(a.name, {})[s.shot_id] = Gf.Vec3d(a.x, a.y, a.facing)
    names = PrimNames()
    for name, mark in first.items():
        figure_path = path.AppendChild(names(name))
        figure = _model(stage, figure_path, Kind.Tokens.component)
        xform = UsdGeom.Xformable(figure)
        xform.AddTranslateOp().Set(Gf.Vec3d(mark.x, mark.y, 0.0))
        xform.AddRotateZOp().Set(mark.facing)  # local +y is the way the figure faces
        figure.SetCustomDataByKey("shotline", {
            "character": name, "posture": mark.posture, "height": mark.height,
            "marks": marks[name]})

        height = mark.height if mark.height > 0 else 1.7
        top = top_z(height, mark.posture)  # head top, as the blocking frames it
        if mark.posture == "lying":  # on the back along the facing, head first
            radius, length, axis = top / 2, height, UsdGeom.Tokens.y
        else:
            radius, length, axis = min(FIGURE_RADIUS, top / 2), top, UsdGeom.Tokens.z
        body = UsdGeom.Capsule.Define(stage, figure_path.AppendChild("Body"))
        body.CreateAxisAttr(axis)
        body.CreateRadiusAttr(radius)
        body.CreateHeightAttr(max(length - 2 * radius, 0.0))  # the capsule's straight part
        body.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, top / 2))
        _finish(body, _figure_colour(name))


def _add_props(stage: Any, path: Any, stages: Sequence[Stage]) -> None:
    _model(stage, path, Kind.Tokens.group)
    marks: dict[str, dict[str, Any]] = {}
    first: dict[str, PropMark] = {}
    for s in stages:
        for p in s.props:
            first.setdefault(p.name, p)
            marks.setdefault(p.name, {})[s.shot_id] = Gf.Vec3d(p.x, p.y, p.z)
    names = PrimNames()
    for name, prop in first.items():
        prop_path = path.AppendChild(names(name))
        prim = _model(stage, prop_path, Kind.Tokens.component)
        UsdGeom.Xformable(prim).AddTranslateOp().Set(Gf.Vec3d(prop.x, prop.y, prop.z))
        prim.SetCustomDataByKey("shotline", {"prop": name, "size": prop.size,
                                             "marks": marks[name]})
        cube = UsdGeom.Cube.Define(stage, prop_path.AppendChild("Shape"))
        cube.CreateSizeAttr(max(prop.size, 0.01))
        _finish(cube, PROP_COLOUR)


def _pose(cam: Camera) -> tuple[Any, float, float, float]:
    """Translate, pan, tilt and roll op values. A USD camera looks down its -z with +y
    up: 90 degrees about x turns that onto the blocking's level view along +y. The
    renderer's positive roll turns the camera clockwise as it sees, so the other way
    about its view axis."""
    return Gf.Vec3d(cam.x, cam.y, cam.z), cam.pan, cam.tilt + 90.0, -cam.roll


def _add_cameras(stage: Any, path: Any, stages: Sequence[Stage], lengths: Mapping[str, int],
                 last: Mapping[str, int]) -> None:
    UsdGeom.Scope.Define(stage, path)
    names = PrimNames()
    for s in stages:
        camera = UsdGeom.Camera.Define(stage, path.AppendChild(names(f"Shot {s.shot_id}")))
        _move(camera, s.camera, s.camera_end, last[s.shot_id])
        start = s.camera
        sensor = start.sensor_width_mm if start.sensor_width_mm > 0 else SUPER35_WIDTH_MM
        gate = start.sensor_height_mm if start.sensor_height_mm > 0 else sensor * 9 / 16
        camera.CreateHorizontalApertureAttr(sensor / MM_PER_LENS_UNIT)
        camera.CreateVerticalApertureAttr(gate / MM_PER_LENS_UNIT)
        near = start.near if start.near > 0 else 0.05
        camera.CreateClippingRangeAttr(Gf.Vec2f(near, max(start.far, near * 2)))
        camera.GetPrim().SetCustomDataByKey("shotline", {
            "shot": s.shot_id, "size": s.size, "description": s.description,
            "subjects": Vt.StringArray(list(s.subjects)), "frames": lengths[s.shot_id],
            "focal_mm": start.focal_mm, "sensor_width_mm": sensor, "sensor_height_mm": gate,
            "moving": s.camera_end is not None})


def _move(camera: Any, start: Camera, end: Camera | None, last: int) -> None:
    """The camera's transform and lens: still, or sampled at frame 0 and the last frame."""
    ops = (camera.AddTranslateOp(), camera.AddRotateZOp(opSuffix="pan"),
           camera.AddRotateXOp(opSuffix="tilt"), camera.AddRotateZOp(opSuffix="roll"))
    lens = camera.CreateFocalLengthAttr()
    if end is None:
        for op, value in zip(ops, _pose(start), strict=True):
            op.Set(value)
        lens.Set(_lens(start.focal_mm))
        return
    translate, _, tilt, roll = _pose(end)
    end_pan = start.pan + (end.pan - start.pan + 180.0) % 360.0 - 180.0  # the short way
    for op, a, b in zip(ops, _pose(start), (translate, end_pan, tilt, roll), strict=True):
        op.Set(a, 0)
        op.Set(b, last)
    if end.focal_mm == start.focal_mm:
        lens.Set(_lens(start.focal_mm))
    else:
        lens.Set(_lens(start.focal_mm), 0)
        lens.Set(_lens(end.focal_mm), last)


def _lens(mm: float) -> float:
    """Millimetres to USD's tenths of a metre, as the renderer guards a bad focal."""
    return max(mm, 0.1) / MM_PER_LENS_UNIT
