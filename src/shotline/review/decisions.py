"""Decisions on shots, kept across revisions and marked stale when the shot changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from shotline.engine.keys import canonical_json
from shotline.errors import InputError
from shotline.governance import audit
from shotline.store.project import Project, current_user, now
from shotline.store.schema import Decision


class Role(StrEnum):
    WRITER = "writer"
    DIRECTOR = "director"
    PERFORMER = "performer"
    CHARACTER_DESIGNER = "character designer"
    PRODUCER = "producer"


KINDS = ("approve", "reject", "lock", "unlock")


def shot_basis(shot: dict[str, Any]) -> str:
    """The hash a decision is about: the shot's content (its lock flag aside)."""
    content = {k: v for k, v in shot.items() if k not in ("locked", "source")}
    return hashlib.sha256(canonical_json(content)).hexdigest()


def parse_role(text: str) -> Role:
    cleaned = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    try:
        return Role(cleaned)
    except ValueError:
        raise InputError(f"unknown role {text!r}; expected one of "
                         f"{', '.join(r.value for r in Role)}") from None


def record(project: Project, shot: dict[str, Any], kind: str, role: Role, *,
           note: str | None = None, take: int | None = None,
           person: str | None = None) -> Decision:
    if kind not in KINDS:
        raise InputError(f"unknown decision {kind!r}")
    decision = Decision(
        shot_id=shot["id"], kind=kind, role=role.value, person=person or current_user(),
        note=note, take=take, basis=shot_basis(shot), shot=shot, created_at=now())
    with project.sessions.begin() as s:
        s.add(decision)
        audit.append(s, "approval", decision.person, decision.shot_id, {
            "decision": kind, "role": role.value, "take": take, "note": note,
            "basis": decision.basis})
    audit.anchor(project)
    return decision


@dataclass(frozen=True)
class ShotState:
    """The latest decision per role on a shot, and whether it still holds."""

    shot_id: str
    decisions: tuple[Decision, ...]  # latest per role, newest first
    stale: tuple[bool, ...]  # per decision: the shot changed (or went) since
    locked: Decision | None  # the lock in force, if any


def states(project: Project, current: dict[str, str]) -> list[ShotState]:
    """Review state of every shot that has a decision, against the current plan
    (shot id -> its basis hash)."""
    with project.sessions() as s:
        rows = list(s.scalars(select(Decision).order_by(Decision.created_at, Decision.id)))
    by_shot: dict[str, list[Decision]] = {}
    for d in rows:
        by_shot.setdefault(d.shot_id, []).append(d)
    out: list[ShotState] = []
    for shot_id, decisions in by_shot.items():
        latest: dict[str, Decision] = {}
        lock: Decision | None = None
        for d in decisions:
            if d.kind in ("lock", "unlock"):
                lock = d if d.kind == "lock" else None
            else:
                latest[d.role] = d
        ordered = sorted(latest.values(), key=lambda d: (d.created_at, d.id), reverse=True)
        basis = current.get(shot_id)
        out.append(ShotState(shot_id, tuple(ordered),
                             tuple(d.basis != basis for d in ordered), lock))
    return out


def locked_shots(project: Project) -> dict[str, dict[str, Any]]:
    """Shot id -> the shot as it was locked, for the planner to keep exactly."""
    with project.sessions() as s:
        rows = list(s.scalars(select(Decision).where(Decision.kind.in_(("lock", "unlock")))
                              .order_by(Decision.created_at, Decision.id)))
    locks: dict[str, dict[str, Any]] = {}
    for d in rows:
        if d.kind == "lock":
            locks[d.shot_id] = d.shot
        else:
            locks.pop(d.shot_id, None)
    return locks
