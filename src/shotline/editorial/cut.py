"""The cut: the ordered clips of the edit, as the planner made it or as the editor recut it.

The planner's edit lives per scene (``ScenePlan.edit``). An editor's cut may reorder
scenes, trim, drop or reorder clips; it is kept against the plans it was made on, so a
scene whose plan has since changed (a script revision) falls back to its new plan
instead of applying trims to shots that are no longer the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shotline.model.shots import Cut, ScenePlan


def frames_of(seconds: float, fps: int) -> int:
    """A cut's length in whole frames: the rule the animatic encodes with."""
    return max(1, round(seconds * fps))


@dataclass(frozen=True)
class CutEntry:
    """One clip of the cut: which cut of which scene's plan it shows, for how long."""

    scene: str
    shot: str
    index: int  # the cut's position in the scene's planned edit
    covers: tuple[int, ...]
    frames: int

    def to_dict(self) -> dict[str, Any]:
        return {"scene": self.scene, "shot": self.shot, "index": self.index,
                "covers": list(self.covers), "frames": self.frames}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CutEntry:
        return cls(str(d["scene"]), str(d["shot"]), int(d["index"]),
                   tuple(int(c) for c in d["covers"]), int(d["frames"]))


@dataclass(frozen=True)
class EditorsCut:
    """A conformed cut, with the plan hash of every scene it was made against."""

    entries: tuple[CutEntry, ...]
    basis: Mapping[str, str]  # scene -> plan hash when conformed
    fps: int
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [e.to_dict() for e in self.entries], "basis": dict(self.basis),
                "fps": self.fps, "source": self.source}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EditorsCut:
        return cls(tuple(CutEntry.from_dict(e) for e in d["entries"]),
                   {str(k): str(v) for k, v in d["basis"].items()}, int(d["fps"]),
                   str(d.get("source", "")))


def planned_entries(plan: ScenePlan, fps: int) -> list[CutEntry]:
    return [CutEntry(plan.scene, c.shot, k, c.covers, frames_of(c.duration, fps))
            for k, c in enumerate(plan.edit)]


@dataclass
class Following:
    """The cut a run follows, and the scenes where the editor's cut no longer applied."""

    entries: list[CutEntry]
    stale: list[str] = field(default_factory=list)


def follow(plans: Sequence[ScenePlan], hashes: Mapping[str, str], fps: int,
           cut: EditorsCut | None) -> Following:
    """The editor's cut where it still holds, the planner's edit everywhere else.

    A scene whose plan changed since (stale) takes its new planned edit where the
    editor put the scene; one the editor never saw (new) goes after the scene that
    precedes it in the script."""
    if cut is None:
        return Following([e for plan in plans for e in planned_entries(plan, fps)])
    entries = list(cut.entries)
    stale: list[str] = []
    previous: str | None = None
    for plan in plans:
        number = plan.scene
        if number in cut.basis and cut.basis[number] == hashes.get(number):
            previous = number
            continue
        if number in cut.basis:
            stale.append(number)
        # where the editor put the scene, or else after the scene before it
        at = next((k for k, e in enumerate(entries) if e.scene == number), None)
        entries = [e for e in entries if e.scene != number]
        if at is None:
            at = 0 if previous is None else max(
                (k + 1 for k, e in enumerate(entries) if e.scene == previous), default=0)
        entries[at:at] = planned_entries(plan, fps)
        previous = number
    known = {p.scene for p in plans}
    return Following([e for e in entries if e.scene in known], stale)


def runs(entries: Sequence[CutEntry]) -> list[tuple[str, list[CutEntry]]]:
    """Consecutive entries of one scene: the stretches the animatic is cut in."""
    out: list[tuple[str, list[CutEntry]]] = []
    for entry in entries:
        if out and out[-1][0] == entry.scene:
            out[-1][1].append(entry)
        else:
            out.append((entry.scene, [entry]))
    return out


def with_edit(plan: ScenePlan, entries: Sequence[CutEntry], fps: int) -> ScenePlan:
    """The scene's plan whose edit is these entries, in this order, at these lengths."""
    return replace(plan, edit=tuple(Cut(e.shot, e.covers, e.frames / fps) for e in entries))
