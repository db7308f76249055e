"""A run killed with SIGKILL at any moment goes on where it stopped, losing,
duplicating or corrupting nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.synthetic import feature
from PIL import Image
from sqlalchemy import func, select

from shotline.store.project import Project
from shotline.store.schema import Run, StepOutput, StepRun

SHOTLINE = Path(sys.executable).parent / "shotline"


def start_run(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(SHOTLINE), "run", "--project", str(project), "--executor",
                             "inline"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def step_runs(project: Project) -> int:
    with project.sessions() as s:
        return s.scalar(select(func.count(StepRun.id))) or 0


def test_kill_9_mid_run_then_resume(make_project: Callable[..., Project]) -> None:
    project = make_project(text=feature(pages=8))
    process = start_run(project.root)
    deadline = time.monotonic() + 120
    while step_runs(project) < 12:  # parse, breakdown, split and some scene plans
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    done_before = step_runs(project)

    resumed = subprocess.run([str(SHOTLINE), "run", "--project", str(project.root),
                              "--executor", "inline", "--json"], capture_output=True,
                             text=True, timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr
    with project.sessions() as s:
        runs = list(s.scalars(select(Run).order_by(Run.id)))
        assert [r.status for r in runs] == ["interrupted", "done"]
        assert runs[1].tasks_cached >= done_before  # nothing finished was redone
        keys = list(s.scalars(select(StepRun.cache_key)))
        assert len(keys) == len(set(keys))  # nothing duplicated
        outputs = list(s.scalars(select(StepOutput.asset_hash)))
    for digest in outputs:  # nothing lost or corrupt
        data = project.objects.path(digest).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
    assert not list((project.state / "objects").glob("*/.incoming-*"))

    # The resumed result is exactly what an uninterrupted run makes.
    clean_root = project.root.parent / "clean"
    Project.init(clean_root, project.script_path).close()
    # The same settings (frame size included), so the same outputs are expected.
    (clean_root / "shotline.toml").write_bytes((project.root / "shotline.toml").read_bytes())
    clean = Project.open(clean_root)
    try:
        subprocess.run([str(SHOTLINE), "run", "--project", str(clean.root), "--executor",
                        "inline"], capture_output=True, timeout=300, check=True)
        for name in ("plan.json", "breakdown.json", "shots.csv", "animatic.srt"):
            assert (clean.exports / name).read_bytes() == (project.exports / name).read_bytes()
        boards = sorted(p.name for p in (clean.exports / "boards").iterdir())
        assert boards == sorted(p.name for p in (project.exports / "boards").iterdir())
        # Exported boards carry content credentials, whose signatures differ run to
        # run; the pictures under them must be the same, pixel for pixel.
        for board in boards:
            with Image.open(clean.exports / "boards" / board) as a, \
                    Image.open(project.exports / "boards" / board) as b:
                assert a.tobytes() == b.tobytes(), board
        assert _board_objects(clean) == _board_objects(project)
    finally:
        clean.close()


def _board_objects(project: Project) -> dict[str, str]:
    """Each shot's board as the board step made it, before signing."""
    with project.sessions() as s:
        return dict(s.execute(
            select(StepRun.scope, StepOutput.asset_hash)
            .join(StepOutput, StepOutput.step_run_id == StepRun.id)
            .where(StepRun.step == "board", StepOutput.name == "image.png")).all())


HOLD = """
import sys, time
from pathlib import Path
from shotline.store.project import Project
project = Project.open(Path(sys.argv[1]))
with project.lock():
    (project.root / "held").touch()
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_run_at_once_is_refused_clearly(make_project: Callable[..., Project]) -> None:
    project = make_project()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(project.root), "4"])
    try:
        deadline = time.monotonic() + 60
        while not (project.root / "held").exists():
            assert time.monotonic() < deadline and holder.poll() is None
            time.sleep(0.02)
        second = subprocess.run([str(SHOTLINE), "run", "--project", str(project.root)],
                                capture_output=True, text=True, timeout=60, check=False)
        assert second.returncode == 2
        assert second.stderr.startswith("shotline: error: ")
        assert "another shotline run holds this project" in second.stderr
        assert "Traceback" not in second.stderr
        waited = subprocess.run([str(SHOTLINE), "run", "--project", str(project.root),
                                 "--wait", "60"], capture_output=True, text=True, timeout=120,
                                check=False)
        assert waited.returncode == 0, waited.stderr
    finally:
        holder.wait(60)
