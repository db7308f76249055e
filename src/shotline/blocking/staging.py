"""stage_scene: a scene's plan staged in 3D, one Stage per shot.

The set, the marks and the props belong to the scene and are the same objects in
every one of its stages; only the camera changes from shot to shot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shotline.blocking import aims
from shotline.blocking.actors import place_actors
from shotline.blocking.aims import Aim
from shotline.blocking.body import eye_z
from shotline.blocking.cameras import place, pov
from shotline.blocking.framing import INSERT_SCALE, framed_height
from shotline.blocking.geometry import LINE_Y, heading
from shotline.blocking.lens import Lens, shot_lens, usable_aspect
from shotline.blocking.moves import camera_end
from shotline.blocking.props import place_props
from shotline.blocking.sets import build_set, is_scale, place_of
from shotline.blocking.sides import read_sides
from shotline.blocking.subjects import Cast, hand_point, unlisted_things
from shotline.model.appearance import appearance_for
from shotline.model.breakdown import SceneBreakdown
from shotline.model.shots import Framing, Movement, ScenePlan, Shot, ShotSize
from shotline.model.stage import ActorMark, Camera, SetPiece, Stage

S = ShotSize
STANDING_EYES = 1.6  # where a camera stands when there is nobody to take the height from
AVERAGE_HEIGHT = 1.72
_HEIGHTS = (0.3, 3.0)  # a height outside this is a mistake, not a person
_HAND_DETAIL = 0.25  # an insert on a person frames their hands
_ON_THE_ACTION = "on the action"  # the planner's words for a shot of whoever does something


@dataclass(frozen=True, slots=True)
class Blocking:
    """What a scene's shots share: the set, the marks, the props."""

    set: SetPiece
    cast: Cast


def _height(name: str, heights: Mapping[str, float] | None) -> float:
    given = heights.get(name) if heights is not None else None
    if isinstance(given, int | float) and math.isfinite(given):
        return min(max(float(given), _HEIGHTS[0]), _HEIGHTS[1])
    return appearance_for(name).height


def block_scene(plan: ScenePlan, scene: SceneBreakdown,
                heights: Mapping[str, float] | None = None) -> Blocking:
    """The set, the actors' marks and the props' marks of a scene."""
    present = tuple(dict.fromkeys(n for n in (*scene.characters, *scene.speaking)
                                  if isinstance(n, str)))
    sides = read_sides(plan.shots, present, scene.speaking)
    # Speakers first: they get the places nearest the principals.
    priority = tuple(dict.fromkeys((*(n for n in scene.speaking if n in present), *present)))
    scale = is_scale(scene, len(present)) or any(
        s.size is S.EWS and s.movement is Movement.CRANE for s in plan.shots)
    setting = place_of(scene, scale)
    placed = place_actors(priority, sides, setting,
                          {n: _height(n, heights) for n in priority})
    by_name = {m.name: m for m in placed}
    actors = tuple(by_name[n] for n in present)
    handlers = [by_name[n] for n in sides.principals if n in by_name] or list(actors[:1])
    listed = list(dict.fromkeys(p for p in scene.elements.get("props", ()) if isinstance(p, str)))
    things = listed + unlisted_things(plan.shots, listed, present)
    props = place_props(things, handlers, actors)
    cast = Cast(actors, props, sides.principals)
    return Blocking(build_set(scene, setting, actors, props), cast)


def _eyes(marks: Sequence[ActorMark]) -> float:
    return max((eye_z(m) for m in marks), default=STANDING_EYES)


def _aim(shot: Shot, blocking: Blocking, lens: Lens, named: list[ActorMark]) -> Aim:
    cast = blocking.cast
    size = shot.size
    things = [p for s in shot.subjects if cast.actor(s) is None and (p := cast.prop(s))]
    if size is S.EWS:
        # The whole set, which holds everyone, whoever the shot names.
        shown = named or list(cast.actors)
        tallest = max((m.height for m in shown), default=AVERAGE_HEIGHT)
        return aims.whole_set(blocking.set, 0.0, _eyes(shown), lens,
                              framed_height(S.EWS, tallest))
    if things and (size is S.INSERT or not named):
        thing = things[0]
        # From the eye height of whoever stands nearest it: the one who handles it.
        handler = min(cast.actors, key=lambda m: math.hypot(m.x - thing.x, m.y - thing.y),
                      default=None)
        eyes = eye_z(handler) if handler is not None else STANDING_EYES
        across = thing.size
        if size is not S.INSERT:  # a close shot of a thing: the size's frame, or more
            across = max(across, framed_height(size, AVERAGE_HEIGHT) / INSERT_SCALE)
        return aims.detail((thing.x, thing.y, thing.z), across, eyes, lens)
    if size is S.INSERT:
        who = named[0] if named else (cast.principals[0] if cast.principals else None)
        if who is not None:
            return aims.detail(hand_point(who), _HAND_DETAIL, eye_z(who), lens)
        return aims.detail((0.0, LINE_Y, 0.75), _HAND_DETAIL, STANDING_EYES, lens)
    if shot.framing is Framing.OTS and named:
        shoulder = named[1] if len(named) > 1 else cast.shoulder(shot, named[0])
        if shoulder is not None:
            return aims.over_shoulder(named[0], shoulder, size, lens)
    if len(named) == 1:
        return aims.single(named[0], size, lens, cast.others(named[0]))
    if named:
        return aims.people(named, size, lens)
    if cast.actors and (shot.subjects or _ON_THE_ACTION in shot.description):
        return aims.people(cast.actors, size, lens)  # the action, everyone in it
    return aims.whole_set(blocking.set, 0.0, STANDING_EYES, lens)  # the place itself


def _direction(named: Sequence[ActorMark]) -> float:
    """Which way along x the shot's subject faces: where a move goes."""
    if len(named) == 1:
        dx = heading(named[0].facing)[0]
        if abs(dx) > 1e-6:
            return math.copysign(1.0, dx)
    return 1.0


def stage_shot(shot: Shot, blocking: Blocking, aspect: float) -> Stage:
    lens = shot_lens(shot, aspect)
    cast = blocking.cast
    named = list(dict.fromkeys(m for s in shot.subjects if (m := cast.actor(s)) is not None))
    cam: Camera
    if shot.framing is Framing.POV and named:
        target = cast.pov_target(shot, named[0])
        cam = pov(named[0], target, shot.angle, lens)
    else:
        aim = _aim(shot, blocking, lens, named)
        target = aim.target
        cam = place(aim, shot.angle, lens)
    end = camera_end(cam, target, shot.movement, _direction(named), f"{shot.scene}/{shot.id}")
    return Stage(shot_id=shot.id, scene=shot.scene, set=blocking.set, actors=cast.actors,
                 props=cast.props, camera=cam, camera_end=end, subjects=tuple(shot.subjects),
                 size=shot.size.value, description=shot.description)


def stage_scene(plan: ScenePlan, scene: SceneBreakdown,
                heights: Mapping[str, float] | None = None,
                aspect: float = 16 / 9) -> tuple[Stage, ...]:
    """One Stage per shot of `plan`, in its order: the scene's set and marks, and each
    shot's camera. `heights` gives characters' heights in metres (by default their
    appearance's); `aspect` is the frame's width over its height, which sets the gate
    height on Super 35. Pure and deterministic; odd input gives a stage, not an error."""
    if not plan.shots:
        return ()
    blocking = block_scene(plan, scene, heights)
    aspect = usable_aspect(aspect)
    return tuple(stage_shot(shot, blocking, aspect) for shot in plan.shots)
