"""The edit: an ordered cut through the coverage that shows every beat exactly once.

For each beat the edit takes, in order: a shot the director added for it (overrides
first, then shot notes); else the planner's pick for it, if that shot is still there;
else the most specific shot left that covers it (a single before an over-the-shoulder,
before the establishing shot, before the master). A beat no shot covers any more (its
shots were dropped) plays on the shot before it, or on the widest shot left, with a
warning. Beats in a row on one shot are one cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shotline.model.shots import Cut, ShotSize
from shotline.planning.beats import Beat
from shotline.planning.drafts import Draft, Rank
from shotline.planning.lenses import WIDEST_FIRST


@dataclass
class Edit:
    cuts: tuple[Cut, ...]
    seconds: dict[str, float]  # shot id -> time on screen
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Run:
    draft: Draft
    covers: list[int]
    seconds: float


def _widest(drafts: Sequence[Draft]) -> Draft | None:
    if not drafts:
        return None
    order = {size: n for n, size in enumerate(WIDEST_FIRST)}
    return min(enumerate(drafts), key=lambda e: (
        e[1].size is ShotSize.INSERT, order[e[1].size], e[0]))[1]


def cut_scene(beats: Sequence[Beat], drafts: Sequence[Draft],
              preferred: Sequence[Draft | None]) -> Edit:
    position = {id(d): n for n, d in enumerate(drafts)}
    by_index: dict[int, list[Draft]] = {}
    for d in drafts:
        for i in d.covers:
            by_index.setdefault(i, []).append(d)
    runs: list[_Run] = []
    warnings: list[str] = []
    for k, beat in enumerate(beats):
        found: dict[int, Draft] = {}
        for i in beat.core:
            for d in by_index.get(i, ()):
                found.setdefault(id(d), d)
        candidates = list(found.values())
        explicit = [d for d in candidates if d.rank <= Rank.NOTE]
        planned = preferred[k] if k < len(preferred) else None
        pick: Draft | None
        if explicit:
            pick = min(explicit, key=lambda d: (d.rank, position[id(d)]))
        elif planned is not None and id(planned) in found:
            pick = planned
        elif candidates:
            pick = min(candidates, key=lambda d: (d.rank, len(d.covers), position[id(d)]))
        else:
            pick = runs[-1].draft if runs else _widest(drafts)
            if pick is None:
                warnings.append(f"line {beat.line}: no shots left in the scene to show it")
                continue
            warnings.append(f"line {beat.line}: no shot covers it any more; "
                            f"it plays on {pick.id}")
            if not pick.locked:
                pick.cover(beat.indexes)
        if runs and runs[-1].draft is pick:
            runs[-1].covers.extend(beat.indexes)
            runs[-1].seconds += beat.seconds
        else:
            runs.append(_Run(pick, list(beat.indexes), beat.seconds))
    seconds: dict[str, float] = {}
    cuts: list[Cut] = []
    for run in runs:
        duration = round(run.seconds, 3)
        cuts.append(Cut(run.draft.id, tuple(run.covers), duration))
        seconds[run.draft.id] = seconds.get(run.draft.id, 0.0) + duration
    return Edit(tuple(cuts), {k: round(v, 3) for k, v in seconds.items()}, warnings)
