"""Project folders on SQLite and on a real PostgreSQL: init, open, migrate, lock."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from shotline.errors import InputError
from shotline.store.project import Project, ProjectBusyError, now
from shotline.store.schema import Run

TABLES = {"alembic_version", "assets", "runs", "step_runs", "step_outputs", "revisions",
          "scenes", "decisions"}


def test_init_lays_out_the_folder(make_project: Callable[..., Project], database_url: str) -> None:
    project = make_project(database_url=database_url)
    root = project.root
    assert (root / "shotline.toml").is_file()
    assert (root / "source.fountain").read_text(encoding="utf-8").startswith("Title: Two Rooms")
    assert (root / ".shotline" / "objects").is_dir()
    assert project.settings.name == "Two Rooms"
    assert set(inspect(project.engine).get_table_names()) >= TABLES


def test_reopening_keeps_the_data(make_project: Callable[..., Project], database_url: str) -> None:
    project = make_project(database_url=database_url)
    with project.sessions.begin() as s:
        s.add(Run(started_at=now(), status="done", executor="inline", tasks_run=1,
                  tasks_cached=0, pid=1, host="h"))
    project.close()
    again = Project.open(project.root)  # migrations find the schema current
    with again.sessions() as s:
        assert [r.status for r in s.scalars(select(Run))] == ["done"]
    again.close()


def test_init_refuses_an_existing_project_and_a_bad_script(tmp_path: Path,
                                                           make_project: Callable[..., Project]
                                                           ) -> None:
    project = make_project()
    with pytest.raises(InputError, match="already a Shotline project"):
        Project.init(project.root, project.script_path)
    bad = tmp_path / "bad.fountain"
    bad.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(InputError, match="binary"):
        Project.init(tmp_path / "other", bad)
    assert not (tmp_path / "other" / "shotline.toml").exists()


def test_open_outside_a_project_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a Shotline project"):
        Project.open(tmp_path)


def test_unreachable_database_is_an_input_error(make_project: Callable[..., Project]) -> None:
    with pytest.raises(InputError, match="cannot open the database"):
        make_project(database_url="postgresql+psycopg://nobody@127.0.0.1:9/none")


def _hold(root: str, seconds: float) -> None:
    project = Project.open(Path(root))
    with project.lock():
        (Path(root) / "held").touch()
        time.sleep(seconds)


def test_a_second_run_is_refused_then_allowed(make_project: Callable[..., Project]) -> None:
    project = make_project()
    holder = multiprocessing.get_context("spawn").Process(
        target=_hold, args=(str(project.root), 2.0))
    holder.start()
    try:
        deadline = time.monotonic() + 30
        while not (project.root / "held").exists():
            assert time.monotonic() < deadline, "the other process never took the lock"
            time.sleep(0.05)
        with pytest.raises(ProjectBusyError) as refused, project.lock():
            pass
        assert "another shotline run holds this project" in str(refused.value)
        assert '"pid"' in str(refused.value)
        with project.lock(wait=30):  # waits for the holder to finish
            pass
    finally:
        holder.join(30)
    assert holder.exitcode == 0
