"""Every executor gives the same outputs; the pool and Ray run in other processes."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from shotline.engine.executors import (
    Executor,
    InlineExecutor,
    ProcessExecutor,
    RayExecutor,
    make_executor,
)
from shotline.engine.steps import Job, Resources
from shotline.errors import InputError

MODULE = "tests.engine.steps_for_tests"


def jobs(n: int, sleep: float = 0.0) -> list[tuple[Job, Resources]]:
    return [(Job("test-upper", MODULE, {"text": f"shot {k}".encode()}, {"sleep": sleep}),
             Resources(cpu=0.5, memory_mb=64)) for k in range(n)]


def collect(executor: Executor, batch: list[tuple[Job, Resources]]) -> dict[int, object]:
    return dict(executor.run(batch))


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[RayExecutor]:
    pytest.importorskip("ray")
    executor = RayExecutor()
    yield executor
    executor.close()


def test_inline_runs_here() -> None:
    results = collect(InlineExecutor(), jobs(3))
    assert {k: r["upper"].data for k, r in results.items()} == {  # type: ignore[index]
        0: b"SHOT 0", 1: b"SHOT 1", 2: b"SHOT 2"}
    assert {r["pid"].data for r in results.values()} == {str(os.getpid()).encode()}  # type: ignore[index]


def test_process_pool_runs_elsewhere_in_parallel() -> None:
    executor = ProcessExecutor(workers=2)
    try:
        results = collect(executor, jobs(6, sleep=0.2))
    finally:
        executor.close()
    assert sorted(r["upper"].data for r in results.values()) == sorted(  # type: ignore[index]
        f"SHOT {k}".encode() for k in range(6))
    pids = {r["pid"].data for r in results.values()}  # type: ignore[index]
    assert str(os.getpid()).encode() not in pids
    assert len(pids) == 2  # both workers took jobs


def test_a_job_with_big_inputs_runs_here_while_the_pool_works(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Sending its bytes to a worker would cost more than the work: the parent, which
    only waits otherwise, takes the one job with the biggest inputs."""
    monkeypatch.setattr("shotline.engine.executors.LOCAL_INPUT_BYTES", 1000)
    batch = jobs(4, sleep=0.2)
    big = (Job("test-upper", MODULE, {"text": b"x" * 5000}, {"sleep": 0.2}),
           Resources(cpu=0.5, memory_mb=64))
    batch.insert(2, big)
    executor = ProcessExecutor(workers=2)
    try:
        results = collect(executor, batch)
    finally:
        executor.close()
    assert results[2]["upper"].data == b"X" * 5000  # type: ignore[index]
    assert results[2]["pid"].data == str(os.getpid()).encode()  # type: ignore[index]
    assert sorted(results) == [0, 1, 2, 3, 4]
    others = {results[k]["pid"].data for k in (0, 1, 3, 4)}  # type: ignore[index]
    assert str(os.getpid()).encode() not in others


def test_process_pool_workers_import_what_they_are_told_as_they_start() -> None:
    """Slow imports (fpdf, USD) happen as a worker starts, not inside a later task."""
    module = "tests.engine.warm_module"
    batch = [(Job("test-imported", MODULE, {}, {"module": module}), Resources())] * 2
    for warm, expected in (((), b"no"), ((module, "no.such.module"), b"yes")):
        executor = ProcessExecutor(workers=2, warm=warm)
        try:
            outcomes = collect(executor, batch)
        finally:
            executor.close()
        assert {o["imported"].data for o in outcomes.values()} == {expected}  # type: ignore[index]


def test_the_pipeline_pool_warms_the_steps_modules() -> None:
    executor = make_executor("process")
    assert isinstance(executor, ProcessExecutor)
    assert {"shotline.boards", "shotline.editorial.usd_stage"} <= set(executor.warm)


def test_process_pool_reports_a_failure_as_an_outcome() -> None:
    executor = ProcessExecutor(workers=2)
    try:
        batch = [(Job("test-broken", MODULE, {}, {}), Resources())] * 2
        outcomes = collect(executor, batch)
    finally:
        executor.close()
    assert all(isinstance(o, RuntimeError) for o in outcomes.values())


def test_ray_runs_tasks_on_a_local_ray(ray_executor: RayExecutor) -> None:
    results = collect(ray_executor, jobs(4))
    assert sorted(r["upper"].data for r in results.values()) == sorted(  # type: ignore[index]
        f"SHOT {k}".encode() for k in range(4))
    assert str(os.getpid()).encode() not in {
        r["pid"].data for r in results.values()}  # type: ignore[index]


def test_ray_reports_the_step_error(ray_executor: RayExecutor) -> None:
    [(_, outcome)] = list(ray_executor.run([(Job("test-broken", MODULE, {}, {}), Resources())]))
    assert isinstance(outcome, BaseException)
    assert "the model fell over" in str(outcome)


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(InputError, match="unknown executor 'gpu'"):
        make_executor("gpu")
