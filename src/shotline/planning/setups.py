"""The camera setups of a scene: made once each, reused for every beat they serve.

A setup is keyed by what the camera sees (who, how close, from where), so a single
of MARA at eye level is one shot however many of her lines it plays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shotline.model.breakdown import SceneBreakdown
from shotline.model.shots import Angle, Framing, Movement, ShotSize
from shotline.planning.drafts import Draft, Rank, Role
from shotline.planning.lenses import lens_for

S = ShotSize


def main_location(location: str) -> str:
    """'OKAFOR HOUSE - KITCHEN' -> 'OKAFOR HOUSE': moving room to room is not a new place."""
    return location.split(" - ", maxsplit=1)[0].strip()


def screen_order(a: str, b: str, sides: dict[str, str]) -> tuple[str, str]:
    """Two people as they stand on screen: whoever looks right is on the left."""
    if sides.get(a) == "left" and sides.get(b) == "right":
        return b, a
    return a, b


def eyelines(speakers: Sequence[str]) -> dict[str, str]:
    """One side of the line for the whole scene: the first principal to speak is screen
    left and looks right, the other screen right and looks left. With more speakers,
    the first half of them (in order of speaking) look right and the rest left."""
    n = len(speakers)
    if n < 2:
        return {}
    return {name: ("right" if i < n / 2 else "left") for i, name in enumerate(speakers)}


class Setups:
    def __init__(self, sides: dict[str, str]) -> None:
        self.sides = sides
        self.drafts: list[Draft] = []  # in order of creation, which is the order of ids
        self._by_key: dict[tuple[object, ...], Draft] = {}

    def add(self, draft: Draft) -> Draft:
        self.drafts.append(draft)
        return draft

    def has(self, *key: object) -> bool:
        return key in self._by_key

    def _get(self, key: tuple[object, ...], make: Callable[[], Draft]) -> Draft:
        draft = self._by_key.get(key)
        if draft is None:
            draft = self._by_key[key] = self.add(make())
        return draft

    def establishing(self, scene: SceneBreakdown, scale: bool, aerial: bool,
                     moving: bool) -> Draft:
        """Exteriors wide on the place; interiors on the outside of the building; scale
        from a crane, high; a moving vehicle tracked."""
        time = f", {scene.time_of_day.lower()}" if scene.time_of_day else ""
        interior = scene.int_ext == "INT"
        size = S.WS if interior else S.EWS
        place = (f"exterior of {main_location(scene.location)}{time}" if interior
                 else f"{scene.location}{time}")
        angle, movement = Angle.EYE_LEVEL, Movement.STATIC
        if scale and not interior:
            angle = Angle.OVERHEAD if aerial else Angle.HIGH
            movement = Movement.CRANE
        elif moving:
            movement = Movement.TRACKING
        return self.add(Draft(size, Framing.GROUP, angle, movement, lens_for(size), (),
                              Rank.ESTABLISHING, role=Role.ESTABLISHING, detail=place))

    def master(self, present: tuple[str, ...], wide: bool, moving: bool) -> Draft:
        """Everyone present, the whole scene: wide outside, for a crowd or an empty place,
        full on one or two people inside."""
        size = S.WS if wide or len(present) >= 3 or not present else S.FS
        framing = (Framing.SINGLE if len(present) == 1 else
                   Framing.TWO_SHOT if len(present) == 2 else Framing.GROUP)
        sides = screen_order(present[0], present[1], self.sides) if len(present) == 2 else None
        return self.add(Draft(size, framing, Angle.EYE_LEVEL,
                              Movement.TRACKING if moving else Movement.STATIC, lens_for(size),
                              sides or present, Rank.MASTER, role=Role.MASTER, sides=sides))

    def single(self, name: str, size: ShotSize, angle: Angle = Angle.EYE_LEVEL) -> Draft:
        return self._get(("single", name, size, angle), lambda: Draft(
            size, Framing.SINGLE, angle, Movement.STATIC, lens_for(size), (name,),
            Rank.SPECIFIC, eyeline=self.sides.get(name)))

    def ots(self, name: str, other: str) -> Draft:
        """Over the listener's shoulder onto the speaker: the dialogue's main coverage."""
        return self._get(("ots", name), lambda: Draft(
            S.MCU, Framing.OTS, Angle.EYE_LEVEL, Movement.STATIC, lens_for(S.MCU), (name,),
            Rank.OTS, shoulder=other, eyeline=self.sides.get(name)))

    def two_shot(self, a: str, b: str, angle: Angle = Angle.EYE_LEVEL) -> Draft:
        left, right = screen_order(a, b, self.sides)
        return self._get(("two", left, right, angle), lambda: Draft(
            S.MS, Framing.TWO_SHOT, angle, Movement.STATIC, lens_for(S.MS), (left, right),
            Rank.SPECIFIC, sides=(left, right)))

    def group(self, subjects: tuple[str, ...]) -> Draft:
        return self._get(("group",), lambda: Draft(
            S.MWS, Framing.GROUP, Angle.EYE_LEVEL, Movement.STATIC, lens_for(S.MWS), subjects,
            Rank.SPECIFIC))

    def insert(self, thing: str) -> Draft:
        return self._get(("insert", thing), lambda: Draft(
            S.INSERT, Framing.SINGLE, Angle.EYE_LEVEL, Movement.STATIC, lens_for(S.INSERT),
            (thing,), Rank.SPECIFIC, detail=thing))

    def pov(self, looker: str, view: str, size: ShotSize) -> Draft:
        return self._get(("pov", looker, view.lower(), size), lambda: Draft(
            size, Framing.POV, Angle.EYE_LEVEL, Movement.STATIC, lens_for(size), (looker,),
            Rank.SPECIFIC, detail=view))

    def scale(self, place: str, aerial: bool) -> Draft:
        angle = Angle.OVERHEAD if aerial else Angle.HIGH
        return self._get(("scale",), lambda: Draft(
            S.EWS, Framing.GROUP, angle, Movement.CRANE, lens_for(S.EWS), (), Rank.SPECIFIC,
            role=Role.SCALE, detail=place))

    def move(self, movement: Movement, subjects: tuple[str, ...], angle: Angle,
             word: str) -> Draft:
        """A push in on an entrance, a tracking shot on travel, handheld in a struggle."""
        size = {Movement.DOLLY_IN: S.MWS, Movement.TRACKING: S.FS}.get(
            movement, S.MS if subjects else S.WS)
        framing = Framing.SINGLE if len(subjects) == 1 else Framing.GROUP
        return self._get(("move", movement, subjects, angle), lambda: Draft(
            size, framing, angle, movement, lens_for(size), subjects, Rank.SPECIFIC,
            role=Role.MOVE, detail=word.lower(),
            eyeline=self.sides.get(subjects[0]) if len(subjects) == 1 else None))
