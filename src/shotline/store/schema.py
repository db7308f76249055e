"""The project database's tables (SQLAlchemy 2). Changes go through Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Asset(Base):
    """An object in the content-addressed store."""

    __tablename__ = "assets"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Run(Base):
    """One `shotline run`: who ran it, how, and how it ended."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))  # running, done, failed, interrupted
    executor: Mapped[str] = mapped_column(String(20))
    script_hash: Mapped[str | None] = mapped_column(String(64))
    tasks_run: Mapped[int] = mapped_column(Integer, default=0)
    tasks_cached: Mapped[int] = mapped_column(Integer, default=0)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(Text)


class StepRun(Base):
    """A step executed once for a cache key: the provenance of its outputs."""

    __tablename__ = "step_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cache_key: Mapped[str] = mapped_column(String(64), unique=True)
    step: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(200))  # what it was for: "script", "scene 12"
    inputs: Mapped[dict[str, str]] = mapped_column(JSON)  # name -> asset hash
    params: Mapped[dict[str, object]] = mapped_column(JSON)
    provider: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int | None]
    tool_version: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]


class StepOutput(Base):
    __tablename__ = "step_outputs"
    step_run_id: Mapped[int] = mapped_column(ForeignKey("step_runs.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    asset_hash: Mapped[str] = mapped_column(ForeignKey("assets.hash"))

    __table_args__ = (Index("ix_step_outputs_asset", "asset_hash"),)


class Revision(Base):
    """A version of the screenplay the project has run, with its revision report."""

    __tablename__ = "revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    script_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    report: Mapped[dict[str, object]] = mapped_column(JSON)


class SceneRecord(Base):
    """A scene as the project knows it across revisions; its number never changes."""

    __tablename__ = "scenes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    heading: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # for matching the next revision
    position: Mapped[int] = mapped_column(Integer)  # order in the current script
    omitted: Mapped[bool] = mapped_column(default=False)
    first_revision: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    last_revision: Mapped[int] = mapped_column(ForeignKey("revisions.id"))


class Decision(Base):
    """Who decided what about a shot, in which role, when, on which take."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shot_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # approve, reject, lock, unlock
    role: Mapped[str] = mapped_column(String(40))
    person: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    take: Mapped[int | None]
    basis: Mapped[str] = mapped_column(String(64))  # hash of the shot as decided on
    shot: Mapped[dict[str, object]] = mapped_column(JSON)  # the shot as decided on
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_decisions_shot", "shot_id"),)


class EditorsCutRecord(Base):
    """An editor's cut conformed into the project; the newest one is the cut runs
    follow. A record with no cut sets the planner's edit back."""

    __tablename__ = "editors_cuts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    source: Mapped[str] = mapped_column(Text)  # the timeline's file name
    source_hash: Mapped[str | None] = mapped_column(String(64))  # the file, as stored
    cut: Mapped[dict[str, object] | None] = mapped_column(JSON)
    report: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class SpendRecord(Base):
    """One paid (or free) provider call: what it was estimated at and what it cost. The
    idempotency key is the call's own, so a retried call is one record, paid once."""

    __tablename__ = "spend"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    provider: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))  # "shot 12A take 2", "assist plan"
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    estimate_usd: Mapped[float]
    cost_usd: Mapped[float | None]  # None while the call is under way, or if it failed
    status: Mapped[str] = mapped_column(String(20))  # reserved, charged, failed
    created_at: Mapped[datetime]


class CharacterRecord(Base):
    """The character bible: who a character is and looks like, and who plays them."""

    __tablename__ = "characters"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # as the script cues it
    description: Mapped[str] = mapped_column(Text, default="")
    appearance: Mapped[dict[str, object]] = mapped_column(JSON)  # the renderer's overrides
    aliases: Mapped[list[str]] = mapped_column(JSON)  # other names the prompt may use
    performer_id: Mapped[int | None] = mapped_column(ForeignKey("performers.id"))
    updated_at: Mapped[datetime]


class CharacterReference(Base):
    """A reference image of a character, kept in the asset store."""

    __tablename__ = "character_refs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    character: Mapped[str] = mapped_column(ForeignKey("characters.name"))
    asset_hash: Mapped[str] = mapped_column(ForeignKey("assets.hash"))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_character_refs_character", "character"),)


class TakeRecord(Base):
    """A generated take of a shot: its image and where it came from. Take 0 is the
    previs board and is never stored here."""

    __tablename__ = "takes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shot_id: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    cache_key: Mapped[str] = mapped_column(String(64), unique=True)  # the generate task
    asset_hash: Mapped[str] = mapped_column(ForeignKey("assets.hash"))
    provider: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int | None]
    cost_usd: Mapped[float]
    basis: Mapped[str] = mapped_column(String(64))  # hash of the shot it was made for
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime]
    quarantined: Mapped[str | None] = mapped_column(Text)  # why it may not leave, if so
    # The likenesses it uses: [performer, use, consent id] each, as the gate allowed them.
    likeness: Mapped[list[list[object]] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_takes_shot", "shot_id", "number", unique=True),)


class Selection(Base):
    """Which take the cut uses for a shot; the newest row per shot wins (take 0: the
    previs board)."""

    __tablename__ = "selections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shot_id: Mapped[str] = mapped_column(String(40))
    take: Mapped[int] = mapped_column(Integer)
    person: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_selections_shot", "shot_id"),)


class Performer(Base):
    """A person whose likeness or voice a character may carry."""

    __tablename__ = "performers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    deceased: Mapped[bool] = mapped_column(default=False)
    minor: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class ConsentRecord(Base):
    """A performer's consent to a specific use of their likeness in this project."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    performer_id: Mapped[int] = mapped_column(ForeignKey("performers.id"))
    project: Mapped[str] = mapped_column(String(200))
    uses: Mapped[list[str]] = mapped_column(JSON)  # face, voice, body
    replica: Mapped[str] = mapped_column(String(40))  # employment-based, independent, synthetic
    description: Mapped[str] = mapped_column(Text)  # the intended use, in writing
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    granted_by: Mapped[str] = mapped_column(String(40))  # performer, estate, guardian
    grantor_name: Mapped[str] = mapped_column(String(200))
    document_hash: Mapped[str] = mapped_column(String(64))
    represented: Mapped[bool] = mapped_column(default=False)  # union or legal representation
    compensation_ref: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditEntry(Base):
    """One line of the hash-chained audit log: each entry holds the hash of the one
    before, so an edited, removed or reordered entry breaks the chain."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))  # generation, provider-call, export, ...
    actor: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
