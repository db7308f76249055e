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
