"""Who and what a shot is about, found on the stage by name.

Shots name characters as the breakdown lists them and things as the script words them
('brass compass' for the breakdown's 'compass'). Descriptions carry what the fields do
not: whose shoulder an over-the-shoulder is over ("MARA over TEO's shoulder") and what
a POV looks at ("POV MEI looking at Mara").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from shotline.blocking.body import eye_z, hand_z
from shotline.blocking.geometry import Vec3, heading
from shotline.blocking.props import best_match, find_prop, words
from shotline.model.shots import Shot, ShotSize
from shotline.model.stage import ActorMark, PropMark

S = ShotSize
_PAREN = re.compile(r"\(.*?\)")
_SHOULDER = re.compile(r"over (.+?)'s shoulder")
_LOOKING = re.compile(r"looking (?!screen )(?:at |into |towards? |through |out of |over )?"
                      r"([^,]+)")
# How far ahead a POV looks when it names nothing on the stage: something in the hand,
# across the room, down the street, the horizon.
_POV_AHEAD: dict[ShotSize, float] = {S.INSERT: 0.4, S.ECU: 0.4, S.CU: 0.4, S.MCU: 3.0,
                                     S.MS: 3.0, S.MWS: 5.0, S.FS: 8.0, S.WS: 100.0,
                                     S.EWS: 100.0}
_HAND_REACH = 0.3


def name_key(name: str) -> str:
    """'Mara (V.O.)' -> 'MARA': how names are compared."""
    return " ".join(_PAREN.sub(" ", name).upper().split())


class Cast:
    """The scene's marks, found by the names shots use."""

    def __init__(self, actors: Sequence[ActorMark], props: Sequence[PropMark],
                 principals: Sequence[str]) -> None:
        self.actors = tuple(actors)
        self.props = tuple(props)
        self._by_key: dict[str, ActorMark] = {}
        for mark in self.actors:
            self._by_key.setdefault(name_key(mark.name), mark)
        self.principals = tuple(m for n in principals if (m := self.actor(n)) is not None)

    def actor(self, name: str) -> ActorMark | None:
        return self._by_key.get(name_key(name))

    def prop(self, name: str) -> PropMark | None:
        return find_prop(self.props, name)

    def others(self, mark: ActorMark) -> list[ActorMark]:
        return [m for m in self.actors if m is not mark]

    def shoulder(self, shot: Shot, subject: ActorMark) -> ActorMark | None:
        """Whose shoulder an over-the-shoulder is over: the description's name, else the
        other principal, else whoever stands nearest."""
        found = _SHOULDER.search(shot.description)
        if found is not None:
            mark = self.actor(found.group(1))
            if mark is not None and mark is not subject:
                return mark
        if subject in self.principals and len(self.principals) == 2:
            return next(m for m in self.principals if m is not subject)
        others = self.others(subject)
        if not others:
            return None
        return min(others, key=lambda m: math.hypot(m.x - subject.x, m.y - subject.y))

    def pov_target(self, shot: Shot, looker: ActorMark) -> Vec3:
        """What a POV looks at: someone or something the description names, else a point
        ahead along the looker's gaze, as far as the size suggests."""
        found = _LOOKING.search(shot.description)
        what = found.group(1) if found is not None else ""
        if what:
            words = f" {name_key(what)} "
            for mark in self.actors:
                if mark is not looker and f" {name_key(mark.name)} " in words:
                    return (mark.x, mark.y, eye_z(mark))
            prop = self.prop(what)
            if prop is not None:
                return (prop.x, prop.y, prop.z)
        dx, dy = heading(looker.facing)
        ahead = _POV_AHEAD.get(shot.size, 3.0)
        z = hand_z(looker) if ahead < 1.0 else eye_z(looker)
        return (looker.x + ahead * dx, looker.y + ahead * dy, z)


def hand_point(mark: ActorMark) -> Vec3:
    dx, dy = heading(mark.facing)
    return (mark.x + _HAND_REACH * dx, mark.y + _HAND_REACH * dy, hand_z(mark))


def looks_like_thing(name: str) -> bool:
    """Characters are written in capitals; things ('compass', 'brass compass') are not."""
    return any(c.islower() for c in name)


def unlisted_things(shots: Sequence[Shot], listed: Sequence[str],
                    characters: Sequence[str]) -> list[str]:
    """Things shots show that the breakdown does not list: an insert's subject, or any
    subject written like a thing, that is neither a character nor one of the props."""
    people = {name_key(n) for n in characters}
    found: list[str] = []
    for shot in shots:
        for name in shot.subjects:
            if name_key(name) in people or not words(name):
                continue
            if not (shot.size is S.INSERT or looks_like_thing(name)):
                continue
            if best_match([*listed, *found], name) is None:
                found.append(name)
    return found
