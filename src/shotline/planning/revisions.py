"""The overrides file applied to one scene's shots: adds, changes, locks and drops.

A change sets fields of a planned shot and leaves the rest as planned. A lock
freezes a shot as the entry states it (fields it leaves out are the planned shot's);
the planner does not alter a locked shot afterwards, and its id stays its own. A
drop removes a shot, and the edit gives its beats to the shots that remain. An add
is a new shot that the edit prefers for the beats it covers.
"""

from __future__ import annotations

from collections.abc import Sequence

from shotline.model.shots import Angle, Framing, Movement, ShotSize, ShotSource
from shotline.planning.beats import Beat
from shotline.planning.coverage import Coverage
from shotline.planning.drafts import Draft, Rank, Role
from shotline.planning.ids import shot_id
from shotline.planning.lenses import lens_for
from shotline.planning.overrides import Overrides, ShotOverride
from shotline.planning.setups import screen_order


class _Scene:
    """What entries are resolved against: the scene's beats and its sides of the line."""

    def __init__(self, number: str, beats: Sequence[Beat], coverage: Coverage,
                 overrides: Overrides) -> None:
        self.number = number
        self.beats = beats
        self.coverage = coverage
        self.overrides = overrides
        self.beat_of = {i: k for k, b in enumerate(beats) for i in b.indexes}
        self.warnings: list[str] = []

    def warn(self, entry: ShotOverride, message: str) -> None:
        self.warnings.append(f"{self.overrides.where(entry)}: {message}")

    def covers(self, entry: ShotOverride, exact: bool) -> dict[int, None]:
        """The element indexes an entry names, by index or by source line. Indexes grow
        to whole beats (a line with its cue), except where a lock keeps them exact."""
        out: dict[int, None] = {}
        strays: list[int] = []
        for i in entry.covers or ():
            k = self.beat_of.get(i)
            if k is None:
                strays.append(i)
                if exact:
                    out[i] = None
            else:
                out.update(dict.fromkeys((i,) if exact else self.beats[k].indexes))
        if strays:
            kept = "kept as locked" if exact else "ignored"
            listed = ", ".join(map(str, strays))
            self.warn(entry, f"covers {listed}: not a line or action of scene {self.number}; "
                             f"{kept}")
        for line in entry.lines or ():
            beat = next((b for b in self.beats if b.line <= line <= b.last_line), None)
            if beat is None:
                self.warn(entry, f"line {line} is not a line or action of scene {self.number}")
            else:
                out.update(dict.fromkeys(beat.indexes))
        return out

    def settle(self, draft: Draft) -> None:
        """Keep who-looks-where consistent with the scene's side of the line."""
        sides = self.coverage.sides
        subjects = draft.subjects
        single = draft.framing in (Framing.SINGLE, Framing.OTS) and bool(subjects)
        draft.eyeline = sides.get(subjects[0]) if single else None
        if draft.framing is Framing.OTS and subjects:
            pair = self.coverage.pair
            if draft.shoulder is None or draft.shoulder in subjects:
                draft.shoulder = (next((n for n in pair if n != subjects[0]), None)
                                  if pair and subjects[0] in pair else None)
        else:
            draft.shoulder = None
        if draft.framing is Framing.TWO_SHOT and len(subjects) == 2:
            draft.sides = screen_order(subjects[0], subjects[1], sides)
            draft.subjects = draft.sides
        else:
            draft.sides = None


def _set(draft: Draft, entry: ShotOverride, scene: _Scene, exact: bool) -> None:
    if entry.size is not None:
        draft.size = entry.size
        if entry.lens_mm is None:
            draft.lens_mm = lens_for(entry.size)
    if entry.framing is not None:
        draft.framing = entry.framing
    if entry.angle is not None:
        draft.angle = entry.angle
    if entry.movement is not None:
        draft.movement = entry.movement
    if entry.lens_mm is not None:
        draft.lens_mm = entry.lens_mm
    if entry.subjects is not None:
        draft.subjects = entry.subjects
    if entry.covers is not None or entry.lines is not None:
        draft.covers = scene.covers(entry, exact)
    if entry.description is not None:
        draft.description = entry.description
    if (entry.framing is not None or entry.subjects is not None) and draft.role not in (
            Role.MOVE, Role.COVERAGE):
        draft.role = Role.COVERAGE  # a reframed master or establishing shot is neither
    scene.settle(draft)
    draft.source = ShotSource.OVERRIDE


def _new(entry: ShotOverride, scene: _Scene, exact: bool) -> Draft:
    size = entry.size or ShotSize.WS
    subjects = entry.subjects or ()
    framing = entry.framing or (
        Framing.SINGLE if size is ShotSize.INSERT or len(subjects) == 1 else
        Framing.TWO_SHOT if len(subjects) == 2 else Framing.GROUP)
    draft = Draft(size, framing, entry.angle or Angle.EYE_LEVEL,
                  entry.movement or Movement.STATIC, entry.lens_mm or lens_for(size), subjects,
                  Rank.ADDED, source=ShotSource.OVERRIDE, description=entry.description)
    draft.covers = scene.covers(entry, exact)
    scene.settle(draft)
    return draft


def reserved_ids(overrides: Overrides | None, number: str) -> set[str]:
    """Ids the overrides file adds under: the planner letters its own shots around them."""
    if overrides is None:
        return set()
    return {e.id for e in overrides.for_scene(number) if e.action == "add" and e.id}


def apply_overrides(overrides: Overrides, number: str, beats: Sequence[Beat],
                    coverage: Coverage) -> list[str]:
    """Apply the scene's entries to coverage.drafts (lettered already); returns warnings."""
    scene = _Scene(number, beats, coverage, overrides)
    drafts = coverage.drafts
    by_id = {d.id.upper(): d for d in drafts}
    taken = set(by_id)  # a dropped shot's id is not given to another
    entries = overrides.for_scene(number)
    for entry in entries:
        if entry.action == "add" or entry.id is None:
            continue
        draft = by_id.get(entry.id)
        if entry.action == "lock" and draft is None:
            if entry.size is None:
                scene.warn(entry, f"no shot {entry.id} in scene {number} to lock; give its "
                                  "size to add it as a locked shot")
                continue
            draft = _new(entry, scene, exact=True)
            draft.id = entry.id
            drafts.append(draft)
            by_id[entry.id] = draft
        elif draft is None:
            scene.warn(entry, f"no shot {entry.id} in scene {number} to {entry.action}")
            continue
        elif entry.action == "drop":
            drafts.remove(draft)
            del by_id[entry.id]
            continue
        elif entry.given():
            _set(draft, entry, scene, exact=entry.action == "lock")
        if entry.action == "lock":
            if entry.covers is None and entry.lines is None:
                draft.covers = dict.fromkeys(sorted(draft.covers))
            draft.locked = True
            draft.description = draft.describe()  # frozen with the rest of it
    taken.update(by_id)
    k = 0
    for entry in entries:
        if entry.action != "add":
            continue
        if entry.id is not None and entry.id in taken:
            scene.warn(entry, f"shot {entry.id} already exists in scene {number}; "
                              "use action = \"change\" to alter it")
            continue
        draft = _new(entry, scene, exact=False)
        if entry.id is not None:
            draft.id = entry.id
        else:
            while draft.id == "" or draft.id.upper() in taken:
                k += 1
                draft.id = shot_id(number, k)
        taken.add(draft.id.upper())
        drafts.append(draft)
    return scene.warnings
