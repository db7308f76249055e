"""Takes and selects: the generated takes of each shot, numbered per shot in the order
they were made, and the take the cut uses (take 0 is the previs board)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from shotline.errors import InputError
from shotline.governance import audit
from shotline.store.project import Project, current_user, now
from shotline.store.schema import Selection, StepOutput, StepRun, TakeRecord

BOARD = 0


def take_file(shot_id: str, number: int) -> str:
    """Where a take goes in exports/: the shot in the name too, so files stay apart when
    tools gather them in one folder (an .otioz bundle does)."""
    return f"takes/{shot_id}/{shot_id}-take-{number}.png"


@dataclass(frozen=True)
class NewTake:
    shot_id: str
    cache_key: str  # the generate task's: the same task is the same take
    asset_hash: str  # the take's picture, fitted to the frame
    provider: str
    model: str
    seed: int | None
    cost_usd: float
    basis: str  # the shot's hash when it was made
    likeness: tuple[tuple[str, str, int], ...] = ()  # performer, use, consent id


def record_takes(project: Project, made: Sequence[NewTake],
                 run_id: int | None) -> list[tuple[int, bool]]:
    """Each take's number, and whether it is new (numbered after the shot's last). A new take
    goes into the audit log in the same transaction; a known one takes the likenesses
    the gate found this time (a performer linked, or an alias added, since it was made),
    so that revoking that consent quarantines it too."""
    numbers: list[tuple[int, bool]] = []
    with project.sessions.begin() as s:
        rows = {t.cache_key: t for t in s.scalars(select(TakeRecord).where(
            TakeRecord.cache_key.in_([m.cache_key for m in made])))}
        known = {key: t.number for key, t in rows.items()}
        for take in made:
            row = rows.get(take.cache_key)
            now_deps = [list(d) for d in take.likeness] or None
            if row is not None and take.likeness and row.likeness != now_deps:
                row.likeness = now_deps
        last: dict[str, int] = {shot: number for shot, number in s.execute(
            select(TakeRecord.shot_id, func.max(TakeRecord.number))
            .where(TakeRecord.shot_id.in_({m.shot_id for m in made}))
            .group_by(TakeRecord.shot_id))}
        for take in made:
            if take.cache_key in known:
                numbers.append((known[take.cache_key], False))
                continue
            number = last.get(take.shot_id, 0) + 1
            last[take.shot_id] = number
            known[take.cache_key] = number
            s.add(TakeRecord(shot_id=take.shot_id, number=number, cache_key=take.cache_key,
                             asset_hash=take.asset_hash, provider=take.provider,
                             model=take.model, seed=take.seed, cost_usd=take.cost_usd,
                             basis=take.basis, run_id=run_id, created_at=now(),
                             quarantined=None,
                             likeness=[list(d) for d in take.likeness] or None))
            audit.append(s, "generation", take.provider, f"shot {take.shot_id} take {number}",
                         {"model": take.model, "seed": take.seed, "picture": take.asset_hash,
                          "run": run_id, "likeness": [list(d) for d in take.likeness]})
            numbers.append((number, True))
    audit.anchor(project)
    return numbers


def takes_of(project: Project, shot_id: str | None = None) -> list[TakeRecord]:
    with project.sessions() as s:
        query = select(TakeRecord).order_by(TakeRecord.shot_id, TakeRecord.number)
        if shot_id is not None:
            query = query.where(TakeRecord.shot_id == shot_id)
        return list(s.scalars(query))


def select_take(project: Project, shot_id: str, take: int, person: str | None = None) -> None:
    """Make `take` the one the cut uses for the shot; 0 goes back to the board."""
    shot_id = shot_id.strip().upper()
    if take < 0:
        raise InputError(f"take must be 0 (the board) or a take number, got {take}")
    with project.sessions.begin() as s:
        if take != BOARD:
            record = s.scalar(select(TakeRecord).where(TakeRecord.shot_id == shot_id,
                                                       TakeRecord.number == take))
            if record is None:
                have = sorted(s.scalars(select(TakeRecord.number)
                                        .where(TakeRecord.shot_id == shot_id)))
                listed = ", ".join(str(n) for n in have) or "none yet (shotline run "\
                    "--provider NAME)"
                raise InputError(f"shot {shot_id} has no take {take}; its takes: {listed}")
            if record.quarantined:
                raise InputError(f"take {take} of shot {shot_id} is quarantined: "
                                 f"{record.quarantined}")
        who = person or current_user()
        s.add(Selection(shot_id=shot_id, take=take, person=who, created_at=now()))
        audit.append(s, "selection", who, shot_id, {"take": take})
    audit.anchor(project)


def selections(project: Project) -> dict[str, TakeRecord]:
    """Shot -> the selected take, for shots whose newest selection is a take."""
    with project.sessions() as s:
        newest = (select(Selection.shot_id, func.max(Selection.id).label("last"))
                  .group_by(Selection.shot_id).subquery())
        rows = s.execute(select(Selection.shot_id, Selection.take)
                         .join(newest, Selection.id == newest.c.last))
        chosen = {shot: take for shot, take in rows if take != BOARD}
        if not chosen:
            return {}
        takes = s.scalars(select(TakeRecord).where(TakeRecord.shot_id.in_(chosen)))
        return {t.shot_id: t for t in takes if chosen.get(t.shot_id) == t.number}



def likeness_dependencies(project: Project) -> dict[int, list[tuple[str, str, int]]]:
    """Take id -> the likenesses it uses, for the takes that use any."""
    with project.sessions() as s:
        rows = s.execute(select(TakeRecord.id, TakeRecord.likeness)
                         .where(TakeRecord.likeness.is_not(None)))
        return {take_id: [(str(p), str(u), int(str(c))) for p, u, c in deps]
                for take_id, deps in rows if deps}


def take_outputs(project: Project, takes: Sequence[TakeRecord]) -> dict[str, dict[str, str]]:
    """Take cache key -> what its generate step made, by output name (the fitted take,
    the original, the previs frame, the thumbnail, the record), in one pass."""
    found: dict[str, dict[str, str]] = {}
    keys = [t.cache_key for t in takes]
    with project.sessions() as s:
        for start in range(0, len(keys), 500):  # SQLite's parameter limit
            rows = s.execute(select(StepRun.cache_key, StepOutput.name, StepOutput.asset_hash)
                             .join(StepOutput, StepOutput.step_run_id == StepRun.id)
                             .where(StepRun.cache_key.in_(keys[start:start + 500])))
            for key, name, digest in rows:
                found.setdefault(key, {})[name] = digest
    return found
